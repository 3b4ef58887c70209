"""I: identity and indices — which item and part an event belongs to, and in what order.

Every item-scoped event names its item twice, by ``output_index`` and by ``item_id``; the SDKs
route by index alone (openai-python never reads ``item_id``), the strict Node accumulator checks
both.  The resolvers that find the item and part an event addresses are transitions of
``state.ResponseState`` (``add_item``, ``resolve_item``, ``resolve_part``…): they report what
does not match and return ``None`` when the event cannot be applied without cascading.  Here are
the catalogue and the checks that only compare: what closes an item or a part, and the item
statuses of the terminal response.
"""

from __future__ import annotations

from typing import Any

from ..result import Severity
from ..rules._rule import OPENAI_EVENTS, Rule, doc
from .state import ADDED, DONE, Item, Part, item_label, part_text

__all__ = ["RULES", "check_item_closing", "check_item_statuses", "check_part_closing",
           "item_label", "part_text"]

E, W = Severity.ERROR, Severity.WARNING
NODE = "openai-node `src/internal/responses/response-accumulator.ts`"
PY = "openai-python `lib/streaming/responses/_responses.py`"

RULES = (
    Rule("I001", "item-not-added", "An item-scoped event arrives before `output_item.added` of its item", E, doc(
        what="Reports, once per item, an event that addresses an `output_index` for which no `response.output_item.added` was sent. The item is then read from its events (their `item_id`, their type, their order), so its text still reaches the text, final-output and scenario checks; the message asks for `output_item.added` and `output_item.done` at once, and a missing `output_item.done` of such an item is not reported again as I009.",
        why=f"Clients index the output array by `output_index`: openai-python raises `IndexError`, openai-node throws `missing output at index N` ({NODE}). The text is lost or the stream aborts.",
        example="`response.output_text.delta` with `output_index: 0` as the first event after `response.in_progress`.",
        instead="Send `response.output_item.added` for the item first, with the same `output_index`.",
        refs=f"{OPENAI_EVENTS}; {PY}; {NODE}")),
    Rule("I002", "output-index-not-appended", "`output_item.added` does not append at the next `output_index`", E, doc(
        what="Reports an `output_item.added` whose `output_index` is not the number of items added so far (a gap, a reuse or a jump).",
        why="openai-python appends the item and ignores `output_index`, openai-node rejects it; later events then address the wrong item in one SDK and crash the other.",
        example="Items added at `output_index` 0 and then 2.",
        instead="Number the items 0, 1, 2… in the order they are added.",
        refs=f"{OPENAI_EVENTS}; {NODE} `validateArrayAppend`")),
    Rule("I003", "item-id-mismatch", "An event's `item_id` differs from the id of the item at its `output_index`", E, doc(
        what="Reports an item-scoped event, a `content_part.*`/`*.done` event or an `output_item.done`, whose item id is not the id the item was added with.",
        why="Clients that correlate by id (openai-node's strict accumulator, Codex, UI frameworks keyed by item id) throw `expected item_id 'X', got 'Y'` or show the text twice; clients that go by index silently merge two items.",
        example="`output_item.added` with `item.id: msg_a`, then `response.output_text.done` with `item_id: msg_b`.",
        instead="Use the id of `output_item.added` on every event of the item, including the `*.done` events and `output_item.done`.",
        refs=f"{OPENAI_EVENTS}; {NODE} `validateOutputItemIdentity`")),
    Rule("I004", "item-type-mismatch", "An event does not belong to the type of the item it addresses", E, doc(
        what="Reports an event whose family does not match the item at its `output_index` (for example `output_text.delta` on a `function_call` item).",
        why="openai-node throws `expected output item type 'message', got 'function_call'`; openai-python raises `AssertionError`. The delta has nowhere to go.",
        example="`response.function_call_arguments.delta` for an item added as `message`.",
        instead="Send each event to an item of the type that owns it (the OpenAI API reference gives each event's item type).",
        refs=OPENAI_EVENTS + "; " + NODE)),
    Rule("I005", "duplicate-item-id", "Two output items share an id (or a tool call shares a `call_id`)", E, doc(
        what="Reports an `output_item.added` whose `item.id`, or `(type, call_id)` for tool calls, was already used in this response.",
        why="Clients keyed by id overwrite the first item with the second; openai-node throws `duplicate output item identity`. Tool results are routed to the wrong call.",
        example="Two `function_call` items with `call_id: call_1`.",
        instead="Give every item a unique id and every tool call a unique `call_id`.",
        refs=f"{OPENAI_EVENTS}; {NODE} `getOutputItemIdentityKeys`")),
    Rule("I006", "item-missing-id", "An added item has no id (or a tool call no `call_id`)", E, doc(
        what="Reports an `output_item.added` whose item has no non-empty `id`; `function_call` and `custom_tool_call` items need a non-empty `call_id` instead.",
        why="Item-scoped events must name their item by `item_id`; without an id there is nothing to correlate, and tool outputs cannot be sent back without a `call_id`.",
        example='`{"type":"response.output_item.added","output_index":0,"item":{"type":"message","role":"assistant","content":[]}}`',
        instead="Send the item's id (and `call_id` for tool calls) already in `output_item.added`.",
        refs=f"{OPENAI_EVENTS}; {NODE}")),
    Rule("I007", "item-done-changed", "`output_item.done` changes the type, `call_id` or position of the item", E, doc(
        what="Reports an `output_item.done` whose item type or `call_id` differs from `output_item.added`, or that closes an item at another `output_index` than the one its id was added at.",
        why="Clients replace the item with the one of `output_item.done`: a changed type or `call_id` turns one tool call into another.",
        example="Added as `function_call` with `call_id: call_a`, done with `call_id: call_b`.",
        instead="Keep `id`, `type`, `call_id` and `output_index` the same from added to done.",
        refs=f"{OPENAI_EVENTS}; {NODE} `validateCompletedOutputItemIdentity`")),
    Rule("I018", "tool-search-call-id-changed", "`output_item.done` changes the `call_id` of a client-executed `tool_search_call`", W, doc(
        what="Reports an `output_item.done` of a `tool_search_call` item whose `call_id` differs from the one of its `output_item.added`. Every other item type gets I007 for this.",
        why="OpenAI and Azure do this on client-executed tool searches (2026; corpus: `vercel-ai__client-tool-search-1.jsonl`), so it is a warning under the default profile and an error under `strict`. It still breaks clients: openai-python 3.57's `ResponseStreamState` raises `RuntimeError: Completed output item identity changed.` (it keys items by type, id and `call_id`), and a client that answers the call with the `call_id` it saw first sends a `tool_search_output` the API cannot match.",
        example="`output_item.added` with `item.call_id: call_NHis…`, `output_item.done` and `response.completed` with `call_RWTI…`.",
        instead="Send the final `call_id` already in `output_item.added` and keep it.",
        refs=f"{OPENAI_EVENTS}; {PY} `_output_identity`")),
    Rule("I008", "event-after-item-done", "An event addresses an item after its `output_item.done`", E, doc(
        what="Reports an item-scoped event (a delta, a part, a status event) for an item that was already closed by `output_item.done`.",
        why="Clients have already handed the finished item to the application; a late delta is dropped by some and appended by others, so they disagree on the text.",
        example="`response.output_text.delta` after the `output_item.done` of its message.",
        instead="Send every event of an item before its `output_item.done`.",
        refs=OPENAI_EVENTS + "; Open Responses: no updates after an item is completed")),
    Rule("I009", "item-not-done", "An added item never gets `output_item.done`", E, doc(
        what="Reports, at the terminal event of a completed or incomplete stream, an item that was added but never closed by `output_item.done` (except `mcp_list_tools` items the terminal response carries: I010).",
        why="Clients that build items from `output_item.done` (most UIs, the Vercel AI SDK) never finish the item: the tool call is never executed, the message never rendered as final.",
        example="A `function_call` item with arguments deltas but no `output_item.done` before `response.completed`.",
        instead="Close every item with `output_item.done` before the terminal event.",
        refs=OPENAI_EVENTS + "; Open Responses: items are closed with `response.output_item.done`")),
    Rule("I010", "item-closed-by-final-response", "An item is closed only by the terminal response", W, doc(
        what="Reports an `mcp_list_tools` item that never got `output_item.done` but is present, with the same id, in the terminal response's `output`. Other item types left open are I009 errors.",
        why="Clients that only listen to the terminal event get the item; clients that build items from `output_item.done` miss it. OpenAI itself does this for `mcp_list_tools` items, so it is a warning.",
        example="Three `mcp_list_tools` items added, `output_item.done` sent for one; `response.completed` carries all three.",
        instead="Send `output_item.done` for every item.",
        refs="pydantic-ai issue #5419")),
    Rule("I011", "part-not-added", "An event addresses a content or summary part that was never added", E, doc(
        what="Reports a delta, `*.done` or part event whose `content_index` (or `summary_index`) names a part for which no `content_part.added` (or `reasoning_summary_part.added`) was sent. An event without the index belongs to the item's last part. The next part of the item is then tracked from that event on and the message asks for the whole part lifecycle (`content_part.added` before, `content_part.done` after), so a server without content parts learns it in one run: no I015 follows for that part.",
        why="openai-python raises `IndexError`; openai-node throws `missing content at index N`. The text of that part is lost.",
        example="`response.output_text.delta` with `content_index: 0` straight after `output_item.added`.",
        instead="Open every part with `response.content_part.added` (or `response.reasoning_summary_part.added`) before its deltas.",
        refs=OPENAI_EVENTS + "; Open Responses: content MUST be backed by a content part")),
    Rule("I012", "part-index-not-appended", "A part is added at an index other than the next one", E, doc(
        what="Reports a `content_part.added` whose `content_index`, or a `reasoning_summary_part.added` whose `summary_index`, is not the number of parts the item has so far.",
        why="The SDKs append parts and ignore the index; later deltas that use the index then land in the wrong part or raise.",
        example="A message whose first `content_part.added` has `content_index: 1`.",
        instead="Number the parts of an item 0, 1, 2… in the order they are added.",
        refs=f"{OPENAI_EVENTS}; {NODE} `validateArrayAppend`")),
    Rule("I013", "part-type-mismatch", "A delta's kind does not match the type of its part", E, doc(
        what="Reports an `output_text.*` event on a `refusal` part, a `refusal.*` event on an `output_text` part, a `reasoning_text.*` event on another part type, and so on.",
        why="openai-python asserts `content.type == \"output_text\"`; openai-node throws `expected content to be 'output_text', got refusal`.",
        example="`content_part.added` with `part.type: refusal`, then `response.output_text.delta` for it.",
        instead="Send `output_text` deltas to `output_text` parts, `refusal` deltas to `refusal` parts, `reasoning_text` deltas to `reasoning_text` parts.",
        refs=OPENAI_EVENTS)),
    Rule("I014", "part-order", "Events inside a part are out of order", E, doc(
        what="Reports a delta after its part's `*.done`, a second `*.done`, a `content_part.done` before the part's `*.done`, any event for a part after its `content_part.done`, and an `output_item.done` that closes streamed arguments, input or code before their `*.done` event.",
        why="Clients treat `*.done` as the end of the text: a later delta is lost for some clients and appended by others, and a part closed before its text is done ends with empty text.",
        example="`response.output_text.delta` after `response.output_text.done` for the same part.",
        instead="Inside a part: `content_part.added`, deltas, `*.done`, `content_part.done` — in that order, once each.",
        refs=OPENAI_EVENTS + "; Open Responses specification (content parts)")),
    Rule("I015", "part-not-done", "An item is closed while one of its parts is still open", E, doc(
        what="Reports an `output_item.done` for an item that has a content part or summary part without its `content_part.done` / `reasoning_summary_part.done`.",
        why="Clients that finalise parts on `content_part.done` (annotations, citations, structured output parsing) never finalise that part.",
        example="`output_text.done` then directly `output_item.done`, with no `content_part.done`.",
        instead="Close every part before closing its item.",
        refs=OPENAI_EVENTS + "; Open Responses specification S5, S6")),
    Rule("I016", "annotation-index-invalid", "`annotation_index` skips ahead of the annotations sent so far", E, doc(
        what="Reports a `response.output_text.annotation.added` whose `annotation_index` is larger than the number of annotations its part has (it may append or replace, not skip).",
        why="openai-node throws `missing annotation at index N`; clients storing annotations in an array get holes.",
        example="The first annotation of a part sent with `annotation_index: 2`.",
        instead="Number annotations of a part 0, 1, 2…",
        refs=f"{OPENAI_EVENTS}; {NODE} `validateArrayIndex`")),
    Rule("I017", "command-index-invalid", "A shell command event addresses a command that was never added", E, doc(
        what="Reports a `shell_call_command.added` whose `command_index` skips ahead, and a `shell_call_command.delta`/`.done` for a command that was not added.",
        why="openai-node throws `missing command at index N`; the command text is lost.",
        example="`response.shell_call_command.delta` with `command_index: 1` when only command 0 was added.",
        instead="Add each command with `shell_call_command.added` (index 0, 1, …) before its deltas.",
        refs=f"{OPENAI_EVENTS}; {NODE} `accumulateShellEvent`")),
    Rule("I025", "item-status-contradicted", "An item's status contradicts the terminal response", W, doc(
        what="Reports an item whose `output_item.done` status differs from the status the terminal response gives the same item, and, in an `incomplete` or `failed` response, a last item that `output_item.done` closed as `completed` (the output that was cut off is that item).",
        why="The item status is the one signal per item that its output was cut short. Clients that finalise items on `output_item.done` (openai-node's `response.output_item.done` listeners, agent loops that run a `completed` function call, UIs that store a finished message) act on a truncated answer as if it were whole; the terminal response then says otherwise. openai-python's `ResponseStreamState` accepts the stream and returns the terminal response, so no client crashes: a warning (an error under `strict`).",
        example="`output_item.done` of the message with `\"status\": \"completed\"`, then `response.incomplete` (`max_output_tokens`) whose output has that message with `\"status\": \"incomplete\"`.",
        instead="Close the item that was cut off with `status: incomplete` and send the same status in `output_item.done` and the terminal response.",
        refs=OPENAI_EVENTS)),
)


