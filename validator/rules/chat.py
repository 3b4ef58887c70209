"""C: Chat Completions chunks — one completion identity, choices and tool calls that accumulate
the way the SDKs merge them, one `finish_reason` per choice, usage last, `data: [DONE]` at the end.

openai-python merges every delta into a snapshot with `accumulate_delta` (strings concatenated,
lists of dicts merged by `index`), so a repeated `id` becomes `call_xcall_x` and two calls sent at
one `index` become `{..}{..}`; openai-node's `ChatCompletionStream` throws at the end of a stream
without `finish_reason` or `role`.  The checks below follow those two clients.
The hot path (a content delta) is in `validator/chat.py`; what is here runs when something is new
(a choice, a tool call, a finish_reason, usage) or wrong.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from ..chat_state import ChatState, Choice, ToolCall
from ..result import Severity
from ._rule import OPENAI_CHAT, OPENAI_EVENTS, Rule, doc
from .text import _quote, describe_mismatch

__all__ = [
    "CHUNK_OBJECT",
    "FINISH_REASONS",
    "RULES",
    "carries_output",
    "check_end",
    "check_identity",
    "check_usage",
    "delta_carries_output",
    "finish",
    "role_repeated",
    "shown",
    "start_choice",
    "tool_call_delta",
]

E, W = Severity.ERROR, Severity.WARNING
PY_DELTAS = "openai-python `lib/streaming/_deltas.py` (`accumulate_delta`)"
PY_STREAM = "openai-python `lib/streaming/chat/_completions.py` (`ChatCompletionStreamState`)"
PY_SSE = "openai-python `_streaming.py`"
PY_TYPES = "openai-python `types/chat/chat_completion_chunk.py`"
PY_USAGE = "openai-python `types/chat/chat_completion_stream_options_param.py` (`include_usage`)"
NODE = "openai-node `src/lib/ChatCompletionStream.ts`"

#: A rule of Chat Completions streams.
ChatRule = partial(Rule, kind="chat")

CHUNK_OBJECT = "chat.completion.chunk"
FINISH_REASONS = frozenset(("stop", "length", "tool_calls", "content_filter", "function_call"))
#: Delta keys whose string values the SDKs concatenate into the message text.
TEXT_KEYS = ("content", "refusal", "reasoning_content", "reasoning")
#: Finish reasons after which truncated tool call arguments are expected.
_CUT_SHORT = ("length", "content_filter")
#: `*_tokens_details` entries that count a part of their total.
_DETAILS = {
    "prompt_tokens": ("prompt_tokens_details", ("cached_tokens", "audio_tokens", "text_tokens",
                                                "image_tokens", "cache_write_tokens")),
    "completion_tokens": ("completion_tokens_details", (
        "reasoning_tokens", "audio_tokens", "text_tokens", "accepted_prediction_tokens",
        "rejected_prediction_tokens")),
}

RULES = (
    Rule("C001", "mixed-stream-kinds", "A stream mixes Chat Completions chunks and Responses events", E, doc(
        what="Reports a Responses event (an object with a string `type` and no `choices`/`object`) in a Chat Completions stream, or a `chat.completion.chunk` in a Responses stream. The stream kind is taken from the first event (`--kind` overrides it); the first event of the other kind is reported once.",
        why="A client reads one API: the chat helpers iterate `chunk.choices` and throw on an event that has none, the Responses helpers dispatch on `type` and drop or reject a chunk. A gateway that mixes both lost track of which API the client called.",
        example='`data: {"type":"response.output_text.delta","delta":"Hi",…}` between `chat.completion.chunk` objects.',
        instead="Answer `/v1/chat/completions` with chunks only and `/v1/responses` with events only.",
        refs=f"{OPENAI_EVENTS}; {PY_STREAM}; {NODE}"), kind="any"),
    ChatRule("C002", "chunk-object-invalid", "A chunk's `object` is not `chat.completion.chunk`", E, doc(
        what="Reports a chunk whose `object` is missing or is not `chat.completion.chunk` (for example `chat.completion`), once per stream. A chunk with `object: \"\"` is Azure's asynchronous content-filter annotation: it is accepted and skipped like the SDKs skip it, unless it carries deltas or a `finish_reason`, which the SDKs then never see.",
        why="openai-python's stream helper keeps only chunks whose `object` is `chat.completion.chunk` (`_is_valid_chat_completion_chunk_weak`) and silently drops the rest: the text of those chunks is lost. Clients that dispatch on `object` treat the chunk as a non-streamed completion.",
        example='`{"id":"chatcmpl-…","object":"chat.completion","choices":[{"index":0,"delta":{"content":"Hi"}}],…}`',
        instead='Set `"object": "chat.completion.chunk"` on every chunk, the usage chunk included.',
        refs=f"{OPENAI_CHAT} (accumulation semantics); {PY_STREAM} `_is_valid_chat_completion_chunk_weak`; {PY_TYPES}")),
    ChatRule("C003", "chunk-id-changed", "The chunk `id` changes during the stream", E, doc(
        what="Reports the first chunk whose `id` differs from the `id` of the first chunk (reported once: servers that rotate ids do it on every chunk).",
        why=f"Every chunk of one completion has the same id (\"Each chunk has the same ID\", {PY_TYPES}). openai-node's `ChatCompletionStream.fromReadableStream` takes a new id for a new request and finalises the completion so far: one answer becomes several, and all but the last fail with `missing finish_reason`. Clients that group chunks by id, and logs that store the completion under it, split the answer too.",
        example="`chatcmpl-03ea…` on the first chunk, `chatcmpl-c4a1…` on the second.",
        instead="Generate the completion id once and send it on every chunk.",
        refs=f"{OPENAI_CHAT} (chunk fields); {NODE} `_fromReadableStream`")),
    ChatRule("C004", "chunk-metadata-changed", "`created`, `model` or `system_fingerprint` changes during the stream", W, doc(
        what="Reports the first chunk whose `created` or `model` differs from the first chunk's, or whose `system_fingerprint` differs from the first one the stream sent (once per field). `system_fingerprint` is compared where present: chunks without it, or with `null` or `\"\"`, are not compared (vLLM sends it on the usage chunk only).",
        why="openai-python keeps `created` and `model` of the first chunk and takes `system_fingerprint` from the last one; openai-node copies every chunk's fields over its snapshot. The two clients then report different creation times, models or fingerprints for the same completion, and the `seed`/`system_fingerprint` reproducibility check compares the wrong value. Nothing is lost, so it is a warning (an error under `strict`).",
        example='`"model": "gpt-4o-mini"` on the first chunk and `"model": "gpt-4o-mini-2024-07-18"` on the others.',
        instead="Send the same `created`, `model` and `system_fingerprint` on every chunk (\"Each chunk has the same timestamp\").",
        refs=f"{OPENAI_CHAT} (chunk fields); {PY_TYPES}; {PY_STREAM} `_accumulate_chunk`; {NODE} `#accumulateChatCompletion`")),
    ChatRule("C026", "chunk-created-invalid", "The chunk `created` is 0 or in milliseconds", W, doc(
        what="Reports, once, a first chunk whose `created` is 0 (or negative) or so large it counts milliseconds (above 10^11, the year 5138 in seconds). Azure's leading `prompt_filter_results` chunk (`object: \"\"`, `created: 0`) is skipped by the SDKs and not checked.",
        why="`created` is a Unix time in seconds: openai-python turns it into `completion.created` and applications into a date, so milliseconds land in the year 57000 and 0 in 1970; logging and billing that order completions by it sort them wrong. Nothing in the answer is lost, so it is a warning (an error under `strict`).",
        example='`"created": 1767004000123`',
        instead='Send the Unix time in seconds: `"created": 1767004000`.',
        refs=f"{OPENAI_CHAT} (chunk fields); {PY_TYPES}")),
    ChatRule("C027", "chunk-id-empty", "The chunk `id` is empty", W, doc(
        what="Reports, once, a first chunk whose `id` is the empty string. Azure's leading `prompt_filter_results` chunk (`object: \"\"`, `id: \"\"`) is skipped by the SDKs and not checked.",
        why="Clients key completions by `id`: openai-python's `completion.id` is empty, tracing and logging tools (Langfuse, OpenTelemetry instrumentations) merge every such completion into one, and a client cannot tell two streams apart. Nothing in the answer is lost, so it is a warning (an error under `strict`).",
        example='`"id": ""` on every chunk.',
        instead='Give each completion a unique id: `"id": "chatcmpl-…"`.',
        refs=f"{OPENAI_CHAT} (chunk fields); {PY_TYPES}")),
    ChatRule("C005", "choices-missing", "A chunk has no `choices` array", W, doc(
        what="Reports, once per stream, a chunk without a `choices` key (an empty `choices: []` is fine: that is how the usage chunk looks).",
        why="`choices` is a required field of the chunk. openai-node's `ChatCompletionStream` iterates `chunk.choices` and throws a `TypeError` on a chunk without it; code written against the types (`chunk.choices[0]`) fails the same way. OpenAI's own audio-output streams (`gpt-audio`) send such chunks between the audio deltas, so this is a warning under `default` (an error under `strict`).",
        example='`{"id":"chatcmpl-…","object":"chat.completion.chunk","created":1780693557,"model":"gpt-audio-1.5","usage":null}`',
        instead="Send `\"choices\": []` on chunks that carry no choice, or leave those chunks out.",
        refs=f"{OPENAI_CHAT} (chunk fields); {PY_TYPES}; {NODE}")),
    ChatRule("C006", "choice-index-invalid", "A choice has a missing, negative or skipped `index`", E, doc(
        what="Reports a `choices[]` entry whose `index` is not an integer, is negative, or opens a new choice at another index than the next one (choice indexes start at 0 and are dense).",
        why="openai-python looks a choice up with `snapshot.choices[choice.index]` and appends it on `IndexError`: a skipped index puts the choice at the wrong position, a negative one merges it into the last choice, and every later delta of it opens yet another choice. openai-node 7.5 throws `invalid choice index`.",
        example="A stream with `n: 1` whose choice has `index: 1`.",
        instead="Number the choices 0 … n-1 and keep each choice's index on all its chunks.",
        refs=f"{OPENAI_CHAT} (accumulation semantics); {PY_STREAM} `_accumulate_chunk`; {NODE}")),
    ChatRule("C007", "role-missing", "A choice's first delta has no `role`", E, doc(
        what="Reports a choice whose first delta does not carry `role` (the role arrives later, or never).",
        why="openai-node emits `content.delta` events only once the choice's role is `assistant`, so the text before a late role is missing from them, and `finalChatCompletion()` throws `missing role for choice 0` when no role ever came.",
        example='The first chunk of the choice is `"delta": {"reasoning": "<th"}` and no chunk ever carries `role`.',
        instead='Send `"role": "assistant"` in the first delta of every choice (OpenAI sends it with `"content": ""`).',
        refs=f"{OPENAI_CHAT} (conventions); {NODE} `#addChunk`, `finalizeChatCompletion`")),
    ChatRule("C008", "role-repeated", "A choice sends `role` again after its first delta", E, doc(
        what="Reports a delta that carries `role` for a choice that already had one. OpenAI's own audio-output streams resend `role: \"assistant\"` together with the audio, so a repeated, unchanged role in a delta that carries `audio` is accepted.",
        why=f"openai-python concatenates every string it sees twice ({PY_DELTAS}): the message role becomes `assistantassistant`, and a client that checks `role == \"assistant\"` drops the message. A role that changes value turns the message into another author's.",
        example='Every chunk carries `"delta": {"role": "assistant", "content": "…"}`.',
        instead="Send `role` in the first delta of a choice only.",
        refs=f"{OPENAI_CHAT} (accumulation semantics); {PY_DELTAS}")),
    ChatRule("C009", "tool-call-index-invalid", "A tool call delta has a missing, negative or skipped `index`", E, doc(
        what="Reports a `delta.tool_calls[]` entry without an integer `index`, with a negative one, or that opens a new tool call at another index than the next one (tool call indexes start at 0 and are dense within a choice).",
        why=f"openai-python merges tool calls by `index` ({PY_DELTAS}): without one it raises `RuntimeError` (\"Expected list delta entry to have an `index` key\"); a skipped index is inserted at the wrong position and its later deltas become new, nameless tool calls. openai-node 7.5 throws `invalid tool call index`.",
        example="Two parallel calls sent at `index` 0 and 2.",
        instead="Give the tool calls of a choice the indexes 0, 1, 2… in the order they start.",
        refs=f"{OPENAI_CHAT} (accumulation semantics); {PY_DELTAS}; {NODE}")),
    ChatRule("C010", "tool-call-start-incomplete", "A new tool call does not start with `id`, `type` and `function.name`", E, doc(
        what="Reports the first delta of a tool call (a new `index`) that lacks `id`, `type` or `function.name` (`custom.name` for custom tools).",
        why="Both SDKs emit argument events only for tool calls whose `type` is known, so the fragments before a late `type` are missing from `tool_calls.function.arguments.delta`; openai-node's `finalChatCompletion()` throws `missing choices[0].tool_calls[0].id` (`.type`, `.function.name`) when they never come. Without an id the tool result cannot be sent back.",
        example='`"tool_calls": [{"index": 0, "function": {"arguments": "{\\"city\\""}}]` as the first delta of the call.',
        instead='Start each tool call with `{"index": i, "id": "call_…", "type": "function", "function": {"name": "…", "arguments": ""}}`.',
        refs=f"{OPENAI_CHAT} (conventions); {PY_STREAM} `_build_events`; {NODE} `finalizeChatCompletion`")),
    ChatRule("C011", "tool-call-identity-repeated", "A tool call delta repeats the call's `id` or `function.name`", E, doc(
        what="Reports, once per stream, a later delta of a tool call that sends its `id` or `function.name` again (an identical `type` is harmless: the SDKs overwrite `type`).",
        why=f"openai-python concatenates strings it receives twice ({PY_DELTAS}): the call id becomes `call_xcall_x` and the function name `get_weatherget_weather`, so the tool is not found and the tool result is sent back under an id the model never issued.",
        example='Every delta of call 0 carries `"id": "call_x", "function": {"name": "get_weather", "arguments": "…"}`.',
        instead="After the first delta of a tool call, send only `index` and `function.arguments` fragments.",
        refs=f"{OPENAI_CHAT} (conventions); {PY_DELTAS}")),
    ChatRule("C012", "tool-call-identity-changed", "A tool call delta changes the call's `id`, `type` or name", E, doc(
        what="Reports a delta for an existing tool call `index` whose `id`, `type` or `function.name` differs from the one the call started with — typically a second parallel call sent at the same `index` (a server that always uses `index: 0`) — including a continuation delta that sends `\"type\": null`.",
        why="openai-node 7.5 throws `changed tool call identity`. A continuation with `\"type\": null` makes openai-python's `ChatCompletionStreamState` raise `AssertionError`: its `accumulate_delta` overwrites `type` with whatever a delta sends. openai-python merges the second call into the first: ids and names are concatenated (`call_acall_b`) and the arguments become `{\"a\":1}{\"b\":2}`, which no tool can parse; one of the calls is lost either way.",
        example='`{"index":0,"id":"call_a","function":{"name":"get_weather",…}}` then `{"index":0,"id":"call_b","function":{"name":"get_time",…}}`.',
        instead="Give each parallel tool call its own `index`.",
        refs=f"{OPENAI_CHAT} (accumulation semantics); {PY_DELTAS}; {NODE}")),
    ChatRule("C013", "tool-call-interleaved", "A tool call gets a delta after the next tool call started", E, doc(
        what="Reports an arguments delta for a tool call after a delta for another tool call of the same choice (the SDKs treat a new `index` as the end of the previous call).",
        why="openai-python (`ChoiceEventState`) and openai-node emit `tool_calls.function.arguments.done` for a call as soon as a delta for another index arrives; fragments sent later are missing from that event, and agents that run the tool on `done` run it with truncated arguments.",
        example="Deltas for call 0, call 1, then call 0 again.",
        instead="Stream the tool calls of a choice one after the other.",
        refs=f"{PY_STREAM} `ChoiceEventState.get_done_events`; {NODE} `#addChunk`")),
    ChatRule("C014", "tool-call-arguments-invalid-json", "A tool call's accumulated arguments are not valid JSON", W, doc(
        what="Reports, at the end of the stream, a `function` tool call whose concatenated `function.arguments` fragments do not parse as JSON (empty arguments included). Calls of a choice that ended with `length` or `content_filter`, or never ended, are not checked: their arguments were cut short.",
        why="Agents `json.loads` the arguments before they run the tool; openai-python's `parse_function_tool_arguments` and openai-node's `JSON.parse` for strict tools raise. Models can emit bad JSON without any server defect, so this is a warning (an error under `strict`); a server that drops, duplicates or reorders fragments shows up here too.",
        example='Fragments `{"city":` and `"Paris"` and nothing else: `{"city":"Paris"`.',
        instead='Stream fragments that add up to a JSON object; send `"{}"` for a call without arguments.',
        refs=f"{OPENAI_CHAT} (`ToolCallDelta`); {PY_STREAM}; {NODE} `#emitToolCallDoneEvent`")),
    ChatRule("C015", "finish-reason-missing", "A choice never gets a `finish_reason`", E, doc(
        what="Reports, at the end of the stream, a choice that no chunk gave a `finish_reason`. Choices that stream audio (`delta.audio`) are exempt: OpenAI's audio-output streams never send one. A stream that ended with an `error` object is reported as C024 instead.",
        why="openai-node's `finalChatCompletion()` throws `missing finish_reason for choice 0`, and the SDKs' `content.done` / `arguments.done` events fire on `finish_reason`, so they never fire. Clients cannot tell a finished answer from a cut connection, and agent loops do not know whether to run tools (GitHub Copilot CLI: `Execution failed: missing finish_reason for choice 0`).",
        example="A tool call stream whose last chunk before the usage chunk still has `\"finish_reason\": null`.",
        instead="End every choice with one chunk carrying `finish_reason` (`stop`, `length`, `tool_calls`, `content_filter`), usually with an empty `delta`.",
        refs=f"{OPENAI_CHAT}; {NODE} `finalizeChatCompletion`; {PY_STREAM} `ChoiceEventState`")),
    ChatRule("C016", "finish-reason-invalid", "A `finish_reason` outside the allowed set", E, doc(
        what="Reports a `finish_reason` other than `stop`, `length`, `tool_calls`, `content_filter` and `function_call` (an empty string is read as null, like the SDKs do).",
        why="Clients switch on the value: an unknown one (`eos`, `end_turn`, `tool_use`, `error`) falls through, so tool calls are not run or a truncated answer is shown as complete; typed clients (pydantic models, Zod schemas of the Vercel AI SDK) reject the chunk.",
        example='`"finish_reason": "eos"`',
        instead="Map the model's stop reason to one of the five values.",
        refs=f"{OPENAI_CHAT} (`Choice`); {PY_TYPES}")),
    ChatRule("C017", "delta-after-finish-reason", "A choice gets output or another `finish_reason` after its `finish_reason`", E, doc(
        what="Reports, once per choice, a chunk that sends text, tool calls or a second `finish_reason` for a choice that already finished. Metadata-only chunks (empty deltas, `content_filter_results`, `audio.expires_at`) are accepted.",
        why="The SDKs emit `content.done`, `refusal.done` and `tool_calls.function.arguments.done` when the `finish_reason` arrives; text sent afterwards is missing from those events, and a second `finish_reason` overwrites the first, so the reason a client logs depends on when it looked.",
        example='Two consecutive chunks with `"finish_reason": "length"`, the second with `"delta": {"role": "assistant", "content": ""}`.',
        instead="Send `finish_reason` once per choice, on the choice's last chunk.",
        refs=f"{PY_STREAM} `ChoiceEventState.get_done_events`; {NODE} `#addChunk`")),
    ChatRule("C018", "finish-reason-tool-calls-mismatch", "`finish_reason` does not say `tool_calls` although tool calls were streamed (or the reverse)", W, doc(
        what="Reports a choice that streamed tool calls and finished with `stop`, or finished with `tool_calls` without streaming any (likewise `function_call` for the deprecated `delta.function_call`).",
        why="Agent loops decide on `finish_reason == \"tool_calls\"` whether to run tools and call the model again: with `stop` the calls are never run, with `tool_calls` and no calls the loop finds nothing to run. OpenAI itself finishes with `stop` when `tool_choice` forces a named function, so this is a warning (an error under `strict`).",
        example="Deltas for tool call 0, then `\"finish_reason\": \"stop\"`.",
        instead="Finish with `tool_calls` exactly when the choice streamed tool calls.",
        refs=OPENAI_CHAT + " (`Choice.finish_reason` docstring: \"`tool_calls` if the model called a tool\")")),
    ChatRule("C019", "usage-not-last", "Output follows the usage chunk", E, doc(
        what="Reports a chunk with text, tool calls or a `finish_reason` after the last chunk that carried `usage`. Chunks that only carry metadata after it — OpenAI's `moderation` chunk, the `audio.expires_at` of audio output, Azure filter annotations — are accepted.",
        why=f"With `include_usage` the usage chunk is \"an additional chunk streamed before the `data: [DONE]` message\" ({PY_USAGE}). openai-python takes `usage` from the last chunk it accumulated (`completion_snapshot.usage = chunk.usage`), so output after the usage chunk resets usage to null, and clients that stop reading at the usage chunk lose that output.",
        example="The usage chunk (`choices: []`), then a chunk with `finish_reason: \"stop\"`.",
        instead="Send all choices' output and finish reasons first, then the usage chunk, then `data: [DONE]`.",
        refs=f"{OPENAI_CHAT} (terminator and usage chunk); {PY_USAGE}; {PY_STREAM} `_accumulate_chunk`")),
    ChatRule("C020", "usage-with-choices", "`usage` arrives on a chunk that also carries choices", W, doc(
        what="Reports, once per stream, a non-null `usage` on a chunk whose `choices` is not empty.",
        why=f"The usage chunk has `\"choices\": []` and all other chunks have `\"usage\": null` ({PY_USAGE}). Clients written to that contract (`if not chunk.choices: usage = chunk.usage`, or `chunk.choices[0]` only while usage is null) miss the usage or mistake the chunk for the last one. Nothing is lost for the SDKs, so it is a warning (an error under `strict`).",
        example='The chunk with `"finish_reason": "stop"` also carries `"usage": {…}`.',
        instead="Send usage on its own chunk with `\"choices\": []`.",
        refs=f"{OPENAI_CHAT} (terminator and usage chunk); {PY_USAGE}")),
    ChatRule("C021", "usage-mismatch", "`usage` does not add up", E, doc(
        what="Reports, once per stream, a usage whose `total_tokens` is not `prompt_tokens + completion_tokens`, or a detail (`prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`, …) larger than the total it is part of.",
        why="Billing, quota and cost dashboards add these fields up or subtract the details from the totals: a wrong total over- or under-charges, a detail above its total goes negative.",
        example='`{"prompt_tokens": 14, "completion_tokens": 50, "total_tokens": 60}`',
        instead="Set `total_tokens = prompt_tokens + completion_tokens` and count details as parts of their totals.",
        refs=OPENAI_CHAT + " (`CompletionUsage`); openai-python `types/completion_usage.py`")),
    ChatRule("C022", "usage-missing", "The stream has no usage chunk", None, doc(
        what="Reports a stream in which no chunk carries `usage` (`strict` only: usage is sent only when the request asks for it with `stream_options.include_usage`, which a captured stream does not show).",
        why="Clients that requested usage get none: token accounting, rate limiting and cost tracking record zero. A stream cut off before its end loses the usage chunk too.",
        example="A stream that ends with the `finish_reason` chunk and `data: [DONE]`.",
        instead='Honour `"stream_options": {"include_usage": true}`: send the usage chunk with `"choices": []` before `data: [DONE]`.',
        refs=f"{OPENAI_CHAT} (terminator and usage chunk); {PY_USAGE}"), profiles={"strict": E}),
    ChatRule("C023", "chat-done-missing", "The SSE chat stream does not end with `data: [DONE]`", E, doc(
        what="Reports a Chat Completions stream read as SSE that ends without the `data: [DONE]` terminator (JSONL and JSON-array captures store parsed chunks and have no place for it). A stream that ended with an `error` object is reported as C024 instead.",
        why=f"OpenAI always ends chat streams with `data: [DONE]`, and clients read until it: openai-python stops at it ({PY_SSE}), others treat a stream without it as cut off and retry or report an error. A cut connection looks exactly like this.",
        example="A stream whose last block is the usage chunk.",
        instead="End every chat stream with `data: [DONE]` and a blank line.",
        refs=f"{OPENAI_CHAT} (terminator and usage chunk); {PY_SSE}")),
    ChatRule("C025", "list-delta-without-index", "A list-valued delta field repeats with elements that carry no `index`", E, doc(
        what="Reports a delta field other than `tool_calls` whose value is a list of objects without an integer `index` (OpenRouter's `reasoning_details`, `annotations`) when the same choice already received a list of objects in that field.",
        why=f"openai-python merges list-valued delta fields element by element by `index` ({PY_STREAM}, `lib/streaming/_deltas.py` `accumulate_delta`): on the second such list it raises `RuntimeError: Expected list delta entry to have an `index` key` and the stream is lost (corpus: `chat__pydantic-ai__openrouter-web-annotations.sse`).",
        example='Two chunks with `"delta": {"annotations": [{"type": "url_citation", …}]}`, neither element with an `index`.',
        instead="Give every element of a streamed list an `index` (its position in the accumulated list), as `tool_calls` do, or send the whole list in one chunk.",
        refs=f"{PY_STREAM}; openai-python `lib/streaming/_deltas.py`")),
    ChatRule("C024", "error-in-stream", "An `error` object arrives inside the chat stream", E, doc(
        what="Reports a chunk or SSE event whose data carries a non-empty `error` object (for example `data: {\"error\": {\"message\": …}}` or an `event: error` block). The stream is not checked further: clients stop there, so a missing `finish_reason` or `[DONE]` after it is not reported again.",
        why=f"openai-python raises `APIError` on any event with an `error` key ({PY_SSE}); the answer streamed so far is lost, although the HTTP status was 200, so retries and monitoring keyed on the status miss it.",
        example='`data: {"error": {"code": 400, "message": "Token limit reached"}, "choices": [...]}`',
        instead="Validate the request before streaming and answer errors with an HTTP error status. A failure after the first chunk can only be reported this way: send the error object, then close the stream.",
        refs=f"{OPENAI_CHAT} (`[DONE]` handling); {PY_SSE}")),
)


# -- list-valued delta fields -----------------------------------------------------------------

def list_delta(ctx: Any, choice: Choice, key: str, value: list, at: int) -> None:
    """A list in a delta field the SDKs merge by element `index` (not `tool_calls`)."""
    if choice.object_lists.get(key) and any(
            type(entry) is not dict or type(entry.get("index")) is not int for entry in value):
        ctx.report("C025", f"delta.{key} of choice {choice.index} repeats a list whose elements "
                   "carry no index: openai-python raises on it", f"/choices/{at}/delta/{key}",
                   key=("C025", choice.index, key))
    if not choice.object_lists.get(key):
        choice.object_lists[key] = any(not isinstance(entry, (str, int, float))
                                       for entry in value)


# -- identity ----------------------------------------------------------------------------------

#: Above this `created` counts milliseconds (10^11 seconds is the year 5138).
_MAX_CREATED = 10**11


def check_first_chunk(ctx: Any, chunk: dict) -> None:
    """C026/C027: the identity the first chunk gives the completion."""
    created = chunk.get("created")
    if type(created) is int and (created <= 0 or created > _MAX_CREATED):
        what = "0" if created == 0 else f"{created} (milliseconds?)" if created > 0 else \
            str(created)
        ctx.report("C026", f"created is {what}, not a Unix time in seconds", "/created",
                   key=("C026",))
    if chunk.get("id") == "":
        ctx.report("C027", "the chunk id is empty", "/id", key=("C027",))

def check_identity(ctx: Any, state: ChatState, chunk: dict) -> None:
    """A chunk whose id, created, model or system_fingerprint differs from the first chunk's."""
    new_id = chunk.get("id")
    if new_id != state.id:
        expected = state.id if isinstance(state.id, str) else repr(state.id)
        ctx.report("C003", f"chunk id differs from the first chunk's: "
                   f"{describe_mismatch(expected, new_id)}", "/id", key=("C003",))
    for field in ("created", "model"):
        old, new = getattr(state, field), chunk.get(field)
        if new != old:
            ctx.report("C004", f"{field} changes from {old!r} (first chunk) to {new!r}",
                       "/" + field, key=("C004", field))
    fingerprint = chunk.get("system_fingerprint")
    if fingerprint and fingerprint != state.system_fingerprint:
        if not state.system_fingerprint:  # compared where present: the first one seen counts
            state.system_fingerprint = fingerprint
            return
        ctx.report("C004", f"system_fingerprint changes from {state.system_fingerprint!r} to "
                   f"{fingerprint!r}", "/system_fingerprint", key=("C004", "system_fingerprint"))


