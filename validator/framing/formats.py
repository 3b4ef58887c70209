"""The input formats, once: name, file suffixes, sniff byte, decoder, and what the framing implies.

``FrameDecoder`` sniffs and decodes with this table; the CLI's ``--input-format`` choices, the
directory walk (which files are captures), the pytest plugin's ``save_to`` (the suffix a saved
stream gets) and the pre-commit hook's file pattern (checked by its test) follow it, so a new
format is one row here and its decoder module.
"""

from __future__ import annotations

from typing import NamedTuple

from .jsonarray import JSONArrayDecoder
from .jsonl import JSONLDecoder
from .sse import SSEDecoder

__all__ = ["BY_NAME_SUFFIXES", "FORMATS", "INPUT_FORMATS", "STREAM_SUFFIXES", "Decoder",
           "InputFormat", "done_applies", "needs_content_test", "saved_suffix"]

Decoder = SSEDecoder | JSONLDecoder | JSONArrayDecoder


class InputFormat(NamedTuple):
    """One framing of a captured stream.

    ``sniff`` is the first non-blank byte of such a stream (``None``: the format of anything
    else).  ``done``: ``data: [DONE]`` terminates a stream in this framing (only SSE has it).
    ``by_name``: a file with one of ``suffixes`` is a capture by its name alone; a ``.json``
    file is mostly something else (``package.json``, reports), so the walk tests its content
    first and the pre-commit hook leaves it out.
    """

    name: str
    suffixes: tuple[str, ...]
    sniff: int | None
    decoder: type[Decoder]
    done: bool = False
    by_name: bool = True


INPUT_FORMATS: dict[str, InputFormat] = {f.name: f for f in (
    InputFormat("sse", (".sse",), None, SSEDecoder, done=True),
    InputFormat("jsonl", (".jsonl", ".ndjson"), ord("{"), JSONLDecoder),
    InputFormat("json", (".json",), ord("["), JSONArrayDecoder, by_name=False),
)}
#: What ``--input-format`` takes: ``auto`` sniffs one of the formats.
FORMATS = ("auto", *INPUT_FORMATS)
#: The files a directory argument expands to (and their ``.gz``).
STREAM_SUFFIXES = tuple(s for f in INPUT_FORMATS.values() for s in f.suffixes)
#: The suffixes that make a file a capture without a look at its content.
BY_NAME_SUFFIXES = tuple(s for f in INPUT_FORMATS.values() if f.by_name for s in f.suffixes)


def done_applies(input_format: str | None) -> bool:
    """Whether a stream read as ``input_format`` ends with ``data: [DONE]`` (``events``, dicts
    fed directly, and ``None``, nothing read yet, do not)."""
    found = INPUT_FORMATS.get(input_format) if input_format is not None else None
    return found is not None and found.done


def saved_suffix(input_format: str) -> str:
    """The file suffix a stream of ``input_format`` is saved under."""
    return INPUT_FORMATS[input_format].suffixes[0]


def needs_content_test(name: str) -> bool:
    """Whether a file called ``name`` may hold something other than a stream despite its
    suffix (``.json``): its first bytes decide (``validator.documents``)."""
    return name.endswith(tuple(s for s in STREAM_SUFFIXES if s not in BY_NAME_SUFFIXES))
