"""Benchmark a lint against the cost of parsing the JSON, in one run on the same file.

For each stream (``bench/generate.py`` writes it once into ``bench/data/``) every measurement
runs in a fresh child process, so peak memory (``ru_maxrss``) belongs to that measurement alone:

* ``floor``: read the file and ``orjson.loads`` every event (JSONL: every line; SSE: every
  ``data:`` line), nothing else;
* ``lint``: ``validator.api.validate_file`` with the default profile, schema checks on, exactly
  what ``stream-validator lint`` runs;
* ``lint-no-schemas``: the same feed into ``StreamValidator(schemas=False)``;
* ``sdk``: what users do instead: ``orjson.loads`` and the openai SDK's typed parse
  (``TypeAdapter(ResponseStreamEvent).validate_python``) per event.

The modes run in interleaved rounds (``--repeat``) and the fastest round counts, so that load
from other processes on a shared machine hits every mode alike.  Ratios are computed from
figures of the same run; absolute times on a shared machine mean little.

    python bench/run.py --deltas 100000,1000000 --format jsonl,sse
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

MODES = ("floor", "lint", "lint-no-schemas", "sdk")
_CHUNK = 1 << 20


# -- the measured work (child process) ----------------------------------------------------------

def _floor(path: str, limit: int) -> int:
    import orjson

    loads, sse = orjson.loads, path.endswith(".sse")
    events, tail = 0, b""
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()
            for line in lines:
                if sse:
                    if not line.startswith(b"data: ") or line == b"data: [DONE]":
                        continue
                    line = line[6:]
                elif not line:
                    continue
                loads(line)
                events += 1
    return events


def _lint(path: str, limit: int) -> int:
    from validator.api import validate_file

    with open(path, "rb") as stream:
        report = validate_file(stream, path)
    _check_clean(report.violations)
    return report.events


def _lint_no_schemas(path: str, limit: int) -> int:
    from validator.api import CHUNK_SIZE
    from validator.engine import StreamValidator

    validator = StreamValidator(schemas=False)
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_SIZE):
            validator.feed(chunk)
    validator.close()
    _check_clean(validator.violations)
    return validator.events


def _sdk(path: str, limit: int) -> int:
    import orjson
    from openai.types.responses import ResponseStreamEvent
    from pydantic import TypeAdapter

    validate, loads = TypeAdapter(ResponseStreamEvent).validate_python, orjson.loads
    events, sse = 0, path.endswith(".sse")
    with open(path, "rb") as stream:
        for line in stream:
            if sse:
                if not line.startswith(b"data: {"):
                    continue
                line = line[6:]
            validate(loads(line))
            events += 1
            if events == limit:
                break
    return events


def _check_clean(violations: list) -> None:
    if violations:
        raise SystemExit(f"the benchmark stream has findings: {violations[0]}")


_WORK = {"floor": _floor, "lint": _lint, "lint-no-schemas": _lint_no_schemas, "sdk": _sdk}


def _child(mode: str, path: str, limit: int) -> None:
    work = _WORK[mode]
    if mode == "sdk":  # import and build the SDK's models before the clock starts
        from openai.types.responses import ResponseStreamEvent  # noqa: F401
    elif mode.startswith("lint"):
        import validator.engine  # noqa: F401
    base = _peak_kb()
    start = time.perf_counter()
    events = work(path, limit)
    seconds = time.perf_counter() - start
    peak = _peak_kb()
    size = Path(path).stat().st_size
    read = size if not limit or events < limit else _bytes_of(path, events)
    print(json.dumps({"events": events, "seconds": seconds, "bytes": read,
                      "peak_kb": peak, "base_kb": base}))


def _peak_kb() -> int:
    """This process's peak resident memory.  ``VmHWM`` where Linux has it: ``ru_maxrss`` keeps
    the parent's peak across ``fork``/``exec``, which would mix the driver into the figure."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _bytes_of(path: str, events: int) -> int:
    """Bytes of the first ``events`` events (the SDK runs on a prefix of a big file)."""
    sse, seen, size = path.endswith(".sse"), 0, 0
    with open(path, "rb") as stream:
        for line in stream:
            size += len(line)
            if (line.startswith(b"data: {") if sse else line.strip()):
                seen += 1
                if seen == events:
                    return size + (1 if sse else 0)
    return size


