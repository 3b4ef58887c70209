"""Fuzz targets: one per decoder (SSE, JSONL, JSON array, gzip) and one per stream kind's
engine, each a function ``target(data, cuts)`` that raises ``AssertionError`` when a property
breaks (any other exception is a crash).

Properties, checked on every input:

- **any chunking equals the whole input**: the frames and findings (lines included) of ``data``
  fed at the offsets ``cuts`` are those of ``data`` fed at once;
- **nothing raises**: no exception escapes a decoder or the engine;
- **time per byte is bounded**: the CPU time of one input stays under ``time_budget(len)``
  (an interval timer interrupts a hang: it raises ``Slow``);
- **memory per event is bounded** (decoders, every ``MEMORY_EVERY``-th input): decoding in push
  mode, whose consumer keeps nothing, peaks under ``MEMORY_BASE + MEMORY_PER_BYTE * len(data)``
  traced bytes: what a decoder holds is one event, never the stream.

Seeds come from ``samples/`` and the real corpora (``../shared/corpus``), filtered by target.
A new stream kind needs no new line here: the engine targets are made from ``engine.KINDS``.
"""

from __future__ import annotations

import gzip
import io
import signal
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from validator.engine import KINDS, StreamValidator, detect_kind
from validator.framing import FrameDecoder

REPO = Path(__file__).resolve().parents[1]
SEED_DIRS = [REPO / "samples", REPO.parent / "shared" / "corpus"]
SEED_BYTES = 64 * 1024  # longer seeds are cut (the fuzzer mutates prefixes)
MEMORY_EVERY = 16
MEMORY_BASE = 512 * 1024
MEMORY_PER_BYTE = 8


class Slow(AssertionError):
    """An input took longer than its time budget."""


def time_budget(size: int) -> float:
    """CPU seconds one input may take: generous (a loaded CI machine), but linear."""
    return 2.0 + size * 100e-6


