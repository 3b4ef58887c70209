"""Accumulated delta text, shared by the kinds that concatenate fragments.

The SDKs concatenate string deltas (openai-python `accumulate_delta`, the anthropic
accumulators' `text`/`partial_json`).  :class:`Text` keeps what they would have accumulated:
a list of fragments folded into one block every `BLOCK` fragments, so a stream of a million
one-token deltas keeps about a million characters, not a million string objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["BLOCK", "Text"]

#: Fragments kept unjoined before they are folded into one block.
BLOCK = 256


@dataclass(slots=True, eq=False)
class Text:
    """Concatenated delta fragments (`content`, `refusal`, tool call `arguments`, …)."""

    parts: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)

    def append(self, fragment: str) -> None:
        parts = self.parts
        parts.append(fragment)
        if len(parts) >= BLOCK:
            self.blocks.append("".join(parts))
            parts.clear()

    def value(self) -> str:
        return "".join(self.blocks) + "".join(self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts or self.blocks)
