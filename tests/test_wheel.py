"""The wheel ships the schemas: build it, install it into a fresh venv outside the checkout, and
validate a sample there with the schemas the installed package finds.

The wheel carries the per-event path compiled by mypyc (``hatch_build.py``): the compiled build
must find exactly what the source finds, on every sample and corpus file under every profile,
and ``STREAM_VALIDATOR_PURE_PYTHON=1`` must still build the pure wheel.

The fresh venv's own pip builds the wheel the way ``pip install .`` does there: isolated, with
the build requirements from the package index and nothing of this checkout's environment.  The
venv then gets the wheel only; its third-party dependencies are borrowed from the running
interpreter through a ``.pth`` line (nothing more to download).  A plain path line does not
run the ``.pth`` files of that directory, so an editable install of this checkout there stays
invisible: ``validator`` can only come from the wheel.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, REPO


def compiled_modules() -> tuple[str, ...]:
    """``hatch_build.COMPILED``, read without importing the hook (and hatchling)."""
    tree = ast.parse((REPO / "hatch_build.py").read_text("utf-8"))
    (value,) = [node.value for node in tree.body if isinstance(node, ast.Assign)
                and [getattr(t, "id", None) for t in node.targets] == ["COMPILED"]]
    return ast.literal_eval(value)


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env=env)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def build_wheel(dist: Path, cwd: Path, env: dict[str, str] | None = None,
                python: Path | None = None) -> Path:
    """The wheel, built by ``python``'s pip; this interpreter's build backend when it has one,
    else pip's isolated build."""
    isolation = ["--no-build-isolation"] if python is None and \
        importlib.util.find_spec("hatchling") is not None else []
    run(python or sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "--quiet",
        "-w", dist, REPO, cwd=cwd, env=env)
    (wheel,) = dist.glob("stream_validator-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """A venv outside the checkout with the freshly built wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    dist, venv, work = root / "dist", root / "venv", root / "elsewhere"
    work.mkdir()
    run(sys.executable, "-m", "venv", venv, cwd=work)
    python = venv / "bin" / "python"
    # Built as `pip install .` builds it in a new venv: isolated, where mypyc sees nothing but
    # the build hook's own requirements (a missing one once made such a build fail).
    wheel = build_wheel(dist, work, python=python)
    run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", wheel, cwd=work)
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                    cwd=work).strip())
    borrowed = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    (site / "_borrowed_dependencies.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    return {"wheel": wheel, "venv": venv, "python": python, "cwd": work}


def test_wheel_contains_the_schemas(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    schemas = [n for n in names if n.startswith("validator/_schemas/")]
    shipped = {str(p.relative_to(REPO / "schemas")) for p in (REPO / "schemas").rglob("*.json")}
    assert {n.removeprefix("validator/_schemas/") for n in schemas} == shipped


def test_installed_package_validates_a_sample_with_its_own_schemas(installed):
    sample = next((REPO / "samples" / "invalid").glob("S002-*.jsonl"))
    events = [json.loads(line) for line in sample.read_text("utf-8").splitlines()]
    script = """
import json, sys
import validator, validator.schemas as schemas
from validator.schemas import SchemaChecker
root = str(schemas._schema_root())
events = json.loads(sys.stdin.read())
found = [(f.code, f.pointer) for event in events for f in SchemaChecker().check(event)]
print(json.dumps({"package": validator.__file__, "schemas": root, "found": found}))
"""
    done = subprocess.run([str(installed["python"]), "-c", script], cwd=installed["cwd"],
                          input=json.dumps(events), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    venv = str(installed["venv"])
    assert result["package"].startswith(venv), result  # not the checkout
    assert result["schemas"].startswith(venv) and result["schemas"].endswith("_schemas")
    assert [tuple(f) for f in result["found"]] == [("S002", "/item/role")]


def test_installed_command_lints_with_schemas_and_documents_rules_with_their_samples(installed):
    command = installed["venv"] / "bin" / "stream-validator"
    sample = next((REPO / "samples" / "invalid").glob("S002-*.jsonl"))
    done = subprocess.run([str(command), "lint", "--format", "json", str(sample)],
                          cwd=installed["cwd"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    (found,) = json.loads(done.stdout)["files"][0]["violations"]
    assert (found["code"], found["pointer"]) == ("S002", "/item/role")
    doc = run(command, "rule", "S002", cwd=installed["cwd"])
    assert f"## Sample ({sample.name})" in doc  # the samples ship inside the wheel too
    pair = run(command, "rule", "D006", cwd=installed["cwd"])  # the diff sample pairs too
    assert "## Sample (D006-tool-arguments-differ/upstream.sse)" in pair
    assert json.loads(run(command, "schema", "response.output_item.added",
                          cwd=installed["cwd"]))["title"] == "response.output_item.added"


def test_installed_package_ships_the_builtin_scenarios(installed):
    script = """
import json
from validator.live.scenarios import ENDPOINTS, load_builtin
print(json.dumps([[s.name, s.source] for s in load_builtin(ENDPOINTS)]))
"""
    done = subprocess.run([str(installed["python"]), "-c", script], cwd=installed["cwd"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    shipped = sorted(p.stem for p in (REPO / "validator" / "live" / "scenarios").glob("*.json"))
    assert [name for name, _ in found] == shipped and len(shipped) == 26
    assert all(source.startswith(str(installed["venv"])) for _, source in found)


def test_the_wheel_runs_the_hot_path_compiled(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    for module in compiled_modules():
        stem = module.removesuffix(".py")
        assert any(n.startswith(stem + ".") and n.endswith(".so") for n in names), module
        assert module in names  # the source too: pure where the extension cannot load
    command = installed["venv"] / "bin" / "stream-validator"
    version = run(command, "--version", cwd=installed["cwd"])
    assert version.strip().endswith("(compiled with mypyc)"), version


@pytest.mark.parametrize("profile", ["default", "strict", "open-responses"])
def test_the_compiled_build_finds_what_the_source_finds(installed, profile):
    """Every sample and corpus file: the same report, byte for byte, from the compiled wheel
    (its command, whose ``sys.path`` has no checkout) and from the source."""
    corpora = CORPUS[0].parent  # every corpus, the Anthropic one too
    inputs = ["samples", *([str(corpora)] if corpora.is_dir() else [])]
    args = ["lint", "--profile", profile, "--format", "json", *inputs]
    source = subprocess.run([sys.executable, "-m", "validator", *args], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    compiled = subprocess.run([str(installed["venv"] / "bin" / "stream-validator"), *args],
                              cwd=REPO, capture_output=True, text=True, timeout=600)
    assert (compiled.returncode, compiled.stderr) == (source.returncode, source.stderr)
    assert compiled.stdout == source.stdout
    assert len(json.loads(source.stdout)["files"]) > 300


def test_a_pure_wheel_builds_on_request(tmp_path):
    env = {**os.environ, "STREAM_VALIDATOR_PURE_PYTHON": "1"}
    wheel = build_wheel(tmp_path, tmp_path, env)
    assert wheel.name.endswith("-py3-none-any.whl")
    assert not [n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".so")]
