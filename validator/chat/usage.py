"""Checks of `usage`: on a chunk of its own (C020), adding up (C021), last (C019) and present
(C022, `strict` only)."""

from __future__ import annotations

from typing import Any

from .state import ChatState

__all__ = ["check_usage", "check_usage_last", "check_usage_seen"]

#: `*_tokens_details` entries that count a part of their total.
_DETAILS = {
    "prompt_tokens": ("prompt_tokens_details", ("cached_tokens", "audio_tokens", "text_tokens",
                                                "image_tokens", "cache_write_tokens")),
    "completion_tokens": ("completion_tokens_details", (
        "reasoning_tokens", "audio_tokens", "text_tokens", "accepted_prediction_tokens",
        "rejected_prediction_tokens")),
}


def check_usage(ctx: Any, usage: Any, choices: Any) -> None:
    """A chunk with a non-null `usage`: on a chunk of its own, adding up."""
    if choices:
        ctx.report("C020", "usage arrives on a chunk with choices; the usage chunk has "
                   "\"choices\": []", "/usage", key=("C020",))
    if type(usage) is not dict:
        return  # schema finding
    total: Any
    prompt: Any
    completion: Any
    total, prompt, completion = (usage.get(k) for k in ("total_tokens", "prompt_tokens",
                                                        "completion_tokens"))
    if _ints(total, prompt, completion) and total != prompt + completion:
        ctx.report("C021", f"usage.total_tokens is {total}, but prompt_tokens + "
                   f"completion_tokens = {prompt} + {completion} = {prompt + completion}",
                   "/usage/total_tokens", key=("C021",))
    for total_key, (details_key, keys) in _DETAILS.items():
        details = usage.get(details_key)
        if type(details) is not dict or not _ints(usage.get(total_key)):
            continue
        for key in keys:
            part = details.get(key)
            if _ints(part) and part > usage[total_key]:
                ctx.report("C021", f"usage.{details_key}.{key} ({part}) is larger than "
                           f"usage.{total_key} ({usage[total_key]})",
                           f"/usage/{details_key}/{key}", key=("C021",))


def check_usage_last(ctx: Any, state: ChatState) -> None:
    """C019 at the end: the first chunk with output after the (last) usage chunk."""
    if state.output_after_usage is not None:
        ctx.report("C019", "output after the usage chunk: usage must come last",
                   None, at=state.output_after_usage)


def check_usage_seen(ctx: Any, state: ChatState) -> None:
    """C022 at the end: some chunk carried usage."""
    if state.usage_at is None:
        ctx.report("C022", "no chunk carries usage", None, at=None)


def _ints(*values: Any) -> bool:
    return all(type(v) is int for v in values)
