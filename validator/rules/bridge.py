"""X (bridge gate): what `check --upstream` sees of a gateway's use of its upstream.

The gate plays one capture as the gateway's upstream and compares the gateway's answer with it
(the D findings).  These two findings say that no comparison could be made: the gateway never
asked its upstream, or asked for a kind of stream the capture is not.  They come from the live
exchange, so they have no sample file; tests/test_gate.py triggers each."""

from __future__ import annotations

from ..result import Severity
from ._rule import Rule, doc

__all__ = ["RULES"]

RULES = (
    Rule("X015", "upstream-not-called", "The gateway answered without calling its upstream", Severity.ERROR, doc(
        what="Reports a `check --upstream` exchange in which the gateway streamed an answer but sent no request to the upstream the gate played (`stream-validator serve` on `--upstream-port`). The answer is not compared with the capture: it cannot come from it.",
        why="The gateway is not configured to use the gate's upstream (another base URL, a cached answer, a mock of its own), so the gate tests nothing; or it answers from elsewhere, and a client gets an answer no model gave.",
        example="A gateway whose upstream base URL still points at the provider, with `check --upstream captures/ --upstream-port 8765 http://127.0.0.1:4000/v1`.",
        instead="Point the gateway's upstream base URL at `http://127.0.0.1:PORT/v1` (the `--upstream-port`) before running the gate.",
        refs="README, *Testing a gateway*"), kind="any"),
    Rule("X016", "upstream-kind-unserved", "The gateway asked its upstream for another kind of stream than the capture", Severity.ERROR, doc(
        what="Reports a `check --upstream` exchange in which the gateway called an upstream endpoint of another kind than the capture being played (it called `/v1/responses` while the capture is a Chat Completions stream). The gate answered that request with an HTTP 404, so the gateway's answer is not compared.",
        why="Nothing is wrong with the gateway: the capture does not fit the way it calls its upstream. The gate reports it so that a run of captures that cannot be played does not pass silently.",
        example="open-responses-server (which calls `/v1/chat/completions` upstream) given a Responses capture.",
        instead="Give the gate captures of the kind the gateway requests upstream.",
        refs="README, *Testing a gateway*"), kind="any"),
)
