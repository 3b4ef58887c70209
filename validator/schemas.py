"""JSON Schema checks of single events: the schema files, profiles, and three evaluation paths.

The files under ``schemas/`` (shipped as ``validator/_schemas``) are the one source of truth:
one draft 2020-12 schema per Responses or Anthropic event type and one for
``chat.completion.chunk``, with shared definitions under ``defs/``; a lint parses only the files
of its kind.  They follow the newest OpenAI reference; a profile relaxes
or tightens a copy of them at load time (its ``EDIT_SETS``), never the files.

Each event goes through at most three paths, all evaluating the same edited schemas:

1. a Python predicate compiled from the schema (``_Compiler``): exact for the keywords the
   files use, and several times cheaper than any general validator; it decides almost every
   event, and every valid one (the compiled code is kept between runs: ``validator.cache``);
2. ``jsonschema_rs`` for a schema the compiler does not support (none today, but a new keyword in
   a file must not need a compiler change to work);
3. pure-Python ``jsonschema``, only for an event already known to be invalid, to say why.

``tests/test_schema_corpus.py`` runs the real captures and mutated events through every path and
checks they agree.  Importing this module compiles nothing and imports no validator library.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any, NamedTuple

import orjson

from ._data import data_folder
from .cache import CodeCache
from .model import Finding
from .profiles import get_profile

__all__ = ["EDIT_SETS", "SDK_OPTIONAL", "SchemaChecker", "schema_document", "schema_types"]

URN = "urn:stream-validator:"
#: Marks a property openai-python types ``Optional`` (``python -m validator.tools.drift``
#: keeps the marks in line with the SDK): every profile but ``strict`` accepts ``null`` there,
#: because the SDK's own serialised models write it (``delta.tool_calls: null``).
SDK_OPTIONAL = "x-sdk-optional"
KINDS = ("responses", "chat", "anthropic")
#: Kinds whose events carry their `type`: one schema file a type, found by it.
TYPED_KINDS = ("responses", "anthropic")

# -- loading -----------------------------------------------------------------------------------


def _schema_root() -> Any:
    """The installed ``validator/_schemas``, else the checkout's top-level ``schemas/``."""
    return data_folder("schemas")


def _files(folder: str) -> Iterator[str]:
    """The path of every schema file under ``folder``, by name (``os.scandir``: every lint
    reads the folder, and ``pathlib`` objects would cost a small lint ~1.5 ms)."""
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir():
            yield from _files(entry.path)
        elif entry.name.endswith(".json"):
            yield entry.path


@cache
def _entries() -> dict[str, bytes]:
    """The bytes of every schema file, by ``$id`` (read from the file, not parsed)."""
    entries = {}
    for entry in _files(os.fspath(_schema_root())):
        with open(entry, "rb") as file:
            raw = file.read()
        found = _ID.search(raw)
        if found is None:
            raise ValueError(f"schema file {os.path.basename(entry)} has no $id")
        entries[found.group(1).decode()] = raw
    return entries


_ID = re.compile(rb'"\$id"\s*:\s*"([^"]+)"')
_REF = re.compile(rb'"\$ref"\s*:\s*"(urn:[^"#]+)')


@cache
def _closure(kind: str) -> tuple[str, ...]:
    """The ``$id`` of every file a kind's documents need: its own and the shared definitions
    they refer to (a lint of one kind parses none of the others' files)."""
    entries = _entries()
    todo = [uri for uri in entries if _kind_of(uri) == kind]
    needed = set(todo)
    while todo:
        for ref in _REF.findall(entries[todo.pop()]):
            uri = ref.decode()
            if uri in entries and uri not in needed:
                needed.add(uri)
                todo.append(uri)
    return tuple(uri for uri in entries if uri in needed)


def _parsed() -> dict[str, dict]:
    """A fresh copy of every schema file, by ``$id`` (parsing again is cheaper than a
    ``deepcopy``), for the drift check; a lint parses one document at a time (``_Documents``)."""
    return {uri: orjson.loads(text) for uri, text in _entries().items()}


def _kind_of(uri: str) -> str | None:
    kind = uri[len(URN):].split(":", 1)[0]
    return kind if kind in KINDS else None


def _type_of(uri: str) -> str:
    return uri.rsplit(":", 1)[1]


def _uri(kind: str, type_name: str) -> str:
    return f"{URN}{kind}:{type_name}"


