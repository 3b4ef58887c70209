"""The rule catalogue: an explicit registry of every rule, and rule selection.

Adding a rule is a visible diff: its entry in the family module's ``RULES`` and, if it is a new
family, one line here.  The families of one kind live in the kind's package
(``validator/responses/``, ``validator/anthropic/rules.py``); those the kinds share, here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._data import data_folder
from ..anthropic import rules as anthropic
from ..chat import rules as chat
from ..model import Finding
from ..profiles import get_profile
from ..responses import final, identity, lifecycle, sequence, text
from ..result import Severity, Violation
from . import bridge, diff, expectation, framing, schema, transport
from ._rule import Rule
from .impact import explained

__all__ = ["DIFF_FAMILIES", "LIVE_FAMILIES", "RULES", "Rule", "as_selectors", "enabled_rules", "get",
           "layered_selection", "resolve_selectors", "rule_samples", "unlocated_violations"]

_FAMILIES = (framing, schema, lifecycle, sequence, identity, text, final, chat, anthropic,
             transport, expectation, bridge, diff)

#: Families only `check` reports: they come from the HTTP exchange and the scenario, which no
#: capture file carries (so `lint` never reports them and they have no sample file).
LIVE_FAMILIES = (transport.FAMILY, expectation.FAMILY)
#: Families that compare two streams (`diff`): their samples are pairs, in
#: ``samples/diff/CODE-name/``, and `lint` of one stream never reports them.
DIFF_FAMILIES = (diff.FAMILY,)

#: code -> rule, in catalogue order.
RULES: dict[str, Rule] = {rule.code: rule for family in _FAMILIES for rule in family.RULES}
_BY_NAME = {rule.name: rule for rule in RULES.values()}


def get(code_or_name: str) -> Rule:
    """A rule by code (`I003`) or name (`item-id-mismatch`); ``KeyError`` with a hint if none."""
    rule = RULES.get(code_or_name.upper()) or _BY_NAME.get(code_or_name.lower())
    if rule is None:
        raise KeyError(_unknown(code_or_name))
    return rule


def rule_samples(code: str) -> list[Any]:
    """The minimal failing samples of a rule (``samples/invalid/CODE-name.*``; for a `D` rule
    the upstream and downstream files of ``samples/diff/CODE-name/``)."""
    from pathlib import Path  # (the `rule` command and the tests: a lint needs no samples)

    if code.startswith(DIFF_FAMILIES):
        return sorted((file for entry in Path(data_folder("diff-samples")).iterdir()
                       if entry.name.startswith(f"{code}-") for file in entry.iterdir()),
                      key=lambda file: file.name, reverse=True)  # upstream first
    return sorted((entry for entry in Path(data_folder("samples")).iterdir()
                   if entry.name.startswith(f"{code}-")), key=lambda entry: entry.name)


def _unknown(selector: str) -> str:
    import difflib  # (a typo's hint only: start-up of a lint)

    close = difflib.get_close_matches(selector, [*RULES, *_BY_NAME], n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"no rule matches {selector!r}{hint}"


def resolve_selectors(selectors: Iterable[str]) -> set[str]:
    """Codes matched by codes, code prefixes (`T`, `I0`), names, or `ALL`."""
    codes: set[str] = set()
    for raw in selectors:
        selector = raw.strip()
        if not selector:
            continue
        if selector.upper() == "ALL":
            codes.update(RULES)
            continue
        matched = {code for code in RULES if code.startswith(selector.upper())}
        if selector.lower() in _BY_NAME:
            matched.add(_BY_NAME[selector.lower()].code)
        if not matched:
            raise ValueError(_unknown(selector))
        codes |= matched
    return codes


def layered_selection(layers: Iterable[Mapping[str, Sequence[str] | None]]) -> set[str]:
    """The codes chosen by layers of settings, earliest first (the configuration file, then the
    command line), as ruff does: a layer's ``select`` replaces the choice so far (so a
    ``--select`` on the command line wins over ``ignore`` in the file), ``extend_select`` adds to
    it, then ``ignore`` and ``extend_ignore`` remove from it."""
    codes = set(RULES)
    for layer in layers:
        if layer.get("select"):
            codes = resolve_selectors(layer["select"] or ())
        codes |= resolve_selectors(layer.get("extend_select") or ())
        codes -= resolve_selectors([*(layer.get("ignore") or ()),
                                    *(layer.get("extend_ignore") or ())])
    return codes


def as_selectors(codes: set[str]) -> tuple[list[str] | None, list[str]]:
    """``(select, ignore)`` that choose exactly ``codes``, in the shorter of the two forms
    (they end up in reproduce commands)."""
    left_out = sorted(set(RULES) - codes)
    if len(left_out) <= len(codes) or not codes:
        return None, left_out
    return sorted(codes), []


def unlocated_violations(found: Iterable[Finding], profile: str = "default",
                         select: Iterable[str] | None = None,
                         ignore: Iterable[str] | None = None) -> list[Violation]:
    """The findings no event locates (an HTTP exchange's, a file that is no stream) as the
    violations of the rules that run under ``profile`` with these selectors."""
    enabled = enabled_rules(profile, select, ignore)
    return [Violation(code=f.code, name=RULES[f.code].name, severity=enabled[f.code],
                      message=explained(f.code, f.message)) for f in found if f.code in enabled]


def enabled_rules(profile: str = "default", select: Iterable[str] | None = None,
                  ignore: Iterable[str] | None = None) -> dict[str, Severity]:
    """code -> severity of every rule that runs under ``profile`` with these selectors."""
    get_profile(profile)  # ValueError for an unknown name
    chosen = resolve_selectors(select) if select else set(RULES)
    chosen -= resolve_selectors(ignore or ())
    enabled = {}
    for code in chosen:
        severity = RULES[code].severity_in(profile)
        if severity is not None:
            enabled[code] = severity
    return enabled
