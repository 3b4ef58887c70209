"""Checks of the chunk envelope: what the SDKs accumulate at all (C001, C002, C024), the chunk's
`choices` (C005), the completion identity every chunk repeats (C003, C004, C026, C027), and the
`data: [DONE]` that ends an SSE stream (C023)."""

from __future__ import annotations

from typing import Any

from ..excerpt import describe_mismatch
from ..framing.formats import done_applies
from ..model import Context
from .choices import carries_output
from .events import CHUNK_OBJECT
from .state import ChatState

__all__ = ["ACCEPT", "ERROR", "SKIP", "admit", "check_done", "check_first_chunk",
           "check_identity", "no_choices"]

# What ``admit`` makes of a chunk that is not a plain `chat.completion.chunk`.
ACCEPT = "accept"  # accumulated as a chunk (C002 may have said its `object` is wrong)
SKIP = "skip"  # the SDKs skip it, or it belongs to another kind
ERROR = "error"  # an `error` object: the clients stop here

#: Above this `created` counts milliseconds (10^11 seconds is the year 5138).
_MAX_CREATED = 10**11


def admit(ctx: Context, chunk: dict) -> str:
    """A chunk that is not a plain chat chunk: another kind, an error, a filter chunk."""
    obj = chunk.get("object")
    if "choices" not in chunk and obj is None and isinstance(chunk.get("type"), str):
        ctx.report("C001", f"Responses event {chunk['type']!r} in a Chat Completions stream",
                   "/type", key=("C001",))
        return SKIP
    if chunk.get("error"):
        ctx.report("C024", f"error in the stream: {_error_text(chunk['error'])}", "/error")
        return ERROR
    if obj == "":  # Azure's asynchronous content filter: the SDKs skip these chunks
        choices = chunk.get("choices")
        if type(choices) is list and any(carries_output(entry) for entry in choices):
            ctx.report("C002", "a chunk with object \"\" (skipped by the SDKs as a content "
                       "filter annotation) carries output", "/object", key=("C002", ""))
        return SKIP
    if obj != CHUNK_OBJECT:
        ctx.report("C002", f"chunk object is {obj!r}, not {CHUNK_OBJECT!r}", "/object",
                   key=("C002",))
    return ACCEPT


def check_first_chunk(ctx: Context, chunk: dict) -> None:
    """C026/C027: the identity the first chunk gives the completion."""
    created = chunk.get("created")
    if type(created) is int and (created <= 0 or created > _MAX_CREATED):
        what = "0" if created == 0 else f"{created} (milliseconds?)" if created > 0 else \
            str(created)
        ctx.report("C026", f"created is {what}, not a Unix time in seconds", "/created",
                   key=("C026",))
    if chunk.get("id") == "":
        ctx.report("C027", "the chunk id is empty", "/id", key=("C027",))


def check_identity(ctx: Context, state: ChatState, chunk: dict) -> None:
    """A chunk whose id, created, model or system_fingerprint differs from the first chunk's
    (`system_fingerprint` from the first one sent: ``ChatState.adopt_fingerprint``)."""
    new_id = chunk.get("id")
    if new_id != state.id:
        expected = state.id if isinstance(state.id, str) else repr(state.id)
        ctx.report("C003", f"chunk id differs from the first chunk's: "
                   f"{describe_mismatch(expected, new_id)}", "/id", key=("C003",))
    for field in ("created", "model"):
        old, new = getattr(state, field), chunk.get(field)
        if new != old:
            ctx.report("C004", f"{field} changes from {old!r} (first chunk) to {new!r}",
                       "/" + field, key=("C004", field))
    fingerprint = chunk.get("system_fingerprint")
    if fingerprint and state.system_fingerprint and fingerprint != state.system_fingerprint:
        ctx.report("C004", f"system_fingerprint changes from {state.system_fingerprint!r} to "
                   f"{fingerprint!r}", "/system_fingerprint", key=("C004", "system_fingerprint"))


def no_choices(ctx: Context) -> None:
    """C005: a chunk without a `choices` key."""
    ctx.report("C005", "chunk without a choices array", None, key=("C005",))


def check_done(ctx: Context) -> None:
    """C023 at the end of an SSE stream."""
    if done_applies(ctx.input_format) and not ctx.done_seen:
        ctx.report("C023", "the SSE stream does not end with data: [DONE]", None, at=None)


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        parts = [f"{key} {error[key]!r}" for key in ("code", "type", "message") if key in error]
        if parts:
            return ", ".join(parts)
    text = repr(error)
    return text if len(text) <= 120 else text[:119] + "…"
