"""CertificateInspector: a certificate's parts in tabs; compare(a, b): two side by side.

The tabs hold exactly the HTML that ``render`` produces for the static view,
so what a learner sees live and in an exported notebook is the same.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as W

from genesys_lab.course.anatomy import Anatomy, anatomy
from genesys_lab.errors import GenesysLabError
from genesys_lab.widgets import render
from genesys_lab.widgets.static import StaticFallback


def error_html(message: str) -> str:
    from html import escape

    return f'<div style="color:#c62828">{escape(message)}</div>'


def ok_html(message: str) -> str:
    from html import escape

    return f'<div style="color:#2e7d32">{escape(message)}</div>'


class CertificateInspector(StaticFallback, W.VBox):
    """Open a certificate (path, PEM/DER bytes, certificate object, ``(ca, serial)``) and read it tab by tab."""

    def __init__(self, source=None, *, role=None, now: dt.datetime | None = None, **kwargs):
        self.role, self.now = role, now
        self.anatomy: Anatomy | None = None
        self.heading = W.HTML("<i>no certificate opened yet</i>")
        self.path = W.Text(
            placeholder="path to a certificate (.pem, .crt, .der)", description="File:", layout=W.Layout(width="420px")
        )
        self.open_button = W.Button(description="Open", icon="folder-open")
        self.message = W.HTML()
        self.tabs = W.Tab(children=[W.HTML() for _ in render.TABS])
        self.tabs.titles = render.TABS
        self.open_button.on_click(lambda _b: self.open_path())
        super().__init__([self.heading, W.HBox([self.path, self.open_button]), self.message, self.tabs], **kwargs)
        self.add_class("genesys-inspector")
        if source is not None:
            self.show(source)

    def show(self, source, *, status: str | None = None) -> bool:
        """Display ``source``; on a bad source keep the previous certificate and say what is wrong.

        ``status`` is the CA database's word for it (valid, revoked, expired), shown in the heading.
        """
        try:
            item = anatomy(source, role=self.role, now=self.now)
        except GenesysLabError as exc:
            self.message.value = error_html(str(exc))
            return False
        self.anatomy = item
        self.message.value = ""
        self.heading.value = render.title_html(item, status)
        for child, (_title, html) in zip(self.tabs.children, render.sections(item)):
            child.value = html
        return True

    def open_path(self) -> bool:
        path = self.path.value.strip()
        if not path:
            self.message.value = error_html("type the path of a certificate file first")
            return False
        return self.show(path)

    def select(self, title: str) -> None:
        """Switch to a tab by its title (Summary, Names, Usage, Fingerprints, Extensions, Lint, PEM)."""
        self.tabs.selected_index = render.TABS.index(title)

    def tab_html(self, title: str) -> str:
        return self.tabs.children[render.TABS.index(title)].value

    def html(self) -> str:
        return render.certificate_html(self.anatomy) if self.anatomy else ""

    def static_html(self) -> str:
        """Every tab one under the other (fields, fingerprints/thumbprint, ...), under the same heading."""
        return self.heading.value + self.message.value + self.html()

    def __repr__(self) -> str:
        if self.anatomy is None:
            return "CertificateInspector(empty)"
        info = self.anatomy.info
        return f"CertificateInspector(CN={info.common_name!r}, serial {info.serial}, {self.anatomy.validity.value})"


class CertificateComparison(StaticFallback, W.VBox):
    """Two certificates side by side; the rows that differ are highlighted and listed in ``differences``."""

    def __init__(self, a, b, *, now: dt.datetime | None = None, **kwargs):
        self.view = render.ComparisonView(a, b, now=now)
        self.table = W.HTML(self.view.html())
        super().__init__([self.table], **kwargs)

    @property
    def differences(self) -> list[str]:
        return self.view.differences

    def static_html(self) -> str:
        return self.table.value

    def __repr__(self) -> str:
        return f"CertificateComparison({self.view.a.title!r} vs {self.view.b.title!r}, {len(self.differences)} differences)"


def compare(a, b, *, now: dt.datetime | None = None) -> CertificateComparison:
    """Side by side: "why does this one work and that one not"."""
    return CertificateComparison(a, b, now=now)