# -- choices -----------------------------------------------------------------------------------

def start_choice(ctx: Any, state: ChatState, entry: dict, index: Any, at: int) -> Choice | None:
    """The first delta of a choice: a dense index and a role."""
    pointer = f"/choices/{at}/index"
    if type(index) is not int or index < 0:
        ctx.report("C006", f"choice with index {index!r}: choice indexes are integers from 0",
                   pointer, key=("C006", repr(index)))
        return None
    if index != len(state.choices):
        ctx.report("C006", f"choice index {index}, but the stream has {len(state.choices)} "
                   f"choice(s): a new choice takes index {len(state.choices)}", pointer,
                   key=("C006", index))
        return None
    delta = entry.get("delta")
    if not (type(delta) is dict and delta.get("role")):
        ctx.report("C007", f"choice {index} starts without delta.role", f"/choices/{at}/delta")
    choice = Choice(index=index, role=None, at=(ctx.line, ctx.index))
    state.choices.append(choice)
    return choice


def role_repeated(ctx: Any, choice: Choice, delta: dict, at: int) -> None:
    """`role` in a later delta: accepted only unchanged alongside audio (OpenAI audio output)."""
    role = delta["role"]
    if role == choice.role and "audio" in delta:
        return
    change = "again" if role == choice.role else f"changed from {choice.role!r} to {role!r}"
    ctx.report("C008", f"choice {choice.index} sends role {role!r} {change}; openai-python "
               "concatenates repeated roles", f"/choices/{at}/delta/role", key=("C008",))


