"""The command line: ``stream-validator lint|diff|view|check|serve|rules|rule|schema``.

Exit codes (design.md): 0 no file (no scenario) has an error (warnings too with ``--strict``),
1 some file has one, 2 the command could not run.  Nothing here prints a traceback: a failure
to read an input or an internal error becomes a one-line message and exit 2.

Every command that reports uses the same shell pieces: :func:`config_option` (settings from
``[tool.stream-validator]`` as defaults), :func:`report_options` (``--format``, ``--report``)
and :func:`emit_reports` (stdout, report files, the GitHub step summary).
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, cast

import click

from . import __version__, config
from .api import validate_file
from .cache import ENV_OFF, parsed_once
from .engine import KINDS
from .framing import read_frames
from .framing.formats import FORMATS, STREAM_SUFFIXES
from .profiles import PROFILE_NAMES, PROFILES, profile_help
from .reporters import REPORTERS, fails, parse_report_spec, text
from .reporters._common import totals
from .reporters._safe import printable
from .result import StreamReport
from .rules import (
    DIFF_FAMILIES,
    RULES,
    as_selectors,
    enabled_rules,
    get,
    layered_selection,
    resolve_selectors,
    rule_samples,
)
from .walk import DEFAULT_EXCLUDE, expand, matches

if TYPE_CHECKING:
    from .timeline import Timeline

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
GZIP_MAGIC = b"\x1f\x8b"
CONFIG_FILE = "pyproject.toml"
#: Settings of ``[tool.stream-validator]`` that are defaults of ``lint`` options.
LINT_SETTINGS = {"profile": "profile", "strict": "strict", "format": "output_format"}
#: ... and of ``check`` options (``base-url`` is its argument).
CHECK_SETTINGS = {**LINT_SETTINGS, "scenarios": "scenario_dirs", "base_url": "base_url"}


class UsageError(click.ClickException):
    exit_code = EXIT_ERROR


def _split(values: Sequence[str]) -> list[str]:
    return [part for value in values for part in value.split(",") if part.strip()]


def _decompressed(raw: BinaryIO) -> BinaryIO:
    """``raw``, or its decompressed content when it starts with the gzip magic bytes (read as
    it goes: memory stays bounded)."""
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    if head != GZIP_MAGIC:
        return raw
    import gzip  # (most captures are not compressed)

    return cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb"))  # a binary file object


class Unreadable(Exception):
    """An input that cannot be read: reported at the end (exit 2), the other inputs linted."""


def _lint_one(path: str, stdin_name: str, options: dict) -> StreamReport:
    try:
        if path == "-":
            return validate_file(_decompressed(sys.stdin.buffer), stdin_name, **options)
        with open(path, "rb") as stream:
            return validate_file(_decompressed(stream), path, **options)
    except OSError as exc:  # gzip.BadGzipFile too
        raise Unreadable(exc.strerror or str(exc)) from None
    except (EOFError, zlib.error) as exc:  # a gzip file cut short or corrupt
        raise Unreadable(f"broken gzip data: {exc}") from None


def _lint_or_unreadable(path: str, stdin_name: str, options: dict) -> StreamReport | Unreadable:
    try:
        return _lint_one(path, stdin_name, options)
    except Unreadable as exc:  # returned: the other inputs are linted all the same
        return exc


def _lint_batch(batch: list[tuple[str, dict]],
                stdin_name: str) -> list[StreamReport | Unreadable]:
    return [_lint_or_unreadable(path, stdin_name, options) for path, options in batch]


#: Batches per worker: enough for the workers to finish together, few enough that a folder of
#: small captures does not pay the pool's cost per file (the 234 corpus files: 1.25 s of CPU
#: time in all as one task a file, 1.15 s in batches).
_BATCHES_PER_JOB = 4
#: Without ``--jobs``, the pool only for files that add up to this much: it costs ~0.1 s before
#: the first file (importing multiprocessing, forking, each worker's warm-up), which a smaller
#: lint does not win back (3 small files: 0.26 s in a pool of 2, 0.17 s in one process).
POOL_BYTES = 16 << 20


def _sizes(files: list[tuple[str, dict]]) -> list[int]:
    sizes = []
    for path, _ in files:
        try:
            sizes.append(os.path.getsize(path))
        except OSError:  # reported by whoever tries to read it
            sizes.append(0)
    return sizes


def _batches(files: list[tuple[str, dict]], sizes: list[int],
             jobs: int) -> list[list[tuple[str, dict]]]:
    """``files`` cut, in order, into about ``jobs * _BATCHES_PER_JOB`` runs of similar size in
    bytes (a file larger than its share is a batch alone)."""
    count = jobs * _BATCHES_PER_JOB
    share = sum(sizes) / count
    most = -(-len(files) // count)  # files per batch at most
    batches: list[list[tuple[str, dict]]] = [[]]
    held = 0
    for item, size in zip(files, sizes, strict=True):
        if batches[-1] and (held + size > share or len(batches[-1]) == most):
            batches.append([])
            held = 0
        batches[-1].append(item)
        held += size
    return batches


def _lint_all(tasks: list[tuple[str, dict]], stdin_name: str,
              jobs: int | None) -> Iterator[StreamReport | Unreadable]:
    """The report of each ``(path, options)``, in order (or why it could not be read); with
    ``jobs`` > 1 and several files, the files are linted in batches by a pool of worker
    processes (stdin always here: a worker cannot read it); ``None``: one worker per core if
    the files add up to ``POOL_BYTES``, else one process.  A generator, so that an interrupt
    keeps the reports already made."""
    files = [(path, options) for path, options in tasks if path != "-"]
    sizes = _sizes(files) if len(files) > 1 and jobs != 1 else []
    if jobs is None:
        jobs = _cores() if sum(sizes) >= POOL_BYTES else 1
    if jobs == 1 or len(files) < 2:
        for path, options in tasks:
            yield _lint_or_unreadable(path, stdin_name, options)
        return
    from concurrent.futures import ProcessPoolExecutor
    from itertools import chain

    pool = ProcessPoolExecutor(max_workers=min(jobs, len(files)))
    try:
        batches = _batches(files, sizes, jobs)
        linted = chain.from_iterable(pool.map(_lint_batch, batches, [stdin_name] * len(batches)))
        for path, options in tasks:
            yield _lint_or_unreadable(path, stdin_name, options) if path == "-" else next(linted)
    finally:  # after an interrupt, the batches not started yet are not started
        pool.shutdown(cancel_futures=True)


def _cores() -> int:
    """The cores this process may run on (its affinity mask where the OS has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def read_config(path: str) -> dict[str, Any] | None:
    """The ``[tool.stream-validator]`` settings of ``path`` (``None``: it has no such table)."""
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8"
        raise UsageError(f"cannot read {printable(path)}: {reason or exc}") from None
    try:
        table = parsed_once(text, lambda text: config.table(text, path))
        return None if table is None else config.settings_of(table, path)
    except config.ConfigError as exc:
        raise UsageError(str(exc)) from None


def find_config(start: str) -> tuple[dict[str, Any], str]:
    """The settings of the nearest pyproject.toml with a ``[tool.stream-validator]`` table,
    looking in the absolute folder ``start`` and then upwards, and its folder; ``({}, start)``
    if there is none.  (``os.path``: pathlib costs a small lint ~1.5 ms.)"""
    directory = start
    while True:
        candidate = os.path.join(directory, CONFIG_FILE)
        if os.path.isfile(candidate) and (settings := read_config(candidate)) is not None:
            return settings, directory
        parent = os.path.dirname(directory)
        if parent == directory:
            return {}, start
        directory = parent


#: Where the command's configuration and ``--isolated`` are kept in the click context.
_SETTINGS, _ISOLATED = "stream_validator.settings", "stream_validator.isolated"


def config_option(params: Mapping[str, str]) -> Callable:
    """``--config PATH`` and ``--isolated``, eager: the settings (from PATH, or else the
    pyproject.toml found from the current directory upwards; none with ``--isolated``) become
    defaults of the command's parameters ``params`` (setting -> parameter name), so that what
    the command line says wins; all of them are in :func:`settings` (rule selection and walk
    settings are layered, not defaults)."""
    def load_defaults(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
        if ctx.meta.get(_ISOLATED):
            if value is not None:
                raise UsageError("--isolated ignores every configuration file: drop --config")
            return
        if value is None:
            found = find_config(os.getcwd())
        else:
            from pathlib import Path  # (messages name the file as pathlib spells it)

            if (settings := read_config(str(Path(value)))) is None:
                raise UsageError(f"{printable(value)}: no [{config.TABLE}] table")
            found = (settings, str(Path(value).parent))
        settings, root = found
        multiple = {p.name for p in ctx.command.params if getattr(p, "multiple", False)}
        defaults = {params[key]: v for key, v in settings.items() if key in params}
        for name in multiple & defaults.keys():  # one value from the file for a repeatable option
            if isinstance(defaults[name], str):
                defaults[name] = [defaults[name]]
        ctx.default_map = {**(ctx.default_map or {}), **defaults}
        ctx.meta[_SETTINGS] = (settings, root)

    def isolate(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if not value:
            return
        if _SETTINGS in ctx.meta and ctx.meta[_SETTINGS][0]:
            raise UsageError("--isolated ignores every configuration file: drop --config")
        ctx.meta[_ISOLATED] = True

    def decorate(command: Callable) -> Callable:
        command = click.option("--config", "config_path", type=click.Path(dir_okay=False),
                               is_eager=True, expose_value=False, callback=load_defaults,
                               help=f"TOML file with a [{config.TABLE}] table (default: the "
                                    f"nearest {CONFIG_FILE} that has one).")(command)
        return click.option("--isolated", is_flag=True, is_eager=True, expose_value=False,
                            callback=isolate,
                            help="Ignore every configuration file.")(command)

    return decorate


def settings() -> tuple[dict[str, Any], str]:
    """The configuration of the running command and the folder its patterns are relative to
    (``{}`` and the current directory when there is none)."""
    return click.get_current_context().meta.get(_SETTINGS) or ({}, os.getcwd())


def rule_selection(select: Sequence[str], extend_select: Sequence[str], ignore: Sequence[str],
                   extend_ignore: Sequence[str]) -> tuple[list[str] | None, list[str]]:
    """``(select, ignore)`` for the engine: the file's settings, then the command line's."""
    file_settings, _ = settings()
    command_line = {"select": _split(select), "extend_select": _split(extend_select),
                    "ignore": _split(ignore), "extend_ignore": _split(extend_ignore)}
    try:
        return as_selectors(layered_selection([file_settings, command_line]))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def selection_options(command: Callable) -> Callable:
    """``--select``, ``--extend-select``, ``--ignore``, ``--extend-ignore`` (see
    :func:`rule_selection`)."""
    for name, help_text in reversed((
            ("select", "Run only these rules: codes, prefixes (T, I0) or names; "
                       "comma-separated. Replaces the configuration's choice."),
            ("extend-select", "Run these rules too."),
            ("ignore", "Do not run these rules."),
            ("extend-ignore", "Do not run these rules either."))):
        command = click.option(f"--{name}", multiple=True, metavar="CODES",
                               help=help_text)(command)
    return command


#: ``--profile``: every name of ``validator.profiles``, its help derived from the table.
profile_option = click.option("--profile", type=click.Choice(PROFILE_NAMES), default="default",
                              show_default=True, help=profile_help())


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
    """``--format`` (stdout), repeatable ``--report FORMAT=PATH``, ``--quiet`` and
    ``--statistics``, for :func:`emit_reports`."""
    command = click.option("--statistics", is_flag=True,
                           help="Print a count per rule instead of the findings.")(command)
    command = click.option("-q", "--quiet", count=True,
                           help="Print only the findings (-qq: nothing; the exit code and "
                                "--report files stay).")(command)
    command = click.option("--report", "report_specs", multiple=True, metavar="FORMAT=PATH",
                           callback=_report_specs,
                           help="Also write a report to PATH (repeatable), e.g. "
                                "junit=out/junit.xml.")(command)
    return click.option("--format", "output_format", type=click.Choice(list(REPORTERS)),
                        help="Output format on stdout [default: text; github when "
                             "GITHUB_ACTIONS=true].")(command)


def _html(reports: Sequence[StreamReport], timelines: dict) -> str:
    from .reporters import html  # imported for an HTML page only (start-up of a lint)

    return html.render(reports, timelines=timelines)


def default_format() -> str:
    """``github`` inside GitHub Actions (as ruff does), else ``text``."""
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def emit_reports(reports: Sequence[StreamReport], *, output_format: str | None,
                 report_specs: Sequence[tuple[str, str]], color: bool, strict: bool,
                 quiet: int = 0, statistics: bool = False) -> None:
    """Print the ``--format`` report (or the ``--statistics``; nothing with ``-qq``), write each
    ``--report`` file, and, when a GitHub report is asked for and ``GITHUB_STEP_SUMMARY`` is
    set, append the step summary to that file."""
    output_format = output_format or default_format()
    formats = {output_format, *(name for name, _ in report_specs)}
    timelines = _timelines(reports) if "html" in formats else {}

    if statistics:
        stdout = text.statistics(reports)
    elif output_format == "text":
        stdout = text.render(reports, color=color, strict=strict, quiet=quiet)
    elif output_format == "html":
        stdout = _html(reports, timelines)
    else:
        stdout = REPORTERS[output_format](reports, color=color, strict=strict)
    if quiet < 2:
        # `color=` explicitly: click strips ANSI codes from piped output unless told otherwise,
        # which would defeat `--color always` and FORCE_COLOR.
        click.echo(stdout, nl=False, color=color)
    for name, path in report_specs:
        _write(path, _html(reports, timelines) if name == "html"
               else REPORTERS[name](reports, strict=strict))
    if "github" in formats and (summary := os.environ.get("GITHUB_STEP_SUMMARY")):
        from .reporters import github

        _write(summary, github.summary(reports), append=True)


def _timelines(reports: Sequence[StreamReport]) -> dict[int, Timeline]:
    """The timeline of each report whose stream is a file (a linted capture, a capture
    ``check --save`` wrote), read again for the HTML view."""
    from . import timeline  # (an HTML page only)

    found = {}
    for number, report in enumerate(reports):
        if report.events and os.path.isfile(report.path):
            try:
                with open(report.path, "rb") as raw:
                    frames = read_frames(_decompressed(raw), report.format or "auto")
                    found[number] = timeline.build(report.kind, frames, report.violations)
            except (OSError, EOFError, zlib.error):
                continue  # linting it said what is wrong; the page lists its findings
    return found


def _write(path: str, text: str, *, append: bool = False) -> None:
    """Write a report (in one step: a temporary file renamed over it), or append to one."""
    from pathlib import Path

    try:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if append:
            with open(target, "a", encoding="utf-8") as stream:
                stream.write(text)
        else:
            from .atomic import write_atomic  # (tempfile: only for a report file)

            write_atomic(target, text.encode("utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot write {printable(path)}: {exc.strerror or exc}") from None


def _use_color(choice: str) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def _version(context: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or context.resilient_parsing:
        return
    click.echo(f"stream-validator, version {__version__} ({_build()})")
    context.exit()


def _build() -> str:
    """Which build runs: the wheel's hot path compiled by mypyc (``hatch_build.py``), or the
    pure-Python source (an editable install, a pure wheel)."""
    from importlib.machinery import EXTENSION_SUFFIXES

    from . import engine
    compiled = (engine.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))
    return "compiled with mypyc" if compiled else "pure Python"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="Show the version, and whether the build is compiled, and exit.")
def main() -> None:
    """Conformance validator for streamed OpenAI Responses API and Chat Completions responses."""


def _no_cache(_ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``--no-cache``, in the environment (the ``--jobs`` workers inherit it); eager, so that
    the configuration file found is read after it (as is one ``--config`` names later)."""
    if value:
        os.environ[ENV_OFF] = "1"


#: ``lint --help``: the suffixes a directory walk looks for come from the format table.
_LINT_HELP = f"""Validate captured streams (SSE, JSONL or JSON arrays; '-' for stdin).

Directories are searched for {", ".join("*" + s for s in STREAM_SUFFIXES)} files (and their
.gz), skipping hidden folders, what .gitignore ignores and the `exclude` patterns.  Defaults
come from [tool.stream-validator] in pyproject.toml; the command line wins.
"""


@main.command(help=_LINT_HELP)
@click.argument("paths", nargs=-1, required=True)
@config_option(LINT_SETTINGS)
@report_options
@profile_option
@selection_options
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
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Files linted at once, in N worker processes (default: one per core once "
                   "the files add up to 16 MiB, else 1; 1: one after another). The report "
                   "keeps the order of the files.")
@click.option("--no-cache", is_flag=True, is_eager=True, expose_value=False, callback=_no_cache,
              help=f"Neither read nor write the cache of compiled schema checks and parsed "
                   f"configuration (also: {ENV_OFF}=1).")
def lint(paths: tuple[str, ...], output_format: str | None,
         report_specs: list[tuple[str, str]], quiet: int, statistics: bool, profile: str,
         select: tuple[str, ...], extend_select: tuple[str, ...], ignore: tuple[str, ...],
         extend_ignore: tuple[str, ...], strict: bool, exit_zero: bool, kind: str,
         input_format: str, stdin_filename: str, max_line_bytes: int, color: str,
         jobs: int | None) -> None:
    chosen_select, chosen_ignore = rule_selection(select, extend_select, ignore, extend_ignore)
    options = {"kind": None if kind == "auto" else kind, "profile": profile,
               "select": chosen_select, "ignore": chosen_ignore,
               "input_format": input_format, "max_line_bytes": max_line_bytes}
    file_settings, root = settings()
    try:
        enabled_rules(profile, chosen_select, chosen_ignore)
        per_file = {pattern: sorted(resolve_selectors(rules))
                    for pattern, rules in file_settings.get("per_file_ignores", {}).items()}
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    exclude = [*file_settings.get("exclude", DEFAULT_EXCLUDE),
               *file_settings.get("extend_exclude", ())]
    found = expand(paths, exclude=exclude, root=root)
    for path in found.empty:
        raise UsageError(f"{printable(path)}: no {'/'.join(STREAM_SUFFIXES)} files "
                         "(or .gz of them) in this directory")
    _refuse_inputs_as_reports(report_specs, found.files)
    problems = list(found.unreadable)
    reports: list[StreamReport] = []
    tasks = []
    for path in found.files:
        ignored = [code for pattern, codes in per_file.items() if path != "-"
                   and matches(path, pattern, root) for code in codes]
        tasks.append((path, {**options, "ignore": [*chosen_ignore, *ignored]} if ignored
                      else options))
    try:
        for (path, _), result in zip(tasks, _lint_all(tasks, stdin_filename, jobs),
                                     strict=True):
            if isinstance(result, Unreadable):
                problems.append((path, str(result)))
            else:
                reports.append(result)
    except Interrupted as stop:
        _stopped(stop, reports, "files", output_format=output_format, report_specs=report_specs,
                 color=_use_color(color), strict=strict)
    if reports or not problems:  # nothing could be read: the messages alone say it
        emit_reports(reports, output_format=output_format, report_specs=report_specs,
                     color=_use_color(color), strict=strict, quiet=quiet,
                     statistics=statistics)
    for path, reason in problems:
        click.echo(f"stream-validator: cannot read {printable(path)}: {printable(reason)}",
                   err=True)
    sys.exit(EXIT_ERROR if problems else _exit_code(reports, strict, exit_zero))


@main.command()
@click.argument("capture", type=click.Path(dir_okay=False, allow_dash=False))
@click.option("-o", "--output", metavar="PATH",
              help="Where to write the page [default: CAPTURE.html].")
@config_option(LINT_SETTINGS)
@profile_option
@selection_options
@click.option("--kind", type=click.Choice(["auto", *KINDS]), default="auto", show_default=True,
              help="Stream kind; auto detects it from the first event.")
@click.option("--input-format", type=click.Choice(FORMATS), default="auto", show_default=True,
              help="Input format; auto sniffs it from the first byte.")
def view(capture: str, output: str | None, profile: str, select: tuple[str, ...],
         extend_select: tuple[str, ...], ignore: tuple[str, ...],
         extend_ignore: tuple[str, ...], kind: str, input_format: str) -> None:
    """Write one self-contained HTML page that draws CAPTURE: a lane per part of the answer
    (the response, items and parts, chat choices and tool calls), the events down the page,
    each lane's text, and every finding pinned to its event."""
    chosen_select, chosen_ignore = rule_selection(select, extend_select, ignore, extend_ignore)
    options = {"kind": None if kind == "auto" else kind, "profile": profile,
               "select": chosen_select, "ignore": chosen_ignore, "input_format": input_format}
    try:
        report = _lint_one(capture, capture, options)
    except Unreadable as exc:
        raise UsageError(f"cannot read {printable(capture)}: {exc}") from None
    target = output or f"{capture}.html"
    if os.path.realpath(target) == os.path.realpath(capture):
        raise UsageError(f"--output {printable(target)} would overwrite the capture")
    _write(target, _html([report], _timelines([report])))
    click.echo(f"{printable(target)}: {totals([report])}")


@main.command()
@click.argument("upstream")
@click.argument("downstream")
@config_option(LINT_SETTINGS)
@report_options
@profile_option
@selection_options
@click.option("--strict/--no-strict", default=False, help="Warnings fail too (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--stdin-filename", default="<stdin>", show_default=True,
              help="Name shown for '-' (stdin) in reports.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour the text output (NO_COLOR is honoured).")
def diff(upstream: str, downstream: str, output_format: str | None,
         report_specs: list[tuple[str, str]], quiet: int, statistics: bool, profile: str,
         select: tuple[str, ...], extend_select: tuple[str, ...], ignore: tuple[str, ...],
         extend_ignore: tuple[str, ...], strict: bool, exit_zero: bool, stdin_filename: str,
         color: str) -> None:
    """Compare the stream a gateway received (UPSTREAM) with the stream it sent (DOWNSTREAM).

    Either side may be any kind (Responses, Chat Completions) and any format; '-' reads one
    side from stdin.  Both are linted as `lint` does; then what the downstream lost, added or
    changed is reported on it as D findings (text, tool calls, reasoning, stop condition,
    usage), each with the upstream line it comes from.
    """
    from .diff import diff_reports

    if upstream == downstream == "-":
        raise UsageError("only one side can be read from stdin ('-')")
    chosen_select, chosen_ignore = rule_selection(select, extend_select, ignore, extend_ignore)
    try:
        enabled_rules(profile, chosen_select, chosen_ignore)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _refuse_inputs_as_reports(report_specs, [upstream, downstream])
    options = {"profile": profile, "select": chosen_select, "ignore": chosen_ignore,
               "content": True}
    sides = []
    for path in (upstream, downstream):
        try:
            sides.append(_lint_one(path, stdin_filename, options))
        except Unreadable as exc:
            raise UsageError(f"cannot read {printable(path)}: {printable(str(exc))}") from None
    up, down = sides
    diff_reports(up, down, profile=profile, select=chosen_select, ignore=chosen_ignore)
    emit_reports(sides, output_format=output_format, report_specs=report_specs,
                 color=_use_color(color), strict=strict, quiet=quiet, statistics=statistics)
    sys.exit(_exit_code(sides, strict, exit_zero))


def _refuse_inputs_as_reports(report_specs: Sequence[tuple[str, str]],
                              inputs: Sequence[str]) -> None:
    """A ``--report`` that would overwrite an input (``--report json=x.sse`` for ``x.sse``) is a
    usage error, before anything is read or written."""
    targets = {os.path.realpath(path): path for _, path in report_specs}
    for path in inputs:
        if path != "-" and (target := targets.get(os.path.realpath(path))):
            raise UsageError(f"--report {printable(target)} would overwrite an input: write "
                             "reports elsewhere")


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


# Patterns compiled at their first use (by `re`'s cache), not at every lint's start-up.
_HEADER_NAME = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+\Z"  # an RFC 9110 token
_HEADER_VALUE = r"[\x20-\x7e\t]*\Z"


def _parse_header(value: str) -> tuple[str, str]:
    name, colon, content = value.partition(":")
    name, content = name.strip(), content.strip()
    if not colon or not re.match(_HEADER_NAME, name) or not re.match(_HEADER_VALUE, content):
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
            check = report.check or {}
            click.echo(f"[{done}/{total}] {printable(str(check.get('scenario')))}: {verdict} "
                       f"({check.get('total_time', 0):.2f} s)", err=True)

    return show


def _check_base_url(url: str) -> str:
    from urllib.parse import urlsplit

    import httpx

    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (
            parts.port is None or parts.port > 0) and re.match(_HEADER_VALUE, url) is not None
        # What httpx (a line break, "xn--") or the resolver's codec ("a..b") refuses would
        # otherwise be an internal error.
        httpx.Request("POST", url)
        valid = valid and bool((parts.hostname or "").encode("idna"))
    except (ValueError, httpx.InvalidURL):  # a bad port, IPv6 literal or IDNA label
        valid = False
    if not valid:
        raise UsageError(f"{printable(url)}: expected an http(s) base URL such as "
                         "http://127.0.0.1:8000/v1")
    return url


def _check_api_key(key: str | None) -> str | None:
    """The key, if it can be sent as a header value; else exit 2 with a message that never
    shows it (a key with a trailing newline would otherwise end up in an error text)."""
    if key is not None and (not key or not re.match(_HEADER_VALUE, key) or key != key.strip()):
        raise UsageError("the API key (--api-key, OPENAI_API_KEY or ANTHROPIC_API_KEY) is not a "
                         "valid header value: it must be printable ASCII without spaces or line "
                         "breaks at its ends (the key is not shown)")
    return key


@main.command()
@click.argument("base_url", required=False)
@config_option(CHECK_SETTINGS)
@report_options
@click.option("--scenarios", "scenario_dirs", multiple=True, metavar="DIR",
              type=click.Path(file_okay=False), help="Add the *.json scenarios in DIR.")
@click.option("--no-builtin", is_flag=True, help="Run only the --scenarios ones.")
@click.option("--endpoint", "endpoints", multiple=True,
              type=click.Choice(["responses", "chat", "messages"]),
              help="Run the built-in scenarios of this endpoint (repeatable; default: responses "
              "and chat; messages: Anthropic's /messages).  With --upstream: the gateway's API "
              "to call (default: each capture's own kind).")
@click.option("--only", multiple=True, metavar="NAMES",
              help="Run only these scenarios (names or globs, comma-separated).")
@click.option("--skip", multiple=True, metavar="NAMES", help="Do not run these scenarios.")
@click.option("--list", "list_scenarios", is_flag=True,
              help="List the chosen scenarios (name, endpoint, description) and exit.")
@click.option("--dry-run", is_flag=True,
              help="Print the request of each chosen scenario as a curl command; send nothing.")
@click.option("--model", default=None,
              help="Model for scenarios whose request names none [default: the first model "
              "of GET BASE_URL/models, else gpt-5-mini].")
@click.option("--responses-url", metavar="URL",
              help="Send the Responses scenarios here instead of BASE_URL/responses.")
@click.option("--chat-url", metavar="URL",
              help="Send the chat scenarios here instead of BASE_URL/chat/completions.")
@click.option("--repeat", type=click.IntRange(min=1), default=1, show_default=True,
              help="Run each scenario N times; findings not in every run are marked flaky.")
@click.option("--api-key", envvar=["OPENAI_API_KEY", "ANTHROPIC_API_KEY"], show_envvar=True,
              help="Sent as 'Authorization: Bearer KEY' (as 'x-api-key: KEY' to /messages); "
              "never printed or saved.")
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
@profile_option
@selection_options
@click.option("--strict/--no-strict", default=False, help="Warnings fail too (exit 1).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              show_default=True, help="Colour the text output (NO_COLOR is honoured).")
@click.option("--upstream", "upstream_paths", multiple=True, metavar="CAPTURE_OR_DIR",
              help="Bridge gate: play these captures as the gateway's upstream, one at a time, "
                   "and compare each answer with the capture (D findings) instead of running "
                   "scenarios.")
@click.option("--upstream-port", type=click.IntRange(1, 65535), default=8765, show_default=True,
              help="Port on 127.0.0.1 where the gate plays the captures: the gateway's upstream "
                   "base URL is http://127.0.0.1:PORT/v1.")
def check(base_url: str | None, scenario_dirs: tuple[str, ...], no_builtin: bool,
          endpoints: tuple[str, ...], only: tuple[str, ...], skip: tuple[str, ...],
          list_scenarios: bool, dry_run: bool,
          model: str | None, responses_url: str | None, chat_url: str | None, repeat: int,
          api_key: str | None,
          header_values: tuple[str, ...], timeout: float, max_time: float, concurrency: int,
          save_dir: str | None, output_format: str | None,
          report_specs: list[tuple[str, str]], quiet: int, statistics: bool, profile: str,
          select: tuple[str, ...], extend_select: tuple[str, ...], ignore: tuple[str, ...],
          extend_ignore: tuple[str, ...], strict: bool, exit_zero: bool, color: str,
          upstream_paths: tuple[str, ...], upstream_port: int) -> None:
    """Send the scenarios to a live server and validate each stream as it arrives.

    BASE_URL is the API root: Responses scenarios POST to BASE_URL/responses, chat ones to
    BASE_URL/chat/completions, messages ones (--endpoint messages) to BASE_URL/messages, with
    stream: true (--responses-url and --chat-url, or a scenario's "path", send them
    elsewhere).  A refused connection, a timeout, an HTTP error or a non-SSE answer is a finding
    (H001-H005): exit 1, like any other finding.

    With --upstream, BASE_URL is a gateway whose upstream is http://127.0.0.1:UPSTREAM-PORT/v1:
    each capture is played there and the gateway's answer is compared with it.
    """
    from pathlib import Path

    from .live import scenarios as sc
    from .live.check import (
        DEFAULT_MODEL,
        CheckInterrupted,
        CheckOptions,
        curl_command,
        endpoint_url,
        request_headers,
        run_check,
    )

    chosen_select, chosen_ignore = rule_selection(select, extend_select, ignore, extend_ignore)
    try:
        enabled_rules(profile, chosen_select, chosen_ignore)
        found = [] if no_builtin else sc.load_builtin(endpoints or sc.DEFAULT_ENDPOINTS)
        for directory in scenario_dirs:
            found += sc.load_dir(directory)
        # With --upstream, --only/--skip choose captures (in _gate), not scenarios.
        chosen = [] if upstream_paths else sc.select(found, _split(only), _split(skip))
    except ValueError as exc:  # ScenarioError too
        raise UsageError(str(exc)) from None
    if list_scenarios:
        for scenario in chosen:
            click.echo(f"{scenario.name:<34} {scenario.endpoint:<10} "
                       f"{printable(scenario.description)}")
        return
    if base_url is None:
        raise UsageError("missing BASE_URL (the API root, e.g. http://127.0.0.1:8000/v1; or "
                         f"base-url in [{config.TABLE}])")
    urls = {endpoint: _check_base_url(url) for endpoint, url in
            (("responses", responses_url), ("chat", chat_url)) if url}
    options = CheckOptions(
        base_url=_check_base_url(base_url), model=model, endpoint_urls=urls, repeat=repeat,
        api_key=_check_api_key(api_key),
        headers=dict(_parse_header(h) for h in header_values), timeout=timeout,
        max_time=max_time, concurrency=concurrency, profile=profile, select=chosen_select,
        ignore=chosen_ignore, save_dir=Path(save_dir) if save_dir else None)
    if dry_run:  # what would be sent, as commands that send it (no GET /models either)
        for scenario in chosen:
            body = {"model": model or DEFAULT_MODEL, **scenario.request, "stream": True}
            command = curl_command(endpoint_url(options, scenario), body,
                                   request_headers(options, scenario.kind))
            click.echo(f"# {scenario.name}\n{printable(command)}")
        return
    try:
        if upstream_paths:
            reports = _gate(options, upstream_paths, upstream_port, endpoints, only, skip)
        else:
            reports = run_check(chosen, options, _progress(len(chosen)) if sys.stderr.isatty()
                                else None)
    except ValueError as exc:  # a capture the gate cannot play
        raise UsageError(printable(str(exc))) from None
    except OSError as exc:  # --save DIR cannot be written, --upstream-port is taken
        raise UsageError(f"cannot save captures or serve the upstream: "
                         f"{exc.strerror or exc}") from None
    except CheckInterrupted as stop:
        if not isinstance(stop.cause, Interrupted):
            raise stop.cause from None
        _stopped(stop.cause, stop.reports, f"of {len(chosen)} scenarios",
                 output_format=output_format, report_specs=report_specs,
                 color=_use_color(color), strict=strict)
    emit_reports(reports, output_format=output_format, report_specs=report_specs,
                 color=_use_color(color), strict=strict, quiet=quiet, statistics=statistics)
    sys.exit(_exit_code(reports, strict, exit_zero))


def _gate(options: Any, upstream_paths: Sequence[str], port: int, endpoints: Sequence[str],
          only: Sequence[str], skip: Sequence[str]) -> list[StreamReport]:
    """``check --upstream``: the bridge gate (``validator.live.gate``), one capture at a time."""
    from .live import scenarios as sc
    from .live.gate import GateOptions, run_gate
    from .live.replay import load_captures

    captures = sc.select(load_captures(upstream_paths), _split(only), _split(skip))
    gate = GateOptions(port=port, endpoints=[sc.ENDPOINTS[e][1] for e in endpoints] or None)
    total = len(captures) * (len(endpoints) or 1)
    return run_gate(captures, options, gate, _progress(total) if sys.stderr.isatty() else None)


@main.command()
@click.argument("captures", nargs=-1, required=True, metavar="CAPTURE_OR_DIR...")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--delay", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Seconds between two events of a stream (the pace).")
@click.option("--log", "log_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Also append every request (headers without secrets, body) to FILE as a "
                   "JSON line.")
def serve(captures: tuple[str, ...], host: str, port: int, delay: float,
          log_path: str | None) -> None:
    """Play captures back over HTTP: a fake upstream to point a gateway (or `check`) at.

    POST .../responses, .../chat/completions and .../messages are answered with a capture of
    that kind: the one the request's "model" names (its file name without the suffix), else
    each in turn.  One line per request on stderr.  Ctrl-C stops it.
    """
    from .live.replay import ReplayServer, RequestLog, load_captures

    try:
        loaded = load_captures(captures)
    except ValueError as exc:
        raise UsageError(printable(str(exc))) from None
    json_file = None
    try:
        if log_path:
            json_file = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 (closed below)
        server = ReplayServer(loaded, host=host, port=port, delay=delay,
                              on_request=RequestLog(lambda line: click.echo(
                                  printable(line), err=True), json_file))
    except OSError as exc:
        if json_file is not None:
            json_file.close()
        raise UsageError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    kinds = sorted({c.kind for c in loaded})
    counts = ", ".join(f"{sum(c.kind == k for c in loaded)} {k}" for k in kinds)
    click.echo(f"serving {len(loaded)} capture{'s' * (len(loaded) != 1)} ({counts}) at "
               f"{server.base_url} (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if json_file is not None:
            json_file.close()

def rules_markdown() -> str:
    """The catalogue as the Markdown table the README carries."""
    rows = [f"| code | name | {' | '.join(PROFILES)} | summary |",
            f"|---|---|{'---|' * len(PROFILES)}---|"]
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
        name = f"{sample.parent.name}/{sample.name}" if r.family in DIFF_FAMILIES else sample.name
        click.echo(f"## Sample ({name})\n```\n{_sample_text(sample.read_bytes())}\n```")


def _sample_text(data: bytes) -> str:
    """A sample as text; one that is not UTF-8 (F005's, on purpose) as a Python bytes literal,
    one line per line of the file, so every byte shows."""
    try:
        return data.decode("utf-8").rstrip()
    except UnicodeDecodeError:
        return "\n".join(repr(line) for line in data.rstrip().splitlines(keepends=True))


@main.command()
@click.argument("event_type", required=False)
@click.option("--list", "list_types", is_flag=True, help="List the event types that have a schema.")
def schema(event_type: str | None, list_types: bool) -> None:
    """Print the JSON Schema of an event type (e.g. response.output_text.delta)."""
    from .schemas import schema_document, schema_types

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
        import difflib

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
        from .live.capture import scrub

        secrets = [os.environ.get("OPENAI_API_KEY", "")]
        message = scrub(f"{type(exc).__name__}: {exc}", secrets)
        click.echo(f"stream-validator: internal error: {printable(message)}", err=True)
        sys.exit(EXIT_ERROR)
