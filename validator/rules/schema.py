"""S: schema — every event (and the response it carries) matches the JSON Schema of its type.

The checks live in ``validator/schemas.py`` (``SchemaChecker``); the engine runs them on every
event and stamps these rules on what they report.
"""

from __future__ import annotations

from typing import Any

from ..profiles import get_profile
from ..result import Severity
from ._rule import OPENAI_EVENTS, Rule, doc

__all__ = ["RULES", "check_response_keys"]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
#: Keys of the response object OpenAI always sends (possibly null), beyond the schema's
#: `required`; `usage` is on the terminal event.
ALWAYS_SENT = ("error", "incomplete_details", "instructions", "metadata", "temperature", "top_p")
#: Open Responses `ResponseResource.required` (openresponses/openresponses
#: `schema/components/schemas/ResponseResource.json`, 3452c012): the compliance suite fails a
#: server on each of these keys.
OPEN_RESPONSES_REQUIRED = (
    "id", "object", "created_at", "completed_at", "status", "incomplete_details", "model",
    "previous_response_id", "instructions", "output", "error", "tools", "tool_choice",
    "truncation", "parallel_tool_calls", "text", "top_p", "presence_penalty", "frequency_penalty",
    "top_logprobs", "temperature", "reasoning", "user", "usage", "max_output_tokens",
    "max_tool_calls", "store", "background", "service_tier", "metadata", "safety_identifier",
    "prompt_cache_key")
PY_TYPES = "openai-python 3.57.0 `src/openai/types/responses/` (one file per event, e.g. `response_text_delta_event.py`; `response_output_item.py`, `response.py`)"
PY_CHUNK = "openai-python `src/openai/types/chat/chat_completion_chunk.py`"
SCHEMAS = "`stream-validator schema TYPE` prints the schema of a type; `schemas/` in the repository"