def finish(ctx: Any, choice: Choice, reason: Any, at: int) -> None:
    """A `finish_reason`: once per choice, from the allowed set, matching the tool calls."""
    pointer = f"/choices/{at}/finish_reason"
    if choice.finish_at is not None:
        ctx.report("C017", f"choice {choice.index} gets a second finish_reason {shown(reason)} "
                   f"(the first was {shown(choice.finish_reason)})", pointer,
                   key=("C017", choice.index))
        return
    choice.finish_reason = reason
    choice.finish_at = (ctx.line, ctx.index)
    if type(reason) is not str or reason not in FINISH_REASONS:  # any JSON value may come
        ctx.report("C016", f"finish_reason {shown(reason)} is not one of "
                   f"{', '.join(sorted(FINISH_REASONS))}", pointer)
        return
    calls = len(choice.tool_calls)
    if reason == "stop" and (calls or choice.function_call):
        streamed = f"{calls} tool call(s)" if calls else "a function_call"
        ctx.report("C018", f"choice {choice.index} streamed {streamed} but finishes with 'stop'",
                   pointer)
    elif (reason == "tool_calls" and not calls) or (
            reason == "function_call" and not choice.function_call):
        ctx.report("C018", f"choice {choice.index} finishes with {reason!r} but streamed no "
                   f"{'tool call' if reason == 'tool_calls' else 'function_call'}", pointer)


