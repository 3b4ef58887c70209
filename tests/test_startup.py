"""Start-up of a small lint: it imports only what linting a file needs.

A pre-commit hook or a CI step lints a few small captures, so the process start is most of
their cost.  The reporters a run does not print, the scenarios of `check`, gzip, TOML, the
pure-Python schema validator (only for an event that fails its schema), the HTML timeline,
report-file writing (tempfile, shutil), difflib (hints for a typo), `check`'s grouping of
causes and pathlib (a directory walk's, with urllib.parse and ipaddress) stay unimported.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from validator.cache import ENV_DIR, ENV_OFF

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "valid"
#: Modules a lint of one clean SSE file with the text report has no use for.
UNUSED = ("validator.reporters.sarif", "validator.reporters.junit", "validator.reporters.github",
          "validator.reporters.json", "validator.live.scenarios", "validator.live.check", "httpx",
          "yaml", "gzip", "tomllib", "jsonschema", "xml.etree.ElementTree",
          "concurrent.futures.process", "importlib.resources", "validator.content", "pathspec",
          "validator.timeline", "validator.atomic", "tempfile", "shutil", "difflib",
          "validator.causes", "jsonschema_rs", "validator.chat.checker",
          "validator.anthropic.checker", "pathlib", "urllib.parse")

_PROBE = """
import sys
from validator.cli import main
sys.argv = ["stream-validator", "lint", sys.argv[1]]
try:
    main()
except SystemExit as exit:
    code = exit.code
print(__import__("json").dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", ENV_OFF)}
    return {**env, "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache"),  # bytecode, as installed
            ENV_DIR: str(tmp_path / "cache")}  # and the compiled predicates (validator.cache)


def _clean_sample(prefix: str = "") -> Path:
    """The smallest clean SSE sample (of the Anthropic kind: ``prefix="anthropic-"``)."""
    samples = [p for p in SAMPLE.glob(f"{prefix}*.sse") if prefix or
               not p.name.startswith("anthropic-")]
    return min(samples, key=lambda p: p.stat().st_size)


def test_a_small_lint_imports_nothing_it_does_not_use(tmp_path):
    # In a project: the first run writes the bytecode, the predicate cache and the parsed
    # pyproject.toml (which imports tomllib, validator.atomic and tempfile); the second is
    # every later lint.
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n'
                                             '[tool.stream-validator]\nformat = "text"\n')
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", _PROBE, str(_clean_sample())],
                              cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True,
                              timeout=60)
    probe = json.loads(done.stderr.strip().splitlines()[-1])
    assert probe["code"] == 0
    assert "validator.engine" in probe["modules"]
    assert [m for m in UNUSED if m in probe["modules"]] == []


def _cpu(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return usage.ru_utime + usage.ru_stime


@pytest.mark.parametrize("prefix", ["", "anthropic-"], ids=["responses", "anthropic"])
def test_a_small_lint_costs_a_few_python_start_ups(tmp_path, prefix):
    env = _env(tmp_path)
    lint = [sys.executable, "-m", "validator", "lint", str(_clean_sample(prefix))]
    _cpu(lint, tmp_path, env)  # writes the bytecode and the predicate cache
    ratios = [_cpu(lint, tmp_path, env) / _cpu([sys.executable, "-c", "pass"], tmp_path, env)
              for _ in range(5)]
    # Medians of 15 paired runs on a loaded 2-core machine: 7.2x (Responses) and 7.6x
    # (Anthropic: its checker and schemas are loaded on first use), from 9.7x and 10.1x before
    # the lazy imports, the collector frozen after them and the lazily edited schemas; then
    # about 6x once pathlib, tomllib (a kept configuration table) and most dataclass
    # definitions left the start-up (318M -> 264M instructions); click and orjson alone are
    # 4-5x.  An eager import of jsonschema, httpx or the reporters adds 2-5x.
    assert statistics.median(ratios) < 8, ratios
