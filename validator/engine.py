"""The sans-IO validator: bytes or events in, violations out.

``StreamValidator`` never reads files, sockets or the clock.  It takes bytes in any chunking
(``feed``), already-parsed events (``feed_event``) or frames (``feed_frame``), runs the schema
check and the checks of the stream's kind on each event, and stamps rule name, severity and
location on every finding.  ``close()`` runs the end-of-stream checks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from . import anthropic
from .excerpt import excerpt
from .framing import FrameDecoder
from .framing.formats import done_applies
from .model import Context, Finding, Frame
from .profiles import canonical_profile
from .responses import HANDLERS, ResponsesChecker
from .result import Violation
from .rules import RULES, enabled_rules
from .rules.impact import explained

if TYPE_CHECKING:
    from .schemas import SchemaChecker

__all__ = ["KINDS", "StreamValidator", "detect_kind"]

KINDS = ("responses", "chat", "anthropic")
#: Findings of one rule reported one by one in a stream; past it they are counted and one
#: closing finding gives the count, so memory stays bounded on a stream that repeats a defect
#: a million times.  (Framing caps its own findings at ``framing.CAP``.)
MAX_PER_RULE = 100
_INDEX = re.compile(r"/\d+(?=/|$)")


def detect_kind(payload: Any) -> str | None:
    """``anthropic`` for a Messages event, ``chat`` for a `chat.completion.chunk`,
    ``responses`` for a Responses event (a known or ``response.*`` type), else ``None``:
    another wire format.

    This is the one place where a stream's kind is recognised from its first event; a new kind
    adds its test here (before the fallback in ``StreamValidator._start``).  Anthropic comes
    first: its `message_start` and `content_block_*` types are no Responses type."""
    if not isinstance(payload, dict):
        return None
    if anthropic.detect(payload):
        return "anthropic"
    if payload.get("object") == "chat.completion.chunk" or "choices" in payload:
        return "chat"
    kind = payload.get("type")
    if isinstance(kind, str) and (kind in HANDLERS or kind.startswith("response.")):
        return "responses"
    return None


def _looks_like(payload: dict) -> str:
    """A short description of an event of an unknown format (never Python's ``None``)."""
    kind = payload.get("type")
    if isinstance(kind, str):
        return f"a {kind[:60]!r} event"
    keys = [str(key)[:30] for key in list(payload)[:5]]
    return f"an object with keys {', '.join(keys)}" if keys else "an empty object"


class _Unrecognised:
    """The checker of a stream in another wire format: one L013 finding, then nothing."""

    def __init__(self, ctx: Context, payload: dict) -> None:
        ctx.report("L013", "not an OpenAI Responses, Chat Completions or Anthropic Messages "
                   f"stream; the first event looks like {_looks_like(payload)}", None)

    def feed(self, payload: dict) -> None:
        pass

    def close(self) -> None:
        pass

    def output(self) -> list[dict]:
        return []

    def status(self) -> str | None:
        return None


class _Context:
    """What a check sees: the protocol state, the profile, where it is, and ``report``.

    A checker's ``feed`` first calls ``precheck(event)``: the engine's checks of every event
    (the schema test, the SSE event name), which return whether the compiled schema test
    accepted the event.  Only a run of deltas may skip it (``ResponsesChecker``): an event
    with the address of the previous delta gets the test ``run_test`` gave for that address.
    """

    __slots__ = ("_validator", "done_seen", "index", "line", "name", "payload", "precheck",
                 "profile", "state")

    def __init__(self, validator: StreamValidator, profile: str) -> None:
        self._validator = validator
        self.profile = profile
        self.done_seen = False  # `data: [DONE]` was read
        self.state: Any = None
        self.line: int | None = None
        self.index: int | None = None
        self.payload: Any = None
        self.name: str | None = None  # the SSE event name
        self.precheck = validator._precheck

    @property
    def input_format(self) -> str | None:
        """``sse``, ``jsonl``, ``json`` or ``events``: SSE is the only framing with `[DONE]`."""
        return self._validator.input_format

    def report(self, code: str, message: str, pointer: str | None = None, *,
               key: Any = None, at: Any = ...) -> None:
        """Report a finding on the current event (or ``at=(line, index)``, ``None``: no event).

        Findings with the same ``key`` are reported once: one root cause, one violation.
        """
        self._validator._report(code, message, pointer, key, at)

    def run_test(self, type_name: str, fields: tuple[str, ...],
                 passed: bool) -> Callable[[dict], bool] | None:
        """The schema test of the next events of ``type_name`` whose ``fields`` equal (value
        and type) those of this event: ``None`` without schema checks; cheaper when this event
        ``passed``: the fields are then known to be valid."""
        return self._validator._run_test(type_name, fields, passed)

    def run_test_after(self, type_name: str,
                       test: Callable[[dict], bool]) -> Callable[[dict], bool]:
        """The run's ``test`` after it refused an event and ``precheck`` reported why: also
        ``True`` for an event with the same defect (nothing new to report)."""
        return self._validator._run_test_after(type_name, test)

    def offer_run(self, field: str, fragment: str, nesting: int,
                  append: Callable[[str], object]) -> None:
        """This event starts a run: the events after it that differ from it only in the string
        ``fragment`` (the value of ``field``, ``nesting`` objects deep) need nothing but
        ``append(fragment)``.  Fed as bytes, such an event then arrives as its fragment alone
        (``framing.runs``); any other event ends the run."""
        self._validator._offer_run(field, fragment, nesting, append)


class StreamValidator:
    """Validate one stream incrementally.

    >>> v = StreamValidator()
    >>> found = v.feed(b'data: {"type": "response.created", ...}\\n\\n')  # any chunking
    >>> found += v.close()
    """

    def __init__(self, *, kind: str | None = None, profile: str = "default",
                 select: Iterable[str] | None = None, ignore: Iterable[str] | None = None,
                 input_format: str = "auto", schemas: bool = True,
                 max_line_bytes: int = 64 * 1024 * 1024) -> None:
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r} (choose from {', '.join(KINDS)})")
        self.profile = canonical_profile(profile)  # `openai` is the default's old name
        self.kind = kind
        self._enabled = enabled_rules(profile, select, ignore)
        self._input_format = input_format
        self._max_line_bytes = max_line_bytes
        self._decoder: FrameDecoder | None = None
        self._ctx = _Context(self, self.profile)
        self._checker: Any = None
        self._sink: Callable[[str], object] | None = None  # where an offered run's fragments go
        self._passes: Any = None  # the schema test of the stream's kind, once it is known
        self._schema: SchemaChecker | None = self._schema_checker(profile) if schemas and any(
            code.startswith("S") for code in self._enabled) else None
        self._seen: set = set()
        #: The findings of the last event the schema test refused.
        self._explained: tuple[Finding, ...] = ()
        self._counts: dict[str, int] = {}
        self._out: list[Violation] = []
        self._done_seen = False
        self._done_frames = 0  # `data: [DONE]` frames: a stream of only these is empty
        self._closed = False
        self.events = 0
        self.violations: list[Violation] = []

    @staticmethod
    @cache
    def _schema_checker(profile: str) -> SchemaChecker:
        # One checker per profile for the process: it only caches what it compiled, so every
        # validator shares it instead of compiling the schemas again.  Imported lazily: only
        # when schema rules run.
        from .schemas import SchemaChecker

        return SchemaChecker(profile)

    @property
    def input_format(self) -> str | None:
        """How the events arrived: ``sse``, ``jsonl``, ``json``, or ``events`` (dicts)."""
        if self._decoder is not None:
            return self._decoder.format
        return "events" if self.events else None

    @property
    def format(self) -> str | None:
        """The input format read by ``feed`` (``sse``, ``jsonl``, ``json``), once known."""
        return self._decoder.format if self._decoder is not None else None

    # -- input ---------------------------------------------------------------------------------

    def feed(self, data: bytes | str) -> list[Violation]:
        """Feed raw stream bytes (SSE, JSONL or a JSON array), in any chunking."""
        self._check_open()
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogatepass")
        if self._decoder is None:
            handler = SimpleNamespace(on_event=self._event, on_item=self._item)
            self._decoder = FrameDecoder(self._input_format, max_line_bytes=self._max_line_bytes,
                                         handler=handler)
        self._out = []
        for _ in self._decoder.feed_sliced(data):  # nothing: the decoder pushes to the handler
            pass
        return self._flush()

    def feed_event(self, event: Mapping, *, line: int | None = None) -> list[Violation]:
        """Feed one already-parsed event (a Responses event or a chat chunk)."""
        self._check_open()
        payload = dict(event) if not isinstance(event, dict) else event
        return self.feed_frame(Frame(index=self.events, line=line, payload=payload))

    def feed_frame(self, frame: Frame) -> list[Violation]:
        """Feed one frame from ``validator.framing``."""
        if self._decoder is not None:
            self._decoder.end_run()  # (the event may end the checker's run)
        self._out = []
        self._frame(frame)
        return self._flush()

    def close(self) -> list[Violation]:
        """End of stream: run the end-of-stream checks and return their findings."""
        if self._closed:
            return []
        self._out = []
        if self._decoder is not None:
            for item in self._decoder.close():
                self._item(item)
        self._closed = True
        ctx = self._ctx
        ctx.line = ctx.index = ctx.payload = None
        if self.events == self._done_frames:
            self._report("L010", "the stream has no events" if not self.events else
                         "the stream has no events, only data: [DONE]", None, None, None)
        if self._checker is not None:
            self._checker.close()
        if self.kind == "responses" and done_applies(self.format) and not self._done_seen \
                and self.events:
            self._report("F006", "the SSE stream does not end with data: [DONE]", None, None, None)
        for code, count in self._counts.items():
            if count > MAX_PER_RULE:
                self._emit(code, f"{count - MAX_PER_RULE} more {code} findings in this stream "
                           "were not reported one by one", None, None)
        return self._flush()

    def output(self) -> list[dict]:
        """What the stream built so far (see ``StreamReport.output``)."""
        return self._checker.output() if self._checker is not None else []

    @property
    def usage_seen(self) -> bool:
        """Whether the stream reported token usage (a chat usage chunk, the terminal
        response's `usage`)."""
        return self._checker is not None and self._checker.usage_seen()

    @property
    def state(self) -> Any:
        """The protocol state the stream's kind accumulated (``ResponseState``, ``ChatState``),
        ``None`` before the first event: read it, never change it."""
        return self._ctx.state

    @property
    def status(self) -> str | None:
        """How the stream ended: the Responses terminal status (``completed``, ``incomplete``,
        ``failed``) or chat choice 0's `finish_reason`; ``error`` after an error event with no
        terminal one; ``None`` if it has not ended."""
        return self._checker.status() if self._checker is not None else None

    @property
    def _chosen_kind(self) -> str:
        """The kind, once the first event chose it (the schema test exists only from then)."""
        assert self.kind is not None, "no event has chosen the kind yet"
        return self.kind

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("StreamValidator.feed() after close()")

    def _item(self, item: Frame | Finding) -> None:
        if isinstance(item, Frame):
            self._frame(item)
        else:
            self._finding(item)

    def _flush(self) -> list[Violation]:
        out = self._out
        self.violations.extend(out)
        return out

    # -- per event -----------------------------------------------------------------------------

    def _frame(self, frame: Frame) -> None:
        if frame.done:
            self.events += 1
            self._done_frames += 1
            ctx = self._ctx
            ctx.line, ctx.index, ctx.payload, ctx.name = frame.line, frame.index, None, None
            self._done()
        else:
            self._event(frame.index, frame.line, frame.payload, frame.event)

    def _event(self, index: int | None, line: int | None, payload: Any,
               name: str | None) -> None:
        """One event (not `[DONE]`): the hot path, one call per event, each attribute read
        once."""
        self.events += 1
        ctx = self._ctx
        ctx.line = line  # one statement each: four at once would build a tuple
        ctx.index = index
        ctx.payload = payload
        ctx.name = name
        if self._done_seen:
            self._done()
            return
        if type(payload) is not dict:
            return  # framing reported it (invalid JSON, not an object)
        try:
            (self._checker or self._start(payload)).feed(payload)
        except RecursionError:  # a check that recursed into a value nested ~1000 deep
            self._too_deep()

    def _fragment(self, index: int, line: int, fragment: str) -> None:
        """An event of an offered run, as its fragment alone: what ``_event`` and the checker
        do with such an event."""
        self.events += 1
        ctx = self._ctx
        ctx.line = line
        ctx.index = index
        ctx.payload = None  # (nothing is reported on it)
        sink = self._sink
        assert sink is not None
        sink(fragment)

    def _offer_run(self, field: str, fragment: str, nesting: int,
                   append: Callable[[str], object]) -> None:
        if self._decoder is not None:
            self._sink = append
            self._decoder.offer_run(field, fragment, nesting, self._fragment)

    def _too_deep(self) -> None:
        self._report("F020", "the event is nested so deep (about 1000 levels) that recursive "
                     "JSON tools fail on it; its fields are not checked one by one", None,
                     ("F020", self._ctx.index), ...)

    def _precheck(self, payload: dict, failed: bool = False) -> bool:
        """The checks of every event before its kind's (see ``_Context``); ``failed``: the
        caller's schema test already refused the event."""
        passes = self._passes
        passed = passes is not None and not failed and passes(payload)
        # Azure's asynchronous content-filter chunks (`object: ""`) are skipped by the SDKs
        # (`_is_valid_chat_completion_chunk_weak`); they follow no chunk schema.
        schema = self._schema
        if schema is not None and passes is not None and not passed and \
                payload.get("object") != "":
            try:
                findings = schema.explain_failed(payload, self._chosen_kind)
            except RecursionError:  # jsonschema's messages repr the instance
                findings = ()
                self._too_deep()
            # The same tuple as last time (a defect repeated on every event): every finding
            # in it was reported already.
            if findings is not self._explained:
                self._explained = findings
                for finding in findings:
                    # A server that omits a field omits it in every event of that shape: one
                    # root cause, one finding (at its first event), whatever the array indexes.
                    code, pointer = finding.code, finding.pointer or ""
                    self._report(code, finding.message, pointer,
                                 ("S", code, _INDEX.sub("/*", pointer)), ...)
        name = self._ctx.name
        # `message` is the SSE default event name: the same as no `event:` line.
        if name is not None and self.kind == "responses" and name != payload.get("type") \
                and name != "message":
            self._report("F003", f"SSE event name {name!r} differs from type "
                         f"{payload.get('type')!r}", "/type", None, ...)
        return passed

    def _run_test(self, type_name: str, fields: tuple[str, ...],
                  passed: bool) -> Callable[[dict], bool] | None:
        if self._passes is None or self._schema is None:
            return None
        return self._schema.passes_given(type_name, fields, self._chosen_kind) if passed \
            else self._passes

    def _run_test_after(self, type_name: str,
                        test: Callable[[dict], bool]) -> Callable[[dict], bool]:
        test = getattr(test, "base", test)  # one defect at a time: no chain of them
        repeat = None if self._schema is None else \
            self._schema.repeats(self._chosen_kind, type_name, self._explained)
        if repeat is None:
            return test

        def valid_or_repeat(event: dict) -> bool:
            return test(event) or repeat(event)
        valid_or_repeat.base = test  # type: ignore[attr-defined]
        return valid_or_repeat

    def _done(self) -> None:
        """`data: [DONE]`, or any event after it."""
        if self.kind == "anthropic" and not self._done_seen:
            self._report("F037", "data: [DONE] in an Anthropic Messages stream", None, None, ...)
        if self._done_seen:
            self._report("F007", "event after data: [DONE]", None, ("F007",), ...)
        else:
            self._done_seen = self._ctx.done_seen = True

    def _start(self, payload: dict) -> Any:
        if self.kind is None:
            self.kind = detect_kind(payload)
            if self.kind is None and "error" not in payload:  # an error body: read as events
                self._checker = _Unrecognised(self._ctx, payload)
                return self._checker
            self.kind = self.kind or "responses"
        self._checker = _CHECKERS[self.kind](self._ctx)
        if self._schema is not None:
            self._passes = self._schema.passes(self.kind)
        return self._checker

    # -- findings ------------------------------------------------------------------------------

    def _finding(self, finding: Finding) -> None:
        # Framing caps its findings itself (and counts the rest in a closing finding).
        self._emit(finding.code, explained(finding.code, finding.message), finding.pointer,
                   (finding.line, finding.event_index))

    def _report(self, code: str, message: str, pointer: str | None, key: Any, at: Any) -> None:
        if code not in self._enabled:
            return
        if key is not None:
            try:
                seen = key in self._seen
            except TypeError:  # a value from the stream (an object as item_id) in the key
                key = repr(key)
                seen = key in self._seen
            if seen:
                return
            self._seen.add(key)
        count = self._counts[code] = self._counts.get(code, 0) + 1
        if count <= MAX_PER_RULE:
            self._emit(code, explained(code, message), pointer, at)

    def _emit(self, code: str, message: str, pointer: str | None, at: Any) -> None:
        severity = self._enabled.get(code)
        if severity is None:
            return
        ctx = self._ctx
        payload = ctx.payload
        if at is ...:
            line, index = ctx.line, ctx.index
        elif at is None:
            line = index = payload = None
        else:
            line, index = at
            if index != ctx.index:
                payload = None
        seq = payload.get("sequence_number") if type(payload) is dict else None
        self._out.append(Violation(
            code=code, name=RULES[code].name, severity=severity, message=message, line=line,
            event_index=index, sequence_number=seq if type(seq) is int else None,
            pointer=pointer, excerpt=excerpt(payload, pointer)))


def _chat_checker(ctx: Context) -> Any:
    from .chat.checker import ChatChecker  # on first use: start-up of other kinds

    return ChatChecker(ctx)


def _anthropic_checker(ctx: Context) -> Any:
    from .anthropic.checker import AnthropicChecker  # on first use: start-up of other kinds

    return AnthropicChecker(ctx)


_CHECKERS: dict[str, Any] = {"responses": ResponsesChecker, "chat": _chat_checker,
                             "anthropic": _anthropic_checker}
