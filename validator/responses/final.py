"""R: the response object — one identity throughout, a terminal `output` that matches the
streamed items, and usage that adds up."""

from __future__ import annotations

from typing import Any

from ..result import Severity
from ..rules._rule import OPENAI_EVENTS, Rule, doc
from .identity import item_label
from .state import ResponseState
from .text import check_final_arguments, check_final_item

__all__ = ["RESPONSE_FIELDS", "RULES", "check_final_output", "check_identity", "check_usage"]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

RULES = (
    Rule("R001", "response-identity-changed", "The response id, model or created_at changes during the stream", E, doc(
        what="Reports a lifecycle event (`response.in_progress`, `response.completed`, …) whose `response.id`, `response.model` or `response.created_at` differs from the value the earlier lifecycle events stated (a field that was absent is a schema finding, not a change; each change is reported once).",
        why="Clients store the response under its id and continue conversations with `previous_response_id`: a changed id points to a response that does not exist (or another one).",
        example="`response.created` with `id: resp_a`, `response.completed` with `id: resp_b`.",
        instead="Keep `id`, `model` and `created_at` the same on every lifecycle event.",
        refs=OPENAI_EVENTS + "; openai-node replaces the snapshot on lifecycle events")),
    Rule("R002", "final-output-mismatch", "The terminal response's output does not match the streamed items", E, doc(
        what="Reports a terminal response (`completed` or `incomplete`) whose `output` has a different number of items than were streamed, or an item with another id or type than the item streamed at that `output_index`.",
        why="The SDKs return the terminal response, not what they accumulated: items the user watched disappear, or items nobody streamed appear (agentgateway #3326: `output: []`).",
        example="Two items streamed; `response.completed` carries `output` with one.",
        instead="Send in the terminal response exactly the items streamed, in `output_index` order.",
        refs=OPENAI_EVENTS + "; invergent-ai/surogate #175")),
    Rule("R003", "usage-total-mismatch", "`usage.total_tokens` is not `input_tokens + output_tokens`", E, doc(
        what="Reports a terminal response whose `usage.total_tokens` differs from `usage.input_tokens + usage.output_tokens`.",
        why="Billing, quota and cost dashboards add these fields up; a wrong total over- or under-charges.",
        example='`{"input_tokens": 543, "output_tokens": 478, "total_tokens": 512}`',
        instead="Set `total_tokens = input_tokens + output_tokens`.",
        refs=OPENAI_EVENTS + " `ResponseUsage`")),
    Rule("R004", "usage-details-exceed-total", "A usage detail is larger than the total it is part of", E, doc(
        what="Reports `input_tokens_details.cached_tokens` above `input_tokens`, or `output_tokens_details.reasoning_tokens` above `output_tokens`.",
        why="Cost calculations subtract the details from the totals and go negative.",
        example='`{"output_tokens": 10, "output_tokens_details": {"reasoning_tokens": 20}}`',
        instead="Count details as parts of their totals.",
        refs=OPENAI_EVENTS + " `ResponseUsage`")),
    Rule("R005", "output-text-mismatch", "`response.output_text` is not the concatenated message text", INFO, doc(
        what="Notes a terminal response carrying an `output_text` field that differs from the concatenation of its message `output_text` parts (the SDK convenience property).",
        why="`output_text` is an SDK property; a server that sends it should send the same text the parts carry.",
        example='`"output_text": ""` with a message saying "Hello".',
        instead="Omit `output_text` or make it the joined message text.",
        refs=OPENAI_EVENTS)),
    Rule("R010", "response-settings-changed", "A response setting changes between lifecycle events", W, doc(
        what="Reports a lifecycle event whose response carries another value than the first lifecycle event for a setting the request chose and the response echoes: `parallel_tool_calls`, `store`, `tool_choice`, `tools`, `top_p`, `temperature`, `reasoning`, `text`, `truncation`, `instructions`, `max_output_tokens`, `metadata`… (fields the response fills in as it runs — `status`, `output`, `usage`, `service_tier`, `completed_at` — may change).",
        why="A client reads the settings from `response.created` (openai-node keeps that snapshot until the next lifecycle event) and the terminal response replaces them: the two disagree on how the answer was generated, e.g. `store: true` at the start and `false` at the end, so a follow-up with `previous_response_id` fails. openai-python's `ResponseStreamState` accepts such a stream and returns the terminal values, so nothing breaks in the stream itself: a warning.",
        example="`response.created` with `\"tool_choice\": \"required\"`, `response.completed` with `\"tool_choice\": \"auto\"`.",
        instead="Echo the request's settings unchanged on every lifecycle event.",
        refs=OPENAI_EVENTS + "; OpenAI's own streams keep them (only status, output, usage, service_tier, completed_at and content filters change)")),
)

