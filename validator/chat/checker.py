"""The Chat Completions kind's checker: each `chat.completion.chunk` merged the way the SDKs
merge it.

``ChatChecker.feed`` is the hot path of a chat stream.  The common chunk — one choice, a content
delta — usually comes in a run of chunks of one shape: once one of them went through every check
and its schema test, the next one with the same fields, the same values except its content (and
the per-chunk `obfuscation`) and the same types is the same transitions with the same outcome, so
``feed`` appends its content straight away (``_run``) and skips the schema test, whose verdict
cannot differ: those fields' schemas are a string type only (``events.RUN_CHANNEL``,
``events.PER_CHUNK``; ``tests/test_chat.py`` checks it under every profile).  Everything
new or wrong (a new choice or tool call, a finish_reason, usage, a changed id) goes to the
transitions of ``state.py`` (the only code that changes the state) and to the checks beside it
(``chunk``, ``choices``, ``tool_calls``, ``usage``), which read it and report; the delta fields
are dispatched through the table in ``events.py``.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from ..model import Context
from .choices import (
    carries_output,
    check_choice_start,
    check_choices_end,
    check_finish,
    check_list_delta,
    check_output_after_finish,
    check_role_repeated,
)
from .chunk import ACCEPT, ERROR, admit, check_done, check_first_chunk, check_identity, no_choices
from .events import CHANNELS, CHUNK_OBJECT, FLAG, PER_CHUNK, ROLE, RUN_CHANNEL, TEXT
from .state import ChatState, Choice
from .tool_calls import check_call_index, check_call_start, name_and_fragment
from .usage import check_usage, check_usage_last, check_usage_seen

__all__ = ["ChatChecker"]


class ChatChecker:
    """The checks of one Chat Completions stream, fed one chunk (a parsed dict) at a time."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.state = ctx.state = ChatState()
        #: While a run of content chunks goes on: (size, read, values, per-chunk field, entry
        #: size, entry read, entry values, append): ``read(chunk)`` are the fields that must
        #: equal ``values`` (all but `choices` and the per-chunk one, a string), ``entry_read``
        #: likewise for the choice's index and null fields; ``append`` adds to its content.
        self._run: tuple | None = None

    def feed(self, chunk: dict) -> None:
        run = self._run
        if run is not None:
            size, read, values, per_chunk, entry_size, entry_read, entry_values, append = run
            try:
                if len(chunk) == size and read(chunk) == values and (
                        per_chunk is None or type(chunk[per_chunk]) is str):
                    choices = chunk["choices"]
                    if type(choices) is list and len(choices) == 1:
                        entry = choices[0]
                        if type(entry) is dict and len(entry) == entry_size and \
                                entry_read(entry) == entry_values and \
                                type(entry["index"]) is int:
                            delta = entry["delta"]
                            if type(delta) is dict and len(delta) == 1:
                                content = delta.get(RUN_CHANNEL)
                                if type(content) is str:
                                    if content:
                                        append(content)
                                    return
            except KeyError:  # a field of the run is missing: another shape
                pass
            self._run = None
        ctx = self.ctx
        ctx.precheck(chunk)
        state = self.state
        if state.errored:
            return  # clients stopped at the error
        if chunk.get("object") != CHUNK_OBJECT or "error" in chunk:
            verdict = admit(ctx, chunk)
            if verdict is ERROR:
                state.fail((ctx.line, ctx.index))
            if verdict is not ACCEPT:
                return
        if not state.started:
            state.begin(chunk)
            check_first_chunk(ctx, chunk)
        elif (chunk.get("id") != state.id or chunk.get("created") != state.created
              or chunk.get("model") != state.model
              or chunk.get("system_fingerprint") != state.system_fingerprint):
            check_identity(ctx, state, chunk)
            state.adopt_fingerprint(chunk.get("system_fingerprint"))
        choices = chunk.get("choices")
        if type(choices) is list:
            for at, entry in enumerate(choices):
                if type(entry) is dict:
                    self._choice(entry, at)
        elif "choices" not in chunk:
            no_choices(ctx)
        usage = chunk.get("usage")
        if usage is not None:
            state.take_usage(usage, (ctx.line, ctx.index))
            check_usage(ctx, usage, choices)
        elif state.usage_at is not None and state.output_after_usage is None and type(
                choices) is list and any(carries_output(entry) for entry in choices):
            state.output_follows_usage((ctx.line, ctx.index))
        elif type(choices) is list and len(choices) == 1 and state.usage_at is None:
            self._start_run(chunk, choices[0])

    def close(self) -> None:
        ctx, state = self.ctx, self.state
        check_usage_last(ctx, state)
        if state.errored or not state.started:
            return
        check_choices_end(ctx, state)
        check_usage_seen(ctx, state)
        check_done(ctx)

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

    # -- runs ----------------------------------------------------------------------------------

    def _start_run(self, chunk: dict, entry: Any) -> None:
        """After a chunk with one content delta went through every check: the next chunks of
        its shape take the fast path in ``feed``.

        The same keys at each level, every value equal except the content and the per-chunk
        fields, and the same types where equality does not imply them (``1 == True``): the
        state transitions are then the same (the choice exists, is unfinished, no usage was
        seen), and so is what the schema test says: nothing, or, after a chunk it refused
        (``created`` a string on every chunk), that chunk's findings again, which were reported
        once (one root cause, one finding).  So the run skips the test either way.
        """
        state = self.state
        if state.errored or chunk.get("object") != CHUNK_OBJECT or "error" in chunk:
            return
        if type(entry) is not dict or type(entry.get("index")) is not int or \
                not 0 <= entry["index"] < len(state.choices):
            return
        delta = entry.get("delta")
        choice = state.choices[entry["index"]]
        if choice.finish_at is not None or type(delta) is not dict or len(delta) != 1 or \
                type(delta.get(RUN_CHANNEL)) is not str:
            return
        fixed = [key for key in chunk if key != "choices" and key not in PER_CHUNK]
        per_chunk = [key for key in PER_CHUNK if key in chunk]
        # Equal values keep their type, but for `1 == True`: ints 0 and 1 do not start a run.
        if len(per_chunk) > 1 or any(type(chunk[key]) is not str for key in per_chunk) or any(
                type(chunk[key]) not in _FIXED_TYPES or (chunk[key] in (0, 1) and
                type(chunk[key]) is int) for key in fixed):
            return
        entry_fixed = [key for key in entry if key != "delta" and key != "index"]
        if any(entry[key] is not None for key in entry_fixed):
            return
        self._run = (len(chunk), _reader(fixed), tuple(chunk[key] for key in fixed),
                     per_chunk[0] if per_chunk else None, len(entry),
                     _reader(["index", *entry_fixed]),
                     (entry["index"], *(None for _ in entry_fixed)), choice.content.append)

    # -- choices -------------------------------------------------------------------------------

    def _choice(self, entry: dict, at: int) -> None:
        ctx = self.ctx
        index = entry.get("index")
        choices = self.state.choices
        if type(index) is int and 0 <= index < len(choices):
            choice = choices[index]
        else:
            opened = self.state.open_choice(index, (ctx.line, ctx.index), ctx.report,
                                            f"/choices/{at}/index")
            if opened is None:
                return
            choice = opened
            check_choice_start(ctx, entry, choice.index, at)
        delta = entry.get("delta")
        if type(delta) is dict and delta:
            if choice.finish_at is not None:
                check_output_after_finish(ctx, choice, delta, at)
            content = delta.get("content")
            if type(content) is str and len(delta) == 1:  # the hot path: a content delta
                if content:
                    choice.content.append(content)
            else:
                self._delta(choice, delta, at)
        reason = entry.get("finish_reason")
        if reason:
            pointer = f"/choices/{at}/finish_reason"
            if choice.finish(reason, (ctx.line, ctx.index), ctx.report, pointer):
                check_finish(ctx, choice, pointer)

    def _delta(self, choice: Choice, delta: dict, at: int) -> None:
        """Each field of a delta, as its channel accumulates (``events.CHANNELS``)."""
        for key, value in delta.items():
            channel = CHANNELS.get(key)
            if channel is None:  # a list the SDKs merge by `index` (annotations, …), or not
                if type(value) is list and value:
                    check_list_delta(self.ctx, choice, key, value, at)
                    choice.note_list(key, value)
            elif channel.accumulates is TEXT:
                if type(value) is str and value:
                    choice.add_text(channel.attr, value)
            elif channel.accumulates is ROLE:
                if value and choice.role is None:
                    choice.take_role(value)
                elif value:
                    check_role_repeated(self.ctx, choice, delta, at)
            elif channel.accumulates is FLAG:
                if value:
                    choice.flag(channel.attr)
            elif type(value) is list:  # tool calls
                for position, call in enumerate(value):
                    self._tool_call(choice, call, f"/choices/{at}/delta/tool_calls/{position}")

    def _tool_call(self, choice: Choice, delta: Any, pointer: str) -> None:
        """One `delta.tool_calls[]` entry: start a call at the next index, or continue one."""
        if type(delta) is not dict:
            return  # schema finding
        ctx = self.ctx
        index = delta.get("index")
        name_field, name, fragment = name_and_fragment(delta)
        if type(index) is int and 0 <= index < len(choice.tool_calls):
            call = choice.continue_call(index, ctx.report, pointer)
            if "id" in delta or "type" in delta or name:
                call.merge_identity(delta, name_field, name, choice.index, ctx.report, pointer)
        elif type(index) is int and index == len(choice.tool_calls):
            check_call_start(ctx, choice, delta, name_field, name, pointer)
            call = choice.open_call(delta, name, (ctx.line, ctx.index))
        else:
            check_call_index(ctx, choice, index, pointer)
            return
        if type(fragment) is str and fragment:
            call.arguments.append(fragment)


#: The types of the fields a run compares by equality (an equal value then has the same type,
#: but for the ints 0 and 1, which equal False and True: they start no run).
_FIXED_TYPES = (str, int, type(None))


def _reader(keys: list[str]) -> Any:
    """``chunk -> tuple`` of the values at ``keys`` (``KeyError`` if one is missing)."""
    if len(keys) > 1:
        return itemgetter(*keys)
    return (lambda c, key=keys[0]: (c[key],)) if keys else (lambda c: ())


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
