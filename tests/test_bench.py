"""The benchmark harness runs every kind of case it reports (a broken case would only show when
someone runs the long benchmark): tiny streams, one round each, into a temporary folder."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _harness():
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_case_of_the_benchmark_runs(tmp_path, monkeypatch, capsys):
    run = _harness()
    monkeypatch.setattr(run.generate, "DATA", tmp_path)
    assert run.main(["--deltas", "200,400", "--format", "jsonl,sse",
                     "--scenario", "message,chat,anthropic,logprobs-null",
                     "--array", "anthropic", "--repeat", "1", "--sdk-events", "50",
                     "--jobs", "2", "--startup", "--markdown"]) == 0
    table = capsys.readouterr().out.split("| case | ratio |", 1)[1]
    rows = {tuple(cell.strip() for cell in line.split("|")[1:3])
            for line in table.splitlines() if line.startswith("| ") and "---" not in line}
    for kind in ("message", "chat", "anthropic"):  # each kind's SDK peer
        for fmt in ("jsonl", "sse"):
            for size in ("2e2", "4e2"):
                for ratio in ("lint / floor", "schemas on / off", "lint / sdk"):
                    assert (f"{kind} {fmt} {size}", ratio) in rows
            assert (f"{kind} {fmt} 4e2 / 2e2", "peak memory (x)") in rows
    assert ("logprobs-null jsonl 4e2", "defect cost (x clean)") in rows
    assert ("anthropic json array 4e2", "pretty (x jsonl)") in rows
    for ratio in ("speed-up, --jobs 2", "speed-up, 2 side by side",
                  "--jobs 2 against side by side"):
        assert ("lint 4 files 2e2", ratio) in rows
    assert ("tiny lint", "start-up (x python)") in rows
