"""T: text accumulation — the deltas, the `*.done` value, the closed part, the closed item and
the terminal response must all say the same thing.

Both SDKs overwrite what they accumulated with each `*.done`/`output_item.done`/terminal event,
so a drift between them never shows in a client test: the user sees one text while the stream
archived or the tool call executed another.  These checks compare every link of the chain.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..excerpt import describe_mismatch
from ..excerpt import quote as _quote
from ..model import Context
from ..result import Severity
from ..rules._rule import OPENAI_EVENTS, Rule, doc
from .events import ITEM_VALUE_PATHS
from .state import Item, Part, part_text

__all__ = ["RULES", "check_final_arguments", "check_final_item", "check_item_done",
           "check_part_done", "check_text_done", "item_texts", "item_value"]

E, W = Severity.ERROR, Severity.WARNING
CHAIN = ("concat(deltas) == `*.done` value == `content_part.done` part == `output_item.done` "
         "item == terminal `response.output`")

RULES = (
    Rule("T001", "delta-done-mismatch", "The deltas do not add up to the `*.done` value", E, doc(
        what="Reports a `*.done` event (`output_text.done`, `refusal.done`, `function_call_arguments.done`, `reasoning_summary_text.done`, `code_interpreter_call_code.done`, `shell_call_command.done`, …) whose value differs from the concatenation of the deltas sent before it.",
        why="Streaming clients show the deltas while the SDKs replace the text with the `*.done` value: the user reads one text and the application stores another. A dropped or duplicated delta shows up exactly here.",
        example='Deltas `"Hel"`, `"lo"` followed by `response.output_text.done` with `text: "Hello!"`.',
        instead=f"Make every link of the chain equal: {CHAIN}.",
        refs=OPENAI_EVENTS)),
    Rule("T005", "value-without-deltas", "A value arrives only in its `*.done` event, with no delta before it", W, doc(
        what="Reports a `*.done` event (`function_call_arguments.done`, `output_text.done`, …) that carries a non-empty value when no delta was sent for it. Deltas that disagree with the `*.done` value are T001.",
        why="Clients that build the value from the deltas get nothing: openai-python's `ResponseStreamState` snapshot keeps `arguments: \"\"` and its `function_call_arguments.delta` events never fire, the Vercel AI SDK emits no `tool-input-delta`, a UI streams an empty call. Clients that read `*.done` or `output_item.done` are fine, so it is a warning (an error under `strict`). Seen from an OpenAI Codex model and LM Studio (corpus: `vercel-ai__lmstudio-reasoning-tool-call.jsonl`).",
        example='`output_item.added` of a `function_call` with `arguments: ""`, then `response.function_call_arguments.done` with `arguments: "{\\"location\\":\\"SF\\"}"` and no delta.',
        instead="Send the value as one or more deltas before its `*.done` event (one delta with the whole value is fine).",
        refs=f"{OPENAI_EVENTS}; openai-python `lib/streaming/responses/_responses.py` (`accumulate_event`)")),
    Rule("T002", "part-done-mismatch", "`content_part.done` carries another text than its part streamed", E, doc(
        what="Reports a `content_part.done` (or `reasoning_summary_part.done`) whose part text differs from the part's `*.done` value (or from its deltas when there was no `*.done`).",
        why="openai-node replaces the part with the one of `content_part.done`; clients disagree on the text depending on which event they trust.",
        example='`output_text.done` with `text: "Hi"` then `content_part.done` with `part.text: "Hi!"`.',
        instead=f"Keep the chain equal: {CHAIN}.",
        refs=OPENAI_EVENTS)),
    Rule("T003", "item-done-mismatch", "`output_item.done` carries another text than the item streamed", E, doc(
        what="Reports an `output_item.done` whose item text (message content, reasoning summary, function arguments, tool input, code, diff, shell commands) differs from what was streamed for it.",
        why="Clients that build the item from `output_item.done` (UIs, agents executing tool calls) use a different text than clients that accumulated the deltas: a tool may run with other arguments than the user saw.",
        example='Arguments deltas `{"a":1}` then `output_item.done` with `arguments: "{\\"a\\":2}"`.',
        instead=f"Keep the chain equal: {CHAIN}.",
        refs=OPENAI_EVENTS)),
    Rule("T004", "final-text-mismatch", "The terminal response carries another text than was streamed", E, doc(
        what="Reports a text in the terminal response's `output` (message content, summary, arguments…) that differs from what was streamed for the same item.",
        why="openai-python's `get_final_response()` and openai-node's `finalResponse()` return the terminal response, not what they accumulated: the stored answer differs from the one the user watched.",
        example='Streamed `"Hello, World!"`, `response.completed` carries `"Hello World"`.',
        instead=f"Keep the chain equal: {CHAIN}.",
        refs=OPENAI_EVENTS + "; openai-python `lib/streaming/responses/_responses.py` (the SDK final response comes from the terminal event)")),
    Rule("T010", "function-arguments-invalid-json", "A completed function call's arguments are not valid JSON", E, doc(
        what="Reports a `function_call` item of a `response.completed` terminal response whose `arguments` do not parse as JSON (empty arguments included). An `incomplete` response may cut arguments short and is not checked.",
        why="openai-python's `ResponseStreamState` parses the arguments of strict function tools at `response.completed` (`parse_function_tool_arguments`: `json.loads`) and raises `json.JSONDecodeError`, losing the whole response; function tools are strict by default in the Responses API. Agents `json.loads` them before they run the tool. A server that truncates a forced call and still says `completed` breaks every such client.",
        example='`response.completed` with `{"type": "function_call", "arguments": "{\\"city\\": \\"Par", …}`.',
        instead='Stream arguments that add up to a JSON object (`"{}"` for none), or end a cut-off call with `response.incomplete`.',
        refs="openai-python `lib/_parsing/_responses.py` (`parse_function_tool_arguments`); chat: C014")),
)

def check_text_done(ctx: Context, part: Part, value: str, label: str, pointer: str) -> None:
    """A `*.done` event: its value must equal the deltas (it then becomes the part's text:
    ``Part.close_text``)."""
    if not part.partial:
        streamed = part.accumulated()
        if streamed == "" and value:
            ctx.report("T005", f"{label}: the value ({len(value)} chars) arrives with no delta "
                       "before it: clients that build it from deltas get nothing", pointer)
        elif streamed != value:
            ours = (f"the text {part.prefilled} pre-filled plus the deltas add up to"
                    if part.prefilled else "the deltas add up to")
            ctx.report("T001", f"{label}: " + describe_mismatch(
                streamed, value, ours, "the .done event says"), pointer)


def check_part_done(ctx: Context, part: Part, part_obj: Any, label: str) -> None:
    """`content_part.done` / `reasoning_summary_part.done` against the part's text."""
    text = part_text(part_obj)
    if text is None or part.partial:
        return
    expected = part.final_text()
    if text != expected:
        field = "refusal" if part.type == "refusal" else "text"
        ctx.report("T002", f"{label}: " + describe_mismatch(
            expected, text, "the part's text is", f"{label} says"), f"/part/{field}")


