"""OpenAI Responses streams (`POST /v1/responses` with `"stream": true`), one kind.

``events.py`` is the table of event types; ``state.py`` the protocol state (response, items,
parts, buffers, sequence numbers) and the only code that changes it; ``lifecycle`` (L),
``sequence`` (Q), ``identity`` (I), ``text`` (T) and ``final`` (R) the rule families: their
catalogue and the checks that read the state; ``checker.py`` the kind's checker, whose
dispatch derives from the table.
"""

from __future__ import annotations

from .checker import HANDLERS, ResponsesChecker

__all__ = ["HANDLERS", "ResponsesChecker"]