def shown(value: Any) -> str:
    """A value from the stream for a message: strings quoted, anything else by its JSON type."""
    if value is None or type(value) in (str, bool, int, float):
        return repr(value)[:80]
    return f"(a JSON {'array' if type(value) is list else 'object'})"


def carries_output(entry: Any) -> bool:
    """Whether a `choices[]` entry carries text, tool calls or a finish_reason (not metadata)."""
    if type(entry) is not dict:
        return False
    return bool(entry.get("finish_reason")) or delta_carries_output(entry.get("delta"))


def delta_carries_output(delta: Any) -> bool:
    """Whether a delta carries text or tool calls (not only a role or metadata)."""
    if type(delta) is not dict:
        return False
    if any(delta.get(key) for key in TEXT_KEYS) or delta.get("tool_calls") or delta.get(
            "function_call"):
        return True
    audio = delta.get("audio")
    return type(audio) is dict and bool(audio.get("data") or audio.get("transcript"))


# -- tool calls --------------------------------------------------------------------------------

def _name_and_fragment(call: dict) -> tuple[str, Any, Any]:
    """(name field, name, arguments fragment) of a tool call delta (`function` or `custom`)."""
    fn = call.get("function")
    if type(fn) is dict:
        return "function.name", fn.get("name"), fn.get("arguments")
    custom = call.get("custom")
    if type(custom) is dict:
        return "custom.name", custom.get("name"), custom.get("input")
    return "function.name", None, None


