"""L: lifecycle — the response-level events, their order, and how a stream ends.

The order of the lifecycle events is a transition of the state (``ResponseState.advance``
reports L003, L005 and L006 where a step is not in ``state.LIFECYCLE``); L001, L002, L009,
L011 are the checker's (the first event, an unknown or legacy type); L010 and L013 the
engine's, for a stream of any kind.  Here are the catalogue and the checks that only compare.
"""

from __future__ import annotations

from typing import Any

from ..result import Severity
from ..rules._rule import OPENAI_CHAT, OPENAI_EVENTS, Rule, doc
from .events import TERMINAL_EVENTS
from .state import CREATED, QUEUED, TERMINAL

__all__ = ["RULES", "check_output_start", "check_stream_end", "check_terminal_status"]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
PY = "openai-python `lib/streaming/responses/_responses.py`"

RULES = (
    Rule("L001", "first-event-not-created", "The stream does not start with `response.created`", E, doc(
        what="Reports a fresh stream (first `sequence_number` 0 or absent) whose first event is not `response.created` (an `error` event may come first).",
        why=f"openai-python raises `RuntimeError: Expected to have received response.created before …` ({PY}); openai-node throws `expected 'response.created' event`. The whole stream is lost.",
        example="A stream that starts with `response.in_progress` or `response.output_item.added`.",
        instead="Send `response.created` first, with the response in status `in_progress` (or `queued` in background mode).",
        refs=OPENAI_EVENTS)),
    Rule("L002", "resumed-stream", "The stream resumes after an earlier event (`starting_after`)", INFO, doc(
        what="Notes a stream whose first event is not `response.created` and whose first `sequence_number` is above 0, of a background response (`background: true`): a stream resumed with `GET /responses/{id}?stream=true&starting_after=N`. Items opened before the cursor are taken as they are referenced. A non-background stream that starts mid-way lost its start (L001).",
        why="Nothing is wrong; the note says that checks needing the start of the stream were relaxed.",
        example="A stream whose first event is `response.in_progress` with `sequence_number: 2`.",
        instead="Nothing to change for a resumed stream.",
        refs=OPENAI_EVENTS + " (stream resumption)")),
    Rule("L003", "lifecycle-order", "Response lifecycle events are out of order or repeated", E, doc(
        what="Reports a `response.created` after the start, a `response.queued` after `response.in_progress`, a second `response.in_progress`, a `response.queued`/`in_progress` after output items were added, or another step backwards in `queued → in_progress → completed|incomplete|failed`.",
        why="Clients replace their whole snapshot on every lifecycle event (openai-node `isResponseLifecycleEvent`): a late `response.created` wipes out everything streamed so far.",
        example="`response.created`, `response.in_progress`, `response.queued`.",
        instead="Send `response.created`, then `response.queued` (background only), `response.in_progress`, and one terminal event.",
        refs=OPENAI_EVENTS + "; Open Responses S8")),
    Rule("L004", "terminal-missing", "The stream ends without a terminal event", E, doc(
        what="Reports a stream that ends without `response.completed`, `response.incomplete` or `response.failed` (and without an `error` event that ended it).",
        why="openai-python's `get_final_response()` raises `Didn't receive a response.completed event`; openai-node's `finalResponse()` throws. A cut connection looks exactly like this.",
        example="A stream that stops after `response.output_item.done`.",
        instead="End every stream with exactly one terminal event.",
        refs=OPENAI_EVENTS + "; moeru-ai/airi #2593, 9router #1648 (premature EOF)")),
    Rule("L005", "multiple-terminal", "The stream has more than one terminal event", E, doc(
        what="Reports a second `response.completed`, `response.incomplete` or `response.failed`.",
        why="Clients resolve on the first terminal event; the second one is either ignored or replaces the final response, so two clients end with different results.",
        example="`response.completed` twice.",
        instead="Send exactly one terminal event.",
        refs=OPENAI_EVENTS + "; AgentAPI Doctor `terminal-exactly-once`")),
    Rule("L006", "event-after-terminal", "An event follows the terminal event", E, doc(
        what="Reports any event after the terminal event other than `data: [DONE]` and `keepalive`.",
        why="Clients stop reading at the terminal event: whatever follows is lost.",
        example="`response.output_text.delta` after `response.completed`.",
        instead="Send the terminal event last.",
        refs=OPENAI_EVENTS)),
    Rule("L007", "terminal-status-mismatch", "The terminal response's status does not match its event", E, doc(
        what="Reports a `response.completed` whose `response.status` is not `completed` (likewise `incomplete`, `failed`), a `response.incomplete` without `incomplete_details.reason`, and a `response.failed` without `error`.",
        why="Clients branch on `response.status` and `incomplete_details`: a completed event with status `in_progress` makes them wait forever or retry a finished request.",
        example='`response.completed` with `"status": "in_progress"`.',
        instead="Set the status the terminal event names, with `incomplete_details.reason` or `error` where they apply.",
        refs=OPENAI_EVENTS)),
    Rule("L008", "error-not-followed-by-failed", "An `error` event is not followed by `response.failed`", None, doc(
        what="Reports an `error` event after which the stream does not send `response.failed` (Open Responses profile only).",
        why="Open Responses requires every streaming error to be followed by `response.failed`, so that clients waiting for a terminal event finish. OpenAI sends one or the other, so the `default` profile accepts both.",
        example="`error` as the last event of the stream.",
        instead="Send `response.failed` with the error after the `error` event.",
        refs="Open Responses specification S7; vercel/ai #20179"),
        profiles={"open-responses": E}),
    Rule("L009", "unknown-event-type", "An event type that is not part of the protocol", W, doc(
        what="Reports an event whose `type` is none of the Responses event types. `vendor:`-prefixed types (Open Responses extensions) and `keepalive` are accepted.",
        why="openai-node's strict accumulator throws `Unhandled response stream event`; other clients ignore it. New OpenAI events appear every few months, so this is a warning.",
        example='`{"type":"response.done", …}`',
        instead="Use the protocol's event types, or prefix extensions with your slug (`acme:trace_event`).",
        refs=OPENAI_EVENTS + "; Open Responses S9")),
    Rule("L010", "empty-stream", "The stream has no events", E, doc(
        what="Reports a stream (file, body, capture) with no event at all, whatever its framing: a body of nothing but `data: [DONE]` is empty too.",
        why="openai-node throws `request ended without sending any events`; openai-python returns nothing (`get_final_response()` raises). Usually a server that closed the connection, answered with something that is not an event stream, or sends `data: [DONE]` for every request, the invalid ones included.",
        example="An empty body.",
        instead="Stream `response.created` … terminal event.",
        refs="openai-node `src/internal/responses/response-accumulator.ts`")),
    Rule("L011", "legacy-event-type", "An event type OpenAI has removed", W, doc(
        what="Reports `response.reasoning.delta/done` and `response.reasoning_summary.delta/done`, which OpenAI removed in 2025 (Open Responses still defines `response.reasoning.delta/done`, so that profile accepts them).",
        why="Current SDKs do not know these events: openai-node's strict accumulator throws, others drop the reasoning text.",
        example='`{"type":"response.reasoning_summary.delta", …}`',
        instead="Send `response.reasoning_text.*` and `response.reasoning_summary_text.*`.",
        refs=OPENAI_EVENTS)),
    Rule("L012", "in-progress-missing", "Output starts without `response.in_progress`", W, doc(
        what="Reports the first `output_item.added` of a stream that never sent `response.in_progress`.",
        why="OpenAI always sends `response.in_progress` before any output, and Open Responses emits it when the response starts running; clients showing a status never leave `queued`/`created`. Nothing is lost, so it is a warning (an error under `strict` and `open-responses`).",
        example="`response.created` followed directly by `response.output_item.added`.",
        instead="Send `response.in_progress` after `response.created` (and `response.queued`).",
        refs="Open Responses specification S8; " + OPENAI_EVENTS), profiles={"open-responses": E}),
    Rule("L013", "unknown-wire-format", "The stream is not an OpenAI Responses, Chat Completions or Anthropic Messages stream", E, doc(
        what="Reports, once, a stream whose first event is neither a Responses event (a `response.*` or `error` type), a `chat.completion.chunk` nor an Anthropic Messages event (`message_start`, `content_block_*`, ...): another wire format (Gemini `candidates` chunks, a vendor's own events). Nothing else is reported on it: each event would otherwise cascade into findings about a protocol the stream never spoke. Pass `--kind` to validate it as one of the kinds anyway.",
        why="openai-python and openai-node find none of the events they read: `ResponseStreamState` raises `Expected to have received response.created`, `ChatCompletionStreamState` builds an empty completion. A server behind the wrong endpoint or a gateway that forwards the upstream's native format looks exactly like this.",
        example='`data: {"candidates": [{"content": {"parts": [{"text": "Hi"}]}}], "modelVersion": "gemini-2.5-flash"}`',
        instead="Serve the wire format of the endpoint: Responses events on `/v1/responses`, `chat.completion.chunk`s on `/v1/chat/completions`, Messages events on `/v1/messages`.",
        refs=f"{OPENAI_EVENTS}; {OPENAI_CHAT}"), kind="any"),
)


