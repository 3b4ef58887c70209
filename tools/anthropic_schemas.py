"""Generate the Anthropic Messages schemas from the installed ``anthropic`` SDK's types.

    python tools/anthropic_schemas.py           # rewrite schemas/anthropic/ and the defs file
    python tools/anthropic_schemas.py --check   # report the drift, write nothing (exit 1 if any)

The SDK's pydantic models are the reference: every event of ``BetaRawMessageStreamEvent`` (the
beta union is a superset of ``RawMessageStreamEvent``), every content block and delta type, every
``Literal``.  Each model becomes one object schema in the subset of JSON Schema that
``validator/schemas.py`` compiles: required = the fields without a default, ``Optional`` =
nullable, a union of models on ``type`` = ``allOf`` of ``if``/``then`` (unknown types accepted:
Anthropic adds block types), a ``Literal`` = ``const``/``enum``.  Objects stay open (servers and
Bedrock add fields).  ``tests/test_anthropic_schemas.py`` runs ``--check`` against the pinned SDK,
so bumping the pin in ``pyproject.toml`` is the one step that brings a new SDK release in.

Needs ``anthropic`` installed (a test dependency), never imported by the validator.
"""

from __future__ import annotations

import datetime
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

REPO = Path(__file__).resolve().parents[1]
URN = "urn:stream-validator:"
DEFS_ID = URN + "defs:anthropic"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def sdk_unions() -> dict[str, Any]:
    """The SDK unions the schemas are made of (GA and beta)."""
    from anthropic.types import RawContentBlockDelta, RawMessageStreamEvent
    from anthropic.types.beta import BetaRawContentBlockDelta, BetaRawMessageStreamEvent
    from anthropic.types.beta.beta_raw_content_block_start_event import (
        ContentBlock as BetaContentBlock,
    )
    from anthropic.types.raw_content_block_start_event import ContentBlock

    return {"events": RawMessageStreamEvent, "beta_events": BetaRawMessageStreamEvent,
            "blocks": ContentBlock, "beta_blocks": BetaContentBlock,
            "deltas": RawContentBlockDelta, "beta_deltas": BetaRawContentBlockDelta}


def members(union: Any) -> list[type[BaseModel]]:
    """The models of a (possibly ``Annotated``) union."""
    while get_origin(union) is typing.Annotated:
        union = get_args(union)[0]
    return [m for m in get_args(union) if isinstance(m, type) and issubclass(m, BaseModel)]


def type_literals(model: type[BaseModel]) -> tuple[str, ...]:
    """The values of a model's ``type: Literal[...]`` field."""
    def flat(tp: Any) -> list[str]:
        return [v for arg in get_args(tp) for v in ([arg] if isinstance(arg, str) else flat(arg))]
    return tuple(flat(model.model_fields["type"].annotation))


