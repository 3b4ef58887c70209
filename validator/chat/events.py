"""The Chat Completions table: the chunk, its identity fields, and every delta channel once.

A chat stream has one event type, `chat.completion.chunk` (``schemas/chat/<object>.json``);
what varies is the delta, whose fields (channels) the SDKs merge each their own way.  The
checker's delta dispatch, what counts as output (C017, C019), and the texts an answer is made
of (``validator/content.py``, ``ChatChecker.output``) derive from ``CHANNELS``;
``tests/test_chat.py`` checks the table against the schema file and openai-python's
``ChoiceDelta``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CHANNELS", "CHUNK_OBJECT", "CHUNK_TYPES", "FINISH_REASONS", "FLAG", "IDENTITY",
           "LIST", "OUTPUT_KEYS", "OUTPUT_MEMBERS", "PER_CHUNK", "ROLE", "RUN_CHANNEL", "TEXT",
           "TEXTS", "Channel"]

CHUNK_OBJECT = "chat.completion.chunk"
#: The chunk types that have a schema (the `object` of a chunk): one.
CHUNK_TYPES = (CHUNK_OBJECT,)
#: The fields every chunk repeats: one completion has one value of each (C003, C004).
IDENTITY = ("id", "created", "model", "system_fingerprint")
#: Chunk fields whose value changes on every chunk and whose schema is only a string type
#: (OpenAI's `obfuscation` padding): a run of content chunks checks their type only.
PER_CHUNK = ("obfuscation",)
#: The delta channel a run of same-shape chunks carries: its schema is only a string type.
RUN_CHANNEL = "content"
FINISH_REASONS = frozenset(("stop", "length", "tool_calls", "content_filter", "function_call"))

# How a channel accumulates.
ROLE = "role"  # set once, by the first delta (C007, C008)
TEXT = "text"  # strings concatenated into the choice's ``Text`` named by ``attr``
LIST = "list"  # a list of objects merged by `index` (tool calls)
FLAG = "flag"  # only whether it was streamed (``attr``, a bool of the choice)


@dataclass(frozen=True, slots=True)
class Channel:
    """One field of `choices[].delta`.

    ``attr``: the ``Choice`` attribute it accumulates into; ``block``: the content block type
    of that text in an answer (``validator.content``).  ``output``: a non-empty value is output
    (text, calls), not metadata; ``output_fields``: for an object, only these members are.
    ``schema``: in ``schemas/chat/``; ``sdk``: a field of openai-python's ``ChoiceDelta``
    (``False``: a server extension the SDKs accumulate as any other string).
    """

    name: str
    accumulates: str
    attr: str = ""
    block: str | None = None
    output: bool = False
    output_fields: tuple[str, ...] = ()
    schema: bool = True
    sdk: bool = True


#: In the order an answer shows the texts: reasoning, then the message, then a refusal.
CHANNELS: dict[str, Channel] = {c.name: c for c in (
    Channel("role", ROLE),
    # Server extensions: `reasoning_content` (vLLM, DeepSeek), `reasoning` (OpenRouter).
    Channel("reasoning_content", TEXT, "reasoning", "reasoning", output=True, schema=False,
            sdk=False),
    Channel("reasoning", TEXT, "reasoning", "reasoning", output=True, schema=False, sdk=False),
    Channel("content", TEXT, "content", "text", output=True),
    Channel("refusal", TEXT, "refusal", "refusal", output=True),
    Channel("tool_calls", LIST, "tool_calls", output=True),
    Channel("function_call", FLAG, "function_call", output=True),  # deprecated
    # Audio output: only its data and transcript are output, `id` and `expires_at` metadata.
    Channel("audio", FLAG, "audio", output_fields=("data", "transcript")),
)}

#: ``(Choice attribute, content block type)`` of each accumulated text, in answer order.
TEXTS: tuple[tuple[str, str], ...] = tuple(dict.fromkeys(
    (c.attr, c.block) for c in CHANNELS.values() if c.accumulates == TEXT and c.block))
#: The delta fields whose non-empty value is output.
OUTPUT_KEYS = tuple(c.name for c in CHANNELS.values() if c.output)
#: ``(delta field, members)``: an object that is output when one of these members is non-empty.
OUTPUT_MEMBERS = tuple((c.name, c.output_fields) for c in CHANNELS.values() if c.output_fields)
