"""Checks of tool call deltas: a new call's index (C009) and identity (C010), and at the end its
accumulated arguments (C014).  A later delta's identity (C011, C012) and interleaving (C013) are
reported by ``state.py``, where the call is continued."""

from __future__ import annotations

import json
from typing import Any

from ..excerpt import quote as _quote
from .state import Choice, ToolCall

__all__ = ["check_arguments", "check_call_index", "check_call_start", "name_and_fragment"]


def name_and_fragment(call: dict) -> tuple[str, Any, Any]:
    """(name field, name, arguments fragment) of a tool call delta (`function` or `custom`)."""
    fn = call.get("function")
    if type(fn) is dict:
        return "function.name", fn.get("name"), fn.get("arguments")
    custom = call.get("custom")
    if type(custom) is dict:
        return "custom.name", custom.get("name"), custom.get("input")
    return "function.name", None, None


def check_call_start(ctx: Any, choice: Choice, delta: dict, name_field: str, name: Any,
                     pointer: str) -> None:
    """C010: the first delta of a call carries its id, type and name."""
    missing = [field for field, value in (("id", delta.get("id")), ("type", delta.get("type")),
                                          (name_field, name)) if not value]
    index = len(choice.tool_calls)
    if missing:
        ctx.report("C010", f"tool call {index} of choice {choice.index} starts without "
                   f"{', '.join(missing)}", pointer, key=("C010", choice.index, index))


def check_call_index(ctx: Any, choice: Choice, index: Any, pointer: str) -> None:
    """C009: a tool call index that is neither a started call nor the next one."""
    calls = len(choice.tool_calls)
    if type(index) is not int or index < 0:
        message = f"tool call delta with index {index!r}: tool call indexes are integers from 0"
    else:
        message = (f"tool call index {index}, but choice {choice.index} has {calls} tool "
                   f"call(s): a new tool call takes index {calls}")
    ctx.report("C009", message, pointer + "/index", key=("C009", choice.index, repr(index)))


def check_arguments(ctx: Any, choice: Choice, call: ToolCall) -> None:
    """C014: the arguments of a function call that ended parse as JSON."""
    if call.merged or call.type not in ("function", None):
        return
    arguments = call.arguments.value()
    try:
        json.loads(arguments)
    except ValueError as exc:
        ctx.report("C014", f"the arguments of tool call {call.index} ({call.name!r}) of choice "
                   f"{choice.index} are not valid JSON ({exc}): {_quote(arguments)}", None,
                   at=call.at)