@contextmanager
def bounded_time(size: int, factor: float = 1.0) -> Iterator[None]:
    budget = time_budget(size) * factor

    def expired(_signum: int, _frame: Any) -> None:
        raise Slow(f"{size} bytes took more than {budget:.2f} s of CPU")

    previous = signal.signal(signal.SIGPROF, expired)
    signal.setitimer(signal.ITIMER_PROF, budget)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def chunks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def same(a: Any, b: Any) -> bool:
    """``a == b`` without recursion (an event may nest 1024 levels: ``==`` on it raises
    RecursionError)."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if type(x) is not type(y):
            return False
        if isinstance(x, dict):
            if x.keys() != y.keys():
                return False
            stack.extend((x[k], y[k]) for k in x)
        elif isinstance(x, list | tuple):
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif hasattr(x, "__slots__") and hasattr(x, "__dataclass_fields__"):
            stack.extend((getattr(x, f), getattr(y, f)) for f in x.__dataclass_fields__)
        elif x != y and not (x != x and y != y):  # NaN equals NaN here
            return False
    return True


# -- decoders ----------------------------------------------------------------------------------

def _decoded(fmt: str, pieces: list[bytes]) -> list:
    decoder = FrameDecoder(fmt, max_line_bytes=4096)
    out: list = []
    for piece in pieces:
        out += decoder.feed(piece)
    return out + decoder.close()


def _peak_pushed(fmt: str, data: bytes) -> int:
    """Peak traced memory of decoding ``data`` in push mode into a consumer that keeps nothing."""
    sink = SimpleNamespace(on_event=lambda *_: None, on_item=lambda _: None)
    tracemalloc.start()
    try:
        decoder = FrameDecoder(fmt, max_line_bytes=1 << 20, handler=sink)
        for piece in chunks(data, list(range(0, len(data), 512))):
            decoder.feed(piece)
        decoder.close()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def decoder_target(fmt: str) -> Callable[[bytes, list[int]], None]:
    def target(data: bytes, cuts: list[int]) -> None:
        with bounded_time(len(data), 3):
            whole = _decoded(fmt, [data])
            pieces = _decoded(fmt, chunks(data, cuts))
            assert same(pieces, whole), f"chunking {cuts} changes the result"
            if len(data) % MEMORY_EVERY == 0:
                peak = _peak_pushed(fmt, data)
                bound = MEMORY_BASE + MEMORY_PER_BYTE * len(data)
                assert peak <= bound, f"{peak} bytes held decoding {len(data)} bytes"
    target.__name__ = f"decode_{fmt}"
    return target


def gzip_target(data: bytes, cuts: list[int]) -> None:
    """A capture file that may be gzip (read by ``lint``) and a gzip HTTP body (``check``):
    a valid gzip reads as its content; a broken one is a clean failure."""
    from validator.cli import Unreadable, _lint_one
    from validator.live.capture import _Inflater, _Undecodable

    packed = data if data[:2] == b"\x1f\x8b" else gzip.compress(data, 1)[: len(data) + 20]
    with bounded_time(len(data) + len(packed), 3):
        try:
            plain: bytes | None = gzip.decompress(packed)
        except (OSError, EOFError, zlib.error):
            plain = None
        inflater = _Inflater("gzip")
        try:
            got = b"".join(b"".join(inflater.decode(p)) for p in chunks(packed, cuts))
            inflater.finish()
        except _Undecodable:
            got = None
        assert (got is None) == (plain is None), "the HTTP inflater and gzip disagree"
        assert got == plain, "the HTTP inflater differs from gzip.decompress"
        path = Path(_scratch()) / "capture.sse.gz"
        path.write_bytes(packed)
        try:
            report = _lint_one(str(path), "-", {"kind": None, "profile": "openai",
                                                 "select": None, "ignore": [],
                                                 "input_format": "auto",
                                                 "max_line_bytes": 4096})
        except Unreadable:  # a clean failure: one line, exit 2
            assert plain is None, "a valid gzip file was refused"
            return
        if plain is not None:
            from validator.api import validate_file

            direct = validate_file(io.BytesIO(plain), str(path), max_line_bytes=4096)
            assert same(report.violations, direct.violations)


_SCRATCH: list[str] = []


def _scratch() -> str:
    if not _SCRATCH:
        import tempfile

        _SCRATCH.append(tempfile.mkdtemp(prefix="fuzz-gzip-"))
    return _SCRATCH[0]


# -- engines -----------------------------------------------------------------------------------

def engine_target(kind: str) -> Callable[[bytes, list[int]], None]:
    def target(data: bytes, cuts: list[int]) -> None:
        with bounded_time(len(data), 5):
            whole = StreamValidator(kind=kind, max_line_bytes=4096)
            found = whole.feed(data) + whole.close()
            pieces = StreamValidator(kind=kind, max_line_bytes=4096)
            again = [v for piece in chunks(data, cuts) for v in pieces.feed(piece)]
            again += pieces.close()
            assert same(again, found), f"chunking {cuts} changes the findings"
            assert same(whole.output(), pieces.output())
    target.__name__ = f"engine_{kind}"
    return target


TARGETS: dict[str, Callable[[bytes, list[int]], None]] = {
    "sse": decoder_target("sse"),
    "jsonl": decoder_target("jsonl"),
    "json": decoder_target("json"),
    "gzip": gzip_target,
    **{f"engine-{kind}": engine_target(kind) for kind in KINDS},
}


# -- seeds -------------------------------------------------------------------------------------

def _files() -> Iterator[Path]:
    for root in SEED_DIRS:
        if root.is_dir():
            yield from sorted(p for p in root.rglob("*") if p.is_file()
                              and p.suffix in (".sse", ".jsonl", ".json", ".ndjson"))


def _kind_of(data: bytes) -> str | None:
    import orjson

    for line in data.splitlines():
        line = line[6:] if line.startswith(b"data: ") else line
        try:
            return detect_kind(orjson.loads(line))
        except orjson.JSONDecodeError:
            continue
    return None


def _as_array(data: bytes) -> bytes:
    lines = [line for line in data.splitlines() if line.strip()]
    return b"[\n" + b",\n".join(lines) + b"\n]\n"


def seeds(target: str) -> list[bytes]:
    """Seed inputs of a target, each at most ``SEED_BYTES``."""
    out = []
    for path in _files():
        data = path.read_bytes()
        suffix = path.suffix
        if target == "sse" and suffix != ".sse":
            continue
        if target == "jsonl" and suffix not in (".jsonl", ".ndjson"):
            continue
        if target == "json":
            if suffix not in (".jsonl", ".ndjson", ".json"):
                continue
            data = data if suffix == ".json" else _as_array(data)
        if target.startswith("engine-") and _kind_of(data) != target[len("engine-"):]:
            continue
        out.append(data[:SEED_BYTES])
    return out
