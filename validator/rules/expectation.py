"""X: scenario expectations — what a `stream-validator check` scenario says the answer must be
(a function call, status `incomplete`, a rejected request) and the server's answer was not.

The stream itself may be conformant: these findings compare it with the request that was sent,
which no capture file carries, so `lint` never reports them and they have no sample under
`samples/invalid/`."""

from __future__ import annotations

from ..result import Severity
from ._rule import OPENAI_CHAT, OPENAI_EVENTS, Rule, doc

__all__ = ["FAMILY", "RULES"]

FAMILY = "X"

RULES = (
    Rule("X001", "scenario-expectation-failed", "The answer does not do what the scenario asked", Severity.ERROR, doc(
        what="Reports a scenario expectation the answer does not meet: the terminal status or `finish_reason` (`incomplete` / `length` when `max_output_tokens` is hit), the output items a request forces (`tool_choice: required` gives a `function_call` item, parallel calls give two), non-empty text, or an invalid request that was not rejected (it must get a 4xx, or a stream that ends in `response.failed` / an `error`).",
        why="A gateway that drops `tools`, ignores `max_output_tokens` or answers a malformed request with a normal stream breaks the clients that rely on those parameters, even when every event is well formed.",
        example="A scenario sends `max_output_tokens: 16` for a long essay and the stream ends with `response.completed` instead of `response.incomplete`.",
        instead="Honour the request: stop with `status: incomplete` (`finish_reason: length`) at the token limit, emit the forced tool calls, reject invalid input with a 4xx `error` object.",
        refs=OPENAI_EVENTS + " (terminal events, `incomplete_details`); " + OPENAI_CHAT + " (`finish_reason`); README: scenario files"), kind="any"),
)
