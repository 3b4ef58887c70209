"""H: HTTP transport — what `stream-validator check` sees before and around the stream: the
status code, the `Content-Type`, a server that stops sending, a connection that fails.

These findings come from the live HTTP exchange, not from the stream's bytes, so no capture file
can carry them: `lint` never reports them and they have no sample under `samples/invalid/`."""

from __future__ import annotations

from ..result import Severity
from ._rule import OPENAI_EVENTS, Rule, doc

__all__ = ["FAMILY", "RULES"]

FAMILY = "H"

E = Severity.ERROR
SDK = "openai-python `_base_client.py` / `_streaming.py`"

RULES = (
    Rule("H001", "http-status", "The server answered a streaming request with an HTTP error", E, doc(
        what="Reports a non-2xx HTTP status for a request that should have streamed (any 5xx, or a 4xx for a valid request). For a scenario that expects the request to be rejected, a 4xx is the right answer and only a 5xx is reported — except 404 and 405, which say that nothing answers at that URL or method (the message asks whether the base URL is right, e.g. whether it lacks `/v1`), not that the request was judged invalid.",
        why=f"The SDKs raise `APIStatusError` before reading any event ({SDK}); a 5xx for a client error makes clients retry a request that can never succeed.",
        example="`HTTP/1.1 500 Internal Server Error` for `POST /v1/responses` with `stream: true`.",
        instead="Answer a valid request with `200` and an event stream; reject an invalid one with a 4xx and a JSON `error` object.",
        refs="RFC 9110 §15 (status codes); openai-python `_exceptions.py` (`APIStatusError`)"), kind="any"),
    Rule("H002", "content-type", "A 2xx answer is not `text/event-stream`", E, doc(
        what="Reports a successful answer to a streaming request whose `Content-Type` is not `text/event-stream` (a JSON body, HTML from a proxy, no header). The body is not validated as a stream.",
        why="Per the WHATWG spec a non-`text/event-stream` MIME type fails an `EventSource`; gateways and proxies buffer or rewrite bodies they do not know to be streams, so events arrive late or not at all.",
        example="`Content-Type: application/json` with a complete, non-streamed response object.",
        instead="Send `Content-Type: text/event-stream` (a `charset` parameter is allowed and ignored).",
        refs="WHATWG HTML §9.2.3 (EventSource: MIME type)"), kind="any"),
    Rule("H003", "stream-timeout", "The server sent nothing for longer than the idle timeout", E, doc(
        what="Reports a connection that could not be opened, or a response that sent no byte, within `--timeout` seconds: before the headers, before the first event, or in the middle of the stream; and a stream still going after `--max-time` seconds (keep-alive comments forever).",
        why="A stalled stream hangs the client until its own timeout (openai-python: 600 s by default) and then raises; the user sees a frozen answer. A server under load should send SSE comments (`: keep-alive`) rather than nothing.",
        example="A stream that sends `response.output_text.delta` events and then stops without `response.completed`, keeping the connection open.",
        instead="Keep the stream moving (events or `: keep-alive` comments) and always end it with a terminal event.",
        refs="openai-python `_constants.py` (`DEFAULT_TIMEOUT`); " + OPENAI_EVENTS + " (terminal events)"), kind="any"),
    Rule("H004", "connection-failed", "The connection failed or broke before the stream ended", E, doc(
        what="Reports a connection that was refused or reset, a name that does not resolve, a TLS failure, or a body cut off before its HTTP framing ended (chunked encoding never terminated, fewer bytes than `Content-Length`).",
        why=f"The client gets a transport exception instead of events ({SDK}: `APIConnectionError`); whatever was streamed so far is lost.",
        example="The server closes the socket in the middle of a chunked body.",
        instead="Finish every response; answer errors with an HTTP status or a terminal `response.failed` event.",
        refs="RFC 9112 §7.1 (chunked transfer coding)"), kind="any"),
    Rule("H005", "error-body-in-event-stream", "An event stream's body is a JSON error, not events", E, doc(
        what="Reports a 2xx `text/event-stream` answer whose body is a JSON error object (`{\"error\": {…}}`, `{\"detail\": …}`) instead of SSE events, and quotes the relayed error. The body is read as SSE, as its `Content-Type` says: a stream without events.",
        why=f"The SDKs go by the `Content-Type` ({SDK}): they parse the body as SSE, find no event and end the stream; openai-python's `get_final_response()` raises `RuntimeError` (no `response.completed`) and the upstream's error message is never shown to anyone.",
        example="`HTTP/1.1 200 OK`, `Content-Type: text/event-stream`, body `{\"error\": {\"message\": \"model not found\"}}`.",
        instead="Send errors before the stream starts as an HTTP 4xx/5xx with a JSON body, or inside the stream as an `error` event (`response.failed`).",
        refs="WHATWG HTML §9.2 (event stream interpretation); " + OPENAI_EVENTS + " (`error`, `response.failed`)"), kind="any"),
    Rule("H010", "content-encoding-unreadable", "The body cannot be decoded with its `Content-Encoding`", E, doc(
        what="Reports an answer whose `Content-Encoding` the request did not accept (`check` sends `Accept-Encoding: gzip, deflate`; `br`, `zstd`, `compress`, stacked codings), or whose body is not valid data of its coding (a plain body labelled `gzip`, a gzip stream cut short). The body is not validated. `gzip` and `deflate` bodies are decoded incrementally and validated as the client sees them.",
        why="httpx (openai-python's transport) raises `DecodingError` on a body that is not what its `Content-Encoding` says, so the client gets an exception instead of events; a coding it does not support (`br` without the brotli package) is handed on undecoded, and the client's SSE parser reads compressed bytes. RFC 9110 lets a server use only codings the request accepts.",
        example="`Content-Encoding: gzip` on a plain `text/event-stream` body, or `Content-Encoding: br` answering `Accept-Encoding: gzip, deflate`.",
        instead="Compress only with a coding from the request's `Accept-Encoding`, and label the body with the coding it really has (or none).",
        refs="RFC 9110 §8.4 (Content-Encoding), §12.5.3 (Accept-Encoding); httpx `_decoders.py`"), kind="any"),
    Rule("H020", "anthropic-error-body", "An HTTP error from `/messages` without an Anthropic error body", E, doc(
        what="Reports an HTTP error answer (4xx or 5xx) of a `/messages` scenario whose body is not `{\"type\": \"error\", \"error\": {\"type\": …, \"message\": …}}`.",
        why="The Anthropic SDKs build the exception they raise from that body (anthropic-python `_make_status_error`, anthropic-sdk-typescript `APIError.generate`): with an OpenAI-style `{\"error\": {…}}` or an HTML page the error type is lost, so retry logic cannot tell `overloaded_error` from `invalid_request_error`, and Claude Code shows an unparsed message.",
        example='`HTTP 400` with `{"error": {"message": "bad input", "type": "invalid_request_error"}}` (no top-level `type`).',
        instead='`HTTP 400` with `{"type": "error", "error": {"type": "invalid_request_error", "message": "…"}}`.',
        refs="Anthropic docs, Errors (error shapes); anthropic-python `_exceptions.py`"), kind="anthropic"),
)
