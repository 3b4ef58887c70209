"""D: differences — what a gateway's downstream stream lost, added or changed against the
upstream stream it translated (`stream-validator diff UPSTREAM DOWNSTREAM`, and `check
--upstream`).

Each stream may pass every single-stream rule: a bridge that drops a tool call or the end of
the text can emit a perfectly conformant stream.  These findings compare the two answers as
``validator/content.py`` reduces them, across kinds; ``validator/diff.py`` finds them.  They
need a pair of streams, so their samples are pairs: ``samples/diff/CODE-name/upstream.*`` and
``downstream.*``."""

from __future__ import annotations

from ..result import Severity
from ._rule import Rule, doc

__all__ = ["FAMILY", "RULES"]

FAMILY = "D"

E, W = Severity.ERROR, Severity.WARNING
CONTENT = "`validator/content.py` (what each kind's stream reduces to)"
CHAT_ACC = "openai-python `lib/streaming/chat/_completions.py` (`ChatCompletionStreamState`)"
RESP_ACC = "openai-python `lib/streaming/responses/_responses.py` (`ResponseStreamState`)"

RULES = (
    Rule("D001", "text-differs", "The downstream message text is not the upstream's", E, doc(
        what="Joins the message text of each side (Responses `output_text` parts, the chat choice's `content`, Anthropic `text` blocks: how the text is split into parts or blocks does not count) and reports the first offset where they differ, with a short quote of both: text dropped, cut short, extended, or changed in the middle. The finding points at the part, choice or block that carries that offset on each side.",
        why="The user reads a different answer than the model wrote, and nothing tells them: the downstream stream is well-formed, so every client accepts it. A bridge that stops relaying at its own buffer size or at the first `finish_reason` cuts the answer short; one that re-encodes text mangles characters.",
        example="Upstream chat content `'Hello there! How can I help?'`, downstream Responses `output_text` `'Hello there!'`: cut short at offset 12.",
        instead="Relay every delta's text unchanged, to the last one, whatever the target kind.",
        refs=f"{CONTENT}; {CHAT_ACC}; {RESP_ACC}"), kind="any"),
    Rule("D002", "refusal-differs", "The downstream refusal is not the upstream's", E, doc(
        what="Compares the refusal text of both sides (Responses `refusal` parts, chat `delta.refusal`) like D001 compares the message text: dropped, cut short, changed, or a refusal the upstream never sent. Not compared when the downstream's kind has no refusal channel (Anthropic Messages signals it with `stop_reason: \"refusal\"`, see D010).",
        why="Clients show a refusal differently from an answer (openai-python's `message.refusal`, a structured-output parse that raises on it). A bridge that moves the refusal into the content makes the application parse a refusal as its answer; one that drops it shows an empty answer.",
        example="Upstream chat `delta.refusal` `'I can't help with that.'`, downstream Responses stream with an `output_text` part holding it.",
        instead="Map a refusal to the target kind's refusal field.",
        refs=f"{CONTENT}; openai-python `types/chat/chat_completion_chunk.py` (`ChoiceDelta.refusal`)"), kind="any"),
    Rule("D003", "tool-call-dropped", "A tool call of the upstream is missing downstream", E, doc(
        what="Aligns the tool calls of both sides (by call id, or by name where the gateway rewrote every id) and reports an upstream call with no downstream counterpart.",
        why="The agent never runs the tool the model called, and the conversation stalls or the model's next turn refers to a result that never came. This is the most reported gateway loss of 2026 (a Chat-to-Responses-to-Anthropic chain dropping the second of two parallel calls).",
        example="Upstream: two parallel `function_call` items `get_weather` and `get_time`; downstream chat: only `tool_calls[0]`.",
        instead="Translate every tool call, parallel ones included, each at its own index.",
        refs=f"{CONTENT}; Wei-Shaw/sub2api #4286"), kind="any"),
    Rule("D004", "tool-call-added", "The downstream has a tool call the upstream did not make", E, doc(
        what="Reports a downstream tool call with no upstream counterpart after alignment (see D003).",
        why="The client runs a tool the model never called: a duplicated call runs a side effect twice (a payment, a message sent), a spurious empty call fails the agent loop.",
        example="A bridge that emits one tool call per arguments fragment: three calls downstream for one upstream.",
        instead="Emit one tool call per upstream call; merge the argument fragments of one call.",
        refs=f"{CONTENT}; openai-python `lib/streaming/_deltas.py` (`accumulate_delta`: calls merged by index)"), kind="any"),
    Rule("D005", "tool-call-renamed", "A tool call's name differs downstream", E, doc(
        what="Reports a pair of aligned tool calls whose names differ.",
        why="The client dispatches on the name: a renamed call (a prefix added, a namespace stripped, the name of another call) runs the wrong tool or fails with an unknown-tool error.",
        example="Upstream name `get_weather`, downstream `functions.get_weather`.",
        instead="Keep the name the model produced.",
        refs=f"{CONTENT}"), kind="any"),
    Rule("D006", "tool-arguments-differ", "A tool call's arguments are not JSON-equal downstream", E, doc(
        what="Parses the arguments of each pair of aligned tool calls as JSON (empty arguments are `{}`, what a client calls the tool with) and reports the first JSON Pointer where the values differ, with both values. Key order and whitespace do not count; `true` is not `1`. Arguments that are not JSON are compared as text.",
        why="The tool runs with other arguments than the model chose, or with none: LiteLLM's Responses-to-Anthropic adapter ignored `response.function_call_arguments.done`, so every tool call arrived with `input: {}`; a bridge that relays only the first fragment sends arguments that no longer parse.",
        example='Upstream `{"city": "Paris"}`, downstream `{}` (differs at `/city`: upstream `\'Paris\'`, downstream nothing).',
        instead="Relay every arguments fragment, or the complete arguments once, unchanged.",
        refs=f"{CONTENT}; BerriAI/litellm #25321, #20711, #25561"), kind="any"),
    Rule("D007", "tool-call-id-changed", "A tool call's call id differs downstream", W, doc(
        what="Reports a pair of aligned tool calls whose call ids differ (both present).",
        why="The client sends the tool's result back under the call id it got. A gateway that rewrites ids must map them back on the next request, or the upstream rejects the result (`No tool call found for function call output with call_id …`); a stateless rewrite breaks the second turn. A warning: a gateway that keeps a mapping works.",
        example="Upstream `call_M26z19sncd7b4LBgzKRRbaUE`, downstream `toolu_01`.",
        instead="Pass the upstream's call id through, or map it back reliably.",
        refs=f"{CONTENT}"), kind="any"),
    Rule("D008", "reasoning-dropped", "The upstream's reasoning is missing downstream", W, doc(
        what="Reports an upstream answer with reasoning text (Responses reasoning summaries or `reasoning_text`, chat `reasoning_content`/`reasoning`, Anthropic `thinking`) whose downstream has none, when the downstream's kind can carry reasoning.",
        why="The user or the application loses the model's reasoning: reasoning UIs show nothing, and an agent that feeds reasoning back (DeepSeek, Anthropic thinking) loses it on the next turn. A warning: some gateways drop reasoning on purpose.",
        example="Upstream chat with 400 characters of `reasoning_content`; downstream Responses with only the message item.",
        instead="Translate reasoning to the target kind's reasoning (a reasoning item's summary or content, a thinking block), or document that it is dropped.",
        refs=f"{CONTENT}; ggml-org/llama.cpp #18542"), kind="any"),
    Rule("D009", "reasoning-differs", "The downstream reasoning text is not the upstream's", W, doc(
        what="Reports reasoning whose downstream text (whitespace runs counted as one space) is neither the upstream's summaries, nor its raw reasoning text, nor both, with the first offset where it departs from them.",
        why="The reasoning shown or fed back is not what the model produced: cut short, mixed with the answer, or garbled.",
        example="Upstream summary `'**Planning** I will…'`, downstream `reasoning_content` `'**Planning**'`.",
        instead="Relay the reasoning text unchanged; joining summaries with blank lines is fine.",
        refs=f"{CONTENT}"), kind="any"),
    Rule("D010", "stop-condition-differs", "The downstream stops for another reason than the upstream", E, doc(
        what="Maps each side's stop condition to one vocabulary and reports a difference: `end` (Responses `completed`, chat `stop`, Anthropic `end_turn`/`stop_sequence`), `length` (`incomplete` with `max_output_tokens`, `length`, `max_tokens`), `tool_use` (a completed response with tool calls, `tool_calls`/`function_call`, `tool_use`), `content_filter` (`incomplete` with `content_filter`, `content_filter`, `refusal`), `error` (`failed`, an error event or chunk), or none (the stream never said).",
        why="Clients decide what to do next from it: an agent loop runs tools only on `tool_calls`/`tool_use`; a truncated answer mapped to `stop`/`completed` is shown as complete, and the client never asks for more (Bifrost dropped the truncation signal).",
        example="Upstream chat `finish_reason: \"length\"`, downstream Responses `response.completed`.",
        instead="Map the stop condition as the table in the README does: truncation stays truncation, a tool turn stays a tool turn.",
        refs=f"{CONTENT}; maximhq/bifrost #5149, #6081; BerriAI/litellm #34692"), kind="any"),
    Rule("D011", "usage-differs", "The downstream token usage is not the upstream's", W, doc(
        what="Compares input, output, reasoning and cached-input token counts (Anthropic's input counted with its cache reads and writes, like OpenAI's) and reports each that differs, or usage the downstream dropped. A count the downstream leaves out is reported when the upstream's was not 0.",
        why="Billing, quotas and context-window bookkeeping run on these numbers: a gateway that drops the usage chunk, zeroes the cache counters or swaps input and output makes every downstream cost report wrong. A warning: the answer itself is intact.",
        example="Upstream chat usage `prompt_tokens: 75, completion_tokens: 53`, downstream Responses `usage.input_tokens: 0`.",
        instead="Translate the usage field by field; ask the upstream for it (`stream_options.include_usage`) when the client's API always has it.",
        refs=f"{CONTENT}; BerriAI/litellm #31069"), kind="any"),
    Rule("D012", "server-tool-call-dropped", "A server-side tool call of the upstream is missing downstream", W, doc(
        what="Reports an upstream server-side tool call (Responses `web_search_call`, `file_search_call`, `code_interpreter_call`, `mcp_call`…) the downstream does not show, when the downstream's kind can carry one (not Chat Completions).",
        why="The answer is intact, but the client loses what the server did for it: citations' sources, the code that was run, the search that was made. UIs that show tool activity show none.",
        example="Upstream Responses stream with a `web_search_call` item before the message; downstream Responses stream with only the message.",
        instead="Relay the server tool items.",
        refs=f"{CONTENT}; openai-python `types/responses/response_output_item.py`"), kind="any"),
)
