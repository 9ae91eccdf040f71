"""How exercises look in a notebook: the only module of genesys_lab.exercises that prints.

``Exercise`` wraps a core ``Question`` so that ``q1.check(answer)`` prints a
one-line verdict (✔ or ✘ and the reason), ``q1.hint()`` and
``q1.solution()`` print their text, and evaluating ``q1`` in a cell shows the
question. The verdicts come from ``Question.check`` unchanged; each attempted
one is recorded in the learner's progress file (``genesys_lab.course.progress``).
"""

from __future__ import annotations

from genesys_lab.exercises.core import Outcome, Question

PASS_MARK = "✔"
FAIL_MARK = "✘"
TODO_MARK = "…"


def render(outcome: Outcome, label: str) -> str:
    """One line: the mark (✔, ✘, or … for not attempted yet), which exercise, and the outcome's message."""
    mark = PASS_MARK if outcome.ok else FAIL_MARK if outcome.attempted else TODO_MARK
    return f"{mark} {label}: {outcome.message}"


def show(outcome: Outcome, label: str = "Answer") -> None:
    print(render(outcome, label))


class ShownOutcome(Outcome):
    """An Outcome that was printed when it was checked.

    ``q1.check(answer)`` is usually the last line of a cell; IPython would
    then display the returned value a second time. ``_ipython_display_``
    tells IPython that this value has been shown already.
    """

    def _ipython_display_(self) -> None:
        return None


class Exercise:
    """A question as a notebook uses it: ``check``, ``hint``, ``solution``, ``prepare``, ``solve``."""

    def __init__(self, question: Question):
        self.question = question

    def check(self, answer, **options) -> Outcome:
        outcome = self.question.check(answer, **options)
        show(outcome, self.question.label)
        if outcome.attempted:
            self._record(outcome)
        return ShownOutcome(outcome.ok, outcome.message, outcome.attempted)

    def _record(self, outcome: Outcome) -> None:
        """Progress is a convenience: a workspace that cannot be written costs one line, not the check."""
        from genesys_lab.course.tracking import record, workspace_for
        from genesys_lab.errors import GenesysLabError

        try:
            record(workspace_for(self.question.workdir), self.question.id, outcome.ok)
        except GenesysLabError as error:
            print(f"(progress not recorded: {error})")

    def reset(self):
        """Remove what an answer made and prepare the question again (see ``Question.reset``)."""
        result = self.question.reset()
        print(f"{self.question.label} is reset: attempt it again from a clean state")
        return result

    def hint(self) -> None:
        print(f"Hint for {self.question.label}: {self.question.hint()}")

    def solution(self) -> None:
        print(f"One solution of {self.question.label}:\n")
        print(self.question.solution())

    def prepare(self):
        return self.question.prepare()

    def solve(self):
        return self.question.solve()

    def __repr__(self) -> str:
        return f"{self.question.label}\n\n{self.question.prompt()}"

    def _repr_markdown_(self) -> str:
        return f"**{self.question.label}**\n\n{self.question.prompt()}"