def tool_call_delta(ctx: Any, choice: Choice, delta: Any, pointer: str) -> None:
    """One `delta.tool_calls[]` entry: start a call at the next index, or continue one."""
    if type(delta) is not dict:
        return  # schema finding
    index = delta.get("index")
    calls = choice.tool_calls
    name_field, name, fragment = _name_and_fragment(delta)
    if type(index) is int and 0 <= index < len(calls):
        call = calls[index]
        if index != choice.current_tool:
            ctx.report("C013", f"tool call {index} of choice {choice.index} gets a delta after "
                       f"tool call {choice.current_tool} started", pointer + "/index",
                       key=("C013", choice.index, index))
            choice.current_tool = index
        if "id" in delta or "type" in delta or name:
            _continue_identity(ctx, choice, call, delta, name_field, name, pointer)
    elif type(index) is int and index == len(calls):
        call = _start_call(ctx, choice, delta, name_field, name, pointer)
    else:
        _bad_index(ctx, choice, index, pointer)
        return
    if type(fragment) is str and fragment:
        call.arguments.append(fragment)


def _start_call(ctx: Any, choice: Choice, delta: dict, name_field: str, name: Any,
                pointer: str) -> ToolCall:
    missing = [field for field, value in (("id", delta.get("id")), ("type", delta.get("type")),
                                          (name_field, name)) if not value]
    index = len(choice.tool_calls)
    if missing:
        ctx.report("C010", f"tool call {index} of choice {choice.index} starts without "
                   f"{', '.join(missing)}", pointer, key=("C010", choice.index, index))
    call = ToolCall(index=index, id=delta.get("id") or None, type=delta.get("type") or None,
                    name=name or None, at=(ctx.line, ctx.index))
    choice.tool_calls.append(call)
    choice.current_tool = index
    return call