RULES = (
    Rule("S001", "schema-wrong-type", "A field has the wrong JSON type", E, doc(
        what="Reports a field whose JSON type differs from the schema of its event type: a string where an integer belongs, an object where a string belongs, `null` for a field that is not nullable. The pointer names the field, the message what was expected and what came (`/output_index`: expected integer, got string \"0\"). Nested objects are checked too: the item of `output_item.added/done`, content parts, annotations, the `response` of lifecycle events and its usage; an item, part or annotation is checked against the schema of its `type`. A defect that repeats (the same field on every event of a kind, whatever the array index) is reported once, at its first event: one root cause, one finding.",
        why="Typed clients reject the whole event: openai-python builds pydantic models from each event (`construct_type` keeps the bad value, and the stream helpers then fail on `text += delta` with `TypeError`), openai-node concatenates `snapshot.text += delta` and turns an object delta into `\"[object Object]\"`, the Vercel AI SDK validates chunks with Zod schemas and drops the stream with a type validation error. A string `output_index` is never equal to the integer index of the item, so the text lands nowhere.",
        example='`{"type":"response.output_text.delta","item_id":"msg_1","output_index":"0","content_index":0,"delta":"Hi","logprobs":[],"sequence_number":4}`',
        instead='Send every field with the type of the API reference: `"output_index": 0`, `"delta": "Hi"`.',
        refs=f"{PY_TYPES}; {PY_CHUNK}; {OPENAI_EVENTS} -§1.5, §4; {SCHEMAS}"), kind="any"),
    Rule("S002", "schema-missing-field", "A required field is missing", E, doc(
        what="Reports a field that the schema of the event's type requires and the event (or a nested item, part, annotation, response or usage object) does not carry. Fields OpenAI added later are not required under the `default` profile (`logprobs` on `output_text.*`, `name` on `function_call_arguments.done`, `cache_write_tokens` in usage details, `choices` on audio chunks); `strict` requires them. A missing `sequence_number` is reported by the Q rules, a missing item id on `output_item.added` by I006. A defect that repeats (the same field on every event of a kind, whatever the array index) is reported once, at its first event: one root cause, one finding.",
        why="Clients read required fields without checking them: openai-python's stream helpers index `snapshot.output[event.output_index]` and raise `IndexError`/`TypeError` on `None`, openai-node's accumulator throws `expected a non-empty item_id`, and Zod schemas (Vercel AI SDK, Open Responses compliance suite) fail the event. A message item without `content` or a response without `output` cannot be rebuilt.",
        example='`{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"logprobs":[],"sequence_number":4}` (no `delta`)',
        instead="Send every required field, even when it is empty (`\"delta\": \"\"`, `\"annotations\": []`, `\"logprobs\": []`).",
        refs=f"{PY_TYPES}; {PY_CHUNK}; {OPENAI_EVENTS} (required fields), §1.3 (when fields were added), §3.5 (missing fields are the most common compliance failure); {SCHEMAS}"), kind="any"),
    Rule("S003", "schema-bad-value", "A value outside its enum or const, or breaking another constraint", E, doc(
        what="Reports a value of the right type that the schema still rejects: a `status` outside its enum (`message` items: `in_progress`, `completed`, `incomplete`; responses: `completed`, `failed`, `in_progress`, `cancelled`, `queued`, `incomplete`), a wrong constant (`object` other than `response`, `role` other than `assistant`), an `incomplete_details.reason` or `truncation` outside its values, a negative token count in `usage`. Unknown item, part and annotation *types* are accepted (OpenAI adds new ones); the values of known types are checked. A chunk's `finish_reason` and `object` are reported by C016 and C002. A defect that repeats (the same field on every event of a kind, whatever the array index) is reported once, at its first event: one root cause, one finding.",
        why="Clients switch on these values: an unknown `status` is neither done nor in progress, so UIs spin forever or show a truncated answer as complete; openai-node's strict accumulator and Zod-based clients reject the event; a negative token count breaks billing and quota code.",
        example='`{"type":"response.output_item.done","output_index":0,"item":{"id":"msg_1","type":"message","role":"assistant","status":"done","content":[]},"sequence_number":9}`',
        instead='Use the values of the API reference: `"status": "completed"`.',
        refs=f"{PY_TYPES} (`response_status.py`, `response_output_message.py`, `response_usage.py`); {OPENAI_EVENTS} -§1.2; {SCHEMAS}"), kind="any"),
    Rule("S004", "schema-unknown-field", "A field the schema does not know", None, doc(
        what="Reports a field that the schema of the event's type (or of a nested item, part, annotation, response or usage object of a known type) does not list. Off by default and under `open-responses`: servers add extensions and OpenAI adds fields before the reference lists them. An info under `strict`, to see which extensions a server sends. `obfuscation` on `*.delta` events and chunks is known. A defect that repeats (the same field on every event of a kind, whatever the array index) is reported once, at its first event: one root cause, one finding.",
        why="Unknown fields are legal, but clients ignore them: data a server puts only there (`reasoning_content`, `x_groq`, `copilot_usage`, provider cost fields) is lost for every client that follows the reference, and a misspelt standard field (`ouput_index`) shows up here first.",
        example='`{"type":"response.output_text.delta",…,"delta":"Hi","logprobs":[],"sequence_number":4,"provider_latency_ms":12}`',
        instead="Put data clients need into the fields of the reference; keep extensions to what a client can ignore.",
        refs=f"{PY_TYPES}; {OPENAI_EVENTS} (`obfuscation`), §3.2 (Open Responses extensions); {SCHEMAS}"),
        kind="any", profiles={"strict": INFO, "open-responses": None}),
    Rule("S005", "response-key-missing", "The response object lacks a key the API always sends", W, doc(
        what="Reports, once per key, a `response` object of a lifecycle event without a key OpenAI always sends, possibly as `null`: `error`, `incomplete_details`, `instructions`, `metadata`, `temperature`, `top_p`, and `usage` on the terminal event. Under `open-responses` it requires exactly the keys the Open Responses `ResponseResource` schema requires (32, `completed_at`, `previous_response_id`, `reasoning`, `store`, `service_tier`… included); keys the JSON Schema itself requires are S002.",
        why="The OpenAPI specification and openai-node's types declare these keys required: TypeScript clients that test `response.error === null` or `response.usage === null` read `undefined` as an answer (an error that is not there, or usage that was not reported), and the Open Responses compliance suite fails the server on each missing key. Python clients read `None` either way, so it is a warning under the default profile and an error under `strict` and `open-responses`.",
        example='`{"type":"response.completed","response":{"id":"resp_1","object":"response","created_at":1,"model":"m","status":"completed","output":[],"parallel_tool_calls":true,"tool_choice":"auto","tools":[]}}` (no `error`, `usage`, …)',
        instead='Send every key of the response object, with `null` where there is no value: `"error": null, "incomplete_details": null, "usage": null`.',
        refs="OpenAI OpenAPI specification `Response`; openai-node `resources/responses/responses.ts` (`Response`); Open Responses `schema/components/schemas/ResponseResource.json`"),
        profiles={"open-responses": E}),
)


def check_response_keys(ctx: Any, response: dict, terminal: bool) -> None:
    """S005: the keys of a lifecycle event's `response` that the API always sends."""
    if get_profile(ctx.profile).open_responses_keys:
        keys: tuple[str, ...] = OPEN_RESPONSES_REQUIRED
    else:
        keys = (*ALWAYS_SENT, "usage") if terminal else ALWAYS_SENT
    missing = [key for key in keys if key not in response]
    for key in missing:
        ctx.report("S005", f"the response object has no {key!r} key (the API always sends it, "
                   "possibly as null)", f"/response/{key}", key=("S005", key))
