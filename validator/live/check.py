"""``stream-validator check``: run scenarios against a live server, one report per scenario.

Each scenario's request goes to its endpoint's URL (``endpoint_url``: ``BASE_URL +
/responses``, ``/chat/completions`` or ``/messages`` (Anthropic) unless overridden) with
``stream: true``; its body is
validated by the same engine as ``lint`` while it arrives (``validator.live.capture``), read as SSE
since that is what its ``Content-Type`` must say, then the transport and expectation findings
(``validator.live.verdict``) are added.  The result is one :class:`~validator.result.StreamReport`
per scenario, so every reporter renders it; its ``check`` field carries the verdict, the
timings and how to reproduce a failure.  With ``repeat`` each scenario runs several times and
a finding that not every run has is marked flaky.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from .. import __version__
from ..causes import cause_key
from ..engine import StreamValidator
from ..result import StreamReport
from ..rules import LIVE_FAMILIES, unlocated_violations
from .capture import (
    ACCEPT_ENCODING,
    Capture,
    CaptureFile,
    Watchdog,
    deadline,
    is_secret,
    post_stream,
    read_small,
    redact_url,
    save,
)
from .scenarios import Scenario
from .verdict import judge

__all__ = ["ANTHROPIC_VERSION", "DEFAULT_MODEL", "CheckInterrupted", "CheckOptions",
           "curl_command", "endpoint_url",
           "request_headers", "run_check", "served_model", "under_base"]

#: The model of a request that names none, when the server does not list its models.
DEFAULT_MODEL = "gpt-5-mini"
#: The `anthropic-version` header of `/messages` requests (the only version the API has).
ANTHROPIC_VERSION = "2023-06-01"


@dataclass
class CheckOptions:
    """Everything ``check`` needs besides the scenarios."""

    base_url: str
    #: ``None``: the first model the server's ``GET /models`` lists, else ``DEFAULT_MODEL``.
    model: str | None = None
    #: endpoint (``responses``, ``chat``) -> full URL, for a server that mounts it elsewhere.
    endpoint_urls: dict[str, str] = field(default_factory=dict)
    repeat: int = 1
    api_key: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    max_time: float = 300.0
    concurrency: int = 4
    profile: str = "default"
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
    """Run every scenario (``concurrency`` at a time, ``repeat`` times each); the reports keep
    the scenarios' order.  ``on_done`` is called with each report as its scenario finishes
    (for progress).

    An interrupt in the waiting thread (a ``BaseException`` that is no ``Exception``:
    ``KeyboardInterrupt``, or what a signal handler raises) cancels the running exchanges at
    once and raises ``CheckInterrupted``."""
    timeout = httpx.Timeout(options.timeout)
    # No keep-alive: each exchange opens its own connection, whose socket the watchdog can shut
    # down (--max-time, interrupts); a conformance run is a few dozen requests.
    limits = httpx.Limits(max_connections=options.concurrency, max_keepalive_connections=0)
    watchdog = Watchdog()
    with httpx.Client(timeout=timeout, limits=limits) as client, \
            ThreadPoolExecutor(max_workers=options.concurrency) as pool:
        futures = []
        try:
            listing = request_headers(options, scenarios[0].kind if scenarios else "responses")
            model = options.model or served_model(client, options, listing, watchdog) \
                or DEFAULT_MODEL

            def run(scenario: Scenario) -> StreamReport | None:
                headers = request_headers(options, scenario.kind)
                secrets = secrets_of(headers, options)
                runs = [_run_one(client, scenario, headers, options, model, run, watchdog,
                                 secrets) for run in range(options.repeat)]
                if None in runs:  # cancelled
                    return None
                report = _merge(runs)  # type: ignore[arg-type]
                if on_done is not None:
                    on_done(report)
                return report

            futures = [pool.submit(run, scenario) for scenario in scenarios]
            return [future.result() for future in futures]  # type: ignore[misc]
        except BaseException as exc:
            watchdog.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            if isinstance(exc, Exception):  # a failure, not an interrupt
                raise
            done = [f.result() for f in futures
                    if f.done() and not f.cancelled() and f.exception() is None]
            raise CheckInterrupted([r for r in done if r is not None], exc) from None


def request_headers(options: CheckOptions, kind: str = "responses") -> dict[str, str]:
    """The headers every request of a stream kind carries: the API key as that endpoint wants
    it (Anthropic: `x-api-key` and the `anthropic-version` its SDKs send; otherwise
    `Authorization: Bearer`)."""
    headers = {"Accept": "text/event-stream", "User-Agent": f"stream-validator/{__version__}",
               **options.headers}
    if kind == "anthropic":
        headers.setdefault("anthropic-version", ANTHROPIC_VERSION)
        if options.api_key:
            headers["x-api-key"] = options.api_key
    elif options.api_key:
        headers["Authorization"] = f"Bearer {options.api_key}"
    return headers


def curl_command(url: str, body: dict, headers: dict[str, str]) -> str:
    """A curl command that sends the same request again, for a shell: the API key is read from
    ``$OPENAI_API_KEY`` (``$ANTHROPIC_API_KEY`` for `x-api-key`), other secret-looking headers
    and URL parameters are ``REDACTED``."""
    words = ["curl", "-sSN", redact_url(url)]
    for name, value in headers.items():
        if name.lower() in _KEY_HEADERS:
            continue
        words += ["-H", f"{name}: {'REDACTED' if is_secret(name) else value}"]
    words += ["-H", "Content-Type: application/json",
              "-d", json.dumps(body, ensure_ascii=False, separators=(",", ":"))]
    command = shlex.join(words)
    for name in headers:
        if name.lower() in _KEY_HEADERS:
            command += f' -H "{_KEY_HEADERS[name.lower()]}"'
    return command


#: The API-key headers and how a curl command reads the key from the environment instead.
_KEY_HEADERS = {"authorization": "Authorization: Bearer $OPENAI_API_KEY",
                "x-api-key": "x-api-key: $ANTHROPIC_API_KEY"}


def endpoint_url(options: CheckOptions, scenario: Scenario) -> str:
    """Where a scenario's request goes: BASE_URL + the scenario's own ``path``, else the URL
    given for its endpoint (``--responses-url``, ``--chat-url``), else BASE_URL + the
    endpoint's path."""
    if scenario.own_path is None and scenario.endpoint in options.endpoint_urls:
        return options.endpoint_urls[scenario.endpoint]
    return under_base(options.base_url, scenario.path)


