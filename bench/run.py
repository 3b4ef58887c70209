"""Benchmark a lint against the JSON floor and the SDK's own accumulator, in CPU time.

Each stream is written once by ``bench/generate.py`` into ``bench/data/`` (its scenarios say
what lint must find in it).  Every measurement runs in a fresh child process and counts the
child's own CPU time (``getrusage``: user + system) for the work alone, after its imports, so
other processes on a shared machine do not count; peak memory (``VmHWM``) is the child's too.
The modes of a case run in paired rounds, A B A B (each round in the reverse order of the one
before), and every ratio is the median of the rounds' ratios, with their spread (min-max).

Modes of a clean stream:

* ``floor``: read the file and ``orjson.loads`` every event (JSONL: every line; SSE: every
  ``data:`` line), nothing else;
* ``lint``: ``validator.api.validate_file`` with the default profile, schema checks on, exactly
  what ``stream-validator lint`` runs;
* ``lint-no-schemas``: the same feed into ``StreamValidator(schemas=False)``;
* ``sdk``: what a client does with the stream: the SDK's own accumulator (openai's
  ``ResponseStreamState.handle_event`` / ``ChatCompletionStreamState.handle_chunk``, anthropic's
  ``accumulate_event``) fed each event built as the SDK's ``Stream`` builds it (its
  ``SSEDecoder`` for SSE, ``json.loads``, ``construct_type`` of the event type), on the first
  ``--sdk-events`` events.

A defect scenario (``logprobs-null``, ``chat-created-string``) runs ``lint`` on it and
``lint-clean`` on its clean twin: the ratio is what the defect costs.  ``--array`` scenarios
lint the same events as JSONL, as a compact JSON array and as an indent=2 one (the cost of the
array, target at most 1.5x).  With two sizes or more (``--deltas``), the memory row of a stream
is the peak of ``lint`` at the largest size against the smallest (flat: at most 1.5x, the text
the stream accumulates included).  ``--jobs N`` adds a case
of ``stream-validator lint`` over 2N files with ``--jobs 1``, ``--jobs N``, and N ``--jobs 1``
lints of two files each run side by side (wall time: that case is about cores; the side-by-side
speed-up is what this machine's cores give N independent processes in the same rounds, the
pool's ceiling), and ``--startup`` one of a tiny lint against ``python -c pass``
(CPU time of the whole process).  A new kind's case is a ``Scenario`` in ``generate.py`` and,
for its SDK peer, an entry in ``SDK_PEERS``.

    python bench/run.py --quick                 # every scenario at 10^4 deltas
    python bench/run.py --deltas 100000,1000000 --format jsonl,sse --jobs 2 --startup
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

CLEAN_MODES = ("floor", "lint", "lint-no-schemas", "sdk")
DEFECT_MODES = ("lint", "lint-clean")
DEFAULT_SCENARIOS = "message,chat,anthropic,anthropic-tool,logprobs-null,chat-created-string"
DEFAULT_ARRAYS = "message,anthropic"
_CHUNK = 1 << 20


# -- the measured work (child process) ----------------------------------------------------------

def _payloads(path: str) -> Iterator[bytes]:
    """Every event's JSON text: JSONL lines, SSE ``data:`` lines."""
    sse, tail = path.endswith(".sse"), b""
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()
            for line in lines:
                if sse:
                    if not line.startswith(b"data: ") or line == b"data: [DONE]":
                        continue
                    yield line[6:]
                elif line:
                    yield line


def _floor(path: str, limit: int) -> int:
    import orjson

    loads, events = orjson.loads, 0
    for payload in _payloads(path):
        loads(payload)
        events += 1
    return events


def _lint(path: str, limit: int, finds: frozenset[str]) -> int:
    from validator.api import validate_file

    with open(path, "rb") as stream:
        report = validate_file(stream, path)
    _check_findings(report.violations, finds)
    return report.events


def _lint_no_schemas(path: str, limit: int, finds: frozenset[str]) -> int:
    from validator.api import CHUNK_SIZE
    from validator.engine import StreamValidator

    validator = StreamValidator(schemas=False)
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK_SIZE):
            validator.feed(chunk)
    validator.close()
    _check_findings(validator.violations, {c for c in finds if not c.startswith("S")})
    return validator.events


