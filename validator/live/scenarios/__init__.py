"""Scenarios for ``stream-validator check``: what to send and what the answer must be.

A scenario is a JSON or YAML file (the built-in ones are the ``*.json`` files beside this
module)::

    {"name": "responses-function-call", "endpoint": "responses",
     "description": "…", "request": {…request body…},
     "expect": {"outcome": "stream", "status": "completed",
                "contains": {"function_call": 1}, "text": false}}

``parse`` checks one scenario document and raises ``ScenarioError`` with a one-line reason;
``load_builtin`` and ``load_dir`` read files.  The expectations are judged by
``validator.live.verdict`` (``judge``: the `X` rules of ``validator.rules.expectation``).
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

__all__ = ["DEFAULT_ENDPOINTS", "ENDPOINTS", "REQUEST_SUFFIX", "Scenario", "ScenarioError",
           "load_builtin", "load_dir", "parse", "select"]

#: endpoint -> (path under the base URL, stream kind)
ENDPOINTS = {"responses": ("/responses", "responses"), "chat": ("/chat/completions", "chat"),
             "messages": ("/messages", "anthropic")}
#: The endpoints whose built-in scenarios ``check`` runs unless ``--endpoint`` says otherwise
#: (an OpenAI-compatible server need not serve Anthropic's `/messages`).
DEFAULT_ENDPOINTS = ("responses", "chat")
OUTCOMES = ("stream", "rejected")
#: ``check --save`` writes each request beside its capture under this suffix; ``lint`` skips
#: these files when it expands a directory.
REQUEST_SUFFIX = ".request.json"
#: Scenario files ``--scenarios DIR`` reads.
SUFFIXES = (".json", ".yaml", ".yml")
_KEYS = {"name", "endpoint", "description", "request", "expect", "path"}
_EXPECT_KEYS = {"outcome", "status", "contains", "text"}
# Names become file names under --save DIR.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_BUILTIN = Path(__file__).resolve().parent


class ScenarioError(ValueError):
    """A scenario file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Scenario:
    """One request to send and what its answer must be.

    ``request`` is the JSON body (``stream: true`` is added when sent).  ``outcome`` is
    ``stream`` (a 2xx event stream) or ``rejected`` (an HTTP 4xx, or a stream that ends in
    a failure).  ``status`` lists the accepted terminal statuses (Responses) or finish reasons
    (chat) or stop reasons (messages), empty for any; ``contains`` maps output item types
    (Responses), content block types (messages) or ``content``, ``tool_call``, ``reasoning``,
    ``refusal`` (chat) to a minimum count; ``text`` requires non-empty output text.
    """

    name: str
    endpoint: str
    request: Mapping[str, Any]
    description: str = ""
    outcome: str = "stream"
    status: tuple[str, ...] = ()
    contains: Mapping[str, int] = field(default_factory=dict)
    text: bool = False
    source: str = "<built-in>"
    #: The scenario's own path under the base URL (a server that mounts it elsewhere).
    own_path: str | None = None

    @property
    def kind(self) -> str:
        return ENDPOINTS[self.endpoint][1]

    @property
    def path(self) -> str:
        return self.own_path or ENDPOINTS[self.endpoint][0]