def _continue_identity(ctx: Any, choice: Choice, call: ToolCall, delta: dict, name_field: str,
                       name: Any, pointer: str) -> None:
    """A later delta of a call that sends id/type/name: a late start, a repeat or a change."""
    changed, repeated = [], []
    for field, attr, new in (("id", "id", delta.get("id")), ("type", "type", delta.get("type")),
                             (name_field, "name", name)):
        old = getattr(call, attr)
        if not new:
            continue
        if old is None:
            setattr(call, attr, new)  # arrives late: C010 said so
        elif new != old:
            changed.append(f"{field} {old!r} -> {new!r}")
        elif field != "type":
            repeated.append(f"{field} {new!r}")
    label = f"tool call {call.index} of choice {choice.index}"
    if "type" in delta and delta["type"] is None and call.type is not None:
        # openai-python's accumulate_delta overwrites `type` (a union discriminator) with any
        # value, null included, then asserts `tool_call.type == "function"`.
        ctx.report("C012", f"{label}: a later delta sends \"type\": null; openai-python "
                   f"overwrites the call's type {call.type!r} with it and fails an assertion",
                   pointer + "/type", key=("C012", choice.index, call.index))
    if changed:
        call.merged = True
        ctx.report("C012", f"{label} changes its identity: {', '.join(changed)} (a second call "
                   "sent at the same index?)", pointer, key=("C012", choice.index, call.index))
    elif repeated:
        ctx.report("C011", f"{label} repeats {' and '.join(repeated)}; openai-python "
                   "concatenates it", pointer, key=("C011",))


