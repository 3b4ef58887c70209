"""Q: sequence numbers — present on every event, strictly increasing by one."""

from __future__ import annotations

from typing import Any

from ..result import Severity
from ._rule import OPENAI_EVENTS, Rule, doc

__all__ = ["RULES", "SequenceTracker"]

E, W = Severity.ERROR, Severity.WARNING

RULES = (
    Rule("Q001", "sequence-numbers-absent", "No event carries `sequence_number` (the pre-May-2025 dialect)", W, doc(
        what="Reports a stream in which no event has a `sequence_number`: the dialect OpenAI spoke before 2025-05-21.",
        why="Current clients use `sequence_number` to order events, detect gaps and resume a stream with `starting_after`; without it none of that works. Genuine old captures look like this, so it is a warning (an error under `strict`).",
        example="A stream of events with only `type` and their fields.",
        instead='Number every event: `"sequence_number": 0` on `response.created`, then 1, 2, …',
        refs=OPENAI_EVENTS + " (sequence_number added in v1.81.0), §1.4")),
    Rule("Q002", "sequence-number-missing", "Some events carry `sequence_number`, others do not", E, doc(
        what="Reports events without a `sequence_number` in a stream where other events have one.",
        why="Clients that order or resume by `sequence_number` cannot place these events; `starting_after` skips or repeats them.",
        example="`response.output_text.delta` events without `sequence_number` between numbered events.",
        instead="Put `sequence_number` on every event, extension events included.",
        refs=OPENAI_EVENTS + "; Open Responses S9")),
    Rule("Q003", "sequence-number-not-increasing", "A `sequence_number` repeats or goes backwards", E, doc(
        what="Reports an event whose `sequence_number` is not larger than the previous one.",
        why="Clients that deduplicate or resume by `sequence_number` drop the event (openai-python and openai-node filter `sequence_number > starting_after`).",
        example="Two events with `sequence_number: 5`.",
        instead="Increase `sequence_number` by one on every event.",
        refs=OPENAI_EVENTS + "; litellm #28899")),
    Rule("Q004", "sequence-number-gap", "`sequence_number` skips a value", E, doc(
        what="Reports an event whose `sequence_number` is more than one above the previous event's.",
        why="A gap means an event was lost between server and client (Open Responses: the number lets clients \"detect gaps\"); a validator cannot tell a dropped event from a numbering bug, and neither can clients.",
        example="`sequence_number` 4 followed by 6.",
        instead="Number the events 0, 1, 2, … without gaps.",
        refs=OPENAI_EVENTS + "; Open Responses S9; praxis-proxy/ai #985")),
    Rule("Q005", "sequence-number-start", "`response.created` does not have `sequence_number` 0", W, doc(
        what="Reports a stream starting with `response.created` whose `sequence_number` is not 0.",
        why="Clients resuming with `starting_after` count from 0; a stream starting elsewhere makes the cursor ambiguous.",
        example="`response.created` with `sequence_number: 1`.",
        instead="Start at 0.",
        refs=OPENAI_EVENTS + " (third-party fixtures and OpenAI streams start at 0)")),
)


class SequenceTracker:
    """Follows `sequence_number` across a stream; runs on every event (hot path).

    The usual event carries ``expected``, the number after the previous event's, and only moves
    ``expected`` on by one: the hot path does that itself
    (``if type(seq) is int and seq == tracker.expected: tracker.expected = seq + 1``) and calls
    ``feed`` for every other event.  ``expected`` is ``None`` until the first number and after
    an event without one, so such an event always goes through ``feed``.
    """

    __slots__ = ("expected", "first_missing", "last", "missing", "unnumbered")

    def __init__(self) -> None:
        self.expected: int | None = None
        self.last: int | None = None  # the last number, while ``expected`` is None
        self.missing = 0
        self.unnumbered = 0  # events without a number since the last numbered one
        self.first_missing: tuple[Any, Any] | None = None

    def feed(self, ctx: Any, seq: Any) -> None:
        expected = self.expected
        last = self.last if expected is None else expected - 1
        if type(seq) is not int:
            if seq is None:
                self.missing += 1
                self.unnumbered += 1
                if self.first_missing is None:
                    self.first_missing = (ctx.line, ctx.index)
                self.last, self.expected = last, None
            return
        skipped = self.unnumbered
        self.expected = seq + 1
        self.unnumbered = 0
        if last is None or seq == last + 1:
            return
        if seq <= last:
            ctx.report("Q003", f"sequence_number {seq} after {last}", "/sequence_number")
        # An event without a number (Q002) may have taken the numbers in between.
        elif seq > last + 1 + skipped:
            ctx.report("Q004", f"sequence_number jumps from {last} to {seq} "
                       f"({seq - last - 1} missing)", "/sequence_number")

    def close(self, ctx: Any, first_event: tuple[Any, Any] | None) -> None:
        numbered = self.expected is not None or self.last is not None
        if not numbered and self.missing:
            ctx.report("Q001", f"none of the {self.missing} events carries a sequence_number",
                       "/sequence_number", at=first_event)
        elif self.missing:
            ctx.report("Q002", f"{self.missing} event(s) lack a sequence_number, starting here",
                       "/sequence_number", at=self.first_missing)
