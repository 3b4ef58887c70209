"""How far the schemas and the event catalogue are from the installed openai-python.

``python -m validator.tools.drift`` walks the SDK's own types: every member of
``ResponseStreamEvent``, every output item type, every ``Literal`` value and every field of those
models (nested ones included) and of ``ChatCompletionChunk``, and prints each place where the
validator disagrees, naming the type, value or field:

- an event type or output item type the SDK has and the catalogue or the schemas do not;
- a field the SDK declares that a schema which lists its properties does not (``strict`` would
  call it unknown: S004);
- a ``Literal`` value the schema's ``enum``/``const`` does not accept (S003 on a valid value);
- a field the SDK types ``Optional`` whose schema rejects ``null`` under the default profile
  (the SDK's own serialised models write such nulls: openai-python's ``ChatCompletionChunk``
  with ``delta.tool_calls: null``).

It exits 1 when there is drift, 0 when there is none, 2 when openai is not installed.
``--write`` brings the schema files of the checkout in line: a missing field is added with the
JSON type of its annotation, a missing ``Literal`` value is added to the ``enum``, and an
``Optional`` field is marked ``"x-sdk-optional": true`` (the ``openai`` profile then accepts
``null`` there; ``strict`` still reports it as S001).  A missing event or item type needs its
schema written by hand (and a catalogue row).
``tests/test_drift.py`` runs the same walk against the pinned openai, so bumping the pin is the
one step that brings a new SDK release in.  Only this command imports openai; the validator
itself never does.
"""

from __future__ import annotations

import json
import os
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..schemas import SDK_OPTIONAL as OPTIONAL

__all__ = ["drift", "main"]
_URN = "urn:stream-validator:"


def _union_args(annotation: Any) -> tuple:
    """The members of a Union (``Annotated`` unwrapped), or ``(annotation,)``."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return tuple(m for a in typing.get_args(annotation) for m in _union_args(a))
    return (annotation,)


def _is_model(annotation: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _literal_of(model: Any, field: str = "type") -> str | None:
    info = model.model_fields.get(field)
    if info is None:
        return None
    args = [a for a in _union_args(info.annotation) if typing.get_origin(a) is typing.Literal]
    return typing.get_args(args[0])[0] if len(args) == 1 else None


class _Walk:
    """One walk of SDK models against the schemas of one profile."""

    def __init__(self, docs: dict[str, dict], write: bool = False) -> None:
        self.docs = docs
        self.write = write  # fix the documents in place
        self.found: list[str] = []
        self.seen: set = set()

    # -- schema navigation

    def resolve(self, node: Any, uri: str) -> tuple[Any, str]:
        """Follow ``$ref`` and the profile's nullable wrapper (``if null / else``)."""
        for _ in range(20):
            if not isinstance(node, dict):
                return node, uri
            if "$ref" in node:
                ref = node["$ref"]
                target, _, pointer = ref.partition("#")
                uri = target or uri
                node = self.docs[uri]
                for token in pointer.split("/")[1:]:
                    node = node[token]
            elif node.get("if") == {"type": "null"} and "else" in node:
                node = node["else"]
            else:
                return node, uri
        return node, uri

    def accepts_null(self, node: Any, uri: str) -> bool:
        if node is True or node == {}:
            return True
        if not isinstance(node, dict):
            return False
        if node.get(OPTIONAL) is True or (node.get("if") == {"type": "null"} and "else" in node):
            return True
        kinds = node.get("type")
        if kinds == "null" or (isinstance(kinds, list) and "null" in kinds):
            return True
        if None in node.get("enum", ()) or ("const" in node and node["const"] is None):
            return True
        if "$ref" in node:
            return self.accepts_null(*self.resolve(node, uri))
        return "type" not in node and "enum" not in node and "const" not in node \
            and "allOf" not in node and "properties" not in node and "required" not in node

    def branch(self, node: dict, uri: str, type_value: str) -> tuple[Any, str] | None:
        """The member of a union by ``type`` (``allOf`` of ``if type const / then``)."""
        for member in node.get("allOf", ()):
            test = member.get("if", {}).get("properties", {}).get("type", {})
            if test.get("const") == type_value or type_value in test.get("enum", ()):
                return self.resolve(member["then"], uri)
        return None

    # -- the walk

    def report(self, message: str) -> None:
        self.found.append(message)

    def model(self, model: Any, node: Any, uri: str, where: str) -> None:
        node, uri = self.resolve(node, uri)
        if not isinstance(node, dict) or (model, id(node)) in self.seen:
            return
        self.seen.add((model, id(node)))
        properties = node.get("properties")
        if properties is None:
            return  # a schema that does not describe the object's fields (free-form)
        for name, info in model.model_fields.items():
            key = info.alias or name
            field = f"{where}.{key}"
            sub = properties.get(key)
            if sub is None:
                self.report(f"field {field} ({model.__name__}): not in the schema")
                if not self.write:
                    continue
                sub = properties[key] = _schema_of(info.annotation)
            self.field(info.annotation, sub, uri, field)

    def field(self, annotation: Any, sub: Any, uri: str, field: str) -> None:
        members = _union_args(annotation)
        if type(None) in members and not self.accepts_null(sub, uri):
            self.report(f"field {field}: Optional in the SDK, the schema rejects null")
            if self.write and isinstance(sub, dict):
                sub[OPTIONAL] = True
        members = tuple(m for m in members if m is not type(None))
        node, node_uri = self.resolve(sub, uri)
        literals = [v for m in members if typing.get_origin(m) is typing.Literal
                    for v in typing.get_args(m)]
        if literals and isinstance(node, dict):
            self.literals(literals, node, field)
        for member in members:
            origin = typing.get_origin(member)
            if origin in (list, typing.List) and isinstance(node, dict) \
                    and isinstance(node.get("items"), dict):  # noqa: UP006
                self.field(typing.get_args(member)[0], node["items"], node_uri, field + "[]")
        models = [m for m in members if _is_model(m)]
        kinds = node.get("type") if isinstance(node, dict) else None
        if models and kinds is not None and "object" not in (
                kinds if isinstance(kinds, list) else [kinds]):
            self.report(f"field {field}: an object ({models[0].__name__}) in the SDK, the "
                        f"schema says {kinds}")
            return
        if len(models) == 1:
            self.model(models[0], node, node_uri, field)
        elif models and isinstance(node, dict):
            self.union(models, node, node_uri, field)

    def literals(self, values: list, node: dict, field: str) -> None:
        if "enum" in node:
            allowed = set(node["enum"])
        elif "const" in node:
            allowed = {node["const"]}
        else:
            return
        for value in values:
            if value not in allowed:
                self.report(f"value {value!r} of {field}: not in the schema's "
                            f"{'enum' if 'enum' in node else 'const'}")
                if self.write and "enum" in node:
                    node["enum"].insert(-1 if None in node["enum"] else len(node["enum"]),
                                        value)

    def union(self, models: list, node: dict, uri: str, where: str) -> None:
        for model in models:
            value = _literal_of(model)
            if value is None:
                continue
            found = self.branch(node, uri, value)
            if found is None:
                if node.get("allOf"):
                    self.report(f"type {value!r} of {where} ({model.__name__}): no schema")
                continue
            self.model(model, found[0], found[1], f"{where}<{value}>")


