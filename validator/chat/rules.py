"""C: the rules of Chat Completions chunks — one completion identity, choices and tool calls that
accumulate the way the SDKs merge them, one `finish_reason` per choice, usage last, `data: [DONE]`
at the end.

openai-python merges every delta into a snapshot with `accumulate_delta` (strings concatenated,
lists of dicts merged by `index`), so a repeated `id` becomes `call_xcall_x` and two calls sent at
one `index` become `{..}{..}`; openai-node's `ChatCompletionStream` throws at the end of a stream
without `finish_reason` or `role`.  The checks follow those two clients.

Catalogue data only: the codes are reported by ``state.py`` (what the transitions meet) and the
checks beside it (``chunk``, ``choices``, ``tool_calls``, ``usage``).
"""

from __future__ import annotations

from functools import partial

from ..result import Severity
from ..rules._rule import OPENAI_CHAT, OPENAI_EVENTS, Rule, doc

__all__ = ["RULES"]

E, W = Severity.ERROR, Severity.WARNING
PY_DELTAS = "openai-python `lib/streaming/_deltas.py` (`accumulate_delta`)"
PY_STREAM = "openai-python `lib/streaming/chat/_completions.py` (`ChatCompletionStreamState`)"
PY_SSE = "openai-python `_streaming.py`"
PY_TYPES = "openai-python `types/chat/chat_completion_chunk.py`"
PY_USAGE = "openai-python `types/chat/chat_completion_stream_options_param.py` (`include_usage`)"
NODE = "openai-node `src/lib/ChatCompletionStream.ts`"

#: A rule of Chat Completions streams.
ChatRule = partial(Rule, kind="chat")

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
