"""``stream-validator check``: run scenarios against a live server, one report per scenario.

Each scenario's request goes to ``BASE_URL + /responses`` or ``/chat/completions`` with
``stream: true``; its body is validated by the same engine as ``lint`` while it arrives
(``validator.capture``), then the transport and expectation findings (``validator.verdict``)
are added.  The result is one :class:`~validator.engine.StreamReport` per scenario, so every
reporter renders it; its ``check`` field carries the timings and how to reproduce a failure.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from . import __version__
from .capture import Capture, is_secret, post_stream, redact_url, save
from .engine import StreamReport, StreamValidator
from .rules import LIVE_FAMILIES, RULES, enabled_rules
from .rules.impact import explained
from .scenarios import Scenario
from .verdict import judge
from .violations import Violation

__all__ = ["CheckOptions", "curl_command", "request_of", "run_check"]


@dataclass
class CheckOptions:
    """Everything ``check`` needs besides the scenarios."""

    base_url: str
    model: str = "gpt-5-mini"
    api_key: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    max_time: float = 300.0
    concurrency: int = 4
    profile: str = "openai"
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    save_dir: Path | None = None


def request_headers(options: CheckOptions) -> dict[str, str]:
    """The headers every scenario's request carries (the API key among them)."""
    headers = {"Accept": "text/event-stream", "User-Agent": f"stream-validator/{__version__}",
               **options.headers}
    if options.api_key:
        headers["Authorization"] = f"Bearer {options.api_key}"
    return headers


def request_of(scenario: Scenario, options: CheckOptions) -> tuple[str, dict]:
    """The URL and JSON body ``check`` sends for ``scenario``."""
    return (options.base_url.rstrip("/") + scenario.path,
            {"model": options.model, **scenario.request, "stream": True})


def curl_command(url: str, body: dict, headers: dict[str, str]) -> str:
    """A curl command that sends the same request again, for a shell: the API key is read from
    ``$OPENAI_API_KEY``, other secret-looking headers and URL parameters are ``REDACTED``."""
    words = ["curl", "-sSN", redact_url(url)]
    for name, value in headers.items():
        if name.lower() == "authorization":
            continue
        words += ["-H", f"{name}: {'REDACTED' if is_secret(name) else value}"]
    words += ["-H", "Content-Type: application/json",
              "-d", json.dumps(body, ensure_ascii=False, separators=(",", ":"))]
    command = shlex.join(words)
    if any(name.lower() == "authorization" for name in headers):
        command += ' -H "Authorization: Bearer $OPENAI_API_KEY"'
    return command


def run_check(scenarios: Sequence[Scenario], options: CheckOptions,
              on_done: Callable[[StreamReport], None] | None = None) -> list[StreamReport]:
    """Run every scenario (``concurrency`` at a time); the reports keep the scenarios' order.
    ``on_done`` is called with each report as its scenario finishes (for progress)."""
    headers = request_headers(options)
    timeout = httpx.Timeout(options.timeout)
    limits = httpx.Limits(max_connections=options.concurrency)
    with httpx.Client(timeout=timeout, limits=limits) as client, \
            ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        def run(scenario: Scenario) -> StreamReport:
            report = _run_one(client, scenario, headers, options)
            if on_done is not None:
                on_done(report)
            return report

        return list(pool.map(run, scenarios))


def _run_one(client: httpx.Client, scenario: Scenario, headers: dict[str, str],
             options: CheckOptions) -> StreamReport:
    validator = StreamValidator(kind=scenario.kind, profile=options.profile,
                                select=options.select, ignore=options.ignore)
    url, request = request_of(scenario, options)
    capture = post_stream(client, url, request, headers, validator, options.timeout,
                          options.max_time, keep=options.save_dir is not None)
    saved = save(capture, options.save_dir, scenario.name) if options.save_dir else None
    report = StreamReport(path=str(saved) if saved else scenario.name,
                          format=validator.format, kind=scenario.kind, profile=options.profile,
                          events=validator.events, violations=list(validator.violations),
                          output=capture.exchange.output)
    capture.exchange.output_text = report.output_text
    enabled = enabled_rules(options.profile, options.select, options.ignore)
    report.violations += [Violation(code=code, name=RULES[code].name, severity=enabled[code],
                                    message=explained(code, message))
                          for code, message in judge(scenario, capture.exchange)
                          if code in enabled]
    report.check = _facts(scenario, capture, saved, report, options)
    return report


def _facts(scenario: Scenario, capture: Capture, saved: Path | None, report: StreamReport,
           options: CheckOptions) -> dict:
    first = capture.time_to_first_event
    return {"scenario": scenario.name, "endpoint": scenario.endpoint,
            "url": redact_url(capture.url), "http_status": capture.exchange.http_status,
            "time_to_first_event": round(first, 4) if first is not None else None,
            "total_time": round(capture.total_time, 4),
            "capture": str(saved) if saved else None,
            "reproduce": _lint_command(saved, report, options),
            "curl": curl_command(capture.url, capture.request, capture.headers)}


def _lint_command(saved: Path | None, report: StreamReport, options: CheckOptions) -> str | None:
    """The ``lint`` command that finds this capture's stream findings again offline."""
    if saved is None or all(v.code.startswith(LIVE_FAMILIES) for v in report.violations):
        return None
    command = ["stream-validator", "lint", str(saved), "--isolated", "--kind", str(report.kind),
               "--profile", options.profile]
    if options.select:
        command += ["--select", ",".join(options.select)]
    if options.ignore:
        command += ["--ignore", ",".join(options.ignore)]
    return shlex.join(command)
