"""The fuzz targets (fuzz/fuzz_targets.py) in CI: each for a short fixed budget of hypothesis
examples (reproducible: derandomized), all within a minute together; `python fuzz/run.py`
runs them for hours.  And the inputs the fuzzers found, as regression tests."""

from __future__ import annotations

import importlib.util
import sys
import time

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "fuzz"))

import fuzz_targets as targets

_spec = importlib.util.spec_from_file_location("fuzz_run", REPO / "fuzz" / "run.py")
fuzz_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz_run)

#: Examples per target in CI: the whole set stays under a minute on a loaded 2-core machine.
EXAMPLES = 60


def test_every_kind_has_an_engine_target():
    from validator.engine import KINDS

    assert {f"engine-{kind}" for kind in KINDS} <= set(targets.TARGETS)
    assert {"sse", "jsonl", "json", "gzip"} <= set(targets.TARGETS)
    for name in targets.TARGETS:
        assert name == "gzip" or targets.seeds(name), f"{name} has no seeds"


@pytest.mark.parametrize("name", sorted(targets.TARGETS))
def test_fuzz_target_for_a_short_budget(name):
    start = time.monotonic()
    fuzz_run.hypothesis_run(name, examples=EXAMPLES, seed=0)
    assert time.monotonic() - start < 30, "one target's CI budget should take seconds"


@pytest.mark.parametrize(("name", "data", "cuts"), [
    ("json", b"[}", [1]),                                     # issue 18.1: an endless loop
    ("json", b'[{"a": 1}, ]}', [3, 7]),
    ("json", b'[{"n": 18446744073709551616, "s": "\\ud800"}]', [5]),  # issue 18.18
    ("json", b"[1] tail that is longer than forty bytes, cut anywhere", [5, 20, 44]),
    ("sse", b"data:x\n" * 300 + b"\n", [17]),                 # issue 18.9
    ("jsonl", b"\n" * 5000, [1, 2500]),                       # issue 18.6
    ("engine-chat", b'{"object":"chat.completion.chunk","choices":[{"index":0,"delta":{},'
                    b'"finish_reason":["stop"]}]}\n', [10]),  # issue 18.3
])
def test_found_inputs_stay_fixed(name, data, cuts):
    targets.TARGETS[name](data, cuts)


def test_deep_events_are_compared_without_recursion():
    """Found by atheris: the harness's own `==` on two 1000-deep payloads recursed."""
    deep = b"[" * 1000 + b"]" * 1000
    targets.TARGETS["jsonl"](b'{"a": ' + deep + b"}\n", [7])
    assert not targets.same([[[1]]], [[[2]]]) and targets.same([float("nan")], [float("nan")])


def test_a_hang_is_reported_as_slow_not_waited_for():
    with pytest.raises(targets.Slow):  # noqa: SIM117 - the timer must be inside the raises
        with targets.bounded_time(0, 0.1):
            while True:
                pass
