"""Valid Responses streams built from a plan, for the property and hostile-input tests.

An item plan is ``("message", [[delta, …], …])`` (deltas per content part),
``("reasoning", [[delta, …], …])`` (deltas per summary part) or ``("function_call", [delta, …])``.
``item_events`` gives an item's events in protocol order; ``assemble`` numbers the events of
any interleaving and closes the stream with a `response.completed` whose output matches.
The field sets follow OpenAI's (see ``../shared/corpus/real``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

RESPONSE = {
    "id": "resp_4dc7c9ec434ed06502767136789763ec11d2c4b7", "object": "response",
    "created_at": 1763551829, "status": "in_progress", "background": False, "error": None,
    "incomplete_details": None, "instructions": None, "max_output_tokens": None,
    "model": "gpt-4.1-2025-04-14", "output": [], "parallel_tool_calls": True,
    "previous_response_id": None, "reasoning": {"effort": None, "summary": None}, "store": True,
    "temperature": 1.0, "text": {"format": {"type": "text"}}, "tool_choice": "auto", "tools": [],
    "top_p": 1.0, "truncation": "disabled", "usage": None, "user": None, "metadata": {},
}
USAGE = {"input_tokens": 11, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 9,
         "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 20}


_PREFIX = {"message": "msg", "reasoning": "rs", "function_call": "fc"}


def item_events(kind: str, number: int, plan: list) -> Iterator[dict]:
    """The events of item ``number`` (its ids derive from it); ``output_index`` is filled in by
    ``assemble`` (the item's position among the items added)."""
    item_id = f"{_PREFIX[kind]}_{number:04d}"
    at = {"item_id": item_id}
    if kind == "function_call":
        added = {"id": item_id, "type": "function_call", "status": "in_progress",
                 "arguments": "", "call_id": f"call_{number:04d}", "name": "lookup"}
        yield {"type": "response.output_item.added", "item": added}
        for delta in plan:
            yield {"type": "response.function_call_arguments.delta", **at, "delta": delta,
                   "obfuscation": "x" * 8}
        arguments = "".join(plan)
        yield {"type": "response.function_call_arguments.done", **at, "name": "lookup",
               "arguments": arguments}
        yield {"type": "response.output_item.done",
               "item": {**added, "status": "completed", "arguments": arguments}}
        return
    if kind == "message":
        added = {"id": item_id, "type": "message", "status": "in_progress", "content": [],
                 "role": "assistant"}
        family, field, part_event = "output_text", "content_index", "content_part"
    else:
        added = {"id": item_id, "type": "reasoning", "summary": []}
        family, field, part_event = "reasoning_summary_text", "summary_index", \
            "reasoning_summary_part"
    yield {"type": "response.output_item.added", "item": added}
    parts = []
    for index, deltas in enumerate(plan):
        where = {**at, field: index}
        yield {"type": f"response.{part_event}.added", **where, "part": _part(kind, "")}
        extra = {"logprobs": []} if kind == "message" else {}
        for delta in deltas:
            yield {"type": f"response.{family}.delta", **where, "delta": delta, **extra}
        text = "".join(deltas)
        yield {"type": f"response.{family}.done", **where, "text": text, **extra}
        yield {"type": f"response.{part_event}.done", **where, "part": _part(kind, text)}
        parts.append(_part(kind, text))
    done = {**added, "content": parts} if kind == "message" else {**added, "summary": parts}
    if kind == "message":
        done["status"] = "completed"
    yield {"type": "response.output_item.done", "item": done}


def _part(kind: str, text: str) -> dict:
    if kind == "message":
        return {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
    return {"type": "summary_text", "text": text}


def assemble(per_item: list[list[dict]], order: list[int]) -> list[dict]:
    """The stream of the items' events merged in ``order`` (item numbers; each item's events
    stay in their order), numbered, between the lifecycle events."""
    queues = [list(events) for events in per_item]
    position: dict[int, int] = {}  # item number -> output_index, in the order items are added
    output: dict[int, dict] = {}
    body = []
    for number in order:
        event = copy.deepcopy(queues[number].pop(0))
        if event["type"] == "response.output_item.added":
            position[number] = len(position)
        event["output_index"] = position[number]
        if event["type"] == "response.output_item.done":
            output[position[number]] = event["item"]
        body.append(event)
    assert not any(queues), "the order must exhaust every item"
    created = {"type": "response.created", "response": dict(RESPONSE)}
    progress = {"type": "response.in_progress", "response": dict(RESPONSE)}
    completed = {"type": "response.completed", "response": {
        **RESPONSE, "status": "completed", "output": [output[i] for i in sorted(output)],
        "usage": USAGE}}
    events = [created, progress, *body, completed]
    for seq, event in enumerate(events):
        event["sequence_number"] = seq
    return events


def sequential(plans: list[tuple[str, list]]) -> list[dict]:
    """The stream of the items one after the other (the order OpenAI sends them)."""
    per_item = [list(item_events(kind, n, plan)) for n, (kind, plan) in enumerate(plans)]
    return assemble(per_item, [n for n, events in enumerate(per_item) for _ in events])
