"""Realistic large Responses streams for the benchmark, written to ``bench/data/``.

The events carry the field sets of real OpenAI captures (``../shared/corpus/real``):
``sequence_number`` on every event, ``logprobs`` and ``obfuscation`` on every text delta, the
full Response object on the lifecycle events, and the complete text again in ``*.done``,
``content_part.done``, ``output_item.done`` and ``response.completed``, as OpenAI sends them.

Scenarios (``SCENARIOS``, each a generator of events and what lint must find in them):
``message`` (one message, all deltas in one output_text part), ``mix`` (a reasoning item with two
summary parts, a function call and a message with two text parts; the deltas are shared out
between them), ``chat`` (a Chat Completions stream, chunks as OpenAI sends them), ``anthropic``
(an Anthropic Messages stream: one text block of ``deltas`` text_delta events) and
``anthropic-tool`` (a text block and a tool_use block whose input streams in ``deltas``
input_json_delta fragments), with api.anthropic.com's fields and `event:` names, and two
streams that repeat one schema defect on every event, each compared with its clean twin:
``logprobs-null`` (``message`` with ``"logprobs": null`` on every delta) and
``chat-created-string`` (``chat`` with ``created`` as a string).  Deltas are 3-6 characters,
mostly ASCII words with some non-ASCII letters.  Each stream is written as JSONL, SSE, or a
JSON array of the same events (``ARRAYS``: ``array``, one element a line, as ``json.dump`` of a
list with ``,\\n`` separators writes it, and ``pretty``, indent=2).  ``python bench/generate.py
--deltas 100000 --format sse`` writes one file.  A new kind's case is one ``Scenario`` in
``SCENARIOS``.
"""

from __future__ import annotations

import argparse
import itertools
import random
import string
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

DATA = Path(__file__).resolve().parent / "data"
FORMATS = ("jsonl", "sse")
ARRAYS = ("array", "pretty")  # JSON-array captures: compact (one element a line), indent=2

_RESPONSE_ID = "resp_0ecff685e411ca7b0069e063569c7c819bbc74c80d853802e6"
_WORDS = ("the", "model", "stream", "delta", "event", "token", "parse", "state", "text",
          "value", "café", "naïve", "über", "sequence", "output", "schema", "item", "part")
_OBFUSCATION = string.ascii_letters + string.digits
_NO_LOGPROBS: list = []  # what OpenAI sends when logprobs were not asked for
_CHAT_ID = "chatcmpl-CoDWtmOB2DZI2l0bK84UVJEMpo63W"
_CREATED = 1766084443


def _response(status: str, output: list, usage: dict | None) -> dict:
    """The Response object as OpenAI streams it (field set of a 2025 gpt-4o-mini capture)."""
    return {
        "id": _RESPONSE_ID, "object": "response", "created_at": 1776313174, "status": status,
        "background": False, "completed_at": 1776313176 if status == "completed" else None,
        "error": None, "frequency_penalty": 0.0, "incomplete_details": None,
        "instructions": "You are a helpful assistant.", "max_output_tokens": None,
        "max_tool_calls": None, "model": "gpt-4o-mini-2024-07-18", "output": output,
        "parallel_tool_calls": True, "presence_penalty": 0.0, "previous_response_id": None,
        "prompt_cache_key": None, "prompt_cache_retention": None,
        "reasoning": {"effort": None, "summary": None}, "safety_identifier": None,
        "service_tier": "auto", "store": True, "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"}, "tool_choice": "auto",
        "tools": [], "top_logprobs": 0, "top_p": 1.0, "truncation": "disabled", "usage": usage,
        "user": None, "metadata": {},
    }


