"""Checks of the choices: the role (C007, C008), output after the finish (C017), the
`finish_reason` (C016, C018; C015 at the end), and list-valued delta fields (C025).  C006 and a
second finish_reason (C017) are reported by ``state.py``, where the choice is looked up and
finished."""

from __future__ import annotations

from typing import Any

from .events import FINISH_REASONS, OUTPUT_KEYS, OUTPUT_MEMBERS
from .state import ChatState, Choice, shown
from .tool_calls import check_arguments

__all__ = ["carries_output", "check_choice_start", "check_choices_end", "check_finish",
           "check_list_delta", "check_output_after_finish", "check_role_repeated",
           "delta_carries_output"]

#: Finish reasons after which truncated tool call arguments are expected.
_CUT_SHORT = ("length", "content_filter")


def carries_output(entry: Any) -> bool:
    """Whether a `choices[]` entry carries text, tool calls or a finish_reason (not metadata)."""
    if type(entry) is not dict:
        return False
    return bool(entry.get("finish_reason")) or delta_carries_output(entry.get("delta"))


def delta_carries_output(delta: Any) -> bool:
    """Whether a delta carries text or tool calls (not only a role or metadata)."""
    if type(delta) is not dict:
        return False
    if any(delta.get(key) for key in OUTPUT_KEYS):
        return True
    for key, members in OUTPUT_MEMBERS:  # audio: its data and transcript, not its metadata
        value = delta.get(key)
        if type(value) is dict and any(value.get(member) for member in members):
            return True
    return False


def check_choice_start(ctx: Any, entry: dict, index: int, at: int) -> None:
    """C007: the first delta of a choice carries its role."""
    delta = entry.get("delta")
    if not (type(delta) is dict and delta.get("role")):
        ctx.report("C007", f"choice {index} starts without delta.role", f"/choices/{at}/delta")


def check_role_repeated(ctx: Any, choice: Choice, delta: dict, at: int) -> None:
    """`role` in a later delta: accepted only unchanged alongside audio (OpenAI audio output)."""
    role = delta["role"]
    if role == choice.role and "audio" in delta:
        return
    change = "again" if role == choice.role else f"changed from {choice.role!r} to {role!r}"
    ctx.report("C008", f"choice {choice.index} sends role {role!r} {change}; openai-python "
               "concatenates repeated roles", f"/choices/{at}/delta/role", key=("C008",))


def check_output_after_finish(ctx: Any, choice: Choice, delta: dict, at: int) -> None:
    """C017: a delta with output for a choice that has its finish_reason."""
    if delta_carries_output(delta):
        ctx.report("C017", f"choice {choice.index} gets output after its finish_reason "
                   f"{shown(choice.finish_reason)}", f"/choices/{at}/delta",
                   key=("C017", choice.index))


def check_finish(ctx: Any, choice: Choice, pointer: str) -> None:
    """The `finish_reason` a choice just took: from the allowed set, matching the tool calls."""
    reason = choice.finish_reason
    if type(reason) is not str or reason not in FINISH_REASONS:  # any JSON value may come
        ctx.report("C016", f"finish_reason {shown(reason)} is not one of "
                   f"{', '.join(sorted(FINISH_REASONS))}", pointer)
        return
    calls = len(choice.tool_calls)
    if reason == "stop" and (calls or choice.function_call):
        streamed = f"{calls} tool call(s)" if calls else "a function_call"
        ctx.report("C018", f"choice {choice.index} streamed {streamed} but finishes with 'stop'",
                   pointer)
    elif (reason == "tool_calls" and not calls) or (
            reason == "function_call" and not choice.function_call):
        ctx.report("C018", f"choice {choice.index} finishes with {reason!r} but streamed no "
                   f"{'tool call' if reason == 'tool_calls' else 'function_call'}", pointer)


def check_list_delta(ctx: Any, choice: Choice, key: str, value: list, at: int) -> None:
    """C025: a list in a delta field the SDKs merge by element `index` (not `tool_calls`),
    after a list of objects in that field."""
    if choice.object_lists.get(key) and any(
            type(entry) is not dict or type(entry.get("index")) is not int for entry in value):
        ctx.report("C025", f"delta.{key} of choice {choice.index} repeats a list whose elements "
                   "carry no index: openai-python raises on it", f"/choices/{at}/delta/{key}",
                   key=("C025", choice.index, key))


def check_choices_end(ctx: Any, state: ChatState) -> None:
    """End of stream: every choice finished (C015), and the arguments of its calls (C014)."""
    for choice in state.choices:
        if choice.finish_at is None:
            if not choice.audio:
                ctx.report("C015", f"choice {choice.index} never gets a finish_reason", None,
                           at=None)
        elif choice.finish_reason not in _CUT_SHORT:
            for call in choice.tool_calls:
                check_arguments(ctx, choice, call)