def item_value(obj: dict, item_type: Any) -> Any:
    """The item-level streamed value of an item object, or ``None`` if it has none."""
    value: Any = obj
    for key in ITEM_VALUE_PATHS.get(item_type, ()):
        value = value.get(key) if isinstance(value, dict) else None
    return value if item_type in ITEM_VALUE_PATHS else None


#: What ``_texts`` gives for a part that was streamed but is not in the object at all.
MISSING = object()


def _texts(item: Item, obj: dict, prefix: str) -> Iterator[tuple[str, Part, Any]]:
    """(pointer, part, text in obj) for every streamed text of an item object; the text is
    ``MISSING`` for a part that streamed text and that the object lacks."""
    for key, parts in (("content", item.content), ("summary", item.summary)):
        listed = obj.get(key)
        if not isinstance(listed, list):
            continue
        # After a gap (I012) or a resume the indexes are not the object's: nothing is missing.
        gapped = any(part.partial for part in parts)
        for index, part in enumerate(parts):
            if part.partial:
                continue
            field = "refusal" if part.type == "refusal" else "text"
            if index < len(listed):
                yield f"{prefix}/{key}/{index}/{field}", part, part_text(listed[index])
            elif not (gapped or part.adopted) and part.final_text():
                yield f"{prefix}/{key}", part, MISSING
    if item.value is not None and not item.value.partial:
        path = ITEM_VALUE_PATHS.get(item.type, ())
        yield prefix + "".join("/" + k for k in path), item.value, item_value(obj, item.type)
    commands = (obj.get("action") or {}).get("commands") if isinstance(obj.get("action"),
                                                                        dict) else None
    if isinstance(commands, list):
        for index, part in enumerate(item.commands):
            if index < len(commands) and not part.partial:
                yield f"{prefix}/action/commands/{index}", part, commands[index]


def item_texts(item: Item, obj: dict) -> Iterator[tuple[Part, Any]]:
    """(part, text in obj) for every streamed text of an item object (``MISSING``: it lacks
    the part)."""
    return ((part, text) for _, part, text in _texts(item, obj, ""))


def _mismatch(streamed: str, text: Any, pointer: str, where: str) -> str:
    if text is MISSING:
        key = pointer.rsplit("/", 1)[-1]
        return f"a {key} part with {_quote(streamed)} was streamed, but {where} lacks it"
    return describe_mismatch(streamed, text, "streamed", f"{where} says")


def check_final_arguments(ctx: Context, output: list) -> None:
    """`function_call` items of a completed response: arguments a client can `json.loads`."""
    for index, final in enumerate(output):
        if not isinstance(final, dict) or final.get("type") != "function_call":
            continue
        arguments = final.get("arguments")
        if not isinstance(arguments, str):
            continue  # schema finding
        try:
            json.loads(arguments)
        except ValueError as exc:
            ctx.report("T010", f"the arguments of function call {index} "
                       f"({final.get('name')!r}) are not valid JSON ({exc}): "
                       f"{_quote(arguments)}", f"/response/output/{index}/arguments")


def check_item_done(ctx: Context, item: Item, done: dict) -> None:
    """`output_item.done`: each text of the item equals what was streamed for it."""
    for pointer, part, text in _texts(item, done, "/item"):
        streamed = part.final_text()
        if text is not None and text != streamed:
            ctx.report("T003", f"output_item.done of item {item.index}: "
                       f"{_mismatch(streamed, text, pointer, 'output_item.done')}", pointer)


def check_final_item(ctx: Context, item: Item, final: dict, index: int) -> None:
    """The terminal response's `output[index]`: each text equals what was streamed."""
    for pointer, part, text in _texts(item, final, f"/response/output/{index}"):
        streamed = part.final_text()
        if text is not None and text != streamed:
            ctx.report("T004", f"terminal response, item {index}: "
                       f"{_mismatch(streamed, text, pointer, 'the terminal response')}",
                       pointer)
