"""Lifecycle checks of a Messages stream: SSE event names, error events, what comes after the
end, and how the stream ends (M001-M006 are reported by ``state.py`` where the order breaks)."""

from __future__ import annotations

from typing import Any

from ..model import Context
from .events import EVENT_TYPES
from .state import ENDED, ERRORED, MessageState, short

__all__ = ["check_end", "check_event_name", "check_late", "on_error", "on_unknown"]


def check_event_name(ctx: Context, name: str | None, ev_type: Any) -> None:
    """F035/F036: the SDKs dispatch on the SSE event name (``name`` differs from ``ev_type``)."""
    if name is None or name == "message":  # `message` is the SSE default: the same as none
        ctx.report("F035", f"SSE frame of {short(ev_type)} without an `event:` line: the "
                   "Anthropic SDKs drop it (reported once; every such frame is lost)",
                   None, key=("F035",))
    else:
        ctx.report("F036", f"SSE event name {short(name)} differs from type {short(ev_type)}",
                   "/type", key=("F036", name, ev_type if isinstance(ev_type, str) else None))


def check_late(ctx: Context, state: MessageState, ev_type: Any) -> None:
    """M004: anything after `message_stop` or the `error` event."""
    after = "message_stop" if state.phase is ENDED else f"the error event ({state.error_type!r})"
    ctx.report("M004", f"{short(ev_type)} after {after}", "/type", key=("M004",))


def on_error(ctx: Context, ev: dict) -> None:
    error = ev.get("error")
    kind = error.get("type") if isinstance(error, dict) else None
    text = error.get("message") if isinstance(error, dict) else None
    ctx.report("M005", f"error event: {short(kind)}" + (f" ({short(text)})" if text else ""),
               "/error")


def on_unknown(ctx: Context, ev_type: Any) -> None:
    ctx.report("M006", f"unknown event type {short(ev_type)} (expected one of "
               f"{', '.join(sorted(EVENT_TYPES))})", "/type", key=("M006", repr(ev_type)))


def check_end(ctx: Context, state: MessageState) -> None:
    """M003 at the end of the stream: one finding that says what the cut left out."""
    if state.phase is ENDED or state.phase is ERRORED:
        return
    missing = []
    open_blocks = [b.position for b in state.blocks if b.open]
    if open_blocks:
        missing.append(f"block(s) {', '.join(map(str, open_blocks))} not stopped")
    if not state.message_deltas:
        missing.append("no message_delta")
    ctx.report("M003", "the stream ends without message_stop" +
               (f" ({'; '.join(missing)})" if missing else ""), None, at=None)

