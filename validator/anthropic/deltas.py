"""Delta checks: each delta fits its block (M020), tool blocks that started whole take no
input deltas (M031), and a thinking block's signature comes once, last (M051)."""

from __future__ import annotations

from typing import Any

from ..model import Context
from .events import BLOCKS
from .state import Block, short

__all__ = ["check_delta"]


def check_delta(ctx: Context, block: Block, delta: Any) -> str | None:
    """The delta's type if the block takes it (the state may accumulate it), else ``None``."""
    kind = delta.get("type") if type(delta) is dict else None
    spec = BLOCKS.get(block.type)
    if spec is None:
        return None  # a block type newer than the table: nothing to check or accumulate
    if kind not in spec.deltas:
        takes = (f"it takes {', '.join(spec.deltas)}" if spec.deltas else
                 "it arrives whole in content_block_start and takes no delta")
        ctx.report("M020", f"{short(kind)} for block {block.position}, a {block.type!r} block: "
                   f"{takes}", "/delta/type", key=("M020", block.position, repr(kind)))
        return None
    if kind == "input_json_delta" and block.full_input:
        ctx.report("M031", f"input_json_delta for block {block.position}, whose "
                   "content_block_start already carried its input (the SDKs replace it with "
                   "the deltas)", "/delta", key=("M031", block.position))
    elif kind == "signature_delta" and block.signatures:
        ctx.report("M051", f"second signature_delta for thinking block {block.position}",
                   "/delta", key=("M051", block.position))
    elif kind == "thinking_delta" and block.signatures:
        ctx.report("M051", f"thinking_delta after the signature_delta of thinking block "
                   f"{block.position}", "/delta", key=("M051", block.position))
    return kind