def schema_types(kind: str | None = None) -> list[str]:
    """Every event type that has a schema (``kind``: ``responses``, ``chat`` or ``None``: both)."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} (choose from {', '.join(KINDS)})")
    return sorted(_type_of(uri) for uri in _entries()
                  if _kind_of(uri) is not None and (kind is None or _kind_of(uri) == kind))


def schema_document(type_name: str) -> dict:
    """The schema file of an event type, as stored (``KeyError`` if the type has none)."""
    for kind in KINDS:
        raw = _entries().get(_uri(kind, type_name))
        if raw is not None:
            return orjson.loads(raw)  # a fresh copy
    raise KeyError(f"no schema for event type {type_name!r}")


# -- profiles ----------------------------------------------------------------------------------


class Edit(NamedTuple):
    """A change to the loaded schemas: ``op`` on the subschema at ``pointer`` of document ``doc``.

    ``optional``: drop ``field`` from ``required``; ``replace``: put ``value`` at the property
    ``field``; ``nullable``: also accept ``null`` for the property ``field``.
    """

    doc: str
    pointer: str
    op: str
    field: str
    value: Any = None
    why: str = ""


def _optional(doc: str, field: str, why: str, pointer: str = "") -> Edit:
    return Edit(doc, pointer, "optional", field, why=why)


_LATER_LOGPROBS = "logprobs is required on output_text.* since 2025-07-21 (bf4a9a42)"
#: What genuine OpenAI streams do that the newest reference does not describe (every profile).
_OBSERVED = (
    _optional("defs:output_item", "action", "web_search_call items are added without action "
              "(corpus: pydantic-ai__web-search-annotations.sse)", "/$defs/web_search_call"),
    _optional("defs:anthropic", "web_fetch_requests", "api.anthropic.com sends server_tool_use "
              "usage without web_fetch_requests when no fetch ran (corpus/anthropic: "
              "llm-anthropic__web-search.sse and 8 more)", "/$defs/BetaServerToolUsage"),
)
#: Fields OpenAI added after streams in the wild were recorded (``default`` only).
_OPENAI = (
    _optional("responses:response.output_text.delta", "logprobs", _LATER_LOGPROBS),
    _optional("responses:response.output_text.done", "logprobs", _LATER_LOGPROBS),
    _optional("responses:response.function_call_arguments.done", "name",
              "name on function_call_arguments.done since 2025-09-30 (8b333e66)"),
    _optional("defs:usage", "input_tokens_details", "absent from the API reference's own "
              "streaming example (samples/seeds/api-reference-example.sse)"),
    _optional("chat:chat.completion.chunk", "choices", "OpenAI audio streams send chunks without "
              "choices (corpus: chat__openai-dotnet__audio-output.sse)"),
)
_OPEN_RESPONSES = (
    Edit("responses:response.reasoning.delta", "", "replace", "delta", {"type": "string"},
         why="Open Responses keeps response.reasoning.delta with a string delta (events.tsp)"),
    _optional("responses:response.function_call_arguments.done", "name",
              "Open Responses function_call_arguments.done has no name"),
    _optional("responses:response.output_text.delta", "logprobs", "optional in Open Responses"),
    _optional("responses:response.output_text.done", "logprobs", "optional in Open Responses"),
    Edit("responses:response.output_item.added", "", "nullable", "item",
         why="Open Responses types item as ItemField | null"),
    Edit("responses:response.output_item.done", "", "nullable", "item",
         why="Open Responses types item as ItemField | null"),
)
#: The edit sets a profile names (``Profile.schema_edits``); every profile also gets
#: ``_common_edits`` (sequence_number and obfuscation), and one with ``closed_objects``
#: (``strict``) closes every object (unknown fields: S004).
EDIT_SETS: dict[str, tuple[Edit, ...]] = {
    "observed": _OBSERVED, "openai": _OPENAI, "open-responses": _OPEN_RESPONSES}


def _resolve_pointer(node: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def _apply(doc: dict, edit: Edit) -> None:
    node = _resolve_pointer(doc, edit.pointer)
    if edit.op == "optional":
        node["required"] = [name for name in node["required"] if name != edit.field]
    elif edit.op == "replace":
        node["properties"][edit.field] = edit.value
    elif edit.op == "nullable":
        node["properties"][edit.field] = {"if": {"type": "null"},
                                          "else": node["properties"][edit.field]}
    else:
        raise ValueError(f"unknown edit {edit.op!r}")


def _event_objects(doc: dict) -> Iterator[dict]:
    """The object schemas an event document is made of: the root and its local ``$defs``."""
    yield doc
    yield from doc.get("$defs", {}).values()


def _common_edits(uri: str, doc: dict) -> None:
    """Every profile: the Q rules report a missing `sequence_number` (one root cause, one
    finding), and every ``*.delta`` event may carry a string ``obfuscation`` (protocol.md §1.3)."""
    if _kind_of(uri) != "responses":
        return
    for node in _event_objects(doc):
        if "sequence_number" in node.get("required", ()):
            node["required"] = [n for n in node["required"] if n != "sequence_number"]
    if uri.endswith(".delta"):
        doc["properties"].setdefault("obfuscation", {"type": "string"})


def _accept_sdk_nulls(node: Any) -> None:
    """``null`` for every property marked ``SDK_OPTIONAL`` (every profile but ``strict``).
    Only containers are visited: most nodes are strings, and a lint edits each document it
    loads at its first use."""
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if isinstance(sub, dict) and sub.get(SDK_OPTIONAL) is True:
                node["properties"][name] = {"if": {"type": "null"}, "else": sub}
        values: Iterable[Any] = node.values()
    else:
        values = node
    for value in values:
        if isinstance(value, (dict, list)):
            _accept_sdk_nulls(value)


def _may_mark(raw: bytes, edits: Iterable[Edit]) -> bool:
    """Whether a document may hold an ``SDK_OPTIONAL`` mark, so ``_accept_sdk_nulls`` has work
    in it: its file spells the mark (or escapes a character: a key could spell it so), or an
    edit puts a schema in it.  The walk visits every node (~6 ms for the Anthropic
    definitions, which have no mark), for each document a lint loads."""
    return (SDK_OPTIONAL.encode() in raw or b"\\u" in raw
            or any(edit.op == "replace" for edit in edits))


def _close_objects(node: Any) -> None:
    """``strict``: an object schema that lists its properties accepts no others.  Union bases
    (with ``allOf``/``if``) and objects that say ``additionalProperties`` stay as they are."""
    if isinstance(node, dict):
        if ("properties" in node and "additionalProperties" not in node
                and "allOf" not in node and "if" not in node):
            node["additionalProperties"] = False
        for key, value in node.items():
            if key not in ("const", "enum", "if"):  # an `if` only selects: it stays open
                _close_objects(value)
    elif isinstance(node, list):
        for value in node:
            _close_objects(value)


class _Documents(dict):
    """The documents of a kind as a profile edits them, by ``$id``: each parsed and edited at
    its first use (a stream uses few of its kind's types, and editing is a walk of the whole
    document).  Every edit touches one document, so editing them one by one is exact."""

    def __init__(self, profile: str, kind: str) -> None:
        super().__init__()
        self.profile = get_profile(profile)
        self.uris = _closure(kind)
        self.edits: dict[str, list[Edit]] = {}
        for edit_set in self.profile.schema_edits:
            for edit in EDIT_SETS[edit_set]:
                if URN + edit.doc not in _entries():
                    raise KeyError(f"an edit of {edit_set!r} names no document: {edit.doc}")
                self.edits.setdefault(URN + edit.doc, []).append(edit)
        self._lock = threading.Lock()  # `check` runs validators in threads

    def __contains__(self, uri: object) -> bool:
        return uri in self.uris

    def __missing__(self, uri: str) -> dict:
        if uri not in self.uris:
            raise KeyError(uri)
        with self._lock:
            if dict.__contains__(self, uri):
                return dict.__getitem__(self, uri)
            raw = _entries()[uri]
            doc = orjson.loads(raw)  # a fresh copy
            _common_edits(uri, doc)
            edits = self.edits.get(uri, ())
            for edit in edits:
                _apply(doc, edit)
            if self.profile.closed_objects:
                _close_objects(doc)
            elif _may_mark(raw, edits):
                _accept_sdk_nulls(doc)
            self[uri] = doc
            return doc

    def every(self) -> dict[str, dict]:
        """Every document (for a validator library's registry)."""
        return {uri: self[uri] for uri in self.uris}


def _derived_from(docs: _Documents) -> Iterator[bytes]:
    """What the compiled predicates of ``docs`` derive from, for their cache's key: the
    compiler (this module's file), the profile's edits, and the kind's schema files."""
    with open(__file__, "rb") as compiler:
        yield compiler.read()
    yield repr((docs.profile, sorted(docs.edits.items()))).encode()
    entries = _entries()
    for uri in docs.uris:
        yield uri.encode()
        yield entries[uri]


def _every(docs: dict[str, dict]) -> dict[str, dict]:
    """All of ``docs``, loading those :class:`_Documents` has not loaded yet."""
    return docs.every() if isinstance(docs, _Documents) else docs


@cache
def _profile_documents(profile: str, kind: str) -> _Documents:
    """The documents of ``kind`` as ``profile`` edits them."""
    return _Documents(profile, kind)


# -- path 1: compiled predicates ---------------------------------------------------------------


_REFERENCE = "urn:stream-validator:reference"  # the document of a jsonschema_rs fallback


class Unsupported(Exception):
    """The schema uses a keyword the compiler does not translate (the event then goes to
    jsonschema_rs)."""


_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description",
                          "default", "examples", SDK_OPTIONAL})
