"""``[tool.stream-validator]``: loading and checking the table, discovery from the current
directory upwards, ``--config``, and the command line winning over the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLES

from validator.cli import find_config, main
from validator.config import KEYS, ConfigError, load

SEED = str(SAMPLES / "seeds" / "responses-mismatched-ids.jsonl")
WARNING_ONLY = str(SAMPLES / "invalid" / "L012-in-progress-missing.jsonl")


def table(body: str) -> str:
    return f"[project]\nname = 'x'\n\n[tool.stream-validator]\n{body}\n"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# --- load ------------------------------------------------------------------------------------

def test_load_every_key():
    settings = load(table('profile = "strict"\nselect = ["I", "T001"]\nignore = ["I005"]\n'
                          'strict = true\nformat = "junit"\nscenarios = "ci/scenarios"\n'
                          'base-url = "http://127.0.0.1:8000/v1"'),
                    Path("/project/pyproject.toml"))
    assert settings == {"profile": "strict", "select": ["I", "T001"], "ignore": ["I005"],
                        "strict": True, "format": "junit",
                        "scenarios": str(Path("/project/ci/scenarios")),
                        "base_url": "http://127.0.0.1:8000/v1"}
    assert set(KEYS) == {"profile", "select", "ignore", "strict", "format", "scenarios",
                         "base-url", "extend-select", "extend-ignore", "per-file-ignores",
                         "exclude", "extend-exclude"}


def test_no_table_is_none_and_an_empty_table_is_empty():
    assert load("[project]\nname = 'x'\n[tool.ruff]\nline-length = 100\n", "p.toml") is None
    assert load("", "p.toml") is None
    assert load(table(""), "p.toml") == {}


@pytest.mark.parametrize(("body", "message"), [
    ('selct = ["I"]', "[tool.stream-validator] selct: unknown key (did you mean select?)"),
    ("colour = 1", "colour: unknown key (known: profile, select"),
    ('profile = "lenient"', "profile: expected one of default, strict, open-responses, openai, "
                            "got 'lenient'"),
    ('select = "I"', "select: expected a list of rule codes, prefixes or names, got 'I'"),
    ("ignore = [3]", "ignore: expected a list of rule codes"),
    ('select = ["I999X"]', "select: no rule matches 'I999X'"),
    ('strict = "yes"', "strict: expected true or false, got 'yes'"),
    ('format = "xml"', "format: expected one of text, json, junit, sarif, github, html, got 'xml'"),
    ("scenarios = 1", "scenarios: expected a non-empty string, got 1"),
    ('base-url = ""', "base-url: expected a non-empty string, got ''"),
])
def test_bad_settings_name_the_key(body, message):
    with pytest.raises(ConfigError) as info:
        load(table(body), "proj/pyproject.toml")
    assert str(info.value).startswith("proj/pyproject.toml: ")
    assert message in str(info.value)


@pytest.mark.parametrize(("text", "message"), [
    ("[tool\n", "invalid TOML"),
    ('[tool]\nstream-validator = "on"\n', "[tool.stream-validator] must be a table"),
])
def test_broken_files(text, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load(text, "pyproject.toml")


def test_hostile_keys_and_values_are_escaped_in_messages():
    with pytest.raises(ConfigError) as info:
        load(table('"\\u001b[31m" = 1'), "p.toml")
    assert "\x1b" not in str(info.value) and "\\x1b[31m" in str(info.value)


# --- discovery and precedence ------------------------------------------------------------------

@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project whose pyproject.toml has a table; the tests run in a subdirectory of it."""
    (tmp_path / "pyproject.toml").write_text(table(
        'profile = "strict"\nselect = ["I"]\nformat = "json"\nscenarios = "scen"'))
    inner = tmp_path / "captures" / "deep"
    inner.mkdir(parents=True)
    monkeypatch.chdir(inner)
    return tmp_path


def test_discovery_walks_up_and_skips_files_without_the_table(project):
    (project / "captures" / "pyproject.toml").write_text("[project]\nname = 'inner'\n")
    assert find_config(os.getcwd()) == ({"profile": "strict", "select": ["I"], "format": "json",
                                         "scenarios": str(project / "scen")}, str(project))


def test_discovery_finds_nothing(tmp_path):
    assert find_config(str(tmp_path)) == ({}, str(tmp_path))


def codes_and_profile(output: str) -> tuple[set[str], str]:
    [file] = json.loads(output)["files"]
    return {v["code"] for v in file["violations"]}, file["profile"]


def test_the_file_sets_defaults(project):
    result = run("lint", SEED)
    assert result.exit_code == 1
    codes, profile = codes_and_profile(result.output)  # format = "json" from the file
    assert (codes, profile) == ({"I003"}, "strict")  # select = ["I"], profile = "strict"


def test_the_command_line_wins(project):
    result = run("lint", "--format", "json", "--profile", "default", "--select", "R", SEED)
    codes, profile = codes_and_profile(result.output)
    assert (codes, profile) == ({"R001", "R003"}, "default")
    assert run("lint", "--format", "text", SEED).output.startswith(SEED)


def test_strict_from_the_file_and_no_strict_on_the_command_line(project):
    (project / "pyproject.toml").write_text(table("strict = true"))
    assert run("lint", WARNING_ONLY).exit_code == 1
    assert run("lint", "--no-strict", WARNING_ONLY).exit_code == 0


