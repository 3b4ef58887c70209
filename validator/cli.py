"""The command line: ``stream-validator lint|check|rules|rule``.

Exit codes (design.md): 0 no file (no scenario) has an error (warnings too with ``--strict``),
1 some file has one, 2 the command could not run.  Nothing here prints a traceback: a failure
to read an input or an internal error becomes a one-line message and exit 2.

Every command that reports uses the same shell pieces: :func:`config_option` (settings from
``[tool.stream-validator]`` as defaults), :func:`report_options` (``--format``, ``--report``)
and :func:`emit_reports` (stdout, report files, the GitHub step summary).
"""

from __future__ import annotations

import difflib
import gzip
import json
import os
import re
import signal
import sys
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import click

from . import __version__, config
from .api import validate_file
from .atomic import write_atomic
from .engine import KINDS, StreamReport
from .framing import FORMATS
from .reporters import REPORTERS, fails, github, parse_report_spec
from .reporters._safe import printable
from .rules import PROFILES, RULES, enabled_rules, get, rule_samples
from .scenarios import REQUEST_SUFFIX
from .schemas import schema_document, schema_types

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
#: Files a directory argument expands to.
STREAM_SUFFIXES = (".sse", ".jsonl", ".ndjson", ".json")
GZIP_SUFFIX, GZIP_MAGIC = ".gz", b"\x1f\x8b"
CONFIG_FILE = "pyproject.toml"
#: Settings of ``[tool.stream-validator]`` that are defaults of ``lint`` options.
LINT_SETTINGS = {"profile": "profile", "select": "select", "ignore": "ignore",
                 "strict": "strict", "format": "output_format"}
#: ... and of ``check`` options (``base-url`` is its argument).
CHECK_SETTINGS = {**LINT_SETTINGS, "scenarios": "scenario_dirs", "base_url": "base_url"}


class UsageError(click.ClickException):
    exit_code = EXIT_ERROR


