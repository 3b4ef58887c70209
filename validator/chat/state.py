# The protocol state of one Chat Completions stream, and nothing else.
#
# Theory of operation
# -------------------
# A Chat Completions stream is a flat list of `chat.completion.chunk` objects.  Every chunk
# repeats the completion's identity (`id`, `created`, `model`, `system_fingerprint`) and carries
# deltas for some choices, addressed by `choices[].index`; inside a choice, tool calls are
# addressed by `delta.tool_calls[].index`.  The SDKs merge the deltas into one snapshot
# (openai-python `accumulate_delta`: strings concatenated, lists of dicts merged by `index`), so
# this module keeps, per choice and per tool call, what they would have accumulated and where
# each one started.
#
# This module is the only code that assigns this state (texts grow through their own
# `Text.append`).  Each transition that can meet a problem takes `report` (the engine's
# `ctx.report`) and reports it itself: an index that opens nothing, a second finish_reason, a
# tool call identity that changes *is* the transition going wrong.  `checker.py` feeds it; the
# checks (`chunk.py`, `choices.py`, `tool_calls.py`, `usage.py`) read it and report.
#
# Memory is bounded by the accumulated text (`accumulate.Text`: one `io.StringIO` a string).

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..accumulate import Text

__all__ = ["ChatState", "Choice", "Location", "Report", "ToolCall", "shown"]

#: Where an event is: ``(line, event_index)``, as ``ctx.report(at=...)`` takes it.
Location = tuple[Any, Any]
Report = Callable[..., None]


@dataclass(slots=True, eq=False)
class ToolCall:
    """One `tool_calls[]` entry of a choice, addressed by its `index`."""

    index: int
    id: Any
    type: Any
    name: Any
    at: Location
    arguments: Text = field(default_factory=Text)
    merged: bool = False  # a second call was merged into this index: its arguments are mixed

    def merge_identity(self, delta: dict, name_field: str, name: Any, choice: int,
                       report: Report, pointer: str) -> None:
        """A later delta that sends id/type/name: a late start (taken), a repeat (C011) or a
        change (C012), as ``accumulate_delta`` would concatenate or overwrite it."""
        changed, repeated = [], []
        for field_name, attr, new in (("id", "id", delta.get("id")),
                                      ("type", "type", delta.get("type")),
                                      (name_field, "name", name)):
            old = getattr(self, attr)
            if not new:
                continue
            if old is None:
                setattr(self, attr, new)  # arrives late: C010 said so
            elif new != old:
                changed.append(f"{field_name} {old!r} -> {new!r}")
            elif field_name != "type":
                repeated.append(f"{field_name} {new!r}")
        label = f"tool call {self.index} of choice {choice}"
        if "type" in delta and delta["type"] is None and self.type is not None:
            # openai-python's accumulate_delta overwrites `type` (a union discriminator) with
            # any value, null included, then asserts `tool_call.type == "function"`.
            report("C012", f"{label}: a later delta sends \"type\": null; openai-python "
                   f"overwrites the call's type {self.type!r} with it and fails an assertion",
                   pointer + "/type", key=("C012", choice, self.index))
        if changed:
            self.merged = True
            report("C012", f"{label} changes its identity: {', '.join(changed)} (a second call "
                   "sent at the same index?)", pointer, key=("C012", choice, self.index))
        elif repeated:
            report("C011", f"{label} repeats {' and '.join(repeated)}; openai-python "
                   "concatenates it", pointer, key=("C011",))


