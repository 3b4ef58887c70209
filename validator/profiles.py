"""Every profile once: its name, aliases, what it is for, and what it changes.

A profile changes three things: rule severities (a rule's own ``profiles`` overrides come
first, then ``warnings_are_errors``), the schemas (the edit sets of ``schemas.py`` it applies
and whether objects are closed) and the response keys S005 asks for.  The CLI's ``--profile``
choices and help, the configuration and pytest options, the schema loader and the README rule
table's columns all read this table, so a new profile is one entry here (and its README line).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["PROFILES", "PROFILE_NAMES", "Profile", "canonical_profile", "get_profile",
           "profile_help"]


class Profile(NamedTuple):
    """One profile.

    ``description`` completes "Severities: …" in the CLI help.  ``schema_edits`` names the
    edit sets of ``validator.schemas.EDIT_SETS`` applied to a copy of the schemas, in order.
    ``closed_objects``: an object schema accepts no unlisted property (S004) and SDK-optional
    fields no ``null``.  ``warnings_are_errors``: a rule's warning is an error unless the rule
    says otherwise for this profile.  ``open_responses_keys``: S005 asks for the keys the Open
    Responses ``ResponseResource`` requires instead of those OpenAI always sends.
    ``reasoning_events``: the ``response.reasoning.*`` events, removed from OpenAI's protocol
    (L011), are current (Open Responses keeps them).
    """

    name: str
    description: str
    aliases: tuple[str, ...] = ()
    schema_edits: tuple[str, ...] = ()
    closed_objects: bool = False
    warnings_are_errors: bool = False
    open_responses_keys: bool = False
    reasoning_events: bool = False


#: ``default`` accepts what the vendor's own API does (OpenAI's for Responses and chat streams,
#: Anthropic's for Messages streams); ``openai`` was its name before Messages streams.
_TABLE = (
    Profile("default", "what the vendor's own API does", aliases=("openai",),
            schema_edits=("observed", "openai")),
    Profile("strict", "every recommendation", schema_edits=("observed",), closed_objects=True,
            warnings_are_errors=True),
    Profile("open-responses", "the Open Responses normative rules",
            schema_edits=("observed", "open-responses"), open_responses_keys=True,
            reasoning_events=True),
)

#: The profiles by canonical name, in the order help texts and tables list them.
PROFILES: dict[str, Profile] = {p.name: p for p in _TABLE}
_ALIASES = {alias: p.name for p in _TABLE for alias in p.aliases}
#: Every name ``--profile`` takes: the profiles, then their aliases.
PROFILE_NAMES = (*PROFILES, *_ALIASES)


def canonical_profile(name: str) -> str:
    """The profile a name (or an alias: ``openai``) stands for."""
    return _ALIASES.get(name, name)


def get_profile(name: str) -> Profile:
    """The profile ``name`` (or an alias) stands for; ``ValueError`` for an unknown name."""
    try:
        return PROFILES[canonical_profile(name)]
    except KeyError:
        raise ValueError(f"unknown profile {name!r} (choose from "
                         f"{', '.join(PROFILE_NAMES)})") from None


def profile_help() -> str:
    """The help of ``--profile``: what each profile's severities follow."""
    parts = []
    for p in PROFILES.values():
        aliases = "".join(f"; `{alias}` is its old name" for alias in p.aliases)
        parts.append(f"{p.description} ({p.name}{aliases})")
    return f"Severities: {', '.join(parts[:-1])}, or {parts[-1]}."