def _bad_index(ctx: Any, choice: Choice, index: Any, pointer: str) -> None:
    calls = len(choice.tool_calls)
    if type(index) is not int or index < 0:
        message = f"tool call delta with index {index!r}: tool call indexes are integers from 0"
    else:
        message = (f"tool call index {index}, but choice {choice.index} has {calls} tool "
                   f"call(s): a new tool call takes index {calls}")
    ctx.report("C009", message, pointer + "/index", key=("C009", choice.index, repr(index)))


# -- usage -------------------------------------------------------------------------------------

def check_usage(ctx: Any, state: ChatState, usage: Any, choices: Any) -> None:
    """A chunk with a non-null `usage`: on a chunk of its own, adding up."""
    state.usage_at = (ctx.line, ctx.index)
    state.usage = usage
    state.output_after_usage = None
    if choices:
        ctx.report("C020", "usage arrives on a chunk with choices; the usage chunk has "
                   "\"choices\": []", "/usage", key=("C020",))
    if type(usage) is not dict:
        return  # schema finding
    total, prompt, completion = (usage.get(k) for k in ("total_tokens", "prompt_tokens",
                                                        "completion_tokens"))
    if _ints(total, prompt, completion) and total != prompt + completion:
        ctx.report("C021", f"usage.total_tokens is {total}, but prompt_tokens + "
                   f"completion_tokens = {prompt} + {completion} = {prompt + completion}",
                   "/usage/total_tokens", key=("C021",))
    for total_key, (details_key, keys) in _DETAILS.items():
        details = usage.get(details_key)
        if type(details) is not dict or not _ints(usage.get(total_key)):
            continue
        for key in keys:
            part = details.get(key)
            if _ints(part) and part > usage[total_key]:
                ctx.report("C021", f"usage.{details_key}.{key} ({part}) is larger than "
                           f"usage.{total_key} ({usage[total_key]})",
                           f"/usage/{details_key}/{key}", key=("C021",))


