"""Anthropic Messages streams (`POST /v1/messages` with `"stream": true`), one kind.

``events.py`` is the table of event and block types; ``state.py`` the only code that changes
the protocol state; ``lifecycle``, ``blocks``, ``deltas`` and ``message`` the checks that read it;
``rules.py`` the M catalogue; ``checker.py`` the kind's checker.  The checker is imported on first
use (PEP 562), so a lint of another kind does not pay for this one's modules at start-up.
"""

from __future__ import annotations

from typing import Any

from .events import detect

__all__ = ["AnthropicChecker", "detect"]


def __getattr__(name: str) -> Any:
    if name == "AnthropicChecker":
        from .checker import AnthropicChecker

        return AnthropicChecker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