def check_part_closing(ctx: Any, part: Part, label: str) -> None:
    """`content_part.done` / `reasoning_summary_part.done`: the part must have its text done."""
    if part.phase is ADDED and not part.partial and part.type in _TEXT_DONE_REQUIRED:
        ctx.report("I014", f"{label} closes the part before its {_TEXT_DONE_REQUIRED[part.type]}",
                   None)


def check_item_closing(ctx: Any, item: Item, done: dict) -> None:
    """`output_item.done`: same identity as added, every part closed."""
    if done.get("id") != item.id and item.id is not None and not item.partial:
        how = "its events named it" if item.adopted else "was added with id"
        ctx.report("I003", f"output_item.done carries id {done.get('id')!r}, but {item_label(item)}"
                   f" {how} {item.id!r}", "/item/id")
    if done.get("type") != item.type and not item.partial:
        ctx.report("I007", f"output_item.done changes the type of {item_label(item)} to "
                   f"{done.get('type')!r}", "/item/type")
    elif item.call_id is not None and done.get("call_id") != item.call_id:
        # OpenAI's own client-executed tool searches do this: a warning of its own (I018).
        code = "I018" if item.type == "tool_search_call" else "I007"
        ctx.report(code, f"output_item.done changes the call_id of {item_label(item)} to "
                   f"{done.get('call_id')!r}", "/item/call_id")
    value = item.value
    if value is not None and value.phase is ADDED and not value.partial:
        ctx.report("I014", f"output_item.done closes {item_label(item)} before the *.done event "
                   "of its streamed value", None)
    for field, parts in (("content_index", item.content), ("summary_index", item.summary)):
        for index, part in enumerate(parts):
            if part.phase is not DONE and not part.partial and not part.adopted:
                ctx.report("I015", f"output_item.done closes {item_label(item)} while its part "
                           f"{field} {index} is still open", None)


