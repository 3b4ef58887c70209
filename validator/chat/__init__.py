"""Chat Completions streams (`POST /v1/chat/completions` with `"stream": true`), one kind.

``events.py`` is the table of the chunk and its delta channels; ``state.py`` the only code that
changes the protocol state; ``chunk``, ``choices``, ``tool_calls`` and ``usage`` the checks that
read it; ``rules.py`` the C catalogue; ``checker.py`` the kind's checker.
"""

from __future__ import annotations

from .checker import ChatChecker

__all__ = ["ChatChecker"]
