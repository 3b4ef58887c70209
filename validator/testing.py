"""Assertions for test suites: validate a stream in one line, fail with a readable report.

``assert_conformant(resp.iter_bytes())`` takes whatever a test has at hand — raw bytes, text, a
path, an ``httpx`` or ``requests`` streaming response, an iterable of byte chunks, or the events
of an ``openai`` or ``anthropic`` SDK stream — and raises :class:`StreamConformanceError` (an
``AssertionError``) whose message is the text report: each finding with its line and the
offending event.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shlex
from collections.abc import Iterable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from .api import validate_stream
from .framing import sniff_format
from .framing.formats import saved_suffix
from .live.verdict import is_event_stream
from .model import Finding
from .reporters import text
from .reporters._safe import printable
from .result import Severity, StreamReport, Violation
from .rules import unlocated_violations

__all__ = ["SAVE", "StreamConformanceError", "assert_conformant", "assert_same_content",
           "events_from_openai", "stream_bytes"]

#: ``(directory, test id)`` while a pytest test runs with ``--stream-validator-save DIR`` (the
#: plugin sets it): every failing ``assert_conformant`` of the test saves its stream there.
SAVE: ContextVar[tuple[str, str] | None] = ContextVar("stream_validator_save", default=None)
_EXCERPT_BYTES = 200


class StreamConformanceError(AssertionError):
    """A stream is not conformant; ``report`` holds the findings."""

    def __init__(self, message: str, report: StreamReport, saved: Path | None = None) -> None:
        super().__init__(message)
        self.report = report
        self.saved = saved


def stream_bytes(response: Any) -> bytes:
    """The body of an ``httpx`` or ``requests`` streaming response, as it arrived."""
    if callable(getattr(response, "iter_bytes", None)):  # httpx
        return b"".join(response.iter_bytes())
    if callable(getattr(response, "iter_content", None)):  # requests (stream=True)
        return b"".join(response.iter_content(chunk_size=None))
    raise TypeError(f"not a streaming HTTP response: {type(response).__name__}")


def events_from_openai(events: Iterable[Any]) -> list[dict]:
    """Event dicts from ``openai`` or ``anthropic`` SDK stream objects (or their
    ``model_dump()`` dicts).

    Models are dumped with ``exclude_unset=True`` so that fields the server did not send do not
    appear as ``null`` (which the schema rules would rightly reject).
    """
    dumped = []
    for event in events:
        if callable(getattr(event, "model_dump", None)):
            dumped.append(event.model_dump(mode="json", exclude_unset=True, by_alias=True))
        else:
            dumped.append(dict(event))
    return dumped


def _http_findings(response: Any, options: dict[str, Any]) -> StreamReport | None:
    """H001/H002, as ``check`` gives them, for an HTTP response that is an error or not an
    event stream (its body is then not validated); ``None`` for a streaming 2xx or a source
    that is not an HTTP response."""
    status = getattr(response, "status_code", None)
    headers = getattr(response, "headers", None)
    if type(status) is not int or headers is None:
        return None
    content_type = headers.get("content-type")
    if 200 <= status < 300 and is_event_stream(content_type):
        return None
    body = stream_bytes(response)
    excerpt = printable(body[:_EXCERPT_BYTES].decode("utf-8", "replace")) + (
        "…" if len(body) > _EXCERPT_BYTES else "")
    if not 200 <= status < 300:
        found = Finding("H001", f"HTTP {status} (expected 200 and an event stream): {excerpt}")
    else:
        found = Finding("H002", f"Content-Type is {content_type or 'missing'}, not "
                        f"text/event-stream; the body was not validated: {excerpt}")
    profile = options.get("profile", "default")
    return StreamReport(path=_label(response), format=None, kind=options.get("kind"),
                        profile=profile, events=0, violations=unlocated_violations(
                            [found], profile, options.get("select"), options.get("ignore")))


def _label(source: Any) -> str:
    """What a report calls a stream that is not a file: ``<POST http://…/v1/responses>`` for an
    HTTP response, ``<stream>`` otherwise (never a test's name, which would read as a line of
    the test file)."""
    request = getattr(source, "request", None)
    method, url = getattr(request, "method", None), getattr(request, "url", None)
    return f"<{method} {url}>" if method and url else "<stream>"


def _materialise(source: Any) -> bytes | str | os.PathLike | list[dict]:
    """A source ``validate_stream`` takes, read completely so it can also be saved."""
    if isinstance(source, (bytes, bytearray, memoryview, str, os.PathLike)):
        return bytes(source) if isinstance(source, (bytearray, memoryview)) else source
    if callable(getattr(source, "iter_bytes", None)) or callable(
            getattr(source, "iter_content", None)):
        return stream_bytes(source)
    items = list(source)
    if all(isinstance(item, (bytes, bytearray, str)) for item in items):
        return b"".join(i.encode() if isinstance(i, str) else bytes(i) for i in items)
    return events_from_openai(items)


def _save(source: Any, directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "stream"
    if isinstance(source, list):
        path = directory / (stem + saved_suffix("jsonl"))
        path.write_text("".join(json.dumps(e) + "\n" for e in source), "utf-8")
    else:
        data = Path(source).read_bytes() if isinstance(source, os.PathLike) else source
        data = data.encode("utf-8") if isinstance(data, str) else data
        # the suffix of the format a lint of the saved file sniffs (blanks only: SSE's)
        path = directory / (stem + saved_suffix(sniff_format(data) or "sse"))
        path.write_bytes(data)
    return path


def assert_conformant(source: Any, *, expect: Iterable[str] | None = None,
                      save_to: str | os.PathLike | None = None, name: str | None = None,
                      **options: Any) -> StreamReport:
    """Validate ``source`` and raise :class:`StreamConformanceError` if it has an error.

    ``expect=["I003"]`` asserts instead that exactly these codes fire (for negative tests).
    ``save_to`` saves a failing stream there, for ``stream-validator lint`` (under pytest,
    ``--stream-validator-save DIR`` sets it for every call).  ``name`` is what the report calls
    the stream (default: the saved file, the path, or the request of an HTTP response).  Other
    options (``profile``, ``select``, ``ignore``, ``kind``, ``input_format``) go to
    :func:`validator.validate_stream`.  An HTTP response that is an error or not an event stream
    gets H001/H002, as in ``check``.  Returns the report when the assertion holds.
    """
    __tracebackhide__ = True
    session = SAVE.get()
    if save_to is None and session is not None:
        save_to = session[0]
    stem = name or (session[1] if session is not None else "stream")
    label = name or (os.fspath(source) if isinstance(source, os.PathLike) else _label(source))
    report = _http_findings(source, options)
    material = None
    if report is None:
        material = _materialise(source)
        report = validate_stream(material, name=label, **options)
    found = sorted({v.code for v in report.violations})
    if expect is not None:
        wanted = sorted(set(expect))
        if found == wanted:
            return report
        problem = f"expected exactly the findings {wanted}, got {found}"
    elif report.is_conformant:
        return report
    else:
        problem = (f"stream is not conformant: {report.errors} error(s), "
                   f"{report.warnings} warning(s)")
    saved = None
    if save_to is not None and material is not None:
        saved = _save(material, Path(save_to), stem)
        report.path = str(saved)  # the findings point at the lines of the saved capture
    message = f"{problem}\n{text.render([report])}"
    if saved is not None:
        message += f"saved as {saved}; reproduce with: {_lint_command(saved, options)}\n"
    raise StreamConformanceError(message, report, saved)


def assert_same_content(upstream: Any, downstream: Any, *, strict: bool = False,
                        **options: Any) -> list[Violation]:
    """Assert that ``downstream`` (what a gateway sent) carries the answer of ``upstream`` (what
    it received), whatever their kinds: the same text, tool calls, stop condition…  Raises
    :class:`StreamConformanceError` listing the D findings (``stream-validator diff``) if one
    is an error (a warning too with ``strict``); returns the D findings otherwise.  Either side
    is anything :func:`assert_conformant` takes; ``options`` (``profile``, ``select``,
    ``ignore``) apply to both.  Each stream's own conformance is :func:`assert_conformant`'s
    job: only the differences are judged here.
    """
    __tracebackhide__ = True
    from .diff import diff_reports

    up = validate_stream(_materialise(upstream), name="upstream", content=True, **options)
    down = validate_stream(_materialise(downstream), name="downstream", content=True, **options)
    found = diff_reports(up, down, profile=options.get("profile", "default"),
                         select=options.get("select"), ignore=options.get("ignore"))
    failing = [v for v in found if v.severity is Severity.ERROR or strict]
    if not failing:
        return found
    report = dataclasses.replace(down, violations=found)
    raise StreamConformanceError(f"the downstream lost or changed the upstream's content: "
                                 f"{len(failing)} difference(s)\n{text.render([report])}", report)


def _lint_command(saved: Path, options: dict[str, Any]) -> str:
    """The ``lint`` command that gives the saved stream's findings again: the same profile,
    rules, kind and input format, and no configuration file that could change them."""
    command = ["stream-validator", "lint", str(saved), "--isolated",
               "--profile", options.get("profile") or "default"]
    for option in ("select", "ignore"):
        if options.get(option):
            command += [f"--{option}", ",".join(options[option])]
    if options.get("kind"):
        command += ["--kind", options["kind"]]
    if options.get("input_format", "auto") != "auto":
        command += ["--input-format", options["input_format"]]
    return shlex.join(command)
