"""Q: sequence numbers — present on every event, strictly increasing by one.

The catalogue only: ``state.SequenceTracker`` follows the numbers and reports these codes where
the numbering breaks."""

from __future__ import annotations

from ..result import Severity
from ..rules._rule import OPENAI_EVENTS, Rule, doc

__all__ = ["RULES"]

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
