"""Reporters: a registry of name -> ``render(reports, *, color, strict) -> str``.

``text`` is for people (``html`` too: one page, a timeline per stream); ``json`` is the
machine-readable contract; ``junit``, ``sarif`` and ``github`` are for CI.  ``strict``
(warnings fail) only changes JUnit's verdicts; the other formats report severities as they
are.  Writing reports is the shell's job (``cli.py``): :func:`parse_report_spec` only reads a
``--report FORMAT=PATH`` value.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from ._common import fails

__all__ = ["REPORTERS", "Renderer", "fails", "parse_report_spec"]

Renderer = Callable[..., str]


def _render(name: str) -> Renderer:
    """Module ``name``'s ``render``, imported at its first call: a lint that prints text
    loads neither the XML nor the SARIF writer (start-up is most of a small lint's time)."""
    def render(reports: Any, **options: Any) -> str:
        return importlib.import_module(f"{__name__}.{name}").render(reports, **options)
    return render


REPORTERS: dict[str, Renderer] = {
    name: _render(name) for name in ("text", "json", "junit", "sarif", "github", "html")}


def parse_report_spec(spec: str) -> tuple[str, str]:
    """``"junit=out/junit.xml"`` -> ``("junit", "out/junit.xml")``; ``ValueError`` if malformed."""
    name, sep, path = spec.partition("=")
    name = name.strip().lower()
    if not sep or not path or name not in REPORTERS:
        raise ValueError(f"expected FORMAT=PATH with FORMAT one of {', '.join(REPORTERS)}, "
                         f"got {spec!r}")
    return name, path
