"""``validate_stream``: one call from any source of a stream to a :class:`StreamReport`."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any, BinaryIO

from .cache import flush
from .documents import HEAD_BYTES, is_event_document
from .engine import StreamValidator
from .framing.formats import needs_content_test
from .model import Finding
from .result import StreamReport
from .rules import unlocated_violations

__all__ = ["CHUNK_SIZE", "validate_file", "validate_stream"]

CHUNK_SIZE = 1 << 20


def validate_stream(source: Any, *, kind: str | None = None, profile: str = "default",
                    select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
                    input_format: str = "auto", name: str | None = None,
                    max_line_bytes: int = 64 * 1024 * 1024, content: bool = False) -> StreamReport:
    """Validate a whole stream.

    ``source`` is ``bytes`` (the raw body), ``str`` (the body as text), a path
    (``os.PathLike``), a binary file object, an iterable of byte chunks (``httpx``'s
    ``iter_bytes()``), or an iterable of event dicts (``model_dump()`` of SDK events).
    ``content=True`` also reduces the answer to ``report.answer`` (``validator.content``).
    """
    if isinstance(source, os.PathLike):
        with open(source, "rb") as stream:
            return validate_file(stream, name or os.fspath(source), kind=kind, profile=profile,
                                 select=select, ignore=ignore, input_format=input_format,
                                 max_line_bytes=max_line_bytes, content=content)
    if hasattr(source, "read") and name and (
            skipped := _not_events(source, name, profile, select, ignore)):
        return skipped
    validator = StreamValidator(kind=kind, profile=profile, select=select, ignore=ignore,
                                input_format=input_format, max_line_bytes=max_line_bytes)
    if isinstance(source, (bytes, bytearray, memoryview, str)):
        validator.feed(bytes(source) if not isinstance(source, str) else source)
    elif hasattr(source, "read"):
        _feed_file(validator, source)
    else:
        _feed_iterable(validator, source)
    validator.close()
    flush()  # the predicates compiled for this stream, for the next run (validator.cache)
    answer = None
    if content:  # (`diff` and the gate: a lint does not import the content model)
        from .content import answer_of

        answer = answer_of(validator.kind, validator.state)
    return StreamReport(path=name or "<stream>", format=validator.format or _dict_format(source),
                        kind=validator.kind, profile=validator.profile, events=validator.events,
                        violations=validator.violations, output=validator.output(),
                        answer=answer)


def validate_file(stream: BinaryIO, name: str, **options: Any) -> StreamReport:
    """Validate a binary file object (a file, stdin) under a display ``name``.  A ``.json``
    file that holds a JSON document other than events is not linted: its report has one F030
    info (``validator.documents``)."""
    return validate_stream(stream, name=name, **options)


def _not_events(stream: BinaryIO, name: str, profile: str, select: Iterable[str] | None,
                ignore: Iterable[str] | None) -> StreamReport | None:
    """The F030 report of a ``.json`` ``stream`` that is not a capture (else ``None``); the head
    is peeked, never consumed."""
    if not needs_content_test(name) or not hasattr(stream, "peek"):
        return None
    if is_event_document(stream.peek(HEAD_BYTES)[:HEAD_BYTES]):
        return None
    found = Finding("F030", "a JSON document that is not events (an array of event objects, "
                    "or one event per line): skipped, not linted as a stream")
    return StreamReport(path=name, format=None, kind=None, profile=profile, events=0,
                        violations=unlocated_violations([found], profile, select, ignore))


def _feed_file(validator: StreamValidator, stream: BinaryIO) -> None:
    while chunk := stream.read(CHUNK_SIZE):
        validator.feed(chunk)


def _feed_iterable(validator: StreamValidator, source: Iterable) -> None:
    for item in source:
        if isinstance(item, Mapping):
            validator.feed_event(item)
        elif isinstance(item, (bytes, bytearray, memoryview, str)):
            validator.feed(bytes(item) if not isinstance(item, str) else item)
        else:
            raise TypeError(f"cannot validate a stream item of type {type(item).__name__}: "
                            "expected bytes, str or an event dict")


def _dict_format(source: Any) -> str | None:
    return "events" if isinstance(source, (list, tuple)) else None
