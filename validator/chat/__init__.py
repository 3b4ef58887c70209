"""Chat Completions streams (`POST /v1/chat/completions` with `"stream": true`), one kind.

``events.py`` is the table of the chunk and its delta channels; ``state.py`` the only code that
changes the protocol state; ``chunk``, ``choices``, ``tool_calls`` and ``usage`` the checks that
read it; ``rules.py`` the C catalogue; ``checker.py`` the kind's checker.  The checker is
imported on first use (PEP 562), so a lint of another kind does not pay for this one's modules
at start-up.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ChatChecker"]


def __getattr__(name: str) -> Any:
    if name == "ChatChecker":
        from .checker import ChatChecker

        return ChatChecker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