_KEYWORDS = _ANNOTATIONS | {"type", "const", "enum", "required", "properties",
                            "additionalProperties", "items", "minimum", "allOf", "if", "then",
                            "else", "$ref"}
_TYPE_TESTS = {
    "string": "type({v}) is str",
    "integer": "(type({v}) is int or (type({v}) is float and {v}.is_integer()))",
    "number": "(type({v}) is int or type({v}) is float)",
    "boolean": "type({v}) is bool",
    "null": "{v} is None",
    "object": "type({v}) is dict",
    "array": "type({v}) is list",
}
_MISSING = object()
#: What an absent optional property of a primitive type is checked as (a valid value).
_DEFAULTS = {"string": "''", "integer": "0", "number": "0", "boolean": "False", "array": "_E"}
_FLAT_TESTS = {
    "string": "type({get}) is str",
    "integer": "(type(x := {get}) is int or (type(x) is float and x.is_integer()))",
    "number": "(type(x := {get}) is int or type(x) is float)",
    "boolean": "type({get}) is bool",
}


class _Compiler:
    """Translates the schema subset of the files into exact Python predicates.

    Every generated function returns ``True`` exactly when the instance is valid: integers may
    be floats with no fraction, ``bool`` is never a number, ``const``/``enum`` compare strings
    (other literals are ``Unsupported``).  A ``$ref`` becomes a call of the function compiled
    for its target, so shared definitions are compiled once per profile.

    A stream uses few of the union members a document lists (one output item type of twenty,
    one content block type of fifteen), and generating and compiling a function costs ~0.2 ms.
    So each function is generated and compiled at its first call: until then its name is bound
    to a stub that compiles it (rebinding the name) and calls it.
    """

    def __init__(self, docs: dict[str, dict], codes: CodeCache | None = None) -> None:
        self.docs = docs
        #: The compiled functions by source, kept between runs (``validator.cache``).
        self.codes = codes or CodeCache()
        self.namespace: dict[str, Any] = {"_M": _MISSING, "_E": []}
        self.names: dict[tuple[str, str], str] = {}
        self.counter = 0
        self.sources: dict[str, str] = {}  # name -> generated code, for reading and tests
        self._done: set[str] = set()  # names compiled so far (the others are stubs)
        # name -> the union tables holding its stub: compiling it puts the function there, so a
        # union member costs one call, not the stub's two.
        self._in_tables: dict[str, list[tuple[dict, str]]] = {}
        # name -> (uri, pointer, assumed) of a function named but not generated yet: a stream
        # uses few of the members a union lists, so generating them all would cost more than
        # the stream's checks.
        self._pending: dict[str, tuple[str, str, frozenset[str]]] = {}
        # Stubs run in whichever thread calls them first, and generating names functions.
        self._exec_lock = threading.RLock()

    def predicate(self, uri: str, assumed: frozenset[str] = frozenset()) -> Callable[[Any], bool]:
        """The predicate of document ``uri``; ``assumed``: root properties the caller has
        checked itself (present and valid), so the predicate skips them (the instance is then
        known to be an object)."""
        with self._exec_lock:
            return self._compiled(self._function(uri, "", assumed=assumed))

    # -- functions

    def _fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def _function(self, uri: str, pointer: str, *, assumed: frozenset[str] = frozenset()) -> str:
        key = (uri + "".join(f"#{name}" for name in sorted(assumed)), pointer)
        if key in self.names:
            return self.names[key]
        name = self.names[key] = self._fresh("_f")
        self._pending[name] = (uri, pointer, assumed)
        self._stub(name)
        return name

    def _const(self, value: Any) -> str:
        name = self._fresh("_c")
        self.namespace[name] = value
        return name

    # -- statements: each `return False` when the instance breaks the schema

    def _emit(self, schema: Any, v: str, out: list[str], depth: int, uri: str, *,
              assumed: frozenset[str] = frozenset()) -> None:
        pad = "    " * depth
        if schema is True or schema == {}:
            return
        if schema is False:
            out.append(f"{pad}return False")
            return
        unknown = set(schema) - _KEYWORDS
        if unknown:
            raise Unsupported(f"keywords {sorted(unknown)}")
        known: str | None
        if assumed and schema.get("type") == "object":
            known = "object"  # the caller read fields of the event: a mapping
        else:
            known = self._emit_type(schema, v, out, pad)
        self._emit_value(schema, v, out, pad)
        if {"required", "properties", "additionalProperties"} & schema.keys():
            self._emit_object(schema, v, out, depth, uri, known == "object", assumed)
        if "items" in schema:
            self._emit_items(schema["items"], v, out, depth, uri, known == "array")
        if "allOf" in schema:
            self._emit_all_of(schema["allOf"], v, out, depth, uri)
        if "if" in schema:
            self._emit_condition(schema, v, out, depth, uri)
        if "$ref" in schema:
            target, pointer = self._target(uri, schema["$ref"])
            out.append(f"{pad}if not {self._function(target, pointer)}({v}): return False")

    def _emit_type(self, schema: dict, v: str, out: list[str], pad: str) -> str | None:
        if "type" not in schema:
            return None
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        test = " or ".join(_TYPE_TESTS[t].format(v=v) for t in types)
        out.append(f"{pad}if not ({test}): return False")
        return types[0] if len(types) == 1 else None

    def _emit_value(self, schema: dict, v: str, out: list[str], pad: str) -> None:
        if "const" in schema:
            if not isinstance(schema["const"], str):
                raise Unsupported("non-string const")
            out.append(f"{pad}if {v} != {schema['const']!r}: return False")
        if "enum" in schema:
            values = schema["enum"]
            if not all(isinstance(x, str) or x is None for x in values):
                raise Unsupported("enum of non-strings")
            strings = self._const(frozenset(x for x in values if x is not None))
            test = f"(type({v}) is str and {v} in {strings})"
            if None in values:
                test = f"({v} is None or {test})"
            out.append(f"{pad}if not {test}: return False")
        if "minimum" in schema:
            out.append(f"{pad}if (type({v}) is int or type({v}) is float) and "
                       f"{v} < {schema['minimum']!r}: return False")

    def _emit_object(self, schema: dict, v: str, out: list[str], depth: int, uri: str,
                     known: bool, assumed: frozenset[str]) -> None:
        if not known:
            out.append(f"{'    ' * depth}if type({v}) is dict:")
            depth += 1
        pad = "    " * depth
        required = set(schema.get("required", ()))
        properties = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in properties:
                out.append(f"{pad}if {name!r} not in {v}: return False")
        tests = []
        for name, sub in properties.items():
            if name in assumed:
                continue
            test = self._property_test(sub, v, name, name in required, uri)
            if test is not None:
                tests.append(test)
                continue
            x = self._fresh("x")
            if name in required:
                out.append(f"{pad}{x} = {v}[{name!r}]")
                self._emit(sub, x, out, depth, uri)
            elif sub is not True and sub != {}:
                out.append(f"{pad}{x} = {v}.get({name!r}, _M)")
                out.append(f"{pad}if {x} is not _M:")
                self._emit(sub, x, out, depth + 1, uri)
                out.append(f"{pad}    pass")
        if tests:  # the flat properties in one condition: the hot path of delta events
            out.append(f"{pad}if not ({' and '.join(tests)}): return False")
        self._emit_additional(schema, properties, v, out, depth, uri)
        out.append(f"{pad}pass")

    def _property_test(self, sub: Any, v: str, name: str, required: bool,
                       uri: str) -> str | None:
        """One boolean expression for a property with a primitive type, a string ``const``
        or an array (an absent optional property reads as a valid default), else None."""
        if not isinstance(sub, dict) or set(sub) - _ANNOTATIONS - {"type", "const", "items"}:
            return None
        kind = sub.get("type")
        if "const" in sub:
            value = sub["const"]
            if kind is not None or "items" in sub or not isinstance(value, str):
                return None
            return f"{v}.get({name!r}, {value!r}) == {value!r}" if not required \
                else f"{v}[{name!r}] == {value!r}"
        default = _DEFAULTS.get(kind) if isinstance(kind, str) else None
        if default is None or ("items" in sub) != (kind == "array"):
            return None
        get = f"{v}[{name!r}]" if required else f"{v}.get({name!r}, {default})"
        if kind == "array":
            each = self._schema_function({"type": "array", "items": sub["items"]}, uri)
            return f"(type(x := {get}) is list and (not x or {each}(x)))"
        return _FLAT_TESTS[str(kind)].format(get=get)

    def _emit_additional(self, schema: dict, properties: dict, v: str, out: list[str],
                         depth: int, uri: str) -> None:
        extra = schema.get("additionalProperties", True)
        pad = "    " * depth
        if extra is False:
            out.append(f"{pad}if not {v}.keys() <= {self._const(frozenset(properties))}: "
                       "return False")
        elif extra is not True and extra != {}:
            key, value = self._fresh("k"), self._fresh("x")
            out.append(f"{pad}for {key}, {value} in {v}.items():")
            out.append(f"{pad}    if {key} not in {self._const(frozenset(properties))}:")
            self._emit(extra, value, out, depth + 2, uri)
            out.append(f"{pad}        pass")

    def _emit_items(self, items: Any, v: str, out: list[str], depth: int, uri: str,
                    known: bool) -> None:
        if not known:
            out.append(f"{'    ' * depth}if type({v}) is list:")
            depth += 1
        x = self._fresh("x")
        out.append(f"{'    ' * depth}for {x} in {v}:")
        self._emit(items, x, out, depth + 1, uri)
        out.append(f"{'    ' * (depth + 1)}pass")

    def _emit_all_of(self, members: list, v: str, out: list[str], depth: int, uri: str) -> None:
        """``allOf``; its members of the form ``{"if": {type const}, "then": S}`` (a union on
        `type`) become one dict lookup instead of one condition per member."""
        pad = "    " * depth
        union: dict[str, Callable[[Any], bool]] = {}
        for sub in members:
            tag = _discriminator(sub)
            if tag is None:
                self._emit(sub, v, out, depth, uri)
            else:
                then = sub["then"]
                if isinstance(then, dict) and set(then) == {"$ref"}:  # no wrapper function
                    name = self._function(*self._target(uri, then["$ref"]))
                else:
                    name = self._schema_function(then, uri)
                union[tag] = self.namespace[name]  # the stub until the first call compiles it
                self._in_tables.setdefault(name, []).append((union, tag))
        if not union:
            return
        table, t, f = self._const(union), self._fresh("t"), self._fresh("f")
        out.append(f"{pad}if type({v}) is dict:")
        out.append(f"{pad}    {t} = {v}.get('type')")
        out.append(f"{pad}    {f} = {table}.get({t}) if type({t}) is str else None")
        out.append(f"{pad}    if {f} is not None and not {f}({v}): return False")
        # A non-object satisfies every `if` (object keywords ignore it): every `then` applies.
        out.append(f"{pad}elif not all(g({v}) for g in {table}.values()): return False")

    def _emit_condition(self, schema: dict, v: str, out: list[str], depth: int,
                        uri: str) -> None:
        pad = "    " * depth
        condition = schema["if"]
        if isinstance(condition, dict) and set(condition) == {"type"} and \
                isinstance(condition["type"], str):  # {"if": {"type": "null"}, …}: inline
            out.append(f"{pad}if {_TYPE_TESTS[condition['type']].format(v=v)}:")
        else:
            out.append(f"{pad}if {self._schema_function(condition, uri)}({v}):")
        self._emit(schema.get("then", True), v, out, depth + 1, uri)
        out.append(f"{pad}    pass")
        out.append(f"{pad}else:")
        self._emit(schema.get("else", True), v, out, depth + 1, uri)
        out.append(f"{pad}    pass")

    def _schema_function(self, schema: Any, uri: str) -> str:
        """A predicate for a subschema that is not addressed by a pointer of its own."""
        name = self._fresh("_s")
        self._define(name, schema, uri)  # generated now, as part of the caller's function
        self._stub(name)
        return name

    def _define(self, name: str, schema: Any, uri: str,
                assumed: frozenset[str] = frozenset()) -> None:
        lines = [f"def {name}(v):", "    try:"]
        self._emit(schema, "v", lines, 2, uri, assumed=assumed)
        lines += ["        pass", "    except KeyError:", "        return False", "    return True"]
        self.sources[name] = "\n".join(lines)

    def _stub(self, name: str) -> None:
        def stub(v: Any) -> bool:
            return self._compiled(name)(v)
        self.namespace[name] = stub

    def _compiled(self, name: str) -> Callable[[Any], bool]:
        """The compiled function ``name``, generating and compiling it on first use."""
        if name not in self._done:
            with self._exec_lock:
                if name not in self._done:
                    self._generate(name)
                    for table, tag in self._in_tables.pop(name, ()):
                        table[tag] = self.namespace[name]
                    self._done.add(name)
        return self.namespace[name]

    def _generate(self, name: str) -> None:
        """Puts the function ``name`` in the namespace.  A document's subschema the compiler
        does not translate is checked by jsonschema_rs through a reference to it (exact: the
        same schema, with its own references resolved)."""
        pending = self._pending.pop(name, None)
        if pending is not None:
            uri, pointer, assumed = pending
            try:
                self._define(name, _resolve_pointer(self.docs[uri], pointer), uri, assumed)
            except Unsupported:
                reference = {"$ref": f"{uri}#{pointer}"}
                self.namespace[name] = _rs_validator(
                    {**_every(self.docs), _REFERENCE: reference}, _REFERENCE).is_valid
                return
        exec(self.codes.compile(self.sources[name]), self.namespace)  # generated from our schemas

    def _target(self, uri: str, ref: str) -> tuple[str, str]:
        base, _, fragment = ref.partition("#")
        target = base or uri
        if target not in self.docs:
            raise Unsupported(f"unresolvable $ref {ref!r}")
        return target, fragment


