"""Chat Completions streams: each `chat.completion.chunk` merged the way the SDKs merge it.

``ChatChecker.feed`` is the hot path of a chat stream, so the common chunk — one choice, a
content delta — costs four identity comparisons, one index lookup and one append.  Everything
new or wrong (a new choice or tool call, a finish_reason, usage, a changed id) goes to the
checks in ``validator/rules/chat.py``; the state lives in ``validator/chat_state.py``.
"""

from __future__ import annotations

from typing import Any

from .chat_state import ChatState, Choice
from .rules.chat import (
    CHUNK_OBJECT,
    carries_output,
    check_end,
    check_first_chunk,
    check_identity,
    check_usage,
    delta_carries_output,
    finish,
    list_delta,
    role_repeated,
    shown,
    start_choice,
    tool_call_delta,
)

__all__ = ["ChatChecker"]


class ChatChecker:
    """The checks of one Chat Completions stream, fed one chunk (a parsed dict) at a time."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.state = ctx.state = ChatState()

    def feed(self, chunk: dict) -> None:
        self.ctx.precheck(chunk)
        state = self.state
        if state.errored:
            return  # clients stopped at the error
        if (chunk.get("object") != CHUNK_OBJECT or "error" in chunk) and not self._admit(chunk):
            return
        state.chunks += 1
        if not state.started:
            state.started = True
            state.id, state.created, state.model, state.system_fingerprint = (
                chunk.get("id"), chunk.get("created"), chunk.get("model"),
                chunk.get("system_fingerprint"))
            check_first_chunk(self.ctx, chunk)
        elif (chunk.get("id") != state.id or chunk.get("created") != state.created
              or chunk.get("model") != state.model
              or chunk.get("system_fingerprint") != state.system_fingerprint):
            check_identity(self.ctx, state, chunk)
        choices = chunk.get("choices")
        if type(choices) is list:
            for at, entry in enumerate(choices):
                if type(entry) is dict:
                    self._choice(entry, at)
        elif "choices" not in chunk:
            self.ctx.report("C005", "chunk without a choices array", None, key=("C005",))
        usage = chunk.get("usage")
        if usage is not None:
            check_usage(self.ctx, state, usage, choices)
        elif state.usage_at is not None and state.output_after_usage is None and type(
                choices) is list and any(carries_output(entry) for entry in choices):
            state.output_after_usage = (self.ctx.line, self.ctx.index)

    def close(self) -> None:
        check_end(self.ctx, self.state)

    def status(self) -> str | None:
        """How the stream ended: choice 0's `finish_reason`, or ``error`` after an error chunk."""
        if self.state.errored:
            return "error"
        return next((c.finish_reason for c in self.state.choices if c.index == 0), None)

    def usage_seen(self) -> bool:
        """Whether a chunk carried `usage`."""
        return self.state.usage_at is not None

    def output(self) -> list[dict]:
        """The choices as a client accumulated them (openai-node's snapshot, roughly)."""
        return [_reconstruct(choice) for choice in self.state.choices]

    # -- rare paths ----------------------------------------------------------------------------

    def _admit(self, chunk: dict) -> bool:
        """A chunk that is not a plain chat chunk: another kind, an error, a filter chunk."""
        ctx = self.ctx
        obj = chunk.get("object")
        if "choices" not in chunk and obj is None and isinstance(chunk.get("type"), str):
            ctx.report("C001", f"Responses event {chunk['type']!r} in a Chat Completions stream",
                       "/type", key=("C001",))
            return False
        if chunk.get("error"):
            self.state.errored = True
            self.state.error_at = (ctx.line, ctx.index)
            ctx.report("C024", f"error in the stream: {_error_text(chunk['error'])}", "/error")
            return False
        if obj == "":  # Azure's asynchronous content filter: the SDKs skip these chunks
            choices = chunk.get("choices")
            if type(choices) is list and any(carries_output(entry) for entry in choices):
                ctx.report("C002", "a chunk with object \"\" (skipped by the SDKs as a content "
                           "filter annotation) carries output", "/object", key=("C002", ""))
            return False
        if obj != CHUNK_OBJECT:
            ctx.report("C002", f"chunk object is {obj!r}, not {CHUNK_OBJECT!r}", "/object",
                       key=("C002",))
        return True

    def _choice(self, entry: dict, at: int) -> None:
        state = self.state
        index = entry.get("index")
        choices = state.choices
        if type(index) is int and 0 <= index < len(choices):
            choice = choices[index]
        else:
            choice = start_choice(self.ctx, state, entry, index, at)
            if choice is None:
                return
        delta = entry.get("delta")
        if type(delta) is dict and delta:
            if choice.finish_at is not None and delta_carries_output(delta):
                self.ctx.report("C017", f"choice {choice.index} gets output after its "
                                f"finish_reason {shown(choice.finish_reason)}",
                                f"/choices/{at}/delta", key=("C017", choice.index))
            content = delta.get("content")
            if type(content) is str and len(delta) == 1:  # the hot path: a content delta
                if content:
                    choice.content.append(content)
            else:
                self._delta(choice, delta, at)
        reason = entry.get("finish_reason")
        if reason:
            finish(self.ctx, choice, reason, at)

    def _delta(self, choice: Choice, delta: dict, at: int) -> None:
        for key, value in delta.items():
            if key == "content":
                if type(value) is str and value:
                    choice.content.append(value)
            elif key == "tool_calls":
                if type(value) is list:
                    for position, call in enumerate(value):
                        tool_call_delta(self.ctx, choice, call,
                                        f"/choices/{at}/delta/tool_calls/{position}")
            elif key == "role":
                if value and choice.role is None:
                    choice.role = value
                elif value:
                    role_repeated(self.ctx, choice, delta, at)
            elif key == "refusal" or key == "reasoning_content" or key == "reasoning":
                if type(value) is str and value:
                    (choice.refusal if key == "refusal" else choice.reasoning).append(value)
            elif key == "audio":
                choice.audio = choice.audio or bool(value)
            elif key == "function_call":
                choice.function_call = choice.function_call or bool(value)
            elif type(value) is list and value:
                list_delta(self.ctx, choice, key, value, at)


def _reconstruct(choice: Choice) -> dict:
    entry: dict = {"index": choice.index, "role": choice.role, "content": choice.content.value(),
                   "finish_reason": choice.finish_reason}
    if choice.refusal:
        entry["refusal"] = choice.refusal.value()
    if choice.reasoning:
        entry["reasoning"] = choice.reasoning.value()
    if choice.tool_calls:
        entry["tool_calls"] = [{"index": call.index, "id": call.id, "type": call.type,
                                "function": {"name": call.name,
                                             "arguments": call.arguments.value()}}
                               for call in choice.tool_calls]
    return entry


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        parts = [f"{key} {error[key]!r}" for key in ("code", "type", "message") if key in error]
        if parts:
            return ", ".join(parts)
    text = repr(error)
    return text if len(text) <= 120 else text[:119] + "…"