def _ints(*values: Any) -> bool:
    return all(type(v) is int for v in values)


# -- end of stream -----------------------------------------------------------------------------

def check_end(ctx: Any, state: ChatState) -> None:
    """End of stream: finish reasons, arguments, usage position and presence, `[DONE]`."""
    if state.output_after_usage is not None:
        ctx.report("C019", "output after the usage chunk: usage must come last",
                   None, at=state.output_after_usage)
    if state.errored or not state.chunks:
        return
    for choice in state.choices:
        if choice.finish_at is None:
            if not choice.audio:
                ctx.report("C015", f"choice {choice.index} never gets a finish_reason", None,
                           at=None)
        elif choice.finish_reason not in _CUT_SHORT:
            for call in choice.tool_calls:
                _check_arguments(ctx, choice, call)
    if state.usage_at is None:
        ctx.report("C022", "no chunk carries usage", None, at=None)
    if ctx.input_format == "sse" and not ctx.done_seen:
        ctx.report("C023", "the SSE stream does not end with data: [DONE]", None, at=None)


def _check_arguments(ctx: Any, choice: Choice, call: ToolCall) -> None:
    if call.merged or call.type not in ("function", None):
        return
    arguments = call.arguments.value()
    try:
        json.loads(arguments)
    except ValueError as exc:
        ctx.report("C014", f"the arguments of tool call {call.index} ({call.name!r}) of choice "
                   f"{choice.index} are not valid JSON ({exc}): {_quote(arguments)}", None,
                   at=call.at)