@dataclass(slots=True, eq=False)
class Choice:
    """One choice of the completion, addressed by `choices[].index`."""

    index: int
    role: Any
    at: Location | None = None  # the chunk that started the choice
    content: Text = field(default_factory=Text)
    refusal: Text = field(default_factory=Text)
    reasoning: Text = field(default_factory=Text)  # `reasoning_content` / `reasoning` extensions
    tool_calls: list[ToolCall] = field(default_factory=list)
    current_tool: int | None = None  # the tool call the last tool-call delta addressed
    function_call: bool = False  # the deprecated `delta.function_call` was streamed
    audio: bool = False  # `delta.audio` was streamed (audio output)
    #: delta field -> whether the list accumulated there holds objects (C025)
    object_lists: dict[str, bool] = field(default_factory=dict)
    finish_reason: Any = None
    finish_at: Location | None = None

    def take_role(self, role: Any) -> None:
        """The role of the choice's first delta that carries one."""
        self.role = role

    def add_text(self, attr: str, fragment: str) -> None:
        """A fragment of the text ``attr`` (``events.TEXT`` channels)."""
        getattr(self, attr).append(fragment)

    def flag(self, attr: str) -> None:
        """A channel the stream only says it streamed (``events.FLAG``)."""
        setattr(self, attr, True)

    def note_list(self, key: str, value: list) -> None:
        """The first list in delta field ``key``: whether it holds objects (C025 then expects
        an `index` on the elements of the next ones)."""
        if not self.object_lists.get(key):
            self.object_lists[key] = any(not isinstance(entry, (str, int, float))
                                         for entry in value)

    def finish(self, reason: Any, at: Location, report: Report, pointer: str) -> bool:
        """A `finish_reason`: taken once; a second one is reported (C017) and dropped."""
        if self.finish_at is not None:
            report("C017", f"choice {self.index} gets a second finish_reason {shown(reason)} "
                   f"(the first was {shown(self.finish_reason)})", pointer,
                   key=("C017", self.index))
            return False
        self.finish_reason = reason
        self.finish_at = at
        return True

    def open_call(self, delta: dict, name: Any, at: Location) -> ToolCall:
        """A tool call at the next index (``tool_calls.check_call_start`` said what it lacks)."""
        call = ToolCall(index=len(self.tool_calls), id=delta.get("id") or None,
                        type=delta.get("type") or None, name=name or None, at=at)
        self.tool_calls.append(call)
        self.current_tool = call.index
        return call

    def continue_call(self, index: int, report: Report, pointer: str) -> ToolCall:
        """The started call at ``index``; after a delta for another call, the SDKs had closed
        it (C013)."""
        if index != self.current_tool:
            report("C013", f"tool call {index} of choice {self.index} gets a delta after "
                   f"tool call {self.current_tool} started", pointer + "/index",
                   key=("C013", self.index, index))
            self.current_tool = index
        return self.tool_calls[index]


@dataclass(slots=True, eq=False)
class ChatState:
    """Everything open or accumulated in one Chat Completions stream."""

    started: bool = False  # the first chunk the SDKs accumulate set the identity below
    id: Any = None
    created: Any = None
    model: Any = None
    system_fingerprint: Any = None
    choices: list[Choice] = field(default_factory=list)
    usage_at: Location | None = None  # the last chunk that carried `usage`
    usage: Any = None  # ... and that `usage`
    output_after_usage: Location | None = None  # first chunk with output after that one
    errored: bool = False  # an `error` object ended the stream for the clients
    error_at: Location | None = None  # ... in this chunk

    def begin(self, chunk: dict) -> None:
        """The first chunk the SDKs accumulate: the completion's identity."""
        self.started = True
        self.id, self.created, self.model, self.system_fingerprint = (
            chunk.get("id"), chunk.get("created"), chunk.get("model"),
            chunk.get("system_fingerprint"))

    def adopt_fingerprint(self, fingerprint: Any) -> None:
        """`system_fingerprint` is compared where present: the first one sent counts."""
        if fingerprint and not self.system_fingerprint:
            self.system_fingerprint = fingerprint

    def fail(self, at: Location) -> None:
        """An `error` object: the clients stop reading here."""
        self.errored = True
        self.error_at = at

    def open_choice(self, index: Any, at: Location, report: Report,
                    pointer: str) -> Choice | None:
        """A choice at a new index: the next one (dense from 0), or C006 and ``None``."""
        if type(index) is not int or index < 0:
            report("C006", f"choice with index {index!r}: choice indexes are integers from 0",
                   pointer, key=("C006", repr(index)))
            return None
        if index != len(self.choices):
            report("C006", f"choice index {index}, but the stream has {len(self.choices)} "
                   f"choice(s): a new choice takes index {len(self.choices)}", pointer,
                   key=("C006", index))
            return None
        choice = Choice(index=index, role=None, at=at)
        self.choices.append(choice)
        return choice

    def take_usage(self, usage: Any, at: Location) -> None:
        """A chunk with a non-null `usage`: the last one counts (openai-python keeps it)."""
        self.usage_at = at
        self.usage = usage
        self.output_after_usage = None

    def output_follows_usage(self, at: Location) -> None:
        """A chunk with output after the usage chunk (C019 at the end, at the first one)."""
        if self.output_after_usage is None:
            self.output_after_usage = at


def shown(value: Any) -> str:
    """A value from the stream for a message: strings quoted, anything else by its JSON type."""
    if value is None or type(value) in (str, bool, int, float):
        return repr(value)[:80]
    return f"(a JSON {'array' if type(value) is list else 'object'})"