def check_terminal_status(ctx: Any, ev: dict) -> None:
    """A terminal event: its response has the status it names, with the reason or error."""
    response = ev.get("response")
    if not isinstance(response, dict):
        return
    expected = TERMINAL_EVENTS[ev["type"]]
    status = response.get("status")
    if status != expected:
        ctx.report("L007", f"{ev['type']} carries status {status!r}, expected {expected!r}",
                   "/response/status")
    if expected == "incomplete":
        details = response.get("incomplete_details")
        if not (isinstance(details, dict) and details.get("reason")):
            ctx.report("L007", "response.incomplete without incomplete_details.reason",
                       "/response/incomplete_details")
    elif expected == "failed" and not response.get("error"):
        ctx.report("L007", "response.failed without an error", "/response/error")


def check_output_start(ctx: Any) -> None:
    """The first output item: the response must be running (`response.in_progress` seen)."""
    state = ctx.state
    if state.phase in (CREATED, QUEUED) and not state.items:
        ctx.report("L012", f"output starts while the response is {state.phase}: no "
                   "response.in_progress was sent", None)


def check_stream_end(ctx: Any) -> None:
    """End of stream: a terminal event, and `response.failed` after an `error` (profile)."""
    state = ctx.state
    if state.phase != TERMINAL and not state.errored:
        ctx.report("L004", "the stream ends without response.completed, response.incomplete or "
                   "response.failed", None, at=None)
    if state.errored and state.terminal_event != "response.failed":
        ctx.report("L008", "the error event is not followed by response.failed", None,
                   at=(state.error_line, state.error_index))
