"""The Responses events table: every event type of the stream once, one line each.

The checker's dispatch (``checker.HANDLERS``), the legacy and terminal lists, the item value
paths and the tests' lists of types derive from ``EVENTS``; ``tests/test_schemas.py`` checks
the table against the schema files (``schemas/responses/<type>.json``) and
``tools/drift.py`` against the installed openai-python's ``ResponseStreamEvent`` union
(protocol.md §1.1, §1.4, §1.6).  A new event type is one line here plus its schema file.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["EVENTS", "EVENT_TYPES", "ITEM_VALUE_PATHS", "LEGACY_TYPES", "SCHEMA_TYPES",
           "SDK_TYPES", "TERMINAL_EVENTS", "EventType"]


class EventType(NamedTuple):
    """One event type.

    ``handles``: what the checker does with it (``checker._FACTORIES``): ``lifecycle``,
    ``error``, ``ignore``, ``item_added``/``item_done``, ``part_added``/``part_done``,
    ``part_delta``/``part_text_done`` (text of a content or summary part),
    ``value_delta``/``value_done`` (item-level text: arguments, input, code, diff),
    ``annotation``, ``command_added``/``command_delta``/``command_done``, ``audio``,
    ``transcript``, ``status`` (progress of an item).  ``item``: the item type it addresses
    (``None``: any, or the part's type says).  ``address``: the fields that address it, the part
    index last.  ``part``: the part type its text belongs to.  ``value``: the field of a
    ``*.done`` that carries the final value; ``path``: where the item keeps that value when it
    is not ``value`` (``operation.diff``).  ``legacy``: removed from OpenAI's union, with its
    replacement.  ``terminal``: the ``response.status`` a terminal event must carry.
    ``schema``: it has a schema file.  ``sdk``: a member of openai-python 3.57's
    ``ResponseStreamEvent`` union.
    """

    name: str
    handles: str
    item: str | None = None
    address: tuple[str, ...] = ()
    part: str | None = None
    value: str | None = None
    path: tuple[str, ...] = ()
    legacy: str | None = None
    terminal: str | None = None
    schema: bool = True
    sdk: bool = True


OUT = ("output_index",)
CONTENT = ("output_index", "content_index")
SUMMARY = ("output_index", "summary_index")
COMMAND = ("output_index", "command_index")
ANNOTATION = ("output_index", "content_index", "annotation_index")
E = EventType

EVENTS: tuple[EventType, ...] = (
    # The response's lifecycle (protocol.md §1.6).
    E("response.created", "lifecycle"),
    E("response.queued", "lifecycle"),
    E("response.in_progress", "lifecycle"),
    E("response.completed", "lifecycle", terminal="completed"),
    E("response.incomplete", "lifecycle", terminal="incomplete"),
    E("response.failed", "lifecycle", terminal="failed"),
    E("error", "error"),
    E("keepalive", "ignore", schema=False, sdk=False),  # a transport event (openai-node)
    # Items and parts.
    E("response.output_item.added", "item_added", address=OUT),
    E("response.output_item.done", "item_done", address=OUT),
    E("response.content_part.added", "part_added", None, CONTENT),
    E("response.content_part.done", "part_done", None, CONTENT),
    E("response.reasoning_summary_part.added", "part_added", "reasoning", SUMMARY),
    E("response.reasoning_summary_part.done", "part_done", "reasoning", SUMMARY),
    E("response.output_text.annotation.added", "annotation", "message", ANNOTATION, "output_text"),
    # Text of content and summary parts.
    E("response.output_text.delta", "part_delta", "message", CONTENT, "output_text"),
    E("response.output_text.done", "part_text_done", "message", CONTENT, "output_text", "text"),
    E("response.refusal.delta", "part_delta", "message", CONTENT, "refusal"),
    E("response.refusal.done", "part_text_done", "message", CONTENT, "refusal", "refusal"),
    E("response.reasoning_text.delta", "part_delta", "reasoning", CONTENT, "reasoning_text"),
    E("response.reasoning_text.done", "part_text_done", "reasoning", CONTENT, "reasoning_text", "text"),
    E("response.reasoning_summary_text.delta", "part_delta", "reasoning", SUMMARY),
    E("response.reasoning_summary_text.done", "part_text_done", "reasoning", SUMMARY, value="text"),
    # Legacy: OpenAI's old raw reasoning (Open Responses keeps it) and object summary deltas.
    E("response.reasoning.delta", "part_delta", "reasoning", CONTENT, legacy="response.reasoning_text.delta", sdk=False),
    E("response.reasoning.done", "part_text_done", "reasoning", CONTENT, value="text", legacy="response.reasoning_text.done", sdk=False),
    E("response.reasoning_summary.delta", "status", "reasoning", OUT, legacy="response.reasoning_summary_text.delta", sdk=False),
    E("response.reasoning_summary.done", "status", "reasoning", OUT, legacy="response.reasoning_summary_text.done", sdk=False),
    # Item-level text.
    E("response.function_call_arguments.delta", "value_delta", "function_call", OUT),
    E("response.function_call_arguments.done", "value_done", "function_call", OUT, value="arguments"),
    E("response.custom_tool_call_input.delta", "value_delta", "custom_tool_call", OUT),
    E("response.custom_tool_call_input.done", "value_done", "custom_tool_call", OUT, value="input"),
    E("response.mcp_call_arguments.delta", "value_delta", "mcp_call", OUT),
    E("response.mcp_call_arguments.done", "value_done", "mcp_call", OUT, value="arguments"),
    E("response.code_interpreter_call_code.delta", "value_delta", "code_interpreter_call", OUT),
    E("response.code_interpreter_call_code.done", "value_done", "code_interpreter_call", OUT, value="code"),
    # Not in openai-python 3.57; OpenAI sends them (corpus: vercel-ai__apply-patch.jsonl).
    E("response.apply_patch_call_operation_diff.delta", "value_delta", "apply_patch_call", OUT, sdk=False),
    E("response.apply_patch_call_operation_diff.done", "value_done", "apply_patch_call", OUT, value="diff", path=("operation", "diff"), sdk=False),
    # Shell commands: addressed by output_index and command_index, no item_id.
    E("response.shell_call_command.added", "command_added", "shell_call", COMMAND),
    E("response.shell_call_command.delta", "command_delta", "shell_call", COMMAND),
    E("response.shell_call_command.done", "command_done", "shell_call", COMMAND, value="command"),
    # Audio of the response (not of an item).
    E("response.audio.delta", "audio"),
    E("response.audio.done", "audio"),
    E("response.audio.transcript.delta", "transcript"),
    E("response.audio.transcript.done", "transcript"),
    # Progress of hosted tools and other items.
    E("response.file_search_call.in_progress", "status", "file_search_call", OUT),
    E("response.file_search_call.searching", "status", "file_search_call", OUT),
    E("response.file_search_call.completed", "status", "file_search_call", OUT),
    E("response.web_search_call.in_progress", "status", "web_search_call", OUT),
    E("response.web_search_call.searching", "status", "web_search_call", OUT),
    E("response.web_search_call.completed", "status", "web_search_call", OUT),
    E("response.code_interpreter_call.in_progress", "status", "code_interpreter_call", OUT),
    E("response.code_interpreter_call.interpreting", "status", "code_interpreter_call", OUT),
    E("response.code_interpreter_call.completed", "status", "code_interpreter_call", OUT),
    E("response.image_generation_call.in_progress", "status", "image_generation_call", OUT),
    E("response.image_generation_call.generating", "status", "image_generation_call", OUT),
    E("response.image_generation_call.partial_image", "status", "image_generation_call", OUT),
    E("response.image_generation_call.completed", "status", "image_generation_call", OUT),
    E("response.mcp_call.in_progress", "status", "mcp_call", OUT),
    E("response.mcp_call.completed", "status", "mcp_call", OUT),
    E("response.mcp_call.failed", "status", "mcp_call", OUT),
    E("response.mcp_list_tools.in_progress", "status", "mcp_list_tools", OUT),
    E("response.mcp_list_tools.completed", "status", "mcp_list_tools", OUT),
    E("response.mcp_list_tools.failed", "status", "mcp_list_tools", OUT),
    E("response.compaction.compacting", "status", "compaction", OUT),
    E("response.shell_call_output_content.delta", "status", "shell_call_output", OUT),
    E("response.shell_call_output_content.done", "status", "shell_call_output", OUT),
)
del E

EVENT_TYPES = frozenset(e.name for e in EVENTS)
#: The types with a schema file, and those of openai-python's union.
SCHEMA_TYPES = frozenset(e.name for e in EVENTS if e.schema)
SDK_TYPES = frozenset(e.name for e in EVENTS if e.sdk)
#: Types OpenAI removed from its union, with their replacement.  Open Responses still uses
#: `response.reasoning.delta/done` as its raw-reasoning events.
LEGACY_TYPES: dict[str, str] = {e.name: e.legacy for e in EVENTS if e.legacy}
#: The terminal lifecycle events and the `response.status` each must carry.
TERMINAL_EVENTS: dict[str, str] = {e.name: e.terminal for e in EVENTS if e.terminal}
#: Where an item type keeps its item-level streamed value.
ITEM_VALUE_PATHS: dict[str, tuple[str, ...]] = {
    e.item: e.path or (e.value,) for e in EVENTS if e.handles == "value_done" and e.item and e.value}
