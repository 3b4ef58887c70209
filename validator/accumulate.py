"""Accumulated delta text, shared by the kinds that concatenate fragments.

The SDKs concatenate string deltas (openai-python `accumulate_delta`, the anthropic
accumulators' `text`/`partial_json`).  :class:`Text` keeps what they would have accumulated in
an ``io.StringIO``: a stream of a million one-token deltas keeps about a million characters,
not a million string objects, and ``append`` is ``StringIO.write``, a C call, the one call a
run of deltas makes per event.
"""

from __future__ import annotations

import io

__all__ = ["Text"]


class Text(io.StringIO):
    """Concatenated delta fragments (chat `content`, `refusal`, tool call `arguments`; an
    Anthropic block's text, thinking or tool input JSON)."""

    append = io.StringIO.write
    value = io.StringIO.getvalue

    def __bool__(self) -> bool:
        return self.tell() > 0
