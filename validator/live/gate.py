"""The bridge gate, ``check --upstream``: play captures as a gateway's upstream and compare what
the gateway streams with what it was given.

For each capture (and each endpoint of the gateway asked for): the gate pins the capture on its
replay server (``validator.live.replay``, where the gateway's upstream base URL points), sends the
gateway the request that matches the capture (its tools, its token limit, reasoning if it has
any), validates the answer as it streams like ``check`` does, and adds the `D` findings of the
answer against the capture (``validator.diff``).  Captures run one at a time: the server plays
the pinned one to whatever the gateway asks.

It is a mode of ``check`` rather than a command of its own: the gateway is a live server like
any other, and everything ``check`` offers (headers, API key, timeouts, ``--save``, reporters,
exit codes) applies unchanged; only the scenarios come from the captures.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from ..content import LENGTH, REASONING, SUMMARY, TOOL_CALL, Answer, answer_of
from ..diff import diff_reports
from ..engine import StreamValidator
from ..model import Finding
from ..result import StreamReport
from ..rules import unlocated_violations
from .capture import CaptureFile, post_stream, redact_url, save
from .check import CheckOptions, request_headers, secrets_of, under_base
from .replay import ENDPOINTS, ReplayCapture, ReplayServer
from .scenarios import ENDPOINTS as SCENARIO_ENDPOINTS
from .scenarios import Scenario
from .verdict import judge

__all__ = ["GateOptions", "request_for", "run_gate"]

PROMPT = "Replay the recorded answer."
#: stream kind -> the scenario endpoint that answers with it.
_ENDPOINT_OF = {kind: endpoint for endpoint, (_, kind) in SCENARIO_ENDPOINTS.items()}


@dataclass
class GateOptions:
    """Where the gate's upstream listens, and which endpoints of the gateway to call
    (``None``: each capture's own kind)."""

    port: int
    host: str = "127.0.0.1"
    endpoints: Sequence[str] | None = None


def request_for(answer: Answer | None, kind: str, model: str) -> dict:
    """The request a client would have sent for ``answer``, in the API of ``kind``: the tools
    it calls declared (any arguments accepted), a token limit if it was cut by one, reasoning
    asked for if it has some, usage asked for."""
    choice = answer.choices[0] if answer is not None and answer.choices else None
    names = list(dict.fromkeys(b.name for b in choice.of(TOOL_CALL) if isinstance(b.name, str))
                 ) if choice else []
    reasoning = bool(choice and choice.of(REASONING, SUMMARY))
    limit = None
    usage = answer.usage if answer is not None else None
    if choice is not None and choice.stop == LENGTH:
        limit = (usage.output if usage and usage.output else None) or 16
    schema = {"type": "object"}
    if kind == "chat":
        request: dict = {"model": model, "messages": [{"role": "user", "content": PROMPT}],
                         "stream_options": {"include_usage": True}}
        if names:
            request["tools"] = [{"type": "function", "function": {"name": n, "parameters": schema}}
                                for n in names]
        if limit:
            request["max_completion_tokens"] = limit
        if reasoning:
            request["reasoning_effort"] = "low"
    elif kind == "anthropic":
        request = {"model": model, "max_tokens": limit or 1024,
                   "messages": [{"role": "user", "content": PROMPT}]}
        if names:
            request["tools"] = [{"name": n, "input_schema": schema} for n in names]
        if reasoning:
            request["thinking"] = {"type": "enabled", "budget_tokens": 1024}
    else:
        request = {"model": model, "input": PROMPT}
        if names:
            request["tools"] = [{"type": "function", "name": n, "parameters": schema}
                                for n in names]
        if limit:
            request["max_output_tokens"] = limit
        if reasoning:
            request["reasoning"] = {"effort": "low", "summary": "auto"}
    return {**request, "stream": True}


def run_gate(captures: Sequence[ReplayCapture], options: CheckOptions, gate: GateOptions,
             on_done: Callable[[StreamReport], None] | None = None) -> list[StreamReport]:
    """One report per capture and endpoint: the gateway's answer, its stream findings, the H
    and X findings of the exchange, and its D findings against the capture.  ``OSError`` if
    the upstream port cannot be listened on."""
    reports = []
    with ReplayServer(list(captures), host=gate.host, port=gate.port) as upstream, \
            httpx.Client(timeout=httpx.Timeout(options.timeout)) as client:
        for capture in captures:
            for kind in gate.endpoints or [capture.kind]:
                upstream.pinned = capture
                report = _run_one(client, upstream, capture, kind,
                                  request_headers(options, kind), options)
                upstream.pinned = None
                reports.append(report)
                if on_done is not None:
                    on_done(report)
    return reports


def _run_one(client: httpx.Client, upstream: ReplayServer, capture: ReplayCapture, kind: str,
             headers: dict[str, str], options: CheckOptions) -> StreamReport:
    name = f"{capture.name}.{kind}"
    model = options.model or capture.name
    request = request_for(capture.report.answer, kind, model)
    # As `check` reads it: an answer that says text/event-stream is read as SSE.
    validator = StreamValidator(kind=kind, profile=options.profile, select=options.select,
                                ignore=options.ignore, input_format="sse")
    before = len(upstream.requests)
    url = under_base(options.base_url, ENDPOINTS[kind])
    body = CaptureFile(options.save_dir, name) if options.save_dir else None
    try:
        exchange = post_stream(client, url, request, headers, validator, options.timeout,
                               options.max_time, save_to=body,
                               secrets=secrets_of(headers, options))
    except BaseException:
        if body is not None:
            body.discard()
        raise
    asked = upstream.requests[before:]
    saved = save(exchange, body) if body is not None else None
    stream_findings = list(validator.violations)
    if exchange.exchange.relayed_error is not None:  # an error sent unframed: H005, once
        stream_findings = [v for v in stream_findings if not v.code.startswith("F")]
    report = StreamReport(path=str(saved) if saved else name, format=validator.format,
                          kind=kind, profile=options.profile, events=validator.events,
                          violations=stream_findings, output=exchange.exchange.output,
                          answer=answer_of(validator.kind, validator.state))
    # Only the transport findings: the capture, not a scenario, says what the answer must be.
    scenario = Scenario(name=name, endpoint=_ENDPOINT_OF[kind], request=request)
    found = judge(scenario, exchange.exchange)
    played = [r for r in asked if r.capture == capture.name]
    if not played and (asked or exchange.exchange.streamed):
        found += _unplayed(capture, asked)
    report.violations += unlocated_violations(found, options.profile, options.select,
                                              options.ignore)
    if played and exchange.exchange.streamed:
        diff_reports(capture.report, report, profile=options.profile, select=options.select,
                     ignore=options.ignore)
    first = exchange.time_to_first_event
    report.check = {"scenario": name, "description": f"the gateway's {kind} answer for the "
                    f"upstream capture {capture.name}",
                    "verdict": "fail" if report.errors else "pass", "endpoint": kind,
                    "model": model, "url": redact_url(exchange.url),
                    "http_status": exchange.exchange.http_status,
                    "time_to_first_event": round(first, 4) if first is not None else None,
                    "total_time": round(exchange.total_time, 4),
                    "capture": str(saved) if saved else None,
                    "reproduce": shlex.join(["stream-validator", "diff", str(capture.path),
                                             str(saved)]) if saved and played else None,
                    "upstream": str(capture.path),
                    "upstream_requests": [r.path for r in asked]}
    return report


def _unplayed(capture: ReplayCapture, asked: list) -> list[Finding]:
    if not asked:
        return [Finding("X015", f"the gateway sent no request to the upstream (the gate played "
                        f"{capture.name} on it): its answer does not come from the capture")]
    paths = ", ".join(sorted({f"{r.method} {r.path}" for r in asked}))
    return [Finding("X016", f"the gateway asked its upstream {paths}, but the capture "
                    f"{capture.name} is a {capture.kind} stream: not compared")]