# The `*.done` event a part of each type must get before the part is closed.
_TEXT_DONE_REQUIRED = {
    "output_text": "response.output_text.done",
    "refusal": "response.refusal.done",
    "summary_text": "response.reasoning_summary_text.done",
}


# The item statuses every item type shares (tool calls add progress ones such as `searching`).
_STATUSES = ("in_progress", "completed", "incomplete")


def check_item_statuses(ctx: Any, response: dict, status: str) -> None:
    """At the terminal event: each closed item's status is the one the response gives it, and
    the item a cut-short response ended on was not closed as `completed`."""
    output = response.get("output")
    output = output if isinstance(output, list) else []
    contradicted = False
    for item in ctx.state.items:
        done = item.done_item
        final = output[item.index] if item.index < len(output) else None
        if done is None or not isinstance(final, dict) or final.get("id") != done.get("id"):
            continue
        said, says = done.get("status"), final.get("status")
        if said in _STATUSES and says in _STATUSES and said != says:  # else S003's
            contradicted = True
            ctx.report("I025", f"output_item.done closed {item_label(item)} with status "
                       f"{said!r}, the terminal response gives it {says!r}",
                       f"/response/output/{item.index}/status")
    last = ctx.state.items[-1] if ctx.state.items else None
    if status in ("incomplete", "failed") and not contradicted and last is not None and \
            last.done_item is not None and last.done_item.get("status") == "completed":
        ctx.report("I025", f"the response is {status}, but output_item.done closed its last "
                   f"item, {item_label(last)}, as 'completed'", "/response/status")
