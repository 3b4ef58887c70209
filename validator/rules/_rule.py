"""The rule unit: a stable code, a name, severities per profile, and the doc users read.

A rule here is catalogue data.  The checks that emit a rule's code live beside it in the family
module of its kind (``responses/lifecycle.py``, ``chat/choices.py``…) and read the protocol
state of that kind (``responses/state.py``…); the engine stamps name and severity on what they
report (per profile: ``validator.profiles``), so a check never knows its own severity.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from ..profiles import get_profile
from ..result import Severity

__all__ = ["OPENAI_CHAT", "OPENAI_EVENTS", "UTF8", "Rule", "doc"]

#: Public references the rule docs cite (every reference is a public document or source file).
OPENAI_EVENTS = ("OpenAI API reference, [Responses streaming events]"
                 "(https://platform.openai.com/docs/api-reference/responses-streaming)")
OPENAI_CHAT = ("OpenAI API reference, [chat completion chunk]"
               "(https://platform.openai.com/docs/api-reference/chat-streaming)")
UTF8 = "[WHATWG Encoding Standard, UTF-8 decode](https://encoding.spec.whatwg.org/#utf-8-decode)"

class Rule(NamedTuple):
    """A catalogue entry (a ``NamedTuple``: a frozen dataclass costs a lint's start-up ~3M
    instructions more to define and fill).

    ``severity`` is the severity under the ``default`` profile (``None``: off by
    default).  ``profiles`` overrides it per profile (``None`` there turns the rule off).  Under a
    profile whose warnings are errors (``strict``) a warning becomes an error unless
    ``profiles`` says otherwise.  ``kind`` says which
    streams the rule applies to: ``responses``, ``chat``, ``anthropic`` or ``any``.  ``doc`` is Markdown with the
    sections *What it does*, *Why is this bad?*, *Example*, *Use instead* and *References*.
    """

    code: str
    name: str
    summary: str
    severity: Severity | None
    doc: str
    kind: str = "responses"
    profiles: Mapping[str, Severity | None] = {}  # (shared by the rules without overrides)

    @property
    def family(self) -> str:
        return self.code[0]

    def severity_in(self, profile: str) -> Severity | None:
        """The severity of this rule under ``profile`` (``None``: the rule is off)."""
        chosen = get_profile(profile)
        if chosen.name in self.profiles:
            return self.profiles[chosen.name]
        if chosen.warnings_are_errors and self.severity is Severity.WARNING:
            return Severity.ERROR
        return self.severity


def doc(*, what: str, why: str, example: str, instead: str, refs: str) -> str:
    """Assemble a rule doc with the sections every rule page has, in ruff's order."""
    return (
        f"## What it does\n{what}\n\n## Why is this bad?\n{why}\n\n"
        f"## Example\n{example}\n\n## Use instead\n{instead}\n\n## References\n{refs}\n"
    )
