"""Run the fuzz targets (``fuzz/fuzz_targets.py``) for as long as you like.

With atheris installed (``pip install atheris``: coverage-guided, libFuzzer) one target runs per
process, seeded from the samples and the real corpora, its crashes written as ``crash-*`` files
in the current directory; without it, hypothesis drives the same targets with byte-level
strategies (random bytes, and seeds with bytes replaced, inserted, deleted and cut), printing
the shrunk failing input.

    python fuzz/run.py --list
    python fuzz/run.py --target json --seconds 3600          # one target, an hour
    python fuzz/run.py --seconds 600                         # every target, 10 minutes each
    python fuzz/run.py --engine hypothesis --seconds 60

CI runs every target with hypothesis for a fixed number of examples (tests/test_fuzz.py).
Each crash found becomes a regression test.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

if len(sys.argv) == 4 and sys.argv[1] == "--child-atheris":
    import atheris

    # Coverage of the validator's own modules guides atheris: they are instrumented as the
    # targets import them.
    with atheris.instrument_imports(include=["validator"]):
        import fuzz_targets as targets
else:
    import fuzz_targets as targets


def hypothesis_run(name: str, *, seconds: float | None = None, examples: int | None = None,
                   seed: int | None = None) -> None:
    """Run one target under hypothesis, for ``seconds`` or ``examples`` (or both)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    target = targets.TARGETS[name]
    corpus = targets.seeds(name)

    @st.composite
    def inputs(draw: st.DrawFn) -> bytes:
        if not corpus or draw(st.integers(0, 3)) == 0:
            return draw(st.binary(max_size=2048))
        data = bytearray(draw(st.sampled_from(corpus))[: draw(st.integers(0, 8192))])
        for _ in range(draw(st.integers(0, 6))):
            at = draw(st.integers(0, len(data)))
            edit = draw(st.sampled_from(("replace", "insert", "delete")))
            piece = draw(st.binary(min_size=1, max_size=8) | st.sampled_from(
                [b"[", b"]", b"{", b"}", b'"', b"\\", b",", b"\n", b"\r", b"\r\n", b"data:",
                 b"\n\n", b": x\n", b"\xff", b"\xef\xbb\xbf", b"\x00", b"1e400", b"[}"]))
            if edit == "replace":
                data[at:at + len(piece)] = piece
            elif edit == "insert":
                data[at:at] = piece
            else:
                del data[at:at + len(piece)]
        return bytes(data)

    count = 0

    @settings(max_examples=examples or 500, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), derandomize=seed is not None)
    @given(inputs(), st.lists(st.integers(0, 1 << 20), max_size=6))
    def run(data: bytes, cuts: list[int]) -> None:
        nonlocal count
        count += 1
        target(data, cuts)

    stop = time.monotonic() + (seconds or 0)
    run()
    while seconds and time.monotonic() < stop:  # rounds of fresh random examples
        run()
    print(f"{name}: {count} inputs, no failure", flush=True)


def atheris_run(name: str, seconds: float) -> None:
    """Run one target under atheris in this process (libFuzzer parses the remaining argv)."""
    import atheris

    target = targets.TARGETS[name]

    def one_input(raw: bytes) -> None:
        provider = atheris.FuzzedDataProvider(raw)
        cuts = [provider.ConsumeIntInRange(0, 1 << 20) for _ in range(3)]
        target(provider.ConsumeBytes(len(raw)), cuts)

    corpus = Path(tempfile.mkdtemp(prefix=f"fuzz-{name}-"))
    for i, seed in enumerate(targets.seeds(name)):
        (corpus / f"seed-{i}").write_bytes(b"\0" * 12 + seed)
    argv = [sys.argv[0], str(corpus), f"-max_total_time={int(seconds)}", "-timeout=30",
            "-rss_limit_mb=2048", "-print_final_stats=1"]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", action="append", choices=sorted(targets.TARGETS),
                        help="a target (repeatable; default: all)")
    parser.add_argument("--seconds", type=float, default=60, help="per target")
    parser.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto")
    parser.add_argument("--list", action="store_true", help="list the targets and their seeds")
    args = parser.parse_args(argv)
    names = args.target or sorted(targets.TARGETS)
    if args.list:
        for name in names:
            print(f"{name:<20} {len(targets.seeds(name))} seeds")
        return 0
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
        except ImportError:
            engine = "hypothesis"
        else:
            engine = "atheris"
    failed = 0
    for name in names:
        if engine == "hypothesis":
            try:
                hypothesis_run(name, seconds=args.seconds)
            except Exception as exc:  # the shrunk input was printed by hypothesis
                print(f"{name}: FAILED: {type(exc).__name__}: {exc}", flush=True)
                failed += 1
            continue
        # libFuzzer exits the process when it is done: one child per target.
        done = subprocess.run([sys.executable, __file__, "--child-atheris", name,
                               str(args.seconds)], env=os.environ)
        failed += done.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child-atheris":
        atheris_run(sys.argv[2], float(sys.argv[3]))
    raise SystemExit(main())