def _sdk_data(path: str) -> Iterator[object]:
    """Each event's data as the SDK's ``Stream`` parses it: its SSE decoder and
    ``ServerSentEvent.json()`` (``json.loads``); a JSONL line with ``json.loads``."""
    if not path.endswith(".sse"):
        yield from map(json.loads, _payloads(path))
        return
    from openai._streaming import SSEDecoder

    with open(path, "rb") as stream:
        for sse in SSEDecoder().iter_bytes(iter(lambda: stream.read(_CHUNK), b"")):
            if sse.data.startswith("[DONE]"):
                return
            yield sse.json()


def _responses_sdk() -> Callable[[object], None]:
    from openai import omit
    from openai._models import construct_type
    from openai.lib.streaming.responses._responses import ResponseStreamState
    from openai.types.responses import ResponseStreamEvent

    state = ResponseStreamState(input_tools=omit, text_format=omit)
    return lambda data: state.handle_event(construct_type(type_=ResponseStreamEvent, value=data))


def _chat_sdk() -> Callable[[object], None]:
    from openai._models import construct_type
    from openai.lib.streaming.chat._completions import ChatCompletionStreamState
    from openai.types.chat import ChatCompletionChunk

    state = ChatCompletionStreamState()
    return lambda data: state.handle_chunk(construct_type(type_=ChatCompletionChunk, value=data))


def _anthropic_sdk() -> Callable[[object], None]:
    from anthropic._models import construct_type
    from anthropic.lib.streaming._messages import accumulate_event
    from anthropic.types import RawMessageStreamEvent

    snapshot = None
    json_bufs: dict[int, bytes] = {}

    def feed(data: object) -> None:
        nonlocal snapshot
        if isinstance(data, dict) and data.get("type") == "ping":
            return  # the SDK's `Stream` drops `event: ping` before the accumulator
        event = construct_type(type_=RawMessageStreamEvent, value=data)
        snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=json_bufs)
    return feed


#: kind -> a fresh SDK accumulator: ``feed(data)`` per event (imports done when it returns).
SDK_PEERS: dict[str, Callable[[], Callable[[object], None]]] = {
    "responses": _responses_sdk, "chat": _chat_sdk, "anthropic": _anthropic_sdk}


def _check_findings(violations: list, finds: set | frozenset) -> None:
    found = {v.code for v in violations}
    if found != set(finds):
        raise SystemExit(f"the benchmark stream has findings {sorted(found)}, expected "
                         f"{sorted(finds)}: {violations[0] if violations else ''}")


def _child(mode: str, path: str, scenario: str, limit: int) -> None:
    spec = generate.SCENARIOS[scenario]
    if mode == "sdk":
        feed = SDK_PEERS[spec.kind]()  # imports and model building before the clock starts
    elif mode.startswith("lint"):
        # Imports only, what a lint imports on first use (the clock counts the work).
        import validator.anthropic.checker
        import validator.api
        import validator.schemas  # noqa: F401
    base = _peak_kb()
    start = _cpu()
    if mode == "sdk":
        events = 0
        for events, data in enumerate(_sdk_data(path), 1):
            feed(data)
            if events == limit:
                break
    elif mode == "floor":
        events = _floor(path, limit)
    else:
        work = _lint_no_schemas if mode == "lint-no-schemas" else _lint
        events = work(path, limit, spec.finds)
    seconds = _cpu() - start
    print(json.dumps({"events": events, "seconds": seconds, "peak_kb": _peak_kb(),
                      "base_kb": base}))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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


# -- the driver ---------------------------------------------------------------------------------

#: Every child runs with bytecode, as an installed package has it (even where the environment
#: says PYTHONDONTWRITEBYTECODE): kept under bench/data/, and so is its predicate cache unless
#: STREAM_VALIDATOR_CACHE_DIR names one (``validator.cache``: in the user's folder, a run of
#: another checkout, whose schema compiler differs, deletes this one's entries: a lint after it
#: would compile its predicates again).
_ENV = {"STREAM_VALIDATOR_CACHE_DIR": str(generate.DATA / "cache"),
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "PYTHONPYCACHEPREFIX": str(generate.DATA / "pycache")}


def _measure(mode: str, path: Path, scenario: str, limit: int) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", mode, str(path), scenario,
                           "--sdk-events", str(limit)], capture_output=True, text=True, env=_ENV)
    if done.returncode:
        raise SystemExit(f"{mode} on {path.name} failed:\n{done.stderr.strip()}")
    result = json.loads(done.stdout)
    result["rate"] = result["events"] / max(result["seconds"], 1e-9)
    return result


