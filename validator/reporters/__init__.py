"""Reporters: a registry of name -> ``render(reports, *, color) -> str``."""

from __future__ import annotations

from collections.abc import Callable

from . import json, text

__all__ = ["REPORTERS", "Renderer"]

Renderer = Callable[..., str]

REPORTERS: dict[str, Renderer] = {
    "text": text.render,
    "json": json.render,
}

