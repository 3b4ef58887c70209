"""One cause, many places: the key under which `check` groups a finding across scenarios and
compares it across repeated runs.

Two findings have the same cause when they have the same rule, point at the same field (array
indexes aside) and say the same thing once the values that differ from one response to the
next are set aside: quoted texts, ids and numbers (a model's words, `msg_…`, `resp_…`).
"""

from __future__ import annotations

import re

from .result import Violation

__all__ = ["cause_key"]

_INDEX = re.compile(r"/\d+(?=/|$)")
# A quoted value, or a word with a digit in it (ids, numbers, model names).
_VARIABLE = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[\w.:-]*\d[\w.:-]*")


def cause_key(violation: Violation) -> tuple[str, str, str]:
    """``(code, pointer, message)`` with what varies between responses replaced by ``…``."""
    pointer = _INDEX.sub("/*", violation.pointer or "")
    return violation.code, pointer, _VARIABLE.sub("…", violation.message)