def _build() -> str:
    """The build the children import: the wheel's compiled hot path or pure Python."""
    probe = "import validator, validator.cli as c; print(c._build()); print(validator.__file__)"
    # From bench/, as a child's `sys.path` starts (a checkout there would shadow PYTHONPATH).
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=_ENV, check=True, cwd=BENCH)
    build, where = done.stdout.splitlines()
    return f"{build}, from {Path(where).parent}"


def _rounds(run: Callable[[str], dict], modes: list[str], repeat: int) -> dict[str, list[dict]]:
    """``repeat`` rounds of every mode, A B A B: each round in the reverse order of the last."""
    results: dict[str, list[dict]] = {mode: [] for mode in modes}
    for n in range(repeat):
        for mode in modes if n % 2 == 0 else modes[::-1]:
            results[mode].append(run(mode))
    return results


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


class Summary:
    """Every ratio of the run against its target, for the closing table (``--markdown``)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, float, str, float, bool]] = []

    def add(self, case: str, label: str, values: list[float], target: float,
            higher: bool = True) -> str:
        value = _median(values)
        ok = value >= target if higher else value <= target
        self.rows.append((case, label, value, _spread(values), target, ok))
        sign = ">=" if higher else "<="
        return (f"  {label:<26}{value:>7.2f}  ({_spread(values)})   target {sign} {target}: "
                f"{'ok' if ok else 'BELOW TARGET'}")

    def markdown(self) -> str:
        rows = ["| case | ratio | median | spread | target | |", "|---|---|---|---|---|---|"]
        for case, label, value, spread, target, ok in self.rows:
            rows.append(f"| {case} | {label} | {value:.2f} | {spread} | {target} | "
                        f"{'ok' if ok else '**below**'} |")
        return "\n".join(rows)


def _floor_target(kind: str, fmt: str) -> float:
    return 0.6 if kind == "chat" or fmt == "jsonl" else 0.7


def _stream_case(scenario: str, fmt: str, deltas: int, args: argparse.Namespace,
                 summary: Summary) -> dict[str, list[dict]]:
    spec = generate.SCENARIOS[scenario]
    path = generate.write(deltas, fmt, scenario)
    case = f"{scenario} {fmt} {deltas:.0e}".replace("e+0", "e")
    if spec.clean is None:
        modes = [m for m in args.modes if m in CLEAN_MODES]
        if "sdk" in modes and spec.kind not in SDK_PEERS:
            modes.remove("sdk")
        paths = dict.fromkeys(modes, (path, scenario))
    else:
        modes = list(DEFECT_MODES)
        paths = {"lint": (path, scenario),
                 "lint-clean": (generate.write(deltas, fmt, spec.clean), spec.clean)}

    def run(mode: str) -> dict:
        target, name = paths[mode]
        return _measure("lint" if mode == "lint-clean" else mode, target, name,
                        args.sdk_events if mode == "sdk" else 0)

    results = _rounds(run, modes, args.repeat)
    print(f"{case}: {path.stat().st_size / 1e6:.1f} MB, {args.repeat} rounds, CPU time")
    print(f"  {'mode':<16}{'events':>9}{'events/s':>12}{'spread':>9}{'peak MB':>9}")
    for mode, rounds in results.items():
        rates = [r["rate"] for r in rounds]
        spread = (max(rates) - min(rates)) / _median(rates)
        print(f"  {mode:<16}{rounds[0]['events']:>9}{_median(rates):>12,.0f}{spread:>8.0%}"
              f"{max(r['peak_kb'] for r in rounds) / 1024:>9.1f}")

    def ratios(a: str, b: str) -> list[float]:
        return [x["rate"] / y["rate"] for x, y in zip(results[a], results[b], strict=True)]

    lines = []
    if spec.clean is not None:
        cost = [1 / r for r in ratios("lint", "lint-clean")]
        lines.append(summary.add(case, "defect cost (x clean)", cost, 1.5, higher=False))
    else:
        if "floor" in results and "lint" in results:
            lines.append(summary.add(case, "lint / floor", ratios("lint", "floor"),
                                     _floor_target(spec.kind, fmt)))
        if "lint-no-schemas" in results and "lint" in results:
            lines.append(summary.add(case, "schemas on / off", ratios("lint", "lint-no-schemas"),
                                     0.85))
        if "sdk" in results and "lint" in results:
            lines.append(summary.add(case, "lint / sdk", ratios("lint", "sdk"), 20.0))
    print("\n".join(lines), flush=True)
    return results


def _memory_case(scenario: str, fmt: str, sizes: dict[int, dict[str, list[dict]]],
                 summary: Summary) -> None:
    """Peak memory of ``lint`` at the largest size against the smallest, round by round."""
    small, large = sizes[min(sizes)]["lint"], sizes[max(sizes)]["lint"]
    case = f"{scenario} {fmt} {max(sizes):.0e} / {min(sizes):.0e}".replace("e+0", "e")
    growth = [b["peak_kb"] / a["peak_kb"] for a, b in zip(small, large, strict=True)]
    print(f"{case}: lint peak {max(r['peak_kb'] for r in small) / 1024:.1f} MB, then "
          f"{max(r['peak_kb'] for r in large) / 1024:.1f} MB")
    print(summary.add(case, "peak memory (x)", growth, 1.5, higher=False), flush=True)


def _array_case(scenario: str, deltas: int, args: argparse.Namespace, summary: Summary) -> None:
    """``lint`` of the same events as JSONL, a compact JSON array and an indent=2 array."""
    paths = {shape: generate.write(deltas, shape, scenario)
             for shape in ("jsonl", *generate.ARRAYS)}
    results = _rounds(lambda shape: _measure("lint", paths[shape], scenario, 0), list(paths),
                      args.repeat)
    case = f"{scenario} json array {deltas:.0e}".replace("e+0", "e")
    print(f"{case}: the same events as JSONL and as JSON arrays, {args.repeat} rounds, CPU time")
    for shape, rounds in results.items():
        print(f"  {shape:<16}{rounds[0]['events']:>9}"
              f"{_median([r['rate'] for r in rounds]):>12,.0f}"
              f"{max(r['peak_kb'] for r in rounds) / 1024:>9.1f} MB"
              f"{paths[shape].stat().st_size / 1e6:>9.1f} MB file")
    for shape in generate.ARRAYS:
        cost = [a["rate"] / b["rate"] for a, b in zip(results["jsonl"], results[shape],
                                                      strict=True)]
        print(summary.add(case, f"{shape} (x jsonl)", cost, 1.5, higher=False), flush=True)


def _wall(*argvs: list[str]) -> dict:
    """Wall time until every process ends (all started at once), and their CPU time (with
    their children's) from ``wait4``."""
    start = time.perf_counter()
    processes = [subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  env=_ENV, cwd=BENCH)  # `-m validator`: the probe's build
                 for argv in argvs]
    cpu = 0.0
    for argv, process in zip(argvs, processes, strict=True):
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{' '.join(argv)} failed: {process.stderr.read().decode()}")
        process.stderr.close()
        cpu += usage.ru_utime + usage.ru_stime
    return {"wall": time.perf_counter() - start, "cpu": cpu}