def parse(document: Any, source: str) -> Scenario:
    """A scenario from a parsed JSON document; ``ScenarioError`` if it is not one."""
    def fail(problem: str) -> ScenarioError:
        return ScenarioError(f"{source}: {problem}")

    if not isinstance(document, dict):
        raise fail("a scenario is a JSON object")
    unknown = set(document) - _KEYS
    if unknown:
        raise fail(f"unknown key {sorted(unknown)[0]!r} (expected {', '.join(sorted(_KEYS))})")
    name = document.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail("'name' must be a string of letters, digits, '.', '_' or '-'")
    if document.get("endpoint") not in ENDPOINTS:
        raise fail(f"'endpoint' must be one of {', '.join(ENDPOINTS)}")
    request = document.get("request")
    if not isinstance(request, dict):
        raise fail("'request' must be a JSON object (the request body)")
    description = document.get("description", "")
    if not isinstance(description, str):
        raise fail("'description' must be a string")
    own_path = document.get("path")
    if own_path is not None and not (isinstance(own_path, str) and own_path.startswith("/")):
        raise fail("'path' must be a path under the base URL starting with '/'")
    expect = document.get("expect", {})
    if not isinstance(expect, dict):
        raise fail("'expect' must be a JSON object")
    unknown = set(expect) - _EXPECT_KEYS
    if unknown:
        raise fail(f"unknown expectation {sorted(unknown)[0]!r} "
                   f"(expected {', '.join(sorted(_EXPECT_KEYS))})")
    outcome = expect.get("outcome", "stream")
    if outcome not in OUTCOMES:
        raise fail(f"'expect.outcome' must be one of {', '.join(OUTCOMES)}")
    status = expect.get("status", [])
    status = [status] if isinstance(status, str) else status
    if not isinstance(status, list) or not all(isinstance(s, str) for s in status):
        raise fail("'expect.status' must be a string or a list of strings")
    contains = expect.get("contains", {})
    if not isinstance(contains, dict) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in contains.values()):
        raise fail("'expect.contains' must map output types to counts >= 1")
    text = expect.get("text", False)
    if not isinstance(text, bool):
        raise fail("'expect.text' must be true or false")
    return Scenario(name=name, endpoint=document["endpoint"], request=request,
                    description=description, outcome=outcome, status=tuple(status),
                    contains=contains, text=text, source=source, own_path=own_path)


def _load(path: Path) -> Scenario:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if path.suffix == ".json":
        try:
            document = json.loads(raw)
        except ValueError as exc:
            raise ScenarioError(f"{path}: not valid JSON: {exc}") from None
    else:
        import yaml  # only for YAML scenarios: `lint` imports this module too

        try:
            document = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise ScenarioError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") \
                from None
    return parse(document, str(path))


def load_builtin(endpoints: Iterable[str] = DEFAULT_ENDPOINTS) -> list[Scenario]:
    """The scenarios shipped with the package for ``endpoints``, in name order."""
    wanted = set(endpoints)
    return [s for s in map(_load, sorted(_BUILTIN.glob("*.json"))) if s.endpoint in wanted]


def load_dir(directory: str | Path) -> list[Scenario]:
    """Every ``*.json``, ``*.yaml`` and ``*.yml`` scenario under ``directory``, in path
    order (``*.request.json`` files that ``check --save`` wrote are not scenarios)."""
    root = Path(directory)
    if not root.is_dir():
        raise ScenarioError(f"{directory}: not a directory")
    found = [_load(p) for p in sorted(root.rglob("*"))
             if p.suffix in SUFFIXES and p.is_file() and not p.name.endswith(REQUEST_SUFFIX)]
    if not found:
        raise ScenarioError(f"{directory}: no *.json, *.yaml or *.yml scenario files")
    return found


class Named(Protocol):
    """What ``select`` picks from: a scenario, or a capture the bridge gate replays."""

    @property
    def name(self) -> str: ...

    @property
    def source(self) -> str: ...


NamedT = TypeVar("NamedT", bound=Named)


def select(scenarios: Sequence[NamedT], only: Iterable[str] = (),
           skip: Iterable[str] = ()) -> list[NamedT]:
    """Scenarios matching any ``only`` glob (all when empty) and no ``skip`` glob.

    Two scenarios with one name are an error: names are file names under ``--save``.
    """
    seen: dict[str, str] = {}
    for scenario in scenarios:
        if scenario.name in seen:
            raise ScenarioError(f"{scenario.source}: scenario name {scenario.name!r} is already "
                                f"used by {seen[scenario.name]}")
        seen[scenario.name] = scenario.source
    only, skip = list(only), list(skip)
    for pattern in [*only, *skip]:
        if not any(fnmatch.fnmatchcase(s.name, pattern) for s in scenarios):
            raise ScenarioError(f"no scenario matches {pattern!r}")
    chosen = [s for s in scenarios
              if (not only or any(fnmatch.fnmatchcase(s.name, p) for p in only))
              and not any(fnmatch.fnmatchcase(s.name, p) for p in skip)]
    if not chosen:
        raise ScenarioError("--only/--skip leave no scenario to run")
    return chosen
