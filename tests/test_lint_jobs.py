"""`lint --jobs N`: several files in worker processes, the report in the order of the files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from live_server import cli

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _files(report: str) -> list[dict]:
    return json.loads(report)["files"]


def _pools(monkeypatch) -> list[int]:
    """The ``max_workers`` of every pool ``_lint_all`` starts."""
    import concurrent.futures

    pools: list[int] = []

    class Pool(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, max_workers: int) -> None:
            pools.append(max_workers)
            super().__init__(max_workers=max_workers)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Pool)
    return pools


def test_jobs_gives_the_report_of_jobs_1_in_the_same_order():
    one = cli("lint", str(SAMPLES / "invalid"), str(SAMPLES / "valid"), "--format", "json",
              "--jobs", "1")
    two = cli("lint", str(SAMPLES / "invalid"), str(SAMPLES / "valid"), "--format", "json",
              "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert two.stdout == one.stdout
    paths = [f["path"] for f in _files(two.stdout)]
    assert len(paths) > 80 and paths[0].endswith("C001-mixed-stream-kinds.sse")


def test_stdin_keeps_its_place_among_the_files():
    first, last = sorted((SAMPLES / "valid").glob("*.sse"))[:2]
    stdin = (SAMPLES / "invalid" / "S001-schema-wrong-type.jsonl").read_bytes()
    done = subprocess.run([sys.executable, "-m", "validator", "lint", str(first), "-", str(last),
                           "--format", "json", "--jobs", "2"], input=stdin,
                          capture_output=True, timeout=120)
    files = _files(done.stdout.decode())
    assert [f["path"] for f in files] == [str(first), "<stdin>", str(last)]
    assert [v["code"] for v in files[1]["violations"]] == ["S001"]
    assert not files[0]["violations"] and not files[2]["violations"]


def test_an_unreadable_file_is_reported_and_the_others_linted_with_jobs(tmp_path):
    missing = tmp_path / "missing.sse"
    one = cli("lint", str(SAMPLES / "valid"), str(missing), "--format", "json", "--jobs", "1")
    two = cli("lint", str(SAMPLES / "valid"), str(missing), "--format", "json", "--jobs", "2")
    assert two.returncode == one.returncode == 2
    assert (two.stdout, two.stderr) == (one.stdout, one.stderr)
    assert two.stderr.strip().splitlines() == [
        f"stream-validator: cannot read {missing}: No such file or directory"]
    assert len(_files(two.stdout)) == len(list((SAMPLES / "valid").iterdir()))


def test_several_files_go_to_a_pool_of_jobs_workers(monkeypatch):
    from validator import cli as shell

    pools = _pools(monkeypatch)
    tasks = [(str(p), {"profile": "openai"})
             for p in sorted((SAMPLES / "valid").glob("*.sse"))[:3]]
    reports = list(shell._lint_all(tasks, "<stdin>", 2))
    assert pools == [2]
    assert [r.to_dict() for r in reports] == [
        r.to_dict() for r in list(shell._lint_all(tasks, "<stdin>", 1))]
    assert list(shell._lint_all(tasks[:1], "<stdin>", 2)) and pools == [2]  # one file: here


def test_without_jobs_small_files_stay_in_one_process(monkeypatch):
    from validator import cli as shell

    pools = _pools(monkeypatch)
    tasks = [(str(p), {"profile": "openai"})
             for p in sorted((SAMPLES / "valid").glob("*.sse"))[:3]]
    assert sum(Path(path).stat().st_size for path, _ in tasks) < shell.POOL_BYTES
    alone = [r.to_dict() for r in shell._lint_all(tasks, "<stdin>", None)]
    assert pools == []
    monkeypatch.setattr(shell, "POOL_BYTES", 1)  # as if they were large: one worker per core
    monkeypatch.setattr(shell, "_cores", lambda: 2)
    assert [r.to_dict() for r in shell._lint_all(tasks, "<stdin>", None)] == alone
    assert pools == [2]
    assert [r.to_dict() for r in shell._lint_all(tasks, "<stdin>", 2)] == alone  # as asked
    assert pools == [2, 2]


def test_batches_keep_the_order_and_balance_the_bytes():
    from validator import cli as shell

    files = [(f"f{n}", {}) for n in range(40)]
    sizes = [10] * 40
    sizes[5] = 1000  # larger than its share: alone
    batches = shell._batches(files, sizes, 2)
    assert [item for batch in batches for item in batch] == files
    assert ["f5"] in [[path for path, _ in batch] for batch in batches]
    assert all(1 <= len(batch) <= 5 for batch in batches)  # 40 files, 8 batches: 5 at most
    assert len(batches) <= 2 * 2 * shell._BATCHES_PER_JOB
    assert shell._batches(files[:1], [0], 4) == [files[:1]]