def _discriminator(sub: Any) -> str | None:
    """The `type` constant of a union member ``{"if": {type const}, "then": …}``, else None."""
    if not isinstance(sub, dict) or set(sub) != {"if", "then"}:
        return None
    condition = sub["if"]
    if set(condition) != {"required", "properties"} or condition["required"] != ["type"]:
        return None
    properties = condition["properties"]
    if set(properties) != {"type"} or set(properties["type"]) != {"const"}:
        return None
    value = properties["type"]["const"]
    return value if isinstance(value, str) else None


# -- paths 2 and 3: jsonschema_rs and jsonschema ------------------------------------------------


def _rs_validator(docs: dict[str, dict], uri: str) -> Any:
    """Path 2: a compiled jsonschema_rs validator (every `$ref` resolved from ``docs``)."""
    import jsonschema_rs

    registry = jsonschema_rs.Registry(list(docs.items()))
    return jsonschema_rs.Draft202012Validator(docs[uri], registry=registry)


def _py_validator(docs: dict[str, dict], uri: str) -> Any:
    """Path 3: a pure-Python jsonschema validator, for the messages."""
    import jsonschema
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    registry = Registry().with_resources(
        (key, DRAFT202012.create_resource(doc)) for key, doc in docs.items())
    return jsonschema.Draft202012Validator(docs[uri], registry=registry)


