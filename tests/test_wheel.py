"""The wheel ships the schemas: build it, install it into a fresh venv outside the checkout, and
validate a sample there with the schemas the installed package finds.

The fresh venv gets the wheel only; its third-party dependencies are borrowed from the running
interpreter through a ``.pth`` line (so the test needs no network).  A plain path line does not
run the ``.pth`` files of that directory, so an editable install of this checkout there stays
invisible: ``validator`` can only come from the wheel.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def run(*args: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """A venv outside the checkout with the freshly built wheel installed."""
    root = tmp_path_factory.mktemp("wheel")
    dist, venv, work = root / "dist", root / "venv", root / "elsewhere"
    work.mkdir()
    # The build backend from this interpreter when it has one, else pip's isolated build.
    isolation = [] if importlib.util.find_spec("hatchling") is None else ["--no-build-isolation"]
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "--quiet", "-w", dist,
        REPO, cwd=work)
    (wheel,) = dist.glob("stream_validator-*.whl")
    run(sys.executable, "-m", "venv", venv, cwd=work)
    python = venv / "bin" / "python"
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