_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean",
               list: "array", dict: "object"}


def _schema_of(annotation: Any) -> dict:
    """A coarse schema for a field the schemas lack: its JSON types, ``Literal`` values as an
    ``enum``; models are objects whose fields are not described."""
    members = _union_args(annotation)
    values = [v for m in members if typing.get_origin(m) is typing.Literal
              for v in typing.get_args(m)]
    names = set()
    for member in members:
        origin = typing.get_origin(member) or member
        if _is_model(member):
            names.add("object")
        elif origin in _JSON_TYPES:
            names.add(_JSON_TYPES[origin])
    schema: dict[str, Any] = {}
    if values and not names:
        schema["enum"] = values
    elif names:
        schema["type"] = sorted(names) if len(names) > 1 else names.pop()
    if type(None) in members:
        schema[OPTIONAL] = True
    return schema


def _responses_events() -> list[Any]:
    from openai.types.responses import ResponseStreamEvent

    return list(_union_args(ResponseStreamEvent))


def drift(*, write: bool = False) -> list[str]:
    """Every disagreement between the schema files (as stored) and the installed openai-python
    (see the module doc); ``[]`` when there is none.  ``write``: fix the files of the checkout."""
    from openai.types.chat import ChatCompletionChunk
    from openai.types.responses import ResponseOutputItem

    from ..responses.events import EVENT_TYPES, SDK_TYPES
    from ..schemas import _parsed

    docs = _parsed()
    walk = _Walk(docs, write)
    sdk_events: dict[str, Any] = {}
    for model in _responses_events():
        type_name = _literal_of(model)
        if type_name is None:
            walk.report(f"SDK event model {model.__name__}: no literal `type`")
            continue
        sdk_events[type_name] = model
    for type_name, model in sorted(sdk_events.items()):
        uri = f"{_URN}responses:{type_name}"
        if type_name not in EVENT_TYPES:
            walk.report(f"event type {type_name!r}: in the SDK, not in the catalogue")
        elif type_name not in SDK_TYPES:
            walk.report(f"event type {type_name!r}: in the SDK, the events table says not")
        if uri not in docs:
            walk.report(f"event type {type_name!r}: in the SDK, no schema")
            continue
        walk.model(model, docs[uri], uri, type_name)
    ours = {uri[len(_URN) + len("responses:"):] for uri in docs
            if uri.startswith(_URN + "responses:")}
    # The table's types outside the union: legacy ones (L011) and those OpenAI sends anyway.
    for type_name in sorted((ours | SDK_TYPES) - set(sdk_events) - (EVENT_TYPES - SDK_TYPES)):
        walk.report(f"event type {type_name!r}: has a schema or a table row, not in the SDK")
    items_uri = f"{_URN}defs:output_item"
    walk.union(list(_union_args(ResponseOutputItem)), docs[items_uri], items_uri, "output item")
    chunk_uri = f"{_URN}chat:chat.completion.chunk"
    walk.model(ChatCompletionChunk, docs[chunk_uri], chunk_uri, "chat.completion.chunk")
    if write:
        _write(docs)
    return sorted(set(walk.found))


def _write(docs: dict[str, dict]) -> None:
    from ..schemas import _files, _schema_root

    for path in _files(os.fspath(_schema_root())):
        entry = Path(path)
        raw = entry.read_text("utf-8")
        doc = docs[json.loads(raw)["$id"]]
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        if text != raw:
            entry.write_text(text, "utf-8")


def _lines(write: bool) -> Iterator[str]:
    import openai

    found = drift(write=write)
    yield f"openai {openai.__version__}: {len(found)} difference(s)"
    yield from (f"  {line}" for line in found)


def main(argv: list[str] | None = None) -> int:
    try:
        import openai  # noqa: F401
    except ImportError:
        print("openai is not installed: pip install openai (or '.[test]')", file=sys.stderr)
        return 2
    args = sys.argv[1:] if argv is None else argv
    if set(args) - {"--write"}:
        print("usage: python -m validator.tools.drift [--write]", file=sys.stderr)
        return 2
    lines = list(_lines("--write" in args))
    print("\n".join(lines))
    return 1 if len(lines) > 1 else 0


if __name__ == "__main__":
    sys.exit(main())