class _Pieces:
    """Delta texts of 3-6 characters and their obfuscation padding, reproducible."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def delta(self) -> str:
        word = self._random.choice(_WORDS)
        text = (" " + word)[: self._random.randint(3, 6)]
        return text if len(text) >= 3 else text + "ab"[: 3 - len(text)]

    def obfuscation(self, delta: str) -> str:
        return "".join(self._random.choices(_OBFUSCATION, k=max(1, 16 - len(delta))))

    def arguments(self, n: int) -> list[str]:
        """``n`` deltas of a JSON arguments string (3-6 characters each)."""
        body = orjson.dumps({"query": " ".join(self._random.choice(_WORDS)
                                                for _ in range(max(1, n)))}).decode()
        cuts = [0]
        while cuts[-1] < len(body):
            cuts.append(min(len(body), cuts[-1] + self._random.randint(3, 6)))
        return [body[a:b] for a, b in itertools.pairwise(cuts)]


def events(deltas: int, scenario: str = "message", seed: int = 7) -> Iterator[dict]:
    """The events of one stream with about ``deltas`` text deltas, in order."""
    return SCENARIOS[scenario].events(deltas, seed)


def _responses(deltas: int, seed: int, *, mix: bool = False,
               logprobs: list | None = _NO_LOGPROBS) -> Iterator[dict]:
    pieces = _Pieces(seed)
    seq = iter(range(10**12))
    output: list[dict] = []

    def ev(event_type: str, **fields) -> dict:
        return {"type": event_type, "sequence_number": next(seq), **fields}

    yield ev("response.created", response=_response("in_progress", [], None))
    yield ev("response.in_progress", response=_response("in_progress", [], None))
    if not mix:
        yield from _message(ev, pieces, 0, deltas, parts=1, output=output, logprobs=logprobs)
    else:
        summary, args = deltas // 10, deltas // 20
        yield from _reasoning(ev, pieces, 0, summary, output)
        yield from _function_call(ev, pieces, 1, args, output)
        yield from _message(ev, pieces, 2, deltas - summary - args, parts=2, output=output,
                            logprobs=logprobs)
    usage = {"input_tokens": 11,
             "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
             "output_tokens": deltas, "output_tokens_details": {"reasoning_tokens": 0},
             "total_tokens": deltas + 11}
    yield ev("response.completed", response=_response("completed", output, usage))


def _message(ev: Callable[..., dict], pieces: _Pieces, index: int, deltas: int, *, parts: int,
             output: list[dict], logprobs: list | None) -> Iterator[dict]:
    item_id = f"msg_0ecff685e411ca7b0069e0635801288{index:02d}b9ec474594c61b988"
    yield ev("response.output_item.added", output_index=index, item={
        "id": item_id, "type": "message", "status": "in_progress", "content": [],
        "role": "assistant"})
    content = []
    for part_index in range(parts):
        yield ev("response.content_part.added", item_id=item_id, output_index=index,
                 content_index=part_index,
                 part={"type": "output_text", "annotations": [], "logprobs": [], "text": ""})
        chunks = []
        for _ in range(deltas // parts + (part_index < deltas % parts)):
            delta = pieces.delta()
            chunks.append(delta)
            yield ev("response.output_text.delta", item_id=item_id, output_index=index,
                     content_index=part_index, delta=delta, logprobs=logprobs,
                     obfuscation=pieces.obfuscation(delta))
        text = "".join(chunks)
        part = {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
        yield ev("response.output_text.done", item_id=item_id, output_index=index,
                 content_index=part_index, text=text, logprobs=[])
        yield ev("response.content_part.done", item_id=item_id, output_index=index,
                 content_index=part_index, part=part)
        content.append(part)
    item = {"id": item_id, "type": "message", "status": "completed", "content": content,
            "role": "assistant"}
    yield ev("response.output_item.done", output_index=index, item=item)
    output.append(item)


def _reasoning(ev: Callable[..., dict], pieces: _Pieces, index: int, deltas: int,
               output: list[dict]) -> Iterator[dict]:
    item_id = f"rs_68c42d1d0878819d8266007cd3d1402c08fbf9b15841{index:02d}ff"
    yield ev("response.output_item.added", output_index=index, item={
        "id": item_id, "type": "reasoning", "summary": []})
    summary = []
    for summary_index in range(2):
        yield ev("response.reasoning_summary_part.added", item_id=item_id, output_index=index,
                 summary_index=summary_index, part={"type": "summary_text", "text": ""})
        chunks = []
        for _ in range(deltas // 2):
            delta = pieces.delta()
            chunks.append(delta)
            yield ev("response.reasoning_summary_text.delta", item_id=item_id,
                     output_index=index, summary_index=summary_index, delta=delta,
                     obfuscation=pieces.obfuscation(delta))
        text = "".join(chunks)
        yield ev("response.reasoning_summary_text.done", item_id=item_id, output_index=index,
                 summary_index=summary_index, text=text)
        part = {"type": "summary_text", "text": text}
        yield ev("response.reasoning_summary_part.done", item_id=item_id, output_index=index,
                 summary_index=summary_index, part=part)
        summary.append(part)
    item = {"id": item_id, "type": "reasoning", "summary": summary}
    yield ev("response.output_item.done", output_index=index, item=item)
    output.append(item)


def _function_call(ev: Callable[..., dict], pieces: _Pieces, index: int, deltas: int,
                   output: list[dict]) -> Iterator[dict]:
    item_id = f"fc_0c25e60be926327b0069305ebaa9648195b0273f95004483{index:02d}"
    added = {"id": item_id, "type": "function_call", "status": "in_progress", "arguments": "",
             "call_id": "call_Uk8EuAOvH7ePvSGu0Nr8cTSC", "name": "search"}
    yield ev("response.output_item.added", output_index=index, item=added)
    chunks = pieces.arguments(deltas)
    for delta in chunks:
        yield ev("response.function_call_arguments.delta", item_id=item_id, output_index=index,
                 delta=delta, obfuscation=pieces.obfuscation(delta))
    arguments = "".join(chunks)
    yield ev("response.function_call_arguments.done", item_id=item_id, output_index=index,
             name=added["name"], arguments=arguments)
    item = {**added, "status": "completed", "arguments": arguments}
    yield ev("response.output_item.done", output_index=index, item=item)
    output.append(item)


def _anthropic(deltas: int, seed: int, *, tool: bool = False) -> Iterator[dict]:
    """A Messages stream as api.anthropic.com sends it: a text block (of ``deltas`` deltas, or
    one before the tool_use block whose input streams in ``deltas`` fragments), a ping."""
    pieces = _Pieces(seed)
    usage = {"input_tokens": 11, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
             "output_tokens": 1}
    yield {"type": "message_start", "message": {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-5-20250929", "content": [], "stop_reason": None,
        "stop_sequence": None, "usage": usage}}
    yield {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
    yield {"type": "ping"}
    for _ in range(1 if tool else deltas):
        yield {"type": "content_block_delta", "index": 0,
               "delta": {"type": "text_delta", "text": pieces.delta()}}
    yield {"type": "content_block_stop", "index": 0}
    if tool:
        yield {"type": "content_block_start", "index": 1, "content_block": {
            "type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "write_file",
            "input": {}}}
        for fragment in ["", *pieces.arguments(deltas)]:
            yield {"type": "content_block_delta", "index": 1,
                   "delta": {"type": "input_json_delta", "partial_json": fragment}}
        yield {"type": "content_block_stop", "index": 1}
    yield {"type": "message_delta", "delta": {"stop_reason": "tool_use" if tool else "end_turn",
                                              "stop_sequence": None},
           "usage": {**usage, "output_tokens": deltas}}
    yield {"type": "message_stop"}


def _chat(deltas: int, seed: int, *, created: int | str = _CREATED) -> Iterator[dict]:
    """A Chat Completions stream as OpenAI sends it (field set of a 2025 gpt-4o capture,
    ``chat__mirascope__finish-length.sse``): a role chunk, one chunk per content delta, the
    finish_reason chunk and the usage chunk (``stream_options.include_usage``)."""
    pieces = _Pieces(seed)

    def chunk(choices: list, usage: dict | None = None, text: str = "") -> dict:
        return {"id": _CHAT_ID, "object": "chat.completion.chunk", "created": created,
                "model": "gpt-4o-2024-08-06", "service_tier": "default",
                "system_fingerprint": "fp_deacdd5f6f", "choices": choices, "usage": usage,
                "obfuscation": pieces.obfuscation(text)}

    def choice(delta: dict, finish_reason: str | None = None) -> list:
        return [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]

    yield chunk(choice({"role": "assistant", "content": "", "refusal": None}))
    for _ in range(deltas):
        text = pieces.delta()
        yield chunk(choice({"content": text}), text=text)
    yield chunk(choice({}, "stop"))
    yield chunk([], {"prompt_tokens": 14, "completion_tokens": deltas,
                     "total_tokens": deltas + 14,
                     "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                     "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                                                   "accepted_prediction_tokens": 0,
                                                   "rejected_prediction_tokens": 0}})


@dataclass(frozen=True)
class Scenario:
    """One benchmark stream: its kind, its events, what lint finds in it (codes; empty: a clean
    stream) and, for a defect, the clean scenario it is compared with."""

    kind: str
    events: Callable[[int, int], Iterator[dict]]
    finds: frozenset[str] = frozenset()
    clean: str | None = None


SCENARIOS: dict[str, Scenario] = {
    "message": Scenario("responses", _responses),
    "mix": Scenario("responses", lambda n, seed: _responses(n, seed, mix=True)),
    "chat": Scenario("chat", _chat),
    "anthropic": Scenario("anthropic", _anthropic),
    "anthropic-tool": Scenario("anthropic", lambda n, seed: _anthropic(n, seed, tool=True)),
    "logprobs-null": Scenario("responses", lambda n, seed: _responses(n, seed, logprobs=None),
                              frozenset({"S001"}), clean="message"),
    "chat-created-string": Scenario("chat", lambda n, seed: _chat(n, seed, created=str(_CREATED)),
                                    frozenset({"S001"}), clean="chat"),
}


def encode(event: dict, fmt: str) -> bytes:
    """One event as a JSONL line, an SSE block (``event:`` name and ``data:``, as OpenAI) or a
    JSON-array element (``array``, ``pretty``: without the separator)."""
    if fmt == "pretty":
        return orjson.dumps(event, option=orjson.OPT_INDENT_2)
    data = orjson.dumps(event)
    if fmt == "jsonl":
        return data + b"\n"
    if fmt == "array":
        return data
    if "type" not in event:  # a chat chunk: no event name
        return b"data: " + data + b"\n\n"
    return b"event: " + event["type"].encode() + b"\ndata: " + data + b"\n\n"


def path_for(deltas: int, fmt: str, scenario: str = "message") -> Path:
    return DATA / (f"{scenario}-{deltas}.{fmt}.json" if fmt in ARRAYS else
                   f"{scenario}-{deltas}.{fmt}")


def write(deltas: int, fmt: str, scenario: str = "message", path: Path | None = None) -> Path:
    """Write one stream (if not there yet) and check what lint finds in it; return its path."""
    if fmt not in FORMATS + ARRAYS or scenario not in SCENARIOS:
        raise ValueError(f"format in {FORMATS + ARRAYS}, scenario in {tuple(SCENARIOS)}")
    path = path or path_for(deltas, fmt, scenario)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    # A JSON array: elements joined by `,\n` between `[\n` and `\n]\n`.
    between = b",\n" if fmt in ARRAYS else b""
    with open(partial, "wb") as out:
        out.write(b"[\n" if fmt in ARRAYS else b"")
        batch = []
        for n, event in enumerate(events(deltas, scenario)):
            batch.append((between if n else b"") + encode(event, fmt))
            if len(batch) >= 4096:
                out.write(b"".join(batch))
                batch.clear()
        out.write(b"".join(batch))
        if fmt in ARRAYS:
            out.write(b"\n]\n")
        if fmt == "sse" and SCENARIOS[scenario].kind == "chat":
            out.write(b"data: [DONE]\n\n")  # OpenAI ends chat streams so, Responses not
    check_findings(partial, SCENARIOS[scenario].finds)
    partial.rename(path)
    return path


def check_findings(path: Path, codes: frozenset[str]) -> None:
    """A benchmark stream has exactly the findings its scenario says (none: the clean path)."""
    from validator.api import validate_stream

    report = validate_stream(path)
    found = {v.code for v in report.violations}
    if found != codes:
        first = report.violations[0] if report.violations else None
        raise AssertionError(f"{path.name}: lint finds {sorted(found)}, the scenario says "
                             f"{sorted(codes)}" + (f"; first {first.code} {first.message}"
                                                   if first else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deltas", type=int, default=100_000)
    parser.add_argument("--format", choices=FORMATS + ARRAYS, default="jsonl")
    parser.add_argument("--scenario", choices=list(SCENARIOS), default="message")
    args = parser.parse_args(argv)
    print(write(args.deltas, args.format, args.scenario))
    return 0


if __name__ == "__main__":
    sys.exit(main())
