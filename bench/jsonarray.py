"""Benchmark case: the same events linted as a JSON array and as JSONL, in one run.

The JSON-array reader parses each element slice with orjson, as JSONL parses each line; its
target is at most 1.5x the JSONL lint of the same events, with memory bounded by the largest
event.  Each measurement is a fresh child process (CPU time and peak memory from ``rusage``);
the modes alternate (JSONL, compact array, pretty array, JSONL, ...) and the medians of the
rounds count, with their spread, so load on a shared machine hits every mode alike.

    python bench/jsonarray.py --deltas 100000,1000000 --scenario mix
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

SHAPES = ("jsonl", "array", "pretty")


def write(deltas: int, scenario: str, shape: str) -> Path:
    """The stream of ``generate.events`` as JSONL, a compact array (one element per line, as
    ``json.dump`` of a list with ``,\\n`` separators writes it) or an indent=2 array."""
    if shape == "jsonl":
        return generate.write(deltas, "jsonl", scenario)
    path = generate.DATA / f"{scenario}-{deltas}.{shape}.json"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with open(partial, "w", encoding="utf-8") as out:
        out.write("[\n")
        for i, event in enumerate(generate.events(deltas, scenario)):
            text = json.dumps(event, indent=2 if shape == "pretty" else None)
            out.write((",\n" if i else "") + text)
        out.write("\n]\n")
    partial.rename(path)
    return path


def _child(path: str) -> None:
    from validator.api import validate_file

    with open(path, "rb") as stream:
        report = validate_file(stream, path)
    if report.violations:
        raise SystemExit(f"{path}: not clean: {report.violations[0]}")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"events": report.events, "cpu": usage.ru_utime + usage.ru_stime,
                      "peak_mb": usage.ru_maxrss / 1024}))


def measure(path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deltas", default="100000", help="text deltas, comma-separated")
    parser.add_argument("--scenario", choices=generate.SCENARIOS, default="message")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (medians count)")
    parser.add_argument("--child", metavar="PATH", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child)
        return 0
    for deltas in (int(d) for d in args.deltas.split(",")):
        paths = {shape: write(deltas, args.scenario, shape) for shape in SHAPES}
        runs: dict[str, list[dict]] = {shape: [] for shape in SHAPES}
        for _ in range(args.repeat):
            for shape in SHAPES:
                runs[shape].append(measure(paths[shape]))
        cpu = {shape: statistics.median(r["cpu"] for r in runs[shape]) for shape in SHAPES}
        print(f"{args.scenario}, {deltas} deltas, {runs['jsonl'][0]['events']} events, "
              f"{args.repeat} rounds (median CPU s, spread, peak MB):")
        for shape in SHAPES:
            values = [r["cpu"] for r in runs[shape]]
            peak = max(r["peak_mb"] for r in runs[shape])
            print(f"  {shape:<7} {cpu[shape]:8.3f}  ±{(max(values) - min(values)) / 2:.3f}  "
                  f"{peak:7.1f} MB  {paths[shape].stat().st_size / 2**20:8.1f} MiB file")
        for shape in SHAPES[1:]:
            print(f"  {shape}/jsonl: {cpu[shape] / cpu['jsonl']:.2f} (target <= 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
