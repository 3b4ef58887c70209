"""The short quote of an event that human output shows under a finding: the event's JSON, cut
to a window around the field the finding's JSON Pointer names (the first 160 characters of a
`response.completed` rarely contain the field at fault)."""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["describe_mismatch", "excerpt", "quote"]

LIMIT = 160
# Stands in for the pointed value while its offset is found; the text before it is the same.
_MARK = "\ue000sv-excerpt\ue000"


def excerpt(payload: Any, pointer: str | None, limit: int = LIMIT) -> str | None:
    """``payload`` as compact JSON, at most ``limit`` characters around ``pointer``."""
    if payload is None:
        return None
    text = _dumps(payload)
    if len(text) <= limit:
        return text
    at = _offset(payload, pointer) if pointer else None
    # A field near the start is shown from the start: the event's type stays in view.
    begin = 0 if at is None or at < limit // 2 else min(at - limit // 4, len(text) - limit + 2)
    end = begin + limit - (begin > 0) - 1
    return ("…" if begin else "") + text[begin:end] + ("…" if end < len(text) else "")


def _dumps(payload: Any) -> str:
    try:
        return orjson.dumps(payload, default=str).decode("utf-8")
    except TypeError:  # lone surrogates, non-string keys in a dict a caller built, > 254 levels
        try:
            return json.dumps(payload, default=str, separators=(",", ":"))
        except RecursionError:  # ~1000 levels (F020)
            return "{…}"


def _offset(payload: Any, pointer: str) -> int | None:
    """Where the member (or element) ``pointer`` names starts in ``_dumps(payload)``: at its
    key for an object member; at the nearest parent that exists for one that is missing."""
    path: list[Any] = []
    node = payload
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            path.append(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            path.append(int(token))
        else:
            break
        node = node[path[-1]]
    if not path:
        return None
    # Copy the containers along the path only, put the mark in place of the value, and find
    # it: the text before it is the text before the value.
    root = container = _shallow(payload)
    for step in path[:-1]:
        container[step] = container = _shallow(container[step])
    container[path[-1]] = _MARK
    at = _dumps(root).find(_dumps(_MARK))
    if at < 0:
        return None
    return at - len(_dumps(path[-1])) - 1 if isinstance(path[-1], str) else at


def _shallow(value: Any) -> Any:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        return list(value)
    return value


def describe_mismatch(expected: str, got: Any, ours: str = "expected",
                      theirs: str = "got") -> str:
    """One readable line: both texts quoted short, each named by its side (``ours`` says
    ``expected``, ``theirs`` says ``got``), and where they first differ."""
    if not isinstance(got, str):
        return f"{ours} {quote(expected)}, {theirs} {type(got).__name__}"
    at = next((i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
              min(len(expected), len(got)))
    return (f"{ours} {quote(expected)} ({len(expected)} chars); {theirs} {quote(got)} "
            f"({len(got)} chars); first difference at char {at}")


def quote(text: str, limit: int = 48) -> str:
    """``text`` as a Python literal, cut to ``limit`` characters: a stream's text in a
    finding's message."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
