"""Message-level checks: `usage` (M042, M045, M046), and at `message_stop` the final
`stop_reason` (M040, M041, M043, M044)."""

from __future__ import annotations

from ..model import Context
from .events import BLOCKS, CLIENT_TOOL_BLOCKS, STOP_REASONS
from .state import MessageState, short

__all__ = ["check_message_delta", "check_message_end", "check_message_start"]


def check_message_start(ctx: Context, ev: dict) -> None:
    message = ev.get("message")
    if isinstance(message, dict) and not isinstance(message.get("usage"), dict):
        ctx.report("M042", "message_start's message has no usage object", "/message/usage",
                   key=("M042", "start"))


def check_message_delta(ctx: Context, state: MessageState, ev: dict) -> None:
    """Before the state takes the event: its usage against what the stream said so far."""
    usage = ev.get("usage")
    if not isinstance(usage, dict):
        ctx.report("M042", "message_delta without a usage object", "/usage", key=("M042",))
        return
    output = usage.get("output_tokens")
    if type(output) is not int:
        ctx.report("M042", "message_delta usage without an integer output_tokens"
                   + ("" if "output_tokens" not in usage else f" (got {output!r})"[:80]),
                   "/usage/output_tokens", key=("M042",))
    elif type(state.output_tokens) is int and output < state.output_tokens:
        ctx.report("M045", f"usage.output_tokens {output} is lower than the {state.output_tokens} "
                   "the stream reported before (usage is cumulative)", "/usage/output_tokens",
                   key=("M045",))
    before, after = state.start_usage.get("input_tokens"), usage.get("input_tokens")
    if type(before) is int and type(after) is int and (before == 0) != (after == 0):
        ctx.report("M046", f"usage.input_tokens is {before} in message_start and {after} in "
                   "message_delta", "/usage/input_tokens", key=("M046",))


def check_message_end(ctx: Context, state: MessageState) -> None:
    """At `message_stop`: the stop reason against the message the stream built."""
    if state.message is None:
        return  # no message_start at all (M001): nothing to compare
    deferred = (state.initial_blocks and state.stop_reason is not None
                and len(state.blocks) == state.initial_blocks)  # the two-event shape (§6)
    if not state.message_deltas and not deferred:
        ctx.report("M040", "message_stop without a message_delta (no stop_reason, no final "
                   "usage)", None, key=("M040",))
        return
    reason = state.stop_reason
    if reason not in STOP_REASONS:
        ctx.report("M041", "the message ends with no stop_reason" if reason is None else
                   f"stop_reason {short(reason)} is not a Messages stop reason (one of "
                   f"{', '.join(STOP_REASONS)})", None, key=("M041",))
        return
    last = next((b for b in reversed(state.blocks) if b.type in BLOCKS), None)
    if last is not None and last.type in CLIENT_TOOL_BLOCKS and \
            reason in ("end_turn", "stop_sequence"):
        ctx.report("M043", f"stop_reason {reason!r}, but the last block ({last.position}) is a "
                   "tool_use: clients will not run the tool", None, key=("M043",))
    elif reason == "tool_use" and not any(b.type in CLIENT_TOOL_BLOCKS for b in state.blocks):
        ctx.report("M043", "stop_reason 'tool_use', but the message has no tool_use block", None,
                   key=("M043",))
    sequence = state.stop_sequence
    if reason == "stop_sequence" and sequence is None:
        ctx.report("M044", "stop_reason 'stop_sequence' with stop_sequence null", None,
                   key=("M044",))
    elif reason != "stop_sequence" and sequence is not None:
        ctx.report("M044", f"stop_sequence {short(sequence)} with stop_reason {reason!r}", None,
                   key=("M044",))

