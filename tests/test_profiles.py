"""The profile table is the one list of profiles: every consumer and the README follow it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import REPO, SAMPLES

from validator.cli import main
from validator.profiles import (
    PROFILE_NAMES,
    PROFILES,
    canonical_profile,
    get_profile,
    profile_help,
)
from validator.rules import RULES, enabled_rules
from validator.schemas import EDIT_SETS, SchemaChecker

README = (REPO / "README.md").read_text("utf-8")


def test_every_profile_names_edit_sets_that_exist():
    for profile in PROFILES.values():
        assert set(profile.schema_edits) <= set(EDIT_SETS), profile.name
    # an edit set no profile applies is dead
    assert {s for p in PROFILES.values() for s in p.schema_edits} == set(EDIT_SETS)


def test_rule_overrides_name_only_profiles_of_the_table():
    for rule in RULES.values():
        assert set(rule.profiles) <= set(PROFILES), rule.code


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_every_name_lints_and_builds_its_schemas(name):
    # the failure the table prevents: a name one list has and another lacks was an internal
    # error (exit 2 with a traceback) instead of a lint
    assert enabled_rules(name)
    assert SchemaChecker(name).profile == canonical_profile(name)
    result = CliRunner().invoke(main, ["lint", "--exit-zero", "--format", "json", "--profile",
                                       name, str(SAMPLES / "valid")])
    assert result.exit_code == 0, result.output
    files = json.loads(result.output)["files"]
    assert files and {f["profile"] for f in files} == {canonical_profile(name)}


def test_an_alias_is_its_profile():
    for profile in PROFILES.values():
        for alias in profile.aliases:
            assert get_profile(alias) is profile
            assert enabled_rules(alias) == enabled_rules(profile.name)


def test_an_unknown_name_is_a_value_error_that_lists_the_names():
    with pytest.raises(ValueError, match="choose from default, strict"):
        get_profile("lenient")


def test_the_help_names_every_profile_and_alias():
    text = profile_help()
    for name in PROFILE_NAMES:
        assert f"({name}" in text or f"`{name}`" in text, name


def test_the_readme_documents_every_profile():
    section = README.split("### Profiles\n", 1)[1].split("\n### ", 1)[0]
    bullets = [line.split("`")[1] for line in section.splitlines() if line.startswith("- `")]
    assert bullets == list(PROFILES)
    names = "\\|".join(PROFILES)  # a `|` in a Markdown table cell is escaped
    assert f"| `--profile {names}` |" in README
    [setting] = [line for line in README.splitlines() if line.startswith("profile = ")]
    assert all(name in setting.split("#", 1)[1] for name in PROFILE_NAMES), setting
