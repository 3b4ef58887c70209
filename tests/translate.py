"""A faithful gateway, for the tests of ``diff``: an answer (``validator.content.Answer``) streamed
again as another kind, the way a correct bridge would stream it; and the edits a broken bridge
makes to a stream (drop a tool call, change an argument, cut the text…).

A real capture, reduced to its answer and rendered here as each kind, must give no D finding
against the capture; each edit must give its one finding.  The rendered streams are linted too:
a translation the validator rejects would prove nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from validator.content import (
    CONTENT_FILTER,
    END,
    ERROR,
    LENGTH,
    REASONING,
    REFUSAL,
    SERVER_TOOL,
    SUMMARY,
    TEXT,
    TOOL_CALL,
    TOOL_USE,
    Answer,
    Block,
    Choice,
    Usage,
)

__all__ = ["EDITS", "render", "sse"]

PIECE = 7  # characters per delta


def _pieces(text: str) -> list[str]:
    return [text[i:i + PIECE] for i in range(0, len(text), PIECE)] or []


def sse(events: list[dict], *, done: bool) -> bytes:
    out = []
    for event in events:
        name = f"event: {event['type']}\n" if "type" in event else ""
        out.append(f"{name}data: {json.dumps(event, ensure_ascii=False)}\n\n")
    if done:
        out.append("data: [DONE]\n\n")
    return "".join(out).encode("utf-8")


# -- Chat Completions --------------------------------------------------------------------------

_FINISH = {END: "stop", LENGTH: "length", TOOL_USE: "tool_calls", CONTENT_FILTER: "content_filter"}


def to_chat(answer: Answer) -> list[dict]:
    base = {"id": "chatcmpl-translated", "object": "chat.completion.chunk", "created": 1760000000,
            "model": "gpt-test"}

    def chunk(index: int, delta: dict, finish: str | None = None) -> dict:
        return {**base, "choices": [{"index": index, "delta": delta, "logprobs": None,
                                     "finish_reason": finish}]}

    events = []
    for choice in answer.choices:
        i = choice.index
        events.append(chunk(i, {"role": "assistant", "content": ""}))
        reasoning = "\n\n".join(b.text for b in choice.of(SUMMARY) or choice.of(REASONING))
        events += [chunk(i, {"reasoning_content": p}) for p in _pieces(reasoning)]
        events += [chunk(i, {"content": p}) for b in choice.of(TEXT) for p in _pieces(b.text)]
        events += [chunk(i, {"refusal": p}) for b in choice.of(REFUSAL) for p in _pieces(b.text)]
        for n, call in enumerate(choice.of(TOOL_CALL)):
            events.append(chunk(i, {"tool_calls": [{"index": n, "id": call.call_id,
                                                    "type": "function", "function": {
                                                        "name": call.name, "arguments": ""}}]}))
            # No arguments are `{}` to a client; a client-run action (a shell call) has none.
            events += [chunk(i, {"tool_calls": [{"index": n, "function": {"arguments": p}}]})
                       for p in _pieces(call.text or "{}")]
        if choice.stop == ERROR:
            events.append({"error": {"message": "upstream error", "type": "server_error"}})
        elif choice.stop in _FINISH:
            events.append(chunk(i, {}, _FINISH[choice.stop]))
    if answer.usage is not None:
        u = answer.usage
        usage = {"prompt_tokens": u.input, "completion_tokens": u.output,
                 "total_tokens": (u.input or 0) + (u.output or 0),
                 "prompt_tokens_details": {"cached_tokens": u.cached or 0},
                 "completion_tokens_details": {"reasoning_tokens": u.reasoning or 0}}
        events.append({**base, "choices": [], "usage": usage})
    return events


# -- Responses ---------------------------------------------------------------------------------

def to_responses(answer: Answer) -> list[dict]:
    choice = answer.choices[0] if answer.choices else Choice(index=0)
    events: list[dict] = []
    output: list[dict] = []
    response = {"id": "resp_translated", "object": "response", "created_at": 1760000000,
                "status": "in_progress", "error": None, "incomplete_details": None,
                "model": "gpt-test", "output": [], "parallel_tool_calls": True, "tools": [],
                "tool_choice": "auto", "usage": None, "metadata": {}, "instructions": None,
                "temperature": None, "top_p": None}

    def emit(event: dict) -> None:
        events.append({"type": event.pop("type"), "sequence_number": len(events), **event})

    def item_events(item: dict, fill: Callable[[dict], dict]) -> None:
        index = len(output)
        emit({"type": "response.output_item.added", "output_index": index, "item": item})
        done = fill({"item_id": item["id"], "output_index": index})
        output.append(done)
        emit({"type": "response.output_item.done", "output_index": index, "item": done})

    emit({"type": "response.created", "response": response})
    emit({"type": "response.in_progress", "response": response})
    summary, raw = choice.of(SUMMARY), choice.of(REASONING)
    if summary or raw:
        def reasoning(at: dict) -> dict:
            for n, block in enumerate(summary):
                where = {**at, "summary_index": n}
                emit({"type": "response.reasoning_summary_part.added", **where,
                      "part": {"type": "summary_text", "text": ""}})
                for p in _pieces(block.text):
                    emit({"type": "response.reasoning_summary_text.delta", **where, "delta": p})
                emit({"type": "response.reasoning_summary_text.done", **where, "text": block.text})
                emit({"type": "response.reasoning_summary_part.done", **where,
                      "part": {"type": "summary_text", "text": block.text}})
            for n, block in enumerate(raw):
                where = {**at, "content_index": n}
                emit({"type": "response.content_part.added", **where,
                      "part": {"type": "reasoning_text", "text": ""}})
                for p in _pieces(block.text):
                    emit({"type": "response.reasoning_text.delta", **where, "delta": p})
                emit({"type": "response.reasoning_text.done", **where, "text": block.text})
                emit({"type": "response.content_part.done", **where,
                      "part": {"type": "reasoning_text", "text": block.text}})
            return {"id": at["item_id"], "type": "reasoning",
                    "summary": [{"type": "summary_text", "text": b.text} for b in summary],
                    **({"content": [{"type": "reasoning_text", "text": b.text} for b in raw]}
                       if raw else {})}
        item_events({"id": "rs_0", "type": "reasoning", "summary": []}, reasoning)
    parts = choice.of(TEXT, REFUSAL)
    if parts:
        def message(at: dict) -> dict:
            done_parts = []
            for n, block in enumerate(parts):
                where = {**at, "content_index": n}
                if block.type == TEXT:
                    part, family, field = {"type": "output_text", "annotations": []}, \
                        "output_text", "text"
                else:
                    part, family, field = {"type": "refusal"}, "refusal", "refusal"
                extra = {"logprobs": []} if block.type == TEXT else {}
                emit({"type": "response.content_part.added", **where,
                      "part": {**part, field: ""}})
                for p in _pieces(block.text):
                    emit({"type": f"response.{family}.delta", **where, "delta": p, **extra})
                emit({"type": f"response.{family}.done", **where, field: block.text, **extra})
                done_parts.append({**part, field: block.text})
                emit({"type": "response.content_part.done", **where, "part": done_parts[-1]})
            return {"id": at["item_id"], "type": "message", "status": "completed",
                    "role": "assistant", "content": done_parts}
        item_events({"id": "msg_0", "type": "message", "status": "in_progress",
                     "role": "assistant", "content": []}, message)
    for n, call in enumerate(choice.of(TOOL_CALL)):
        head = {"id": f"fc_{n}", "type": "function_call", "call_id": call.call_id,
                "name": call.name}

        def function_call(at: dict, call: Block = call, head: dict = head) -> dict:
            for p in _pieces(call.text):
                emit({"type": "response.function_call_arguments.delta", **at, "delta": p})
            emit({"type": "response.function_call_arguments.done", **at,
                  "arguments": call.text})
            return {**head, "status": "completed", "arguments": call.text}
        item_events({**head, "status": "in_progress", "arguments": ""}, function_call)
    usage = None
    if answer.usage is not None:
        u = answer.usage
        usage = {"input_tokens": u.input or 0, "input_tokens_details": {"cached_tokens":
                                                                        u.cached or 0},
                 "output_tokens": u.output or 0,
                 "output_tokens_details": {"reasoning_tokens": u.reasoning or 0},
                 "total_tokens": (u.input or 0) + (u.output or 0)}
    if choice.stop in (LENGTH, CONTENT_FILTER) and output:
        output[-1]["status"] = "incomplete"  # the item that was cut (its done event too)
    final = {**response, "output": output, "usage": usage}
    for n, tool in enumerate(choice.of(SERVER_TOOL)):
        kind, _, name = tool.name.partition(":")
        head = {"id": f"st_{n}", "type": f"{kind}_call", **({"name": name} if name else {})}
        item_events({**head, "status": "in_progress"},
                    lambda at, head=head: {**head, "status": "completed"})
    if choice.stop in (END, TOOL_USE, None):  # a stream that never said why it stopped ends
        emit({"type": "response.completed", "response": {**final, "status": "completed"}})
    elif choice.stop in (LENGTH, CONTENT_FILTER):
        reason = "max_output_tokens" if choice.stop == LENGTH else "content_filter"
        emit({"type": "response.incomplete", "response": {
            **final, "status": "incomplete", "incomplete_details": {"reason": reason}}})
    elif choice.stop == ERROR:
        emit({"type": "response.failed", "response": {
            **final, "status": "failed", "error": {"code": "server_error",
                                                   "message": "upstream error"}}})
    return events


# -- Anthropic Messages ------------------------------------------------------------------------

_STOP_REASONS = {END: "end_turn", LENGTH: "max_tokens", TOOL_USE: "tool_use",
                 CONTENT_FILTER: "refusal"}


def to_anthropic(answer: Answer) -> list[dict]:
    choice = answer.choices[0] if answer.choices else Choice(index=0)
    u = answer.usage or Usage()
    cached = u.cached or 0
    usage = {"input_tokens": (u.input or 0) - cached, "cache_read_input_tokens": cached,
             "cache_creation_input_tokens": 0}
    events: list[dict] = [{"type": "message_start", "message": {
        "id": "msg_translated", "type": "message", "role": "assistant", "model": "claude-test",
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {**usage, "output_tokens": 1}}}]

    def block(start: dict, deltas: list[dict]) -> None:
        index = sum(e["type"] == "content_block_start" for e in events)
        events.append({"type": "content_block_start", "index": index, "content_block": start})
        events.extend({"type": "content_block_delta", "index": index, "delta": d}
                      for d in deltas)
        events.append({"type": "content_block_stop", "index": index})

    for b in choice.blocks:
        if b.type in (REASONING, SUMMARY):
            block({"type": "thinking", "thinking": "", "signature": ""},
                  [{"type": "thinking_delta", "thinking": p} for p in _pieces(b.text)]
                  + [{"type": "signature_delta", "signature": "c2lnbmF0dXJl"}])
        elif b.type in (TEXT, REFUSAL):  # no refusal channel: a refusal is text
            block({"type": "text", "text": ""},
                  [{"type": "text_delta", "text": p} for p in _pieces(b.text)])
        elif b.type == TOOL_CALL:
            block({"type": "tool_use", "id": b.call_id, "name": b.name, "input": {}},
                  [{"type": "input_json_delta", "partial_json": p}
                   for p in _pieces(b.text or "{}")])
        elif b.type == SERVER_TOOL:
            server, _, name = b.name.rpartition(":")
            start = {"type": "mcp_tool_use", "server_name": "mcp"} if server else {
                "type": "server_tool_use"}
            block({**start, "id": f"srvtoolu_{len(events)}", "name": name, "input": {}}, [])
    if choice.stop == ERROR:
        events.append({"type": "error", "error": {"type": "api_error",
                                                  "message": "upstream error"}})
        return events
    reason = _STOP_REASONS.get(choice.stop, "end_turn")
    events.append({"type": "message_delta", "delta": {"stop_reason": reason,
                                                      "stop_sequence": None},
                   "usage": {**usage, "output_tokens": u.output or 0}})
    events.append({"type": "message_stop"})
    return events


def render(answer: Answer, kind: str) -> bytes:
    """``answer`` as an SSE stream of ``kind``."""
    if kind == "chat":
        return sse(to_chat(answer), done=True)
    if kind == "anthropic":
        return sse(to_anthropic(answer), done=False)
    return sse(to_responses(answer), done=False)


# -- what broken bridges do ----------------------------------------------------------------------

def _edit_choice(answer: Answer, edit: Callable[[Choice], Choice]) -> Answer:
    return replace(answer, choices=[edit(answer.choices[0]), *answer.choices[1:]])


def _blocks(edit: Callable[[list[Block]], list[Block]]) -> Callable[[Answer], Answer]:
    return lambda answer: _edit_choice(answer, lambda c: replace(c, blocks=edit(c.blocks)))


def _drop_first_call(blocks: list[Block]) -> list[Block]:
    first = next(i for i, b in enumerate(blocks) if b.type == TOOL_CALL)
    return blocks[:first] + blocks[first + 1:]


def _change_argument(blocks: list[Block]) -> list[Block]:
    def changed(block: Block) -> Block:
        arguments = json.loads(block.text)
        key = sorted(arguments)[0]
        arguments[key] = f"not {arguments[key]}"
        return replace(block, text=json.dumps(arguments))
    first = next(i for i, b in enumerate(blocks) if b.type == TOOL_CALL)
    return [changed(b) if i == first else b for i, b in enumerate(blocks)]


def _cut_text(blocks: list[Block]) -> list[Block]:
    last = max(i for i, b in enumerate(blocks) if b.type == TEXT)
    return [replace(b, text=b.text[:len(b.text) // 2]) if i == last else b
            for i, b in enumerate(blocks)]


def _change_middle(blocks: list[Block]) -> list[Block]:
    def changed(block: Block) -> Block:
        middle = len(block.text) // 2
        return replace(block, text=block.text[:middle] + "#" + block.text[middle + 1:])
    first = next(i for i, b in enumerate(blocks) if b.type == TEXT)
    return [changed(b) if i == first else b for i, b in enumerate(blocks)]


def _change_stop(answer: Answer) -> Answer:
    def changed(choice: Choice) -> Choice:
        return replace(choice, stop=END if choice.stop == LENGTH else LENGTH)
    return _edit_choice(answer, changed)


def _drop_reasoning(blocks: list[Block]) -> list[Block]:
    return [b for b in blocks if b.type not in (REASONING, SUMMARY)]


def _change_usage(answer: Answer) -> Answer:
    usage = answer.usage or Usage()
    return replace(answer, usage=replace(usage, output=(usage.output or 0) + 1))


#: name -> (the edit, the D code it must give, the block type the answer needs for it).
EDITS = {
    "tool call dropped": (_blocks(_drop_first_call), "D003", TOOL_CALL),
    "argument value changed": (_blocks(_change_argument), "D006", TOOL_CALL),
    "text cut short": (_blocks(_cut_text), "D001", TEXT),
    "text changed in the middle": (_blocks(_change_middle), "D001", TEXT),
    "stop condition changed": (_change_stop, "D010", None),
    "reasoning dropped": (_blocks(_drop_reasoning), "D008", REASONING),
    "usage changed": (_change_usage, "D011", None),
}