# -- the driver ---------------------------------------------------------------------------------

def _measure(mode: str, path: Path, limit: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", mode, str(path),
                           "--sdk-events", str(limit)], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{mode} on {path.name} failed:\n{done.stderr.strip()}")
    result = json.loads(done.stdout)
    result["rate"] = result["events"] / result["seconds"]
    return result


def _table(path: Path, best: dict[str, dict]) -> str:
    rows = [f"{path.name}: {path.stat().st_size / 1e6:.1f} MB",
            f"  {'mode':<16}{'events':>9}{'events/s':>12}{'MB/s':>9}{'peak MB':>9}"
            f"{'+work MB':>10}"]
    for mode, r in best.items():
        rows.append(f"  {mode:<16}{r['events']:>9}{r['rate']:>12,.0f}"
                    f"{r['bytes'] / r['seconds'] / 1e6:>9.1f}{r['peak_kb'] / 1024:>9.1f}"
                    f"{(r['peak_kb'] - r['base_kb']) / 1024:>10.1f}")
    return "\n".join(rows)


def _ratios(fmt: str, best: dict[str, dict]) -> list[str]:
    def ratio(a: str, b: str) -> float | None:
        return best[a]["rate"] / best[b]["rate"] if a in best and b in best else None

    out = []
    for label, value, target in (
        ("lint / floor", ratio("lint", "floor"), 0.5 if fmt == "jsonl" else 0.4),
        ("lint / sdk", ratio("lint", "sdk"), 20.0),
        ("schemas on / off", ratio("lint", "lint-no-schemas"), 0.7),
    ):
        if value is not None:
            verdict = "ok" if value >= target else "BELOW TARGET"
            out.append(f"  {label:<18}{value:>7.2f}   (target >= {target}: {verdict})")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deltas", default="100000",
                        help="text deltas per stream, comma-separated for several sizes")
    parser.add_argument("--format", default="jsonl", help="jsonl, sse or jsonl,sse")
    parser.add_argument("--scenario", default="message",
                        help=f"{', '.join(generate.SCENARIOS)}; comma-separated: measured in "
                             "the same interleaved rounds (e.g. message,anthropic)")
    parser.add_argument("--modes", default=",".join(MODES), help="which measurements to run")
    parser.add_argument("--repeat", type=int, default=3, help="rounds; the fastest counts")
    parser.add_argument("--sdk-events", type=int, default=200_000,
                        help="the SDK parse runs on this many events at most (0: all); its "
                             "rate is per event, so a prefix of a uniform stream suffices")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child, args.sdk_events)
        return 0
    modes = [m for m in args.modes.split(",") if m]
    unknown = set(modes) - set(MODES)
    if unknown:
        parser.error(f"unknown modes {sorted(unknown)} (choose from {', '.join(MODES)})")
    scenarios = [name for name in args.scenario.split(",") if name]
    if set(scenarios) - set(generate.SCENARIOS) or not scenarios:
        parser.error(f"--scenario: choose from {', '.join(generate.SCENARIOS)}")
    peaks = []
    for deltas in (int(d) for d in args.deltas.split(",")):
        for fmt in args.format.split(","):
            paths = {generate.write(deltas, fmt, name): name for name in scenarios}
            bests: dict[Path, dict[str, dict]] = {path: {} for path in paths}
            for _ in range(args.repeat):
                for path, name in paths.items():
                    for mode in modes:
                        if mode == "sdk" and name.startswith("anthropic"):
                            continue  # the sdk mode parses OpenAI events
                        result = _measure(mode, path, args.sdk_events if mode == "sdk" else 0)
                        best = bests[path]
                        if mode not in best or result["rate"] > best[mode]["rate"]:
                            best[mode] = result
            for path, best in bests.items():
                print(_table(path, best))
                print("\n".join(_ratios(fmt, best)), flush=True)
                if "lint" in best:
                    peaks.append((path.name, best["lint"]["peak_kb"] / 1024))
    if len(peaks) > 1:
        print("lint peak memory: " + ", ".join(f"{name} {mb:.1f} MB" for name, mb in peaks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