def _split(values: Sequence[str]) -> list[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


def _expand(paths: Sequence[str]) -> Iterator[str]:
    for path in paths:
        if path != "-" and os.path.isdir(path):
            found = sorted(str(p) for p in Path(path).rglob("*")
                           if p.is_file() and _is_stream_file(p))
            if not found:
                raise UsageError(f"{printable(path)}: no {'/'.join(STREAM_SUFFIXES)} files "
                                 "(or .gz of them) in this directory")
            yield from found
        else:
            yield path


def _is_stream_file(path: Path) -> bool:
    """A capture by its name: ``x.sse``, ``x.jsonl``…, or one of those gzip-compressed; not the
    ``NAME.request.json`` that ``check --save`` writes beside each capture."""
    suffix = Path(path.stem).suffix if path.suffix == GZIP_SUFFIX else path.suffix
    return suffix in STREAM_SUFFIXES and not path.name.endswith(REQUEST_SUFFIX)


def _decompressed(raw: BinaryIO) -> BinaryIO:
    """``raw``, or its decompressed content when it starts with the gzip magic bytes (read as
    it goes: memory stays bounded)."""
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    return gzip.GzipFile(fileobj=raw, mode="rb") if head == GZIP_MAGIC else raw


def _lint_one(path: str, stdin_name: str, options: dict) -> StreamReport:
    try:
        if path == "-":
            return validate_file(_decompressed(sys.stdin.buffer), stdin_name, **options)
        with open(path, "rb") as stream:
            return validate_file(_decompressed(stream), path, **options)
    except OSError as exc:  # gzip.BadGzipFile too
        raise UsageError(f"cannot read {printable(path)}: {exc.strerror or exc}") from None
    except (EOFError, zlib.error) as exc:  # a gzip file cut short or corrupt
        raise UsageError(f"cannot read {printable(path)}: broken gzip data: {exc}") from None


def read_config(path: Path) -> dict[str, Any] | None:
    """The ``[tool.stream-validator]`` settings of ``path`` (``None``: it has no such table)."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise UsageError(f"cannot read {printable(str(path))}: {reason or exc}") from None
    try:
        return config.load(text, path)
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from None


def find_config(start: Path) -> dict[str, Any]:
    """The settings of the nearest pyproject.toml with a ``[tool.stream-validator]`` table,
    looking in ``start`` and then upwards; ``{}`` if there is none."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file() and (settings := read_config(candidate)) is not None:
            return settings
    return {}


def config_option(params: Mapping[str, str]) -> Callable:
    """``--config PATH``, eager: the settings (from PATH, or else the pyproject.toml found from
    the current directory upwards) become defaults of the command's parameters ``params``
    (setting -> parameter name), so that what the command line says wins."""
    def load_defaults(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value is None:
            settings = find_config(Path.cwd())
        elif (settings := read_config(Path(value))) is None:
            raise UsageError(f"{printable(value)}: no [{config.TABLE}] table")
        multiple = {p.name for p in ctx.command.params if getattr(p, "multiple", False)}
        defaults = {params[key]: v for key, v in settings.items() if key in params}
        for name in multiple & defaults.keys():  # one value from the file for a repeatable option
            if isinstance(defaults[name], str):
                defaults[name] = [defaults[name]]
        ctx.default_map = {**(ctx.default_map or {}), **defaults}

    return click.option("--config", "config_path", type=click.Path(dir_okay=False),
                        is_eager=True, expose_value=False, callback=load_defaults,
                        help=f"TOML file with a [{config.TABLE}] table (default: the nearest "
                             f"{CONFIG_FILE} that has one).")


def _report_specs(_ctx: click.Context, _param: click.Parameter,
                  values: Sequence[str]) -> list[tuple[str, str]]:
    try:
        specs = [parse_report_spec(value) for value in values]
    except ValueError as exc:
        raise click.BadParameter(printable(str(exc))) from None
    paths = [path for _, path in specs]
    if repeated := sorted({path for path in paths if paths.count(path) > 1}):
        raise click.BadParameter(f"two reports would write {printable(repeated[0])}")
    return specs


def report_options(command: Callable) -> Callable:
    """``--format`` (stdout) and repeatable ``--report FORMAT=PATH``, for :func:`emit_reports`."""
    command = click.option("--report", "report_specs", multiple=True, metavar="FORMAT=PATH",
                           callback=_report_specs,
                           help="Also write a report to PATH (repeatable), e.g. "
                                "junit=out/junit.xml.")(command)
    return click.option("--format", "output_format", type=click.Choice(list(REPORTERS)),
                        default="text", show_default=True,
                        help="Output format on stdout.")(command)


def emit_reports(reports: Sequence[StreamReport], *, output_format: str,
                 report_specs: Sequence[tuple[str, str]], color: bool, strict: bool) -> None:
    """Print the ``--format`` report, write each ``--report`` file, and, when a GitHub report
    is asked for and ``GITHUB_STEP_SUMMARY`` is set, append the step summary to that file."""
    click.echo(REPORTERS[output_format](reports, color=color, strict=strict), nl=False)
    for name, path in report_specs:
        _write(path, REPORTERS[name](reports, strict=strict))
    formats = {output_format, *(name for name, _ in report_specs)}
    if "github" in formats and (summary := os.environ.get("GITHUB_STEP_SUMMARY")):
        _write(summary, github.summary(reports), append=True)


def _write(path: str, text: str, *, append: bool = False) -> None:
    """Write a report (in one step: a temporary file renamed over it), or append to one."""
    try:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if append:
            with open(target, "a", encoding="utf-8") as stream:
                stream.write(text)
        else:
            write_atomic(target, text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {printable(path)}: {exc.strerror or exc}") from None


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stream-validator")
def main() -> None:
    """Conformance validator for streamed OpenAI Responses API and Chat Completions responses."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@config_option(LINT_SETTINGS)
@report_options
@click.option("--profile", type=click.Choice(PROFILES), default="openai", show_default=True,
              help="Severities: what OpenAI does (openai), every recommendation (strict), or the "
                   "Open Responses normative rules (open-responses).")
@click.option("--select", multiple=True, metavar="CODES",
              help="Run only these rules: codes, prefixes (T, I0) or names; comma-separated.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Do not run these rules.")
@click.option("--strict/--no-strict", default=False, help="Warnings fail too (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--kind", type=click.Choice(["auto", *KINDS]), default="auto", show_default=True,
              help="Stream kind; auto detects it from the first event.")
@click.option("--input-format", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="Input format; auto sniffs it from the first byte.")
@click.option("--stdin-filename", default="<stdin>", show_default=True,
              help="Name shown for '-' (stdin) in reports.")
@click.option("--max-line-bytes", type=click.IntRange(min=1024), default=64 * 1024 * 1024,
              show_default=True, help="Longer lines are a finding (F009) and are skipped.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour the text output (NO_COLOR is honoured).")
def lint(paths: tuple[str, ...], output_format: str, report_specs: list[tuple[str, str]],
         profile: str, select: tuple[str, ...], ignore: tuple[str, ...], strict: bool,
         exit_zero: bool, kind: str, input_format: str, stdin_filename: str,
         max_line_bytes: int, color: str) -> None:
    """Validate captured streams (SSE, JSONL or JSON arrays; '-' for stdin).

    Directories are searched for *.sse, *.jsonl, *.ndjson and *.json files.  Defaults come from
    [tool.stream-validator] in pyproject.toml; the command line wins.
    """
    options = {"kind": None if kind == "auto" else kind, "profile": profile,
               "select": _split(select) or None, "ignore": _split(ignore),
               "input_format": input_format, "max_line_bytes": max_line_bytes}
    try:
        enabled_rules(profile, options["select"], options["ignore"])
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    reports: list[StreamReport] = []
    try:
        for path in _expand(paths):
            reports.append(_lint_one(path, stdin_filename, options))
    except Interrupted as stop:
        _stopped(stop, reports, "files", output_format=output_format, report_specs=report_specs,
                 color=_use_color(color), strict=strict)
    emit_reports(reports, output_format=output_format, report_specs=report_specs,
                 color=_use_color(color), strict=strict)
    sys.exit(_exit_code(reports, strict, exit_zero))


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived (raised by the handler ``run`` installs; like
    ``KeyboardInterrupt`` no ``Exception``, so that no ``except Exception`` swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _on_signal(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


def _stopped(stop: Interrupted, reports: Sequence[StreamReport], what: str,
             **emit: Any) -> None:
    """Report what is done, one line on stderr, exit 128 + the signal (130 SIGINT, 143
    SIGTERM)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the report
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    emit_reports(reports, **emit)
    click.echo(f"stream-validator: interrupted ({stop}): the {len(reports)} {what} done so far "
               "are reported", err=True)
    sys.exit(128 + stop.signum)


def _exit_code(reports: Sequence[StreamReport], strict: bool, exit_zero: bool) -> int:
    failed = any(fails(r, strict=strict) for r in reports)
    return EXIT_FINDINGS if failed and not exit_zero else EXIT_OK


_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z")  # an RFC 9110 token
_HEADER_VALUE = re.compile(r"[\x20-\x7e\t]*\Z")


def _parse_header(value: str) -> tuple[str, str]:
    name, colon, content = value.partition(":")
    name, content = name.strip(), content.strip()
    if not colon or not _HEADER_NAME.match(name) or not _HEADER_VALUE.match(content):
        raise UsageError(f"--header {printable(value)!r}: expected 'Name: value' (a token "
                         "name, a printable ASCII value)")
    return name, content


def _progress(total: int) -> Callable[[StreamReport], None]:
    """One stderr line per finished scenario (only on a terminal: stdout stays the report)."""
    done = 0
    lock = threading.Lock()

    def show(report: StreamReport) -> None:
        nonlocal done
        with lock:
            done += 1
            errors = report.errors
            verdict = f"{errors} error{'s' * (errors != 1)}" if errors else "ok"
            click.echo(f"[{done}/{total}] {printable(report.check['scenario'])}: {verdict} "
                       f"({report.check['total_time']:.2f} s)", err=True)

    return show


def _check_base_url(url: str) -> str:
    from urllib.parse import urlsplit

    import httpx

    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (
            parts.port is None or parts.port > 0) and _HEADER_VALUE.match(url) is not None
        # What httpx (a line break, "xn--") or the resolver's codec ("a..b") refuses would
        # otherwise be an internal error.
        httpx.Request("POST", url)
        valid = valid and bool(parts.hostname.encode("idna"))
    except (ValueError, httpx.InvalidURL):  # a bad port, IPv6 literal or IDNA label
        valid = False
    if not valid:
        raise UsageError(f"{printable(url)}: expected an http(s) base URL such as "
                         "http://127.0.0.1:8000/v1")
    return url


def _check_api_key(key: str | None) -> str | None:
    """The key, if it can be sent as a header value; else exit 2 with a message that never
    shows it (a key with a trailing newline would otherwise end up in an error text)."""
    if key is not None and (not key or not _HEADER_VALUE.match(key) or key != key.strip()):
        raise UsageError("the API key (--api-key or OPENAI_API_KEY) is not a valid header "
                         "value: it must be printable ASCII without spaces or line breaks at "
                         "its ends (the key is not shown)")
    return key


@main.command()
@click.argument("base_url")
@config_option(CHECK_SETTINGS)
@report_options
@click.option("--scenarios", "scenario_dirs", multiple=True, metavar="DIR",
              type=click.Path(file_okay=False), help="Add the *.json scenarios in DIR.")
@click.option("--no-builtin", is_flag=True, help="Run only the --scenarios ones.")
@click.option("--only", multiple=True, metavar="NAMES",
              help="Run only these scenarios (names or globs, comma-separated).")
@click.option("--skip", multiple=True, metavar="NAMES", help="Do not run these scenarios.")
@click.option("--model", default=None,
              help="Model for scenarios whose request names none [default: the first model "
              "of GET BASE_URL/models, else gpt-5-mini].")
@click.option("--responses-url", metavar="URL",
              help="Send the Responses scenarios here instead of BASE_URL/responses.")
@click.option("--chat-url", metavar="URL",
              help="Send the chat scenarios here instead of BASE_URL/chat/completions.")
@click.option("--repeat", type=click.IntRange(min=1), default=1, show_default=True,
              help="Run each scenario N times; findings not in every run are marked flaky.")
@click.option("--api-key", envvar="OPENAI_API_KEY", show_envvar=True,
              help="Sent as 'Authorization: Bearer KEY'; never printed or saved.")
@click.option("--header", "header_values", multiple=True, metavar="'NAME: VALUE'",
              help="Extra request header (repeatable); secret-looking ones are never saved.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0,
              show_default=True,
              help="Seconds to connect, and seconds the server may stay silent (per read).")
@click.option("--max-time", type=click.FloatRange(min=0, min_open=True), default=300.0,
              show_default=True, help="Seconds one scenario may take in all (keep-alive "
              "comments reset --timeout, not this).")
@click.option("--concurrency", type=click.IntRange(min=1), default=4, show_default=True,
              help="Scenarios run at once.")
@click.option("--save", "save_dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Save every capture (NAME.sse) and its request (NAME.request.json) in DIR.")
@click.option("--profile", type=click.Choice(PROFILES), default="openai", show_default=True,
              help="Severities (as for lint).")
@click.option("--select", multiple=True, metavar="CODES", help="Run only these rules.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Do not run these rules.")
@click.option("--strict/--no-strict", default=False, help="Warnings fail too (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour the text output (NO_COLOR is honoured).")
def check(base_url: str, scenario_dirs: tuple[str, ...], no_builtin: bool,
          only: tuple[str, ...], skip: tuple[str, ...], model: str | None,
          responses_url: str | None, chat_url: str | None, repeat: int, api_key: str | None,
          header_values: tuple[str, ...], timeout: float, max_time: float, concurrency: int,
          save_dir: str | None, output_format: str, report_specs: list[tuple[str, str]],
          profile: str, select: tuple[str, ...],
          ignore: tuple[str, ...], strict: bool, exit_zero: bool, color: str) -> None:
    """Send the scenarios to a live server and validate each stream as it arrives.

    BASE_URL is the API root: Responses scenarios POST to BASE_URL/responses, chat ones to
    BASE_URL/chat/completions, with stream: true (--responses-url and --chat-url, or a
    scenario's "path", send them elsewhere).  A refused connection, a timeout, an HTTP error
    or a non-SSE answer is a finding (H001-H005): exit 1, like any other finding.
    """
    from . import scenarios as sc
    from .check import CheckInterrupted, CheckOptions, run_check

    urls = {endpoint: _check_base_url(url) for endpoint, url in
            (("responses", responses_url), ("chat", chat_url)) if url}
    options = CheckOptions(
        base_url=_check_base_url(base_url), model=model, endpoint_urls=urls, repeat=repeat,
        api_key=_check_api_key(api_key),
        headers=dict(_parse_header(h) for h in header_values), timeout=timeout,
        max_time=max_time, concurrency=concurrency, profile=profile, select=_split(select) or None,
        ignore=_split(ignore), save_dir=Path(save_dir) if save_dir else None)
    try:
        enabled_rules(profile, options.select, options.ignore)
        found = [] if no_builtin else sc.load_builtin()
        for directory in scenario_dirs:
            found += sc.load_dir(directory)
        chosen = sc.select(found, _split(only), _split(skip))
    except ValueError as exc:  # ScenarioError too
        raise UsageError(str(exc)) from None
    try:
        reports = run_check(chosen, options, _progress(len(chosen)) if sys.stderr.isatty()
                            else None)
    except OSError as exc:  # --save DIR cannot be written
        raise UsageError(f"cannot save captures: {exc}") from None
    except CheckInterrupted as stop:
        if not isinstance(stop.cause, Interrupted):
            raise stop.cause from None
        _stopped(stop.cause, stop.reports, f"of {len(chosen)} scenarios",
                 output_format=output_format, report_specs=report_specs,
                 color=_use_color(color), strict=strict)
    emit_reports(reports, output_format=output_format, report_specs=report_specs,
                 color=_use_color(color), strict=strict)
    sys.exit(_exit_code(reports, strict, exit_zero))


def rules_markdown() -> str:
    """The catalogue as the Markdown table the README carries."""
    rows = ["| code | name | openai | strict | open-responses | summary |",
            "|---|---|---|---|---|---|"]
    for r in RULES.values():
        levels = [(s.value if (s := r.severity_in(p)) else "off") for p in PROFILES]
        rows.append(f"| {r.code} | `{r.name}` | {' | '.join(levels)} | {r.summary} |")
    return "\n".join(rows) + "\n"


@main.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
def rules(output_format: str) -> None:
    """List the rule catalogue."""
    if output_format == "markdown":
        click.echo(rules_markdown(), nl=False)
        return
    if output_format == "json":
        click.echo(json.dumps([{
            "code": r.code, "name": r.name, "summary": r.summary, "kind": r.kind,
            "severity": {p: (s.value if (s := r.severity_in(p)) else None) for p in PROFILES},
        } for r in RULES.values()], indent=2))
        return
    for r in RULES.values():
        severity = r.severity.value if r.severity else "off"
        click.echo(f"{r.code}  {r.name:<34} {severity:<8} {r.summary}")


@main.command()
@click.argument("code")
def rule(code: str) -> None:
    """Print one rule's documentation and its minimal failing sample."""
    try:
        r = get(code)
    except KeyError as exc:
        raise UsageError(exc.args[0]) from None
    severities = ", ".join(f"{p}: {s.value if (s := r.severity_in(p)) else 'off'}"
                           for p in PROFILES)
    click.echo(f"# {r.name} ({r.code})\n\n{r.summary}.\n\nSeverity: {severities}. "
               f"Applies to {r.kind if r.kind != 'any' else 'all'} streams.\n\n{r.doc}")
    for sample in rule_samples(r.code):
        click.echo(f"## Sample ({sample.name})\n```\n{sample.read_text('utf-8').rstrip()}\n```")


@main.command()
@click.argument("event_type", required=False)
@click.option("--list", "list_types", is_flag=True, help="List the event types that have a schema.")
def schema(event_type: str | None, list_types: bool) -> None:
    """Print the JSON Schema of an event type (e.g. response.output_text.delta)."""
    if list_types:
        for kind in KINDS:
            for name in schema_types(kind):
                click.echo(f"{name:<48} {kind}")
        return
    if event_type is None:
        raise UsageError("name an event type, or use --list")
    try:
        document = schema_document(event_type)
    except KeyError:
        close = difflib.get_close_matches(event_type, schema_types(), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UsageError(f"no schema for event type {printable(event_type)!r}{hint}; "
                         "`stream-validator schema --list` lists them") from None
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def run() -> None:
    """Entry point: SIGINT and SIGTERM end a command with what it has done (exit 130/143), and
    any unexpected exception becomes a one-line message (credentials scrubbed) and exit 2."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _on_signal)
        signal.signal(signal.SIGTERM, _on_signal)
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except Interrupted as stop:  # before a command could report anything
        click.echo(f"stream-validator: interrupted ({stop})", err=True)
        sys.exit(128 + stop.signum)
    except Exception as exc:
        from .capture import scrub

        secrets = [os.environ.get("OPENAI_API_KEY", "")]
        message = scrub(f"{type(exc).__name__}: {exc}", secrets)
        click.echo(f"stream-validator: internal error: {printable(message)}", err=True)
        sys.exit(EXIT_ERROR)