def _cli() -> list[str]:
    return [sys.executable, "-m", "validator"]


def _jobs_case(deltas: int, jobs: int, args: argparse.Namespace, summary: Summary) -> None:
    """``lint --jobs 1`` against ``--jobs N`` over 2N files (copies of the message stream), and
    against N ``lint --jobs 1`` of two files each run side by side: what this machine's cores
    give to N independent processes, the ceiling of the pool in the same rounds."""
    source = generate.write(deltas, "jsonl", "message")
    folder = generate.DATA / f"jobs-{deltas}"
    if not folder.exists():
        folder.mkdir()
        for n in range(2 * jobs):
            shutil.copyfile(source, folder / f"capture-{n}.jsonl")
    files = sorted(str(path) for path in folder.glob("capture-*.jsonl"))
    lint = [*_cli(), "lint", "--exit-zero", "--jobs"]
    commands = {"jobs-1": [[*lint, "1", str(folder)]],
                f"jobs-{jobs}": [[*lint, str(jobs), str(folder)]],
                "side-by-side": [[*lint, "1", *files[n:n + 2]] for n in range(0, len(files), 2)]}
    results = _rounds(lambda mode: _wall(*commands[mode]), list(commands), args.repeat)
    one, pool, side = ([r["wall"] for r in results[mode]] for mode in commands)

    def ratios(slow: list[float], fast: list[float]) -> list[float]:
        return [a / b for a, b in zip(slow, fast, strict=True)]

    case = f"lint {2 * jobs} files {deltas:.0e}".replace("e+0", "e")
    target = 0.8 * min(jobs, os.cpu_count() or 1)
    print(f"{case}: wall time (the machine's other load counts here)")
    print(summary.add(case, f"speed-up, --jobs {jobs}", ratios(one, pool), target))
    print(summary.add(case, f"speed-up, {jobs} side by side", ratios(one, side), target))
    print(summary.add(case, f"--jobs {jobs} against side by side", ratios(side, pool), 0.9),
          flush=True)


