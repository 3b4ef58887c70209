"""The catalogue stays honest: unique codes and names, full docs, README table in sync."""

from __future__ import annotations

import re

from conftest import REPO

from validator.cli import rules_markdown
from validator.profiles import PROFILES
from validator.rules import RULES

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Use instead",
            "## References")


def test_codes_and_names_are_unique_and_well_formed():
    names = [r.name for r in RULES.values()]
    assert len(set(names)) == len(names)
    for code, rule in RULES.items():
        assert code == rule.code
        assert re.fullmatch(r"[FSLQITRCHXMD]\d{3}", code), code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
        assert rule.kind in ("responses", "chat", "anthropic", "any")
        assert set(rule.profiles) <= set(PROFILES)


def test_every_rule_doc_has_its_sections_in_order():
    for rule in RULES.values():
        positions = [rule.doc.find(section) for section in SECTIONS]
        assert -1 not in positions and positions == sorted(positions), rule.code
        assert rule.summary and not rule.summary.endswith(".")


def test_every_rule_runs_under_some_profile():
    for rule in RULES.values():
        assert any(rule.severity_in(p) for p in PROFILES), rule.code


def test_readme_rule_table_is_current():
    readme = (REPO / "README.md").read_text("utf-8")
    table = readme.split("<!-- rules:start -->\n", 1)[1].split("<!-- rules:end -->", 1)[0]
    assert table == rules_markdown(), (
        "README rule table is stale: replace it with `stream-validator rules --format markdown`")


def test_readme_code_blocks_are_closed():
    opened = None
    for number, line in enumerate((REPO / "README.md").read_text("utf-8").splitlines(), 1):
        if line.startswith("```"):
            if opened is None:
                opened = number
            else:
                assert line == "```", f"README line {number}: a block opens inside the block " \
                                      f"of line {opened}"
                opened = None
    assert opened is None, f"README line {opened}: code block never closed"


def test_rule_docs_cite_public_references_not_documents_outside_the_repository():
    for rule in RULES.values():
        refs = rule.doc.split("## References\n", 1)[1].strip()
        assert refs, f"{rule.code} cites nothing"
        outside = re.search(r"\b(?!README)[\w-]+\.md\b|corpus `", rule.doc)
        assert outside is None, f"{rule.code} cites {outside[0]!r}, which a user cannot open"


def test_every_finding_says_why_it_matters():
    from conftest import SAMPLES, sample_profile

    from validator import validate_stream
    from validator.rules.impact import IMPACT

    assert set(IMPACT) == set(RULES)
    for path in sorted((SAMPLES / "invalid").iterdir()):
        code = path.name.split("-", 1)[0]
        options = {"max_line_bytes": 1024} if code == "F009" else {}
        for v in validate_stream(path, profile=sample_profile(code), **options).violations:
            assert v.message.endswith(f" — {IMPACT[v.code]}"), (path.name, v.message)