_IDENTITY = ("id", "model", "created_at")
#: Request parameters the response echoes: they describe how it was generated and stay the
#: same on every lifecycle event (status, output, usage, service_tier, completed_at… change).
_SETTINGS = ("background", "instructions", "max_output_tokens", "max_tool_calls",
             "parallel_tool_calls", "previous_response_id", "prompt", "prompt_cache_key",
             "reasoning", "safety_identifier", "store", "temperature", "text", "tool_choice",
             "tools", "top_logprobs", "top_p", "truncation", "user", "metadata")


#: The fields of the response a lifecycle event states that the next ones must keep
#: (``ResponseState.note_response`` keeps them).
RESPONSE_FIELDS = (*_IDENTITY, *_SETTINGS)


def check_identity(ctx: Any, ev: dict) -> None:
    """A lifecycle event: the response keeps the id, model and created_at it started with
    (R001) and the settings it was created with (R010).

    A field is compared once it was stated: one that was absent is the schema's finding, not a
    change.  After a change, the new value is the reference (``note_response``): one change,
    one finding.
    """
    state: ResponseState = ctx.state
    response = ev.get("response")
    known = state.response_fields
    if not isinstance(response, dict) or known is None:
        return
    for code, keys in (("R001", _IDENTITY), ("R010", _SETTINGS)):
        changed = [k for k in keys if k in response and k in known and response[k] != known[k]]
        if changed:
            ctx.report(code, f"{ev['type']} changes the response: " + ", ".join(
                f"{k} {_short(known[k])} -> {_short(response[k])}" for k in changed),
                f"/response/{changed[0]}")


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_final_output(ctx: Any, response: dict, *, completed: bool = True) -> None:
    """The terminal `output` against the streamed items: count, id, type, then texts; in a
    completed response, function call arguments that parse (T010)."""
    state: ResponseState = ctx.state
    output = response.get("output")
    if not isinstance(output, list):
        return
    items = state.items
    # Placeholders fill the gap of an index that was skipped (reported as I002); a resumed
    # stream did not see its first items.  Neither can be counted.
    if len(output) != len(items) and not any(item.partial for item in items):
        ctx.report("R002", f"the terminal response has {len(output)} output item(s), "
                   f"{len(items)} were streamed", "/response/output")
    for index, (item, final) in enumerate(zip(items, output, strict=False)):
        if not isinstance(final, dict) or item.partial:
            continue
        # Compare with the item as output_item.done last described it: a changed id there was
        # already reported, and the terminal response is expected to agree with it.
        expected = item.done_item if item.done_item is not None else {"id": item.id,
                                                                      "type": item.type}
        for key in ("id", "type"):
            if expected.get(key) is not None and final.get(key) != expected.get(key):
                ctx.report("R002", f"terminal output item {index} has {key} {final.get(key)!r}, "
                           f"but {item_label(item)} was streamed", f"/response/output/{index}/{key}")
                break
        else:
            check_final_item(ctx, item, final, index)
    if completed:
        check_final_arguments(ctx, output)
    _check_output_text(ctx, response, output)


def _check_output_text(ctx: Any, response: dict, output: list) -> None:
    text = response.get("output_text")
    if not isinstance(text, str):
        return
    joined = "".join(
        part.get("text", "") for item in output if isinstance(item, dict)
        and item.get("type") == "message" for part in item.get("content") or ()
        if isinstance(part, dict) and part.get("type") == "output_text")
    if joined != text:
        ctx.report("R005", "response.output_text differs from the joined message text",
                   "/response/output_text")


def check_usage(ctx: Any, response: dict) -> None:
    """`usage` of the terminal response adds up."""
    usage = response.get("usage")
    if not isinstance(usage, dict):
        return
    # Any: `_ints` says they are ints before any arithmetic.
    counts: list[Any] = [usage.get(k) for k in ("total_tokens", "input_tokens", "output_tokens")]
    total, inp, out = counts
    if _ints(total, inp, out) and total != inp + out:
        ctx.report("R003", f"usage.total_tokens is {total}, but input_tokens + output_tokens = "
                   f"{inp} + {out} = {inp + out}", "/response/usage/total_tokens")
    for total_key, details_key, key in (("input_tokens", "input_tokens_details", "cached_tokens"),
                                        ("output_tokens", "output_tokens_details",
                                         "reasoning_tokens")):
        details = usage.get(details_key)
        part: Any = details.get(key) if isinstance(details, dict) else None
        if _ints(part, usage.get(total_key)) and part > usage[total_key]:
            ctx.report("R004", f"usage.{details_key}.{key} ({part}) is larger than "
                       f"usage.{total_key} ({usage[total_key]})",
                       f"/response/usage/{details_key}/{key}")


def _ints(*values: Any) -> bool:
    return all(type(v) is int for v in values)

