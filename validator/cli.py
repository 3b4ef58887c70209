"""The command line: ``stream-validator lint|check|rules|rule``.

Exit codes (design.md): 0 no file (no scenario) has an error (warnings too with ``--strict``),
1 some file has one, 2 the command could not run.  Nothing here prints a traceback: a failure
to read an input or an internal error becomes a one-line message and exit 2.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import click

from . import __version__
from .api import validate_file
from .engine import KINDS, StreamReport
from .framing import FORMATS
from .reporters import REPORTERS
from .reporters._safe import printable
from .rules import PROFILES, RULES, enabled_rules, get
from .scenarios import REQUEST_SUFFIX

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
#: Files a directory argument expands to.
STREAM_SUFFIXES = (".sse", ".jsonl", ".ndjson", ".json")
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "invalid"


class UsageError(click.ClickException):
    exit_code = EXIT_ERROR


def _split(values: Sequence[str]) -> list[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


def _expand(paths: Sequence[str]) -> Iterator[str]:
    for path in paths:
        if path != "-" and os.path.isdir(path):
            # `check --save` writes NAME.request.json beside each capture: not a stream.
            found = sorted(str(p) for p in Path(path).rglob("*")
                           if p.is_file() and p.suffix in STREAM_SUFFIXES
                           and not p.name.endswith(REQUEST_SUFFIX))
            if not found:
                raise UsageError(f"{path}: no {'/'.join(STREAM_SUFFIXES)} files in this directory")
            yield from found
        else:
            yield path


def _lint_one(path: str, stdin_name: str, options: dict) -> StreamReport:
    if path == "-":
        return validate_file(sys.stdin.buffer, stdin_name, **options)
    try:
        with open(path, "rb") as stream:
            return validate_file(stream, path, **options)
    except OSError as exc:
        raise UsageError(f"cannot read {printable(path)}: {exc.strerror or exc}") from None


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
@click.option("--format", "output_format", type=click.Choice(sorted(REPORTERS)), default="text",
              show_default=True, help="Output format.")
@click.option("--profile", type=click.Choice(PROFILES), default="openai", show_default=True,
              help="Severities: what OpenAI does (openai), every recommendation (strict), or the "
                   "Open Responses normative rules (open-responses).")
@click.option("--select", multiple=True, metavar="CODES",
              help="Run only these rules: codes, prefixes (T, I0) or names; comma-separated.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Do not run these rules.")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
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
def lint(paths: tuple[str, ...], output_format: str, profile: str, select: tuple[str, ...],
         ignore: tuple[str, ...], strict: bool, exit_zero: bool, kind: str, input_format: str,
         stdin_filename: str, max_line_bytes: int, color: str) -> None:
    """Validate captured streams (SSE, JSONL or JSON arrays; '-' for stdin).

    Directories are searched for *.sse, *.jsonl, *.ndjson and *.json files.
    """
    options = {"kind": None if kind == "auto" else kind, "profile": profile,
               "select": _split(select) or None, "ignore": _split(ignore),
               "input_format": input_format, "max_line_bytes": max_line_bytes}
    try:
        enabled_rules(profile, options["select"], options["ignore"])
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    reports = [_lint_one(path, stdin_filename, options) for path in _expand(paths)]
    click.echo(REPORTERS[output_format](reports, color=_use_color(color)), nl=False)
    sys.exit(_exit_code(reports, strict, exit_zero))


def _exit_code(reports: Sequence[StreamReport], strict: bool, exit_zero: bool) -> int:
    failed = any(r.errors or (strict and r.warnings) for r in reports)
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

    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (
            parts.port is None or parts.port > 0)
    except ValueError:  # a bad port or IPv6 literal
        valid = False
    if not valid:
        raise UsageError(f"{printable(url)}: expected an http(s) base URL such as "
                         "http://127.0.0.1:8000/v1")
    return url


@main.command()
@click.argument("base_url")
@click.option("--scenarios", "scenario_dirs", multiple=True, metavar="DIR",
              type=click.Path(file_okay=False), help="Add the *.json scenarios in DIR.")
@click.option("--no-builtin", is_flag=True, help="Run only the --scenarios ones.")
@click.option("--only", multiple=True, metavar="NAMES",
              help="Run only these scenarios (names or globs, comma-separated).")
@click.option("--skip", multiple=True, metavar="NAMES", help="Do not run these scenarios.")
@click.option("--model", default="gpt-5-mini", show_default=True,
              help="Model for scenarios whose request names none.")
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
@click.option("--format", "output_format", type=click.Choice(sorted(REPORTERS)), default="text",
              show_default=True, help="Output format.")
@click.option("--profile", type=click.Choice(PROFILES), default="openai", show_default=True,
              help="Severities (as for lint).")
@click.option("--select", multiple=True, metavar="CODES", help="Run only these rules.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Do not run these rules.")
@click.option("--strict", is_flag=True, help="Warnings fail too (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour the text output (NO_COLOR is honoured).")
def check(base_url: str, scenario_dirs: tuple[str, ...], no_builtin: bool,
          only: tuple[str, ...], skip: tuple[str, ...], model: str, api_key: str | None,
          header_values: tuple[str, ...], timeout: float, max_time: float, concurrency: int,
          save_dir: str | None, output_format: str, profile: str, select: tuple[str, ...],
          ignore: tuple[str, ...], strict: bool, exit_zero: bool, color: str) -> None:
    """Send the scenarios to a live server and validate each stream as it arrives.

    BASE_URL is the API root: Responses scenarios POST to BASE_URL/responses, chat ones to
    BASE_URL/chat/completions, with stream: true.  A refused connection, a timeout, an HTTP
    error or a non-SSE answer is a finding (H001-H004): exit 1, like any other finding.
    """
    from . import scenarios as sc
    from .check import CheckOptions, run_check

    options = CheckOptions(
        base_url=_check_base_url(base_url), model=model, api_key=api_key,
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
    click.echo(REPORTERS[output_format](reports, color=_use_color(color)), nl=False)
    # Hook for `--report FORMAT=PATH` (issue 5): write REPORTERS[fmt](reports) to each PATH here.
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
        import json

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
    for sample in sorted(SAMPLES.glob(f"{r.code}-*")):
        click.echo(f"## Sample ({sample.name})\n```\n{sample.read_text('utf-8').rstrip()}\n```")


def run() -> None:
    """Entry point that turns any unexpected exception into a one-line message and exit 2."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:
        click.echo(f"stream-validator: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_ERROR)
