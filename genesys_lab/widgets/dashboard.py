"""CADashboard: the CA's certificates at a glance; inspect, revoke (after a confirmation) and publish the CRL.

The table comes from ca.db (anatomy.certificate_rows); revoking calls
``revoke.revoke`` and publishing ``crl.generate_crl``, the functions behind
``genesys-lab revoke`` and ``gen-crl``, so the dashboard changes the CA
exactly as the command line (and ``openssl ca``) would.
"""

from __future__ import annotations

import datetime as dt
from html import escape

import ipywidgets as W

from genesys_lab.authority.ca import CertificateAuthority, load_ca
from genesys_lab.course.anatomy import CertificateRow, certificate_rows
from genesys_lab.errors import GenesysLabError
from genesys_lab.widgets import render
from genesys_lab.widgets.inspector import CertificateInspector, error_html, ok_html
from genesys_lab.widgets.progress import Busy
from genesys_lab.widgets.static import StaticFallback
from genesys_lab.x509.describe import readable_name

STATUSES = ("all", "valid", "expired", "revoked")


def row_label(row: CertificateRow) -> str:
    return f"{row.serial:>4}  {row.host:<22.22} {row.status:<8} {row.expires:%Y-%m-%d} {row.days_left:>6}d  {row.profile}"


class CADashboard(StaticFallback, W.VBox):
    """Filter by status, pick a certificate to inspect, revoke it with a reason, publish the CRL."""

    def __init__(self, ca: CertificateAuthority | str, *, now: dt.datetime | None = None, **kwargs):
        from genesys_lab.authority.crl import DEFAULT_CRL_DAYS
        from genesys_lab.authority.revoke import names

        self.ca = ca if isinstance(ca, CertificateAuthority) else load_ca(ca)
        self.now = now
        self.rows: list[CertificateRow] = []
        self.status_filter = W.ToggleButtons(options=STATUSES, value="all", description="Show:")
        self.table = W.HTML()
        self.chart = W.HTML()
        self.select = W.Select(options=[], rows=8, description="Certificate:", layout=W.Layout(width="640px"))
        self.select.add_class("genesys-mono")
        self.status = W.HTML()
        self.inspector = CertificateInspector(now=now)
        self.reason = W.Dropdown(options=names(), value="superseded", description="Reason:")
        self.revoke_button = W.Button(
            description="Revoke selected...", button_style="danger", icon="ban", layout=W.Layout(width="180px")
        )
        self.confirm_text = W.HTML()
        self.confirm_button = W.Button(description="Yes, revoke", button_style="danger")
        self.cancel_button = W.Button(description="Cancel")
        self.confirm_box = W.VBox(
            [self.confirm_text, W.HBox([self.confirm_button, self.cancel_button])],
            layout=W.Layout(display="none", border="1px solid #c62828", padding="4px"),
        )
        self.crl_days = W.BoundedIntText(
            value=DEFAULT_CRL_DAYS, min=1, max=3650, description="CRL days:", layout=W.Layout(width="180px")
        )
        self.crl_button = W.Button(description="Generate CRL", icon="list")
        self.busy = Busy()
        self.message = W.HTML()
        self.pending: str | None = None
        self._wire()
        super().__init__(
            [
                W.HTML(
                    "<style>.genesys-mono select{font-family:monospace}</style>"
                    f"<b>CA</b> {escape(readable_name(self.ca.certificate.subject))}"
                ),
                self.status_filter,
                self.table,
                self.chart,
                self.select,
                W.HBox([self.reason, self.revoke_button]),
                self.confirm_box,
                W.HBox([self.crl_days, self.crl_button]),
                self.busy,
                self.message,
                self.status,
                self.inspector,
            ],
            **kwargs,
        )
        self.add_class("genesys-dashboard")
        self.refresh()

    def _wire(self) -> None:
        self.status_filter.observe(lambda _c: self.refresh(), names="value")
        self.select.observe(lambda _c: self._picked(), names="value")
        self.revoke_button.on_click(lambda _b: self.ask_revoke())
        self.confirm_button.on_click(lambda _b: self.confirm_revoke())
        self.cancel_button.on_click(lambda _b: self.cancel_revoke())
        self.crl_button.on_click(lambda _b: self.generate_crl())

    # -- table -----------------------------------------------------------
    def refresh(self) -> None:
        """Re-read ca.db and redraw everything from it: table, picture, badge and inspector.

        Every action calls this first, because another cell, another notebook or
        ``openssl ca -revoke`` in a terminal may have changed ca.db since the last click.
        """
        self.rows = certificate_rows(self.ca, now=self._now())
        self._updating = True
        try:
            self._show_rows()
        finally:
            self._updating = False
        self._selected()

    def _picked(self) -> None:
        if not getattr(self, "_updating", False):
            self.refresh()

    def _now(self) -> dt.datetime:
        return self.now or dt.datetime.now(dt.UTC)

    def visible_rows(self) -> list[CertificateRow]:
        wanted = self.status_filter.value
        return [r for r in self.rows if wanted == "all" or r.status == wanted]

    def _empty(self) -> str:
        if not self.rows:
            return "no certificates yet"
        return f"no {self.status_filter.value} certificates ({len(self.rows)} in the CA: choose Show all)"

    def _show_rows(self) -> None:
        rows = self.visible_rows()
        keep = self.select.value
        self.select.options = [(row_label(r), r.serial) for r in rows]
        self.select.value = keep if keep in {r.serial for r in rows} else None
        self.chart.value = render.expiry_svg(rows, self._now(), empty=self._empty())

    @property
    def selected(self) -> CertificateRow | None:
        return next((r for r in self.rows if r.serial == self.select.value), None)

    def _selected(self) -> None:
        row = self.selected
        self.table.value = render.records_table_html(self.visible_rows(), row.serial if row else None, empty=self._empty())
        if row is None:
            self.status.value = ""
            return
        note = f" ({row.reason})" if row.reason else ""
        self.status.value = f"<div>ca.db: serial {escape(row.serial)} is <b>{escape(row.status)}</b>{escape(note)}</div>"
        self.inspector.show((self.ca, row.serial), status=row.status)

    def static_html(self) -> str:
        """What the dashboard shows, for a reader without a kernel: CA, table, expiry picture, messages, inspector."""
        title = f"<b>CA</b> {escape(readable_name(self.ca.certificate.subject))} (Show: {escape(self.status_filter.value)})"
        inspector = self.inspector.static_html() if self.selected else ""
        return f"{title}{self.table.value}{self.chart.value}{self.message.value}{self.status.value}{inspector}"

    # -- revoke ----------------------------------------------------------
    def ask_revoke(self) -> None:
        """First step: name what will be revoked and wait for Yes or Cancel (after reading ca.db again)."""
        self.refresh()
        row = self.selected
        if row is None:
            self.message.value = error_html("select a certificate in the list first")
            return
        if row.status != "valid":
            self.message.value = error_html(
                f"serial {row.serial} is already {row.status} in ca.db{f' ({row.reason})' if row.reason else ''}: nothing to revoke"
            )
            return
        self.pending = row.serial
        self.confirm_text.value = (
            f"<div>Revoke serial <b>{escape(row.serial)}</b> ({escape(row.host)}) with reason "
            f"<b>{escape(self.reason.value)}</b>? This cannot be undone: ca.db marks it R, and "
            f"the next CRL lists it.</div>"
        )
        self.confirm_box.layout.display = "flex"
        self.message.value = ""

    def cancel_revoke(self) -> None:
        self.pending = None
        self.confirm_box.layout.display = "none"
        self.message.value = "<div>Nothing revoked.</div>"
        self.refresh()

    def confirm_revoke(self):
        from genesys_lab.authority.revoke import revoke

        serial, self.pending = self.pending, None
        self.confirm_box.layout.display = "none"
        if serial is None:
            self.message.value = error_html("nothing to confirm: press Revoke selected first")
            self.refresh()
            return None
        try:
            with self.busy.running(f"revoking {serial}"):
                result = revoke(self.ca, serial, self.reason.value)
        except GenesysLabError as exc:
            self.message.value = error_html(f"not revoked: {exc}")
            self.refresh()
            return None
        self.message.value = ok_html(f"revoked serial {result.serial} ({self.reason.value}); press Generate CRL to publish it")
        self.refresh()
        return result

    # -- CRL -------------------------------------------------------------
    def generate_crl(self):
        from genesys_lab.authority.crl import generate_crl

        try:
            with self.busy.running("signing the CRL"):
                info = generate_crl(self.ca, self.crl_days.value)
        except GenesysLabError as exc:
            self.message.value = error_html(f"no CRL: {exc}")
            self.refresh()
            return None
        listed = ", ".join(e.serial_hex for e in info.entries) or "none"
        self.message.value = ok_html(
            f"CRL number {info.number} written to ca_conf/crl.pem and crl.der: "
            f"{info.count} revoked (serials {listed}), next update "
            f"{info.next_update:%Y-%m-%d}"
        )
        self.refresh()
        return info

    def __repr__(self) -> str:
        counts = {s: sum(r.status == s for r in self.rows) for s in STATUSES[1:]}
        return "CADashboard(" + ", ".join(f"{n} {s}" for s, n in counts.items()) + ")"
