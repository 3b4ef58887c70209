"""F: framing — the SSE/JSONL/JSON layer under the events: syntax, encoding, `event:` names,
and the `[DONE]` terminator.  Most F findings are made by `validator.framing` itself."""

from __future__ import annotations

from ..result import Severity
from ._rule import OPENAI_CHAT, OPENAI_EVENTS, UTF8, Rule, doc

__all__ = ["RULES"]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
OPENAI_SSE = "openai-python `_streaming.py`"
WHATWG = "[WHATWG HTML §9.2, server-sent events](https://html.spec.whatwg.org/multipage/server-sent-events.html)"

RULES = (
    Rule("F001", "invalid-json", "An event's data is not valid JSON", E, doc(
        what="Reports an SSE `data:` payload, a JSONL line or a JSON array element that does not parse as JSON (truncated lines, a Python repr, a line cut in the middle).",
        why=f"Every SDK decodes each event with a JSON parser ({OPENAI_SSE}: `sse.json()`); one bad event raises and ends the whole stream for the client.",
        example='`data: {"type":"response.output_text.delta","delta":"Hel`',
        instead="Send each event as one complete JSON object.",
        refs=WHATWG), kind="any"),
    Rule("F002", "event-not-object", "An event's data is JSON but not an object", E, doc(
        what="Reports an event whose JSON value is a string, number, array or null instead of an object.",
        why="Clients read `event.type` / `chunk.choices`; a non-object raises a type error.",
        example='`data: "hello"`',
        instead="Send every event as a JSON object with its `type` (or a chat chunk object).",
        refs=OPENAI_EVENTS), kind="any"),
    Rule("F003", "event-name-mismatch", "The SSE `event:` name differs from the data's `type`", E, doc(
        what="Reports an SSE block of a Responses stream whose `event:` field is not the `type` of its JSON data. `event: message` is the SSE default name, the same as no `event:` line, and is not a mismatch.",
        why="Clients that dispatch on the SSE event name (fetch-event-source style readers, browsers' `EventSource.addEventListener`, gateways and several SDKs) and clients that read `type` (openai-python, openai-node) then see two different streams: one shows a delta the other treats as the done event, or drops it. An error under every profile; Open Responses requires them to be equal.",
        example='`event: response.output_text.done` with `data: {"type":"response.output_text.delta",…}`',
        instead="Write `event: <type>` with the same value as the data's `type`, or leave `event:` out.",
        refs=f"Open Responses specification S2; {WHATWG} (the default event name `message`)")),
    Rule("F004", "incomplete-final-block", "The stream ends inside an SSE block", E, doc(
        what="Reports SSE input that ends after fields of a block but before the blank line that dispatches it.",
        why=f"Per {WHATWG} an undispatched block is discarded at end of stream: spec-following clients lose the last event (often the terminal one).",
        example="A capture whose last line is `data: {\"type\":\"response.completed\",…}` with no blank line after it.",
        instead="End every SSE block, the last one included, with a blank line.",
        refs=WHATWG), kind="any"),
    Rule("F005", "invalid-utf8", "Bytes that are not UTF-8", E, doc(
        what="Reports lines containing bytes that are not valid UTF-8.",
        why="Event streams are always UTF-8: openai-python decodes strictly and raises `UnicodeDecodeError`; browsers replace the bytes with U+FFFD and the text changes.",
        example="A Latin-1 encoded `é` (byte 0xE9) inside a delta.",
        instead="Encode the stream as UTF-8.",
        refs=WHATWG), kind="any"),
    Rule("F006", "done-missing", "The SSE stream does not end with `data: [DONE]`", None, doc(
        what="Reports an SSE Responses stream without the `data: [DONE]` terminator (Open Responses profile only: OpenAI does not send it on Responses streams).",
        why="Open Responses requires the literal `[DONE]` as the last event; clients of that spec wait for it.",
        example="A stream that ends with `response.completed`.",
        instead="Under Open Responses, end the stream with `data: [DONE]`.",
        refs="Open Responses specification S1; " + OPENAI_EVENTS), profiles={"open-responses": E}),
    Rule("F007", "event-after-done", "Data follows `data: [DONE]`", E, doc(
        what="Reports any event after the `[DONE]` terminator.",
        why=f"Clients stop reading at `[DONE]` ({OPENAI_SSE}); everything after it is lost.",
        example="`data: [DONE]` followed by `data: {…}`.",
        instead="Send `[DONE]` last.",
        refs=OPENAI_CHAT + " (terminator)"), kind="any"),
    Rule("F008", "block-without-data", "An SSE block has fields but no `data`", W, doc(
        what="Reports an SSE block such as `event: ping` followed by a blank line, without any `data:` line.",
        why=f"Spec-following clients drop it silently, but openai-python and httpx-sse yield it with empty data and then fail to parse it as JSON ({OPENAI_SSE}).",
        example="`event: ping` then a blank line.",
        instead="Use an SSE comment (`: ping`) for keep-alives.",
        refs=f"{WHATWG}"), kind="any"),
    Rule("F009", "line-too-long", "A line is longer than the configured limit", E, doc(
        what="Reports a line longer than `--max-line-bytes` (64 MB by default); the line is skipped so that memory stays bounded.",
        why="Clients buffer a whole line before parsing it; a runaway line exhausts their memory (openai-node caps iterators at 8 MiB).",
        example="A `data:` line of 100 MB.",
        instead="Split large payloads into deltas.",
        refs="openai-node `src/internal/responses/response-accumulator.ts` (caps)"), kind="any"),
    Rule("F010", "byte-order-mark", "The stream starts with a UTF-8 byte order mark", W, doc(
        what="Reports a UTF-8 BOM (EF BB BF) at the start of the stream.",
        why=f"{WHATWG} strips it, but openai-python, httpx-sse and sseclient-py do not: the first field name becomes `\\ufeffdata` and the first event (usually `response.created`) is lost.",
        example="`\\ufeffevent: response.created`",
        instead="Do not write a BOM.",
        refs=UTF8), kind="any"),
    Rule("F011", "unknown-sse-field", "An SSE field other than `event`, `data`, `id`, `retry`", INFO, doc(
        what="Notes an SSE line whose field name is not one of the four the spec defines (it is ignored by clients).",
        why="Usually a typo (`Data:`, `data :`) that silently drops content.",
        example="`Data: {…}`",
        instead="Use lower-case `data:`/`event:` exactly.",
        refs=WHATWG), kind="any"),
    Rule("F012", "invalid-retry", "An SSE `retry:` value is not a number", INFO, doc(
        what="Notes a `retry:` field whose value is not all ASCII digits (the spec ignores it).",
        why="The server's reconnection hint is lost.",
        example="`retry: 1000ms`",
        instead="`retry: 1000`",
        refs=WHATWG), kind="any"),
    Rule("F013", "sse-id-field", "The SSE stream sets `id:`", None, doc(
        what="Reports SSE `id:` fields (Open Responses and `strict`).",
        why="Open Responses says servers SHOULD NOT use `id`: resumption goes through `sequence_number` and `starting_after`, and `Last-Event-ID` reconnection is not supported.",
        example="`id: 7`",
        instead="Leave `id:` out.",
        refs="Open Responses specification S2"), profiles={"open-responses": W, "strict": W},
        kind="any"),
    Rule("F020", "event-too-deep", "An event is nested so deep that recursive JSON tools fail on it", E, doc(
        what="Reports an event whose JSON nests arrays or objects about a thousand levels deep: deep enough that Python's recursive tools (`json.loads`, `repr`, jsonschema) raise `RecursionError` on it, so its fields are not checked one by one. orjson reads up to 1024 levels; deeper data is F001.",
        why=f"openai-python decodes every SSE event with the standard library's `json.loads` ({OPENAI_SSE}: `ServerSentEvent.json()`), which raises `RecursionError` at about 1000 levels (less on a deep call stack): the client's stream ends with an exception, and the rest of the answer is lost. No real event needs more than a few dozen levels.",
        example='`data: {"type":"response.output_text.delta",…,"obfuscation":[[[[…1020 levels…]]]]}`',
        instead="Keep events shallow: the reference types nest at most about ten levels.",
        refs=f"{OPENAI_SSE}; CPython `json` (C scanner: `Py_EnterRecursiveCall`)"), kind="any"),
    Rule("F030", "not-an-event-stream", "A `.json` file that is not an array or lines of events", INFO, doc(
        what="Notes a `.json` file whose content is a JSON document other than events (`package.json`, `tsconfig.json`, a report): it is skipped, not linted as a stream.",
        why="A repository holds many `.json` files that are not captures; linting them as streams would bury the real findings under thousands of meaningless errors. The note says the file was looked at and why it was skipped.",
        example='`package.json`: `{"name": "web", "private": true}` spread over several lines.',
        instead="Nothing to fix if the file is not a capture. A capture saved as `.json` is a JSON array of events, or one event per line (JSON Lines).",
        refs="[RFC 8259](https://www.rfc-editor.org/rfc/rfc8259), [JSON Lines](https://jsonlines.org/)"), kind="any"),
)