class Generator:
    def __init__(self) -> None:
        self.defs: dict[str, dict] = {}

    def ref(self, model: type[BaseModel]) -> dict:
        name = model.__name__
        if name not in self.defs:
            self.defs[name] = {}  # placeholder: recursive models refer to themselves
            self.defs[name] = self.model(model)
        return {"$ref": f"{DEFS_ID}#/$defs/{name}"}

    def model(self, model: type[BaseModel]) -> dict:
        fields = model.model_fields
        schema: dict = {"title": model.__name__, "type": "object"}
        required = [field.alias or name for name, field in fields.items() if field.is_required()]
        if required:
            schema["required"] = required
        schema["properties"] = {field.alias or name: self.of(field.annotation)
                                for name, field in fields.items()}
        return schema

    def of(self, tp: Any) -> dict:
        origin = get_origin(tp)
        if origin is typing.Annotated:
            return self.of(get_args(tp)[0])
        if tp is type(None):
            return {"type": "null"}
        simple = {str: "string", int: "integer", float: "number", bool: "boolean"}
        if tp in simple:
            return {"type": simple[tp]}
        if tp is object or tp is Any:
            return {}
        if tp is datetime.datetime:
            return {"type": "string"}  # RFC 3339 on the wire
        if origin is Literal:
            values = list(get_args(tp))
            strings = [v for v in values if v is not None]
            if not all(isinstance(v, str) for v in strings):
                return {}
            if None in values:
                return {"enum": [*strings, None]}
            return {"const": strings[0]} if len(strings) == 1 else {"enum": strings}
        if origin in (list, typing.List, tuple):  # noqa: UP006 (the runtime origin)
            args = get_args(tp)
            return {"type": "array", "items": self.of(args[0])} if args else {"type": "array"}
        if origin in (dict, typing.Dict):  # noqa: UP006
            return {"type": "object"}
        if origin is Union or origin is types.UnionType:
            return self.union(list(get_args(tp)))
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return self.ref(tp)
        raise TypeError(f"no schema for {tp!r}")

    def union(self, args: list[Any]) -> dict:
        nullable = type(None) in args
        rest = [a for a in args if a is not type(None)]
        inner = self.of(rest[0]) if len(rest) == 1 else self.alternatives(rest)
        if nullable and inner:
            return {"if": {"type": "null"}, "else": inner}
        return inner

    def alternatives(self, rest: list[Any]) -> dict:
        models = [a for a in rest if isinstance(a, type) and issubclass(a, BaseModel)]
        if len(models) == len(rest) and all("type" in m.model_fields for m in models):
            return self.tagged(models)
        schemas = [self.of(a) for a in rest]
        if all(set(s) <= {"type", "const", "enum"} for s in schemas):
            kinds = {s.get("type", "string") for s in schemas}
            if len(kinds) == 1 and any(s == {"type": "string"} for s in schemas):
                return {"type": "string"}  # Literal[...] | str: any string
            if all(set(s) == {"type"} for s in schemas):
                return {"type": sorted(kinds)}
        return {}  # a union the compiled subset cannot say (e.g. str | list of blocks): any

    def tagged(self, models: list[type[BaseModel]]) -> dict:
        """A union of models on their ``type``: unknown types are accepted."""
        return {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}},
                "allOf": [{"if": {"required": ["type"], "properties": {"type": {"const": value}}},
                           "then": self.ref(m)} for m in models for value in type_literals(m)]}


def documents() -> dict[str, dict]:
    """path (relative to the repository) -> schema document."""
    gen = Generator()
    out: dict[str, dict] = {}
    from anthropic.types.shared.error_response import ErrorResponse

    events = members(sdk_unions()["beta_events"])
    for model in [*events, ErrorResponse]:
        (name,) = type_literals(model)
        doc = {"$schema": DRAFT, "$id": f"{URN}anthropic:{name}", "title": name,
               "description": f"anthropic-python `{model.__module__}.{model.__name__}`",
               **{k: v for k, v in gen.model(model).items() if k != "title"}}
        out[f"schemas/anthropic/{name}.json"] = doc
    out["schemas/anthropic/ping.json"] = {
        "$schema": DRAFT, "$id": f"{URN}anthropic:ping", "title": "ping",
        "description": "An SSE keep-alive event of the Messages stream (not an SDK model: the "
                       "SDKs skip it).", "type": "object", "required": ["type"],
        "properties": {"type": {"const": "ping"}}}
    from anthropic import __version__

    out["schemas/defs/anthropic.json"] = {
        "$schema": DRAFT, "$id": DEFS_ID, "title": "Anthropic Messages models",
        "description": f"Generated by tools/anthropic_schemas.py from anthropic-python "
                       f"{__version__} (`anthropic.types.beta`).",
        "$defs": dict(sorted(gen.defs.items()))}
    return out


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def drift() -> list[str]:
    """What differs between the files and the installed SDK, one line a file."""
    wanted = documents()
    found = {str(p.relative_to(REPO)) for p in (REPO / "schemas" / "anthropic").glob("*.json")}
    problems = [f"{path}: not generated by the SDK's types" for path in sorted(found - set(wanted))]
    for path, doc in sorted(wanted.items()):
        file = REPO / path
        if not file.is_file():
            problems.append(f"{path}: missing")
        elif file.read_text("utf-8") != render(doc):
            problems.append(f"{path}: differs from the SDK's types")
    return problems


def main(argv: list[str]) -> int:
    if "--check" in argv:
        problems = drift()
        print("\n".join(problems) or "no drift")
        return 1 if problems else 0
    for path, doc in documents().items():
        (REPO / path).parent.mkdir(parents=True, exist_ok=True)
        (REPO / path).write_text(render(doc), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
