"""``stream-validator check``: run scenarios against a live server, one report per scenario.

Each scenario's request goes to ``BASE_URL`` + ``/responses`` or ``/chat/completions``
(``endpoint_url``: after the base URL's path, before its query) with
``stream: true``; its body is validated by the same engine as ``lint`` while it arrives
(``validator.capture``), then the transport and expectation findings (``validator.verdict``)
are added.  The result is one :class:`~validator.engine.StreamReport` per scenario, so every
reporter renders it; its ``check`` field carries the timings and how to reproduce a failure.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from . import __version__
from .capture import (
    Capture,
    CaptureFile,
    Watchdog,
    endpoint_url,
    is_secret,
    post_stream,
    redact_url,
    save,
)
from .engine import StreamReport, StreamValidator
from .rules import LIVE_FAMILIES, RULES, enabled_rules
from .scenarios import Scenario
from .verdict import judge
from .violations import Violation

__all__ = ["CheckInterrupted", "CheckOptions", "run_check"]


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


class CheckInterrupted(Exception):
    """The run was interrupted: ``reports`` are those of the scenarios that had finished (in
    the scenarios' order); the running ones were cancelled."""

    def __init__(self, reports: list[StreamReport], cause: BaseException) -> None:
        super().__init__("interrupted")
        self.reports = reports
        self.cause = cause


def run_check(scenarios: Sequence[Scenario], options: CheckOptions,
              on_done: Callable[[StreamReport], None] | None = None) -> list[StreamReport]:
    """Run every scenario (``concurrency`` at a time); the reports keep the scenarios' order.
    ``on_done`` is called with each report as its scenario finishes (for progress).

    An exception in the waiting thread (an interrupt: ``KeyboardInterrupt``, or what a signal
    handler raises) cancels the running exchanges at once and raises ``CheckInterrupted``."""
    headers = {"Accept": "text/event-stream", "User-Agent": f"stream-validator/{__version__}",
               **options.headers}
    if options.api_key:
        headers["Authorization"] = f"Bearer {options.api_key}"
    secrets = [v for k, v in headers.items() if is_secret(k)] + [options.api_key or ""]
    timeout = httpx.Timeout(options.timeout)
    # No keep-alive: each exchange opens its own connection, whose socket the watchdog can shut
    # down (--max-time, interrupts); a conformance run is a few dozen requests.
    limits = httpx.Limits(max_connections=options.concurrency, max_keepalive_connections=0)
    watchdog = Watchdog()
    with httpx.Client(timeout=timeout, limits=limits) as client, \
            ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        def run(scenario: Scenario) -> StreamReport | None:
            report = _run_one(client, scenario, headers, options, watchdog, secrets)
            if report is not None and on_done is not None:
                on_done(report)
            return report

        futures = [pool.submit(run, scenario) for scenario in scenarios]
        try:
            return [future.result() for future in futures]  # type: ignore[misc]
        except BaseException as exc:
            watchdog.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            done = [f.result() for f in futures
                    if f.done() and not f.cancelled() and f.exception() is None]
            raise CheckInterrupted([r for r in done if r is not None], exc) from None


def _run_one(client: httpx.Client, scenario: Scenario, headers: dict[str, str],
             options: CheckOptions, watchdog: Watchdog, secrets: list[str]) -> StreamReport | None:
    """One scenario's report (``None``: it was cancelled)."""
    validator = StreamValidator(kind=scenario.kind, profile=options.profile,
                                select=options.select, ignore=options.ignore)
    request = {"model": options.model, **scenario.request, "stream": True}
    url = endpoint_url(options.base_url, scenario.path)
    body = CaptureFile(options.save_dir, scenario.name) if options.save_dir else None
    try:
        capture = post_stream(client, url, request, headers, validator, options.timeout,
                              options.max_time, save_to=body, watchdog=watchdog, secrets=secrets)
    except BaseException:
        if body is not None:
            body.discard()
        raise
    saved = save(capture, options.save_dir, scenario.name, body) if body is not None else None
    if capture.cancelled:
        return None
    violations = list(validator.violations) if capture.exchange.streamed else []
    report = StreamReport(path=str(saved) if saved else scenario.name,
                          format=validator.format, kind=scenario.kind, profile=options.profile,
                          events=validator.events, violations=violations,
                          output=capture.exchange.output)
    capture.exchange.output_text = report.output_text
    enabled = enabled_rules(options.profile, options.select, options.ignore)
    report.violations += [Violation(code=code, name=RULES[code].name, severity=enabled[code],
                                    message=message)
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
            "reproduce": _lint_command(saved, report, options)}


def _lint_command(saved: Path | None, report: StreamReport, options: CheckOptions) -> str | None:
    """The ``lint`` command that finds this capture's stream findings again offline."""
    if saved is None or all(v.code.startswith(LIVE_FAMILIES) for v in report.violations):
        return None
    command = ["stream-validator", "lint", str(saved), "--kind", str(report.kind),
               "--profile", options.profile]
    if options.select:
        command += ["--select", ",".join(options.select)]
    if options.ignore:
        command += ["--ignore", ",".join(options.ignore)]
    return shlex.join(command)
