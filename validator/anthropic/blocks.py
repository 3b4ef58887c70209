"""Checks of a block when it stops: the tool input it accumulated (M030, M032) and a thinking
block's signature (M050)."""

from __future__ import annotations

import json
from typing import Any

from ..model import Context
from .events import BLOCKS
from .state import Block

__all__ = ["check_block_stop", "tool_input"]


def tool_input(block: Block) -> Any:
    """The input a tool block accumulated (``""`` is ``{}``); ``ValueError`` if it is not JSON
    (as JavaScript's ``JSON.parse`` reads it: no ``NaN``)."""
    if block.full_input and not block.deltas:
        return block.start.get("input")
    text = block.text.value()
    return json.loads(text, parse_constant=_not_json) if text else {}


def check_block_stop(ctx: Context, block: Block) -> None:
    spec = BLOCKS.get(block.type)
    if spec is None:
        return
    if spec.accumulates == "json":
        _check_tool_input(ctx, block)
    elif spec.accumulates == "thinking" and block.thinking_deltas and not block.signatures:
        ctx.report("M050", f"thinking block {block.position} got {block.thinking_deltas} "
                   "thinking_delta event(s) and no signature_delta", None,
                   key=("M050", block.position))


def _check_tool_input(ctx: Context, block: Block) -> None:
    if not block.deltas and not block.full_input and block.type == "tool_use":
        ctx.report("M032", f"tool_use block {block.position} ({_name(block)}) starts with empty "
                   "input and gets no input_json_delta", None, key=("M032", block.position))
        return
    try:
        value = tool_input(block)
    except (ValueError, RecursionError) as exc:  # deep nesting: a hostile stream
        ctx.report("M030", f"the input of {block.type} block {block.position} ({_name(block)}) "
                   f"is not valid JSON: {exc}", None, key=("M030", block.position))
        return
    if not isinstance(value, dict):
        ctx.report("M030", f"the input of {block.type} block {block.position} ({_name(block)}) "
                   f"is JSON {type(value).__name__}, not an object", None,
                   key=("M030", block.position))


def _name(block: Block) -> str:
    name = block.start.get("name")
    return repr(name) if isinstance(name, str) and len(name) <= 60 else "a tool"


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
