"""A progress indicator for work that takes more than a moment (key generation, CRLs, handshakes).

The kernel runs a button's callback synchronously, but widget state changes
are sent to the browser as they happen, so showing the bar before the work
and hiding it after is enough for the learner to see that something runs.
"""

from __future__ import annotations

import contextlib

import ipywidgets as W


class Busy(W.HBox):
    """An indeterminate-looking bar with a label; hidden when idle."""

    def __init__(self, **kwargs):
        self.bar = W.IntProgress(value=100, min=0, max=100, bar_style="info", layout=W.Layout(width="160px"))
        self.label = W.Label()
        super().__init__([self.bar, self.label], **kwargs)
        self.layout.display = "none"

    @property
    def active(self) -> bool:
        return self.layout.display != "none"

    @contextlib.contextmanager
    def running(self, what: str):
        self.label.value = what + " ..."
        self.layout.display = "flex"
        try:
            yield
        finally:
            self.layout.display = "none"
            self.label.value = ""