def test_explicit_config_path(project, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere") / "ci.toml"
    other.write_text(table('select = ["R"]'))
    codes, profile = codes_and_profile(run("lint", "--config", str(other), "--format", "json",
                                           SEED).output)
    assert (codes, profile) == ({"R001", "R003"}, "default")  # the project's file is not read


def test_explicit_config_without_the_table_exits_2(tmp_path):
    path = tmp_path / "empty.toml"
    path.write_text("[project]\nname = 'x'\n")
    result = run("lint", "--config", str(path), SEED)
    assert result.exit_code == 2
    assert f"{path}: no [tool.stream-validator] table" in result.output


def test_bad_config_exits_2_with_one_line(project):
    (project / "pyproject.toml").write_text(table('ignore = ["XYZ"]'))
    result = run("lint", SEED)
    assert result.exit_code == 2
    assert result.output.strip() == (f"Error: {project / 'pyproject.toml'}: "
                                     "[tool.stream-validator] ignore: no rule matches 'XYZ'")
    assert run("lint", "--config", str(project / "missing.toml"), SEED).exit_code == 2


def test_an_invalid_file_fails_every_lint_and_an_edit_is_read(project):
    # The parsed tables are kept between runs (validator.cache.parsed_once), found by the text.
    (project / "pyproject.toml").write_text("[tool\n")
    for _ in range(2):
        result = run("lint", SEED)
        assert result.exit_code == 2 and "invalid TOML" in result.output
    (project / "pyproject.toml").write_text(table('profile = "strict"'))
    assert json.loads(run("lint", "--format", "json", SEED).output)["files"][0]["profile"] == \
        "strict"
    (project / "pyproject.toml").write_text(table('profile = "open-responses"'))
    assert json.loads(run("lint", "--format", "json", SEED).output)["files"][0]["profile"] == \
        "open-responses"


def test_help_works_even_with_a_bad_config(project):
    (project / "pyproject.toml").write_text(table("nonsense = 1"))
    assert run("lint", "--help").exit_code == 0


def test_the_readme_example_loads():
    readme = (SAMPLES.parent / "README.md").read_text("utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    settings = load(example, Path("/repo/pyproject.toml"))
    assert set(settings) == {key.replace("-", "_") for key in KEYS}


def test_openai_is_the_old_name_of_the_default_profile(project):
    # `openai` read wrongly once Anthropic streams were validated: the default is `default`,
    # and `openai` (command line, file, API) stands for it.
    new = run("lint", "--format", "json", "--profile", "default", "--select", "R", SEED)
    old = run("lint", "--format", "json", "--profile", "openai", "--select", "R", SEED)
    assert codes_and_profile(old.output) == codes_and_profile(new.output) == (
        {"R001", "R003"}, "default")
    (project / "pyproject.toml").write_text(table('profile = "openai"'))
    assert codes_and_profile(run("lint", "--format", "json", SEED).output)[1] == "default"


# --- rule selection in layers, as ruff has it -------------------------------------------------

def test_select_on_the_command_line_wins_over_ignore_in_the_file(project):
    (project / "pyproject.toml").write_text(table('ignore = ["I003"]\nformat = "json"'))
    assert "I003" not in codes_and_profile(run("lint", SEED).output)[0]
    codes, _ = codes_and_profile(run("lint", "--select", "I003", SEED).output)
    assert codes == {"I003"}


def test_extend_select_and_extend_ignore(project):
    (project / "pyproject.toml").write_text(table(
        'select = ["R"]\nextend-select = ["I003"]\nformat = "json"'))
    assert codes_and_profile(run("lint", SEED).output)[0] == {"R001", "R003", "I003"}
    codes, _ = codes_and_profile(run("lint", "--extend-ignore", "R003", SEED).output)
    assert codes == {"R001", "I003"}  # the file's choice, less what the command line ignores
    codes, _ = codes_and_profile(run("lint", "--extend-select", "Q001", SEED).output)
    assert codes == {"R001", "R003", "I003", "Q001"}


def test_per_file_ignores_apply_to_matching_paths_only(project, tmp_path_factory):
    for folder in ("vendor", "own"):
        (project / "captures" / folder).mkdir()
        (project / "captures" / folder / "seed.jsonl").write_bytes(Path(SEED).read_bytes())
    (project / "pyproject.toml").write_text(table(
        'format = "json"\n[tool.stream-validator.per-file-ignores]\n'
        '"captures/vendor/*" = ["I", "R"]'))
    output = run("lint", str(project / "captures")).output
    found = {Path(f["path"]).parent.name: {v["code"] for v in f["violations"]}
             for f in json.loads(output)["files"]}
    assert found == {"vendor": {"Q001"}, "own": {"Q001", "I003", "R001", "R003"}}


def test_isolated_ignores_the_file(project):
    result = run("lint", "--isolated", SEED)
    assert result.output.startswith(SEED)  # text, not the file's json
    assert "Q001" in result.output  # not only the file's select = ["I"]
    both = run("lint", "--isolated", "--config", str(project / "pyproject.toml"), SEED)
    assert both.exit_code == 2 and "--isolated" in both.output
