"""``[tool.stream-validator]`` settings: read from TOML text, checked, normalised.

Pure: takes the text (and the path it came from, for messages and relative paths) and returns
a dict; finding the file and reading it is the shell's job (``cli.py``).  Keys are returned with
``_`` for ``-`` (``base-url`` -> ``base_url``).  A key this module does not know, or a value of
the wrong type, raises :class:`ConfigError` naming the key, so a typo never passes silently.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .profiles import PROFILE_NAMES
from .reporters import REPORTERS
from .reporters._safe import printable
from .rules import resolve_selectors

if TYPE_CHECKING:
    from pathlib import PurePath

__all__ = ["KEYS", "TABLE", "ConfigError", "load", "settings_of", "table"]

TABLE = "tool.stream-validator"


class ConfigError(ValueError):
    """The configuration cannot be used; the message names the file and the key."""


def _choice(choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise TypeError(f"one of {', '.join(choices)}")
        return value
    return check


def _selectors(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("a list of rule codes, prefixes or names")
    resolve_selectors(value)  # ValueError: no rule matches 'X' (did you mean …?)
    return value


def _patterns(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise TypeError("a list of gitignore-style patterns")
    return value


def _per_file(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise TypeError('a table of pattern = [rules], e.g. {"captures/vendor/*" = ["S"]}')
    return {pattern: _selectors(rules) for pattern, rules in value.items()}


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("true or false")
    return value


def _string(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError("a non-empty string")
    return value


#: key -> checker returning the normalised value (``TypeError`` names what was expected).
KEYS: dict[str, Callable[[Any], Any]] = {
    "profile": _choice(PROFILE_NAMES),
    "select": _selectors,
    "ignore": _selectors,
    "extend-select": _selectors,
    "extend-ignore": _selectors,
    "per-file-ignores": _per_file,  # pattern (relative to this file) -> rules not run there
    "exclude": _patterns,           # what directory walks skip (replaces the default list)
    "extend-exclude": _patterns,    # ... in addition to it
    "strict": _boolean,
    "format": _choice(tuple(REPORTERS)),
    "scenarios": _string,   # a directory, relative to the configuration file
    "base-url": _string,    # for `check`
}


def load(text: str, source: str | PurePath) -> dict[str, Any] | None:
    """The settings in ``[tool.stream-validator]`` of ``text``; ``None`` if it has no such table.

    ``source`` is the file's path: messages name it and ``scenarios`` is resolved against its
    directory.
    """
    found = table(text, source)
    return None if found is None else settings_of(found, source)


def table(text: str, source: str | PurePath) -> dict[str, Any] | None:
    """The ``[tool.stream-validator]`` table of the TOML ``text``, as written (``None``: it has
    none); text that is not TOML, or a value there that is not a table, is a ``ConfigError``."""
    if sys.version_info >= (3, 11):  # imported here: a lint outside a project reads no TOML
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_name(source)}: invalid TOML: {exc}") from None
    tool = document.get("tool")
    found = tool.get("stream-validator") if isinstance(tool, dict) else None
    if found is not None and not isinstance(found, dict):
        raise ConfigError(f"{_name(source)}: [{TABLE}] must be a table")
    return found


def settings_of(table: dict[str, Any], source: str | PurePath) -> dict[str, Any]:
    """The settings of a ``[tool.stream-validator]`` table (of the file ``source``), checked
    and normalised."""
    settings: dict[str, Any] = {}
    for key, value in table.items():
        where = f"{_name(source)}: [{TABLE}] {printable(key)}"
        if key not in KEYS:
            import difflib  # (a typo's hint only)

            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(KEYS)})"
            raise ConfigError(f"{where}: unknown key{hint}")
        try:
            settings[key.replace("-", "_")] = KEYS[key](value)
        except TypeError as exc:
            raise ConfigError(f"{where}: expected {exc}, got {printable(repr(value))}") from None
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    if "scenarios" in settings:
        from pathlib import PurePath  # (`check`'s setting: a lint's start-up needs no pathlib)

        settings["scenarios"] = str(PurePath(source).parent / settings["scenarios"])
    return settings


def _name(source: str | PurePath) -> str:
    return printable(str(source))
