"""The README says what the code is: its layout lists every module, its counts are the code's."""

from __future__ import annotations

import re
from pathlib import Path

import openai
import pytest
from conftest import REPO

from validator.engine import KINDS, MAX_PER_RULE
from validator.live.scenarios import load_builtin
from validator.rules import DIFF_FAMILIES, LIVE_FAMILIES
from validator.tools.drift import _responses_events

README = (REPO / "README.md").read_text("utf-8")
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10}


def _layout(text: str) -> str:
    return text.split("<!-- layout:start -->\n", 1)[1].split("<!-- layout:end -->", 1)[0]


def layout_problems(section: str, root: Path) -> list[str]:
    """What the layout section of a README gets wrong about the package at ``root`` (the
    folder that holds ``validator/``): a module or package without its line, a name that is
    not there."""
    package = root / "validator"
    lines: dict[str, str] = {}
    problems = []
    for line in section.splitlines():
        match = re.match(r"- `(validator/[^`]+)`", line)
        if not match:
            problems.append(f"not a layout line: {line!r}")
            continue
        if match[1] in lines:
            problems.append(f"{match[1]} listed twice")
        lines[match[1]] = line[match.end():]
    modules = [f"validator/{p.name}" for p in sorted(package.glob("*.py"))]
    packages = [f"validator/{p.parent.name}/" for p in sorted(package.glob("*/__init__.py"))]
    problems += [f"{name} has no line" for name in [*modules, *packages] if name not in lines]
    for entry, rest in lines.items():
        path = root / entry
        if not path.exists():
            problems.append(f"{entry} is listed but does not exist")
            continue
        if not entry.endswith("/"):
            continue
        named = set(re.findall(r"`([\w.]+(?:\.py|/))`", rest))
        for child in sorted(path.rglob("*.py")):
            relative = child.relative_to(path)
            if child.name == "__init__.py" and relative.parent == Path():
                continue
            # a nested package stands for its modules: `scenarios/`
            shown = {str(relative), child.name, *(f"{part}/" for part in relative.parts[:-1])}
            if not shown & named:
                problems.append(f"{entry}{relative} is not named on the line of {entry}")
        for name in sorted(named):
            if not (path / name).exists():
                problems.append(f"{entry} names {name}, which does not exist")
    return problems


def test_the_readme_layout_lists_every_module_and_nothing_that_is_gone():
    assert layout_problems(_layout(README), REPO) == []


def test_the_layout_check_catches_a_module_without_a_line_and_a_line_without_a_module(tmp_path):
    package = tmp_path / "validator"
    (package / "framing").mkdir(parents=True)
    for name in ("__init__.py", "engine.py", "framing/__init__.py", "framing/sse.py"):
        (package / name).write_text("")
    section = ("- `validator/__init__.py`: x\n- `validator/engine.py`: x\n"
               "- `validator/framing/`: `sse.py`\n")
    assert layout_problems(section, tmp_path) == []
    (package / "walk.py").write_text("")
    (package / "framing" / "jsonl.py").write_text("")
    assert layout_problems(section + "- `validator/gone.py`: x\n", tmp_path) == [
        "validator/walk.py has no line",
        "validator/framing/jsonl.py is not named on the line of validator/framing/",
        "validator/gone.py is listed but does not exist"]


def _count(pattern: str) -> list[int]:
    """Every number the README gives where ``pattern`` (with one group for it) matches."""
    found = re.findall(pattern, README.replace("\n", " "))
    assert found, f"the README no longer says {pattern!r}: update this test"
    return [int(n) if n.isdigit() else _NUMBERS[n] for n in found]


@pytest.mark.parametrize(("pattern", "actual"), [
    (r"The (\d+) built-in Responses and Chat scenarios", lambda: len(load_builtin())),
    (r"the (\w+) `messages-\*`", lambda: len(load_builtin(["messages"]))),
    (r"all (\d+) Responses event types of openai-python", lambda: len(_responses_events())),
    (r"at most (\d+) findings per stream", lambda: MAX_PER_RULE),
    (r"every pair of the (\w+) kinds", lambda: len(KINDS)),
    (r"named after its code, except (\w+) families", lambda: len(LIVE_FAMILIES + DIFF_FAMILIES)),
], ids=["scenarios", "messages-scenarios", "event-types", "cap", "kinds", "sampleless"])
def test_the_readme_counts_are_the_codes(pattern, actual):
    assert set(_count(pattern)) == {actual()}


def test_the_readme_names_the_openai_release_the_schemas_follow():
    assert re.findall(r"event types of openai-python ([\d.]+)", README) == [openai.__version__]
