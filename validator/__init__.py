"""stream-validator: conformance validator for streamed OpenAI Responses, Chat Completions and
Anthropic Messages responses.

The supported import surface is what ``__all__`` lists.  Names are imported on first use
(PEP 562), so that ``import validator.pytest_plugin`` — which pytest does at every start-up once
the package is installed — costs next to nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = [
    "RULES",
    "Rule",
    "Severity",
    "StreamReport",
    "StreamValidator",
    "Violation",
    "__version__",
    "assert_conformant",
    "validate_stream",
]

_LAZY = {
    "RULES": "validator.rules",
    "Rule": "validator.rules",
    "Severity": "validator.result",
    "StreamReport": "validator.result",
    "StreamValidator": "validator.engine",
    "Violation": "validator.result",
    "assert_conformant": "validator.testing",
    "validate_stream": "validator.api",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'validator' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