def under_base(base_url: str, path: str) -> str:
    """``path`` (``/responses``, ``/models``) under the API root ``base_url``: the one place
    check builds a URL.  After the base URL's path, before its query
    (``…/v1?api-version=X`` -> ``…/v1/responses?api-version=X``)."""
    parts = urlsplit(base_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + path, fragment=""))


def served_model(client: httpx.Client, options: CheckOptions, headers: dict[str, str],
                 watchdog: Watchdog | None = None) -> str | None:
    """The first model of the server's ``GET BASE_URL/models`` list (OpenAI's shape:
    ``{"data": [{"id": …}, …]}``), or ``None`` if it does not answer with one within
    ``--max-time`` and 1 MiB."""
    try:
        with deadline(options.max_time, watchdog or Watchdog()) as limit, client.stream(
                "GET", under_base(options.base_url, "/models"),
                headers={**headers, "Accept": "application/json",
                         "Accept-Encoding": ACCEPT_ENCODING},
                extensions={"trace": limit.trace}) as answer:
            body = read_small(answer) if answer.is_success else None
        document = json.loads(body) if body is not None else None
    except (httpx.HTTPError, ValueError):  # no answer, or not JSON
        return None
    models = document.get("data") if isinstance(document, dict) else None
    first = models[0] if isinstance(models, list) and models else None
    model = first.get("id") if isinstance(first, dict) else None
    return model if isinstance(model, str) and model else None


def secrets_of(headers: dict[str, str], options: CheckOptions) -> list[str]:
    """What must never reach a report: the secret headers' values and the API key."""
    return [v for k, v in headers.items() if is_secret(k)] + [options.api_key or ""]


def _run_one(client: httpx.Client, scenario: Scenario, headers: dict[str, str],
             options: CheckOptions, model: str, run: int, watchdog: Watchdog,
             secrets: list[str]) -> StreamReport | None:
    """One run of a scenario (``None``: it was cancelled)."""
    # The Content-Type says how to read the body: check only validates text/event-stream
    # answers, so the framing is SSE whatever the bytes look like.
    validator = StreamValidator(kind=scenario.kind, profile=options.profile,
                                select=options.select, ignore=options.ignore, input_format="sse")
    request = {"model": model, **scenario.request, "stream": True}
    url = endpoint_url(options, scenario)
    name = scenario.name if run == 0 else f"{scenario.name}.run{run + 1}"
    body = CaptureFile(options.save_dir, name) if options.save_dir else None
    try:
        capture = post_stream(client, url, request, headers, validator, options.timeout,
                              options.max_time, save_to=body, watchdog=watchdog, secrets=secrets)
    except BaseException:
        if body is not None:
            body.discard()
        raise
    saved = save(capture, body) if body is not None else None
    if capture.cancelled:
        return None
    # A body that could not be decoded (H010) was not validated.
    stream_findings = list(validator.violations) if capture.exchange.streamed else []
    if capture.exchange.relayed_error is not None:
        # Not an SSE stream gone wrong but an error sent unframed (H005): its bytes' framing
        # findings are that one cause again.
        stream_findings = [v for v in stream_findings if not v.code.startswith("F")]
    report = StreamReport(path=str(saved) if saved else scenario.name,
                          format=validator.format, kind=scenario.kind, profile=options.profile,
                          events=validator.events, violations=stream_findings,
                          output=capture.exchange.output)
    capture.exchange.output_text = report.output_text
    report.violations += unlocated_violations(judge(scenario, capture.exchange),
                                              options.profile, options.select, options.ignore)
    report.check = _facts(scenario, capture, saved, report, options, model)
    return report


def _merge(runs: list[StreamReport]) -> StreamReport:
    """One report for the runs of a scenario: the first run's, with the findings of the other
    runs added; a finding (by cause) that some runs lack is marked flaky."""
    report = runs[0]
    if len(runs) == 1:
        return report
    seen: dict[tuple, list] = {}
    for run in runs:
        for key in {cause_key(v) for v in run.violations}:
            seen.setdefault(key, []).append(run)
    merged, kept = [], set()
    for run in runs:
        for v in run.violations:
            key = cause_key(v)
            if key in kept:
                continue
            kept.add(key)
            count = len(seen[key])
            merged.append(v if count == len(runs) else replace(
                v, message=f"{v.message} [flaky: in {count} of {len(runs)} runs]"))
    report.violations = merged
    if report.check is not None:
        report.check.update(runs=len(runs), flaky=sum(len(seen[k]) < len(runs) for k in kept),
                            verdict="fail" if report.errors else "pass")
    return report


def _facts(scenario: Scenario, capture: Capture, saved: Path | None, report: StreamReport,
           options: CheckOptions, model: str) -> dict:
    first = capture.time_to_first_event
    return {"scenario": scenario.name, "description": scenario.description,
            "verdict": "fail" if report.errors else "pass", "endpoint": scenario.endpoint,
            "model": model,
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
