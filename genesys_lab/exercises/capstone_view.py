"""How the capstone's grade looks in a notebook: a text table and the same as HTML (the stored fallback)."""

from __future__ import annotations

import html

from genesys_lab.exercises.capstone import Grade


class GradeView:
    """Displays a Grade: plain text for the terminal and nbval, HTML for JupyterLab and exported pages."""

    def __init__(self, grade: Grade):
        self.grade = grade

    def _lines(self) -> list[tuple[str, str, str]]:
        return [(("✔" if i.passed else "✘"), f"{i.earned}/{i.points}", i.title) for i in self.grade.items]

    def __repr__(self) -> str:
        g = self.grade
        head = f"Capstone: {g.score}/{g.total}" + (
            "" if g.attempted else " (not attempted yet: follow the brief, then grade again)"
        )
        rows = [head]
        for item, (mark, score, title) in zip(self.grade.items, self._lines()):
            rows.append(f"{mark} {score:>6}  {title}")
            rows += [f"           - {line}" for line in item.feedback if g.attempted]
        return "\n".join(rows)

    def _repr_html_(self) -> str:
        g = self.grade
        cells = []
        for item, (mark, score, title) in zip(g.items, self._lines()):
            why = "" if not g.attempted else "<br>".join(html.escape(f) for f in item.feedback)
            cells.append(f"<tr><td>{mark}</td><td>{score}</td><td>{html.escape(title)}</td><td>{why}</td></tr>")
        note = "" if g.attempted else " <em>(not attempted yet: follow the brief, then grade again)</em>"
        return (
            f"<p><strong>Capstone: {g.score}/{g.total}</strong>{note}</p>"
            "<table><thead><tr><th></th><th>points</th><th>part of the brief</th><th>feedback</th></tr></thead>"
            f"<tbody>{''.join(cells)}</tbody></table>"
        )


QUESTION_ID = "12.1"  # the capstone's line in the course map (course.catalog)


def show(grade: Grade, work=None) -> GradeView:
    """Display a grade; with ``work`` (the capstone's folder) an attempted grade is recorded in the
    learner's progress, passed at full marks, as every exercise check is."""
    if work is not None and grade.attempted:
        from genesys_lab.course.tracking import record, workspace_for
        from genesys_lab.errors import GenesysLabError

        try:
            record(workspace_for(work), QUESTION_ID, grade.score == grade.total)
        except GenesysLabError as error:
            print(f"(progress not recorded: {error})")
    return GradeView(grade)