def _startup_case(args: argparse.Namespace, summary: Summary) -> None:
    tiny = generate.write(4, "sse", "message")
    _wall([*_cli(), "lint", str(tiny)])  # writes the bytecode
    results = _rounds(lambda mode: _wall([sys.executable, "-c", "pass"] if mode == "python"
                                         else [*_cli(), "lint", str(tiny)]),
                      ["python", "lint"], args.repeat)
    costs = [b["cpu"] / a["cpu"] for a, b in zip(results["python"], results["lint"],
                                                 strict=True)]
    print(f"start-up: a {tiny.stat().st_size}-byte lint against `python -c pass`, CPU time")
    print(summary.add("tiny lint", "start-up (x python)", costs, 6.0, higher=False), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deltas", default="100000",
                        help="text deltas per stream, comma-separated for several sizes")
    parser.add_argument("--format", default="jsonl,sse", help="jsonl, sse or jsonl,sse")
    parser.add_argument("--scenario", default=DEFAULT_SCENARIOS,
                        help=f"comma-separated, from {', '.join(generate.SCENARIOS)}")
    parser.add_argument("--array", default=DEFAULT_ARRAYS, metavar="SCENARIOS",
                        help="scenarios also linted as JSON arrays against JSONL ('': none)")
    parser.add_argument("--modes", default=",".join(CLEAN_MODES),
                        help="the measurements of a clean stream")
    parser.add_argument("--repeat", type=int, default=5, help="paired rounds per case")
    parser.add_argument("--sdk-events", type=int, default=100_000,
                        help="the SDK accumulator runs on this many events at most (0: all); "
                             "it turns quadratic past ~2*10^5 deltas")
    parser.add_argument("--jobs", type=int, default=0, metavar="N",
                        help="also time `lint --jobs N` against `--jobs 1` over 2N files")
    parser.add_argument("--startup", action="store_true",
                        help="also time a tiny lint against `python -c pass`")
    parser.add_argument("--quick", action="store_true",
                        help="10^4 deltas, 3 rounds, with the --jobs 2 and start-up cases")
    parser.add_argument("--markdown", action="store_true",
                        help="end with the ratios as a Markdown table (the README's)")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "PATH", "SCENARIO"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child, args.sdk_events)
        return 0
    if args.quick:
        args.deltas, args.repeat, args.jobs, args.startup = "10000", 3, args.jobs or 2, True
    args.modes = [m for m in args.modes.split(",") if m]
    scenarios = [s for s in args.scenario.split(",") if s]
    arrays = [s for s in args.array.split(",") if s]
    unknown = (set(args.modes) - set(CLEAN_MODES)) | \
        (set(scenarios + arrays) - set(generate.SCENARIOS))
    if unknown:
        parser.error(f"unknown modes or scenarios {sorted(unknown)}")
    summary = Summary()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start; "
          f"stream-validator {_build()}", flush=True)
    sizes = [int(d) for d in args.deltas.split(",")]
    runs: dict[tuple[str, str], dict[int, dict[str, list[dict]]]] = {}
    for deltas in sizes:
        for scenario in scenarios:
            for fmt in args.format.split(","):
                runs.setdefault((scenario, fmt), {})[deltas] = _stream_case(
                    scenario, fmt, deltas, args, summary)
        for scenario in arrays:
            _array_case(scenario, deltas, args, summary)
    for (scenario, fmt), by_size in runs.items():
        if len(by_size) > 1 and generate.SCENARIOS[scenario].clean is None and \
                all("lint" in results for results in by_size.values()):
            _memory_case(scenario, fmt, by_size, summary)
    if args.jobs:
        _jobs_case(int(args.deltas.split(",")[0]), args.jobs, args, summary)
    if args.startup:
        _startup_case(args, summary)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    if args.markdown:
        print(summary.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
