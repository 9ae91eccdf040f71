"""CourseMap: notebook 00's map of the course, filled in from the learner's progress file.

The table comes from ``course.tracking.progress`` (every ``check()`` of every
notebook records its outcome there); **Refresh** reads the file again, so the
map fills while the learner works in other notebooks.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as W

from genesys_lab.widgets import render
from genesys_lab.widgets.static import StaticFallback


class CourseMap(StaticFallback, W.VBox):
    """The course's notebooks, what each does, and exercises passed of total; ``refresh()`` re-reads progress."""

    def __init__(self, workspace: Path | str | None = None, **kwargs):
        self.workspace = workspace
        self.table = W.HTML()
        self.refresh_button = W.Button(description="Refresh", icon="refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        super().__init__([self.table, self.refresh_button], **kwargs)
        self.add_class("genesys-course-map")
        self.refresh()

    def refresh(self) -> None:
        from genesys_lab.course.tracking import progress

        self.rows = progress(self.workspace)
        self.table.value = render.course_map_html(self.rows)

    def static_html(self) -> str:
        return self.table.value

    def __repr__(self) -> str:
        return f"CourseMap({sum(r.passed for r in self.rows)} of {sum(r.total for r in self.rows)} passed)"