# -- findings ----------------------------------------------------------------------------------

_QUOTE_CHARS = 60
_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number",
               type(None): "null", dict: "object", list: "array"}
#: One finding per pointer: a value of the wrong type also breaks its enum; report the type.
_PRIORITY = {"S001": 0, "S002": 1, "S003": 2, "S004": 3}


def _pointer(path: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _quote(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1] + "…"


def _got(value: Any) -> str:
    kind = _JSON_TYPES.get(type(value), type(value).__name__)
    return f"{kind} {_quote(value)}" if kind in ("string", "object", "array") else _quote(value)


def _expected_type(types: Any) -> str:
    types = types if isinstance(types, list) else [types]
    return " or ".join(types)


def _findings_of(error: Any) -> Iterator[Finding]:
    """The findings one jsonschema error stands for (a `required` error may name several)."""
    where = _pointer(error.absolute_path)
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if keyword == "type":
        yield Finding("S001", f"`{where or '/'}`: expected {_expected_type(value)}, "
                      f"got {_got(instance)}", pointer=where)
    elif keyword == "required":
        for name in value:
            if name not in instance:
                at = f"{where}/{_pointer([name])[1:]}"
                yield Finding("S002", f"`{at}`: required field is missing"
                              f"{_context(where, instance)}", pointer=at)
    elif keyword == "additionalProperties":
        known = error.schema.get("properties", {})
        for name in instance:
            if name not in known:
                at = f"{where}/{_pointer([name])[1:]}"
                yield Finding("S004", f"`{at}`: unknown field{_context(where, instance)}",
                              pointer=at)
    else:
        yield Finding("S003", f"`{where or '/'}`: {_expectation(keyword, value)}, "
                      f"got {_got(instance)}", pointer=where)


def _context(where: str, instance: Any) -> str:
    """Which object a nested field belongs to: `` of the `message` object``."""
    kind = instance.get("type") if where and isinstance(instance, dict) else None
    return f" in the `{kind}` object" if isinstance(kind, str) and len(kind) <= 40 else ""


def _expectation(keyword: str, value: Any) -> str:
    if keyword == "const":
        return f"expected {_quote(value)}"
    if keyword == "enum":
        return "expected one of " + ", ".join(_quote(v) for v in value)
    if keyword == "minimum":
        return f"expected a value >= {value}"
    return f"expected {keyword} {_quote(value)}"


def _one_per_pointer(findings: Iterable[Finding]) -> list[Finding]:
    best: dict[str, Finding] = {}
    for finding in findings:
        pointer = _pointer_of(finding)
        kept = best.get(pointer)
        if kept is None or _PRIORITY[finding.code] < _PRIORITY[kept.code]:
            best[pointer] = finding
    return sorted(best.values(), key=_pointer_of)


def _pointer_of(finding: Finding) -> str:
    """A schema finding's pointer (every one has one: ``""`` is the whole event)."""
    return finding.pointer or ""


#: Findings another rule reports for the same root cause: (kind, event type or None, code or
#: None, pointer pattern) -> that rule.  The schema check stays silent there.
OWNED_ELSEWHERE: dict[tuple[str, str | None, str | None, str], str] = {
    ("responses", "response.output_item.added", "S002", r"/item/(id|call_id)"): "I006",
    ("chat", None, None, r"/object"): "C002",
    ("chat", None, "S002", r"/choices"): "C005",
    ("chat", None, None, r"/choices/\d+/index"): "C006",
    ("chat", None, None, r"/choices/\d+/finish_reason"): "C016",
    ("chat", None, None, r"/choices/\d+/delta/tool_calls/\d+/index"): "C009",
    ("anthropic", "message_delta", "S002", r"/usage(/output_tokens)?"): "M042",
    ("anthropic", "message_delta", "S001", r"/usage(/output_tokens)?"): "M042",
    ("anthropic", "message_start", "S002", r"/message/usage"): "M042",
    ("anthropic", "message_delta", "S003", r"/delta/stop_reason"): "M041",
}


def _owned(kind: str, type_name: str | None, finding: Finding) -> bool:
    # (`re` compiles and caches the patterns at the first failing event: not at start-up)
    return any(k == kind and t in (None, type_name) and c in (None, finding.code)
               and re.fullmatch(p, _pointer_of(finding)) for k, t, c, p in OWNED_ELSEWHERE)


_PLAIN_OBJECT = _ANNOTATIONS | {"type", "properties", "required", "additionalProperties"}


def _plain_object(doc: dict) -> bool:
    """The root is an object schema whose fields' schemas do not depend on each other."""
    return doc.get("type") == "object" and doc.keys() <= _PLAIN_OBJECT


def _root_fields(findings: Iterable[Finding]) -> tuple[str, ...] | None:
    """The root fields the findings lie in (``None`` if one is about the whole event)."""
    fields = set()
    for finding in findings:
        pointer = finding.pointer
        if not pointer:
            return None
        fields.add(pointer.split("/", 2)[1].replace("~1", "/").replace("~0", "~"))
    return tuple(sorted(fields))


def _same_values(event: dict, fields: tuple[str, ...]) -> Callable[[dict], bool] | None:
    """The test that an event's ``fields`` equal this one's as JSON (``1`` is not ``1.0`` nor
    ``true``; absent stays absent); ``None`` if one is not JSON (a dict a caller built)."""
    if len(fields) == 1:
        name, value = fields[0], event.get(fields[0], _MISSING)
        if value is None or value is _MISSING:  # `"logprobs": null`, a missing field
            return lambda e: e.get(name, _MISSING) is value
        if type(value) is str:  # `"created": "1766084443"`
            return lambda e: type(x := e.get(name)) is str and x == value
    values = _field_values(event, fields)
    if values is None:
        return None
    return lambda e: _field_values(e, fields) == values


def _field_values(event: dict, fields: tuple[str, ...]) -> list | None:
    """The fields of an event as JSON text (``None`` for an absent field)."""
    dumps = orjson.dumps
    try:
        return [dumps(event[f]) if f in event else None for f in fields]
    except TypeError:  # orjson.JSONEncodeError
        return None


# -- the checker -------------------------------------------------------------------------------


_NONE: frozenset[str] = frozenset()
_TYPE = frozenset({"type"})  # a Responses predicate is found by the event's type


def _always_valid(event: Any) -> bool:
    return True


class _Types(dict):
    """type -> predicate of the events of a typed kind, compiled on first use."""

    def __init__(self, checker: SchemaChecker, kind: str) -> None:
        super().__init__()
        self.checker = checker
        self.kind = kind

    def __missing__(self, type_name: Any) -> Callable[[Any], bool]:
        if type(type_name) is not str:
            raise KeyError(type_name)  # a finding for the slow path
        predicate = self[type_name] = self.checker._predicate(self.kind, type_name)
        return predicate


class SchemaChecker:
    """Checks single events against the JSON Schema of their type, under a profile.

    ``check`` returns :class:`~validator.model.Finding` objects, each with its JSON Pointer
    and no location (the caller knows which event it checked): S001 wrong type, S002 missing
    field, S003 bad value, S004 unknown field (``strict`` only).  Events of a type without a
    schema, and what another rule already reports (``OWNED_ELSEWHERE``), give ``[]``.
    """

    def __init__(self, profile: str = "default") -> None:
        self.profile = get_profile(profile).name
        self._typed = {kind: _Types(self, kind) for kind in TYPED_KINDS}
        self._chunk: Callable[[Any], bool] | None = None
        self._compilers: dict[str, _Compiler] = {}  # by kind
        self._rs: dict[str, Any] = {}
        self._py: dict[str, Any] = {}
        #: (kind, event type) -> (test, findings) of the last explanation (``explain_failed``).
        self._memo: dict[tuple[str, str],
                         tuple[Callable[[dict], bool], tuple[Finding, ...]]] = {}
        # One checker serves every validator of a profile, and `check` runs validators in
        # threads: compiling and building are serialised (the compiler names a function
        # before it defines it).  Reentrant: a predicate may fall back to a built validator.
        self._lock = threading.RLock()

    def check(self, event: dict, kind: str = "responses") -> list[Finding]:
        """The schema findings of one event (``kind``: ``responses``, ``chat``, ``anthropic``)."""
        if kind in TYPED_KINDS:
            try:
                if self._typed[kind][event["type"]](event):
                    return []
            except (KeyError, TypeError):
                pass
        elif kind == "chat":
            chunk = self._chunk or self._chunk_predicate()
            if chunk(event):
                return []
        else:
            raise ValueError(f"unknown kind {kind!r} (choose from {', '.join(KINDS)})")
        return list(self.explain_failed(event, kind))

    def passes(self, kind: str) -> Callable[[dict], bool]:
        """The hot path's test for ``kind``: ``event -> True`` exactly when ``check`` would
        find nothing because the compiled predicate accepts the event.  ``False`` sends the
        event to ``check`` (which may still find nothing, e.g. for an unknown type)."""
        if kind == "chat":
            return self._chunk or self._chunk_predicate()
        if kind not in TYPED_KINDS:
            raise ValueError(f"unknown kind {kind!r} (choose from {', '.join(KINDS)})")
        types = self._typed[kind]

        def passes(event: dict) -> bool:
            try:
                return types[event["type"]](event)
            except (KeyError, TypeError):
                return False
        return passes

    def passes_given(self, type_name: str, fields: Iterable[str],
                     kind: str = "responses") -> Callable[[dict], bool]:
        """The test of an event of ``type_name`` (a typed ``kind``) whose ``fields`` are known
        to be present and valid (equal, value and type, to those of an event that passed): the
        compiled predicate without them.  ``True`` exactly when ``passes`` would say so."""
        return self._predicate(kind, type_name, frozenset(fields))

    def is_valid(self, event: dict, kind: str = "responses", path: str = "compiled") -> bool:
        """Whether one path (``compiled``, ``rs`` or ``python``) accepts the event as it stands,
        before ``OWNED_ELSEWHERE`` (for the tests that compare the paths)."""
        uri = self._uri_of(event, kind)
        if uri is None:
            return True
        if path == "compiled":
            return self._predicate(kind, _type_of(uri))(event)
        if path == "rs":
            return self._validator(self._rs, _rs_validator, kind, uri).is_valid(event)
        if path == "python":
            return not any(True for _ in self._validator(self._py, _py_validator, kind, uri)
                           .iter_errors(event))
        raise ValueError(f"unknown path {path!r}")

    def explain(self, event: dict, kind: str = "responses") -> list[Finding]:
        """The findings of an event, from the pure-Python validator (the slow, detailed path)."""
        if kind in TYPED_KINDS and not isinstance(event.get("type"), str):
            return self._type_finding(event)
        uri = self._uri_of(event, kind)
        if uri is None:
            return []
        return self._explain(event, kind, uri)[0]

    def _explain(self, event: dict, kind: str, uri: str) -> tuple[list[Finding], list[Finding]]:
        """``explain``'s findings, and all of them before ``OWNED_ELSEWHERE`` (for the memo)."""
        errors = self._validator(self._py, _py_validator, kind, uri).iter_errors(event)
        type_name = event.get("type") if kind in TYPED_KINDS else None
        every = _one_per_pointer(f for error in errors for f in _findings_of(error))
        return [f for f in every if not _owned(kind, type_name, f)], every

    def explain_failed(self, event: dict, kind: str) -> tuple[Finding, ...]:
        """``check`` of an event the compiled test (``passes``) refused: ``explain``,
        memoised per event type (the same tuple for the same defect).  A server with a defect
        repeats it on every event of a type (`"logprobs": null` on each delta), and pure-Python
        jsonschema costs ~30 compiled checks.  The memo holds the last explanation of a type:
        the root fields its findings lie in, their values and the findings.  An event of that
        type whose fields have those values (equal as JSON: ``1`` is not ``1.0`` nor ``true``)
        and whose other fields pass the compiled test has exactly those findings: they are a
        function of the values they lie in.  Only documents whose root is a plain object schema
        qualify (a root ``if``/``allOf`` could tie a field's schema to a sibling's value)."""
        type_name = event.get("type") if kind in TYPED_KINDS else "chat.completion.chunk"
        if type(type_name) is not str:
            return tuple(self.explain(event, kind))
        memo = self._memo.get((kind, type_name))
        if memo is not None and memo[0](event):
            return memo[1]
        uri = self._uri_of(event, kind)
        if uri is None:
            return ()
        explained, every = self._explain(event, kind, uri)
        findings = tuple(explained)
        fields = _root_fields(every)
        if fields and _plain_object(_profile_documents(self.profile, kind)[uri]):
            rest = self._predicate(kind, type_name, frozenset(fields))
            same = _same_values(event, fields)
            if same is not None:
                self._memo[(kind, type_name)] = (lambda e: same(e) and rest(e), findings)
        return findings

    def repeats(self, kind: str, type_name: str,
                findings: tuple[Finding, ...]) -> Callable[[dict], bool] | None:
        """The test that an event of ``type_name`` has exactly ``findings``, when they are
        what ``explain_failed`` last explained for that type (else ``None``)."""
        memo = self._memo.get((kind, type_name))
        return memo[0] if memo is not None and memo[1] is findings else None

    # -- helpers

    def _uri_of(self, event: dict, kind: str) -> str | None:
        """The schema of an event, or None: no schema, or the event belongs to another rule
        (a chunk in a Responses stream or the reverse: C001; an error chunk: C024)."""
        if kind == "chat":
            if event.get("error") or ("choices" not in event and "object" not in event
                                      and isinstance(event.get("type"), str)):
                return None
            return _uri("chat", "chat.completion.chunk")
        type_name = event.get("type")
        uri = _uri(kind, type_name) if isinstance(type_name, str) else None
        return uri if uri in _entries() else None

    @staticmethod
    def _type_finding(event: dict) -> list[Finding]:
        if "type" not in event:
            if "choices" in event or event.get("object") == "chat.completion.chunk":
                return []  # a chat chunk in a Responses stream: C001
            return [Finding("S002", "`/type`: required field is missing", pointer="/type")]
        return [Finding("S001", f"`/type`: expected string, got {_got(event['type'])}",
                        pointer="/type")]

    def _predicate(self, kind: str, type_name: str,
                   assumed: frozenset[str] = _NONE) -> Callable[[Any], bool]:
        uri = _uri(kind, type_name)
        if uri not in _entries():
            return _always_valid
        with self._lock:
            compiler = self._compilers.get(kind)
            if compiler is None:
                docs = _profile_documents(self.profile, kind)
                compiler = self._compilers[kind] = _Compiler(
                    docs, CodeCache(f"{self.profile}-{kind}", _derived_from(docs)))
            return compiler.predicate(uri, assumed | _TYPE if kind in TYPED_KINDS else assumed)

    def _chunk_predicate(self) -> Callable[[Any], bool]:
        chunk = self._predicate("chat", "chat.completion.chunk")
        self._chunk = chunk
        return chunk

    def _validator(self, cache: dict[str, Any], build: Callable[[dict, str], Any],
                   kind: str, uri: str) -> Any:
        validator = cache.get(uri)
        if validator is None:
            with self._lock:
                validator = cache.get(uri)
                if validator is None:
                    validator = cache[uri] = build(
                        _every(_profile_documents(self.profile, kind)), uri)
        return validator
