"""CertificatesConsole: a widget shaped like MMC's Certificates snap-in, over a simulated machine.

Tree (Console Root > Certificates (Local Computer) > Personal > Certificates,
Trusted Root Certification Authorities, Intermediate Certification
Authorities; Certificates - Current User likewise), the list pane (Issued To,
Issued By, Expiration Date, Intended Purposes, Friendly Name), the Certificate
dialog's three tabs, and the Import and Export actions. Every action calls the
core (``windows.importing``, ``windows.exporting``, ``windows.view``), the
functions behind ``genesys-lab windows ...``. Its notebook output also carries
a static HTML picture of the console, so a stored notebook shows it without a
running kernel.
"""

from __future__ import annotations

from html import escape

import ipywidgets as W

from genesys_lab.errors import GenesysLabError
from genesys_lab.widgets.inspector import error_html, ok_html
from genesys_lab.windows.machine import Machine, load_machine
from genesys_lab.windows.stores import Location, StoreKind, StoreName
from genesys_lab.windows.view import CertificateDialog, ListRow, list_rows, view

_NBSP = "\u00a0"
_CELL = 'style="text-align:left;padding:2px 10px 2px 0;vertical-align:top"'
_HEAD = 'style="text-align:left;padding:2px 10px 2px 0;border-bottom:1px solid #999"'
COLUMNS = ("Issued To", "Issued By", "Expiration Date", "Intended Purposes", "Friendly Name")


def tree_nodes(machine: Machine) -> list[tuple[str, StoreName | None]]:
    """The snap-in's tree as (label, store) pairs; folder nodes have no store."""
    title = "Another computer: " if machine.read_only else ""
    nodes: list[tuple[str, StoreName | None]] = [(f"Console Root ({title}{machine.name})", None)]
    for location in Location:
        nodes.append((_NBSP * 3 + location.console_name, None))
        for kind in StoreKind:
            nodes.append((_NBSP * 6 + kind.display_name, None))
            nodes.append((_NBSP * 9 + "Certificates", StoreName(location, kind)))
    return nodes


def list_html(rows: list[ListRow], selected: str | None = None) -> str:
    head = "".join(f"<th {_HEAD}>{c}</th>" for c in COLUMNS)
    body = []
    for r in rows:
        style = ' style="background:#cce4ff"' if r.thumbprint == selected else ""
        key = " &#128273;" if r.has_private_key else ""
        cells = (r.issued_to + key, r.issued_by, r.expiration, r.purposes, r.friendly_name)
        body.append(
            f"<tr{style}>"
            + "".join(f"<td {_CELL}>{c if i == 0 and key else escape(c)}</td>" for i, c in enumerate(cells))
            + "</tr>"
        )
    if not body:
        body.append(f'<tr><td {_CELL} colspan="5"><i>There are no items to show in this view.</i></td></tr>')
    return '<table style="border-collapse:collapse">' + f"<tr>{head}</tr>" + "".join(body) + "</table>"


def _rows_html(pairs) -> str:
    return (
        "<table>"
        + "".join(f"<tr><td {_CELL}><b>{escape(k)}</b></td><td {_CELL}>{escape(v)}</td></tr>" for k, v in pairs)
        + "</table>"
    )


def dialog_tabs_html(dialog: CertificateDialog) -> tuple[str, str, str]:
    """General, Details, Certification Path as HTML."""
    path = dialog.path
    chain = "".join(
        f'<div style="margin-left:{16 * i}px">{escape(e.subject)} <small>({escape(e.store)})</small></div>'
        for i, e in enumerate(reversed(path.elements))
    )
    colour = "#2e7d32" if path.ok else "#c62828"
    flag = f" [{path.status.flag}]" if path.status.flag else ""
    status = (
        f'<div style="color:{colour}"><b>Certificate status:</b> {escape(path.status.label + flag)}: {escape(path.text)}</div>'
    )
    fix = f"<div><b>Fix:</b> {escape(path.fix)}</div>" if path.fix else ""
    return _rows_html(dialog.general), _rows_html(dialog.details), chain + status + fix


def console_html(machine: Machine, store: StoreName | str, selected: str | None = None) -> str:
    """A static picture of the console: tree, list pane, and the dialog of the selected certificate."""
    store_name = _store(store)
    tree = "".join(
        f"<div>{'<b>' if s == store_name else ''}{escape(label)}{'</b>' if s == store_name else ''}</div>"
        for label, s in tree_nodes(machine)
    )
    rows = list_rows(machine, store_name)
    parts = [
        '<div style="display:flex;gap:16px;font-family:Segoe UI,Arial,sans-serif;font-size:13px">',
        f'<div style="white-space:pre;border-right:1px solid #ccc;padding-right:8px">{tree}</div>',
        f"<div><div><b>{escape(store_name.display)}</b></div>{list_html(rows, selected)}",
    ]
    if selected:
        entry = machine.find(selected, store=store_name)
        general, details, path = dialog_tabs_html(view(machine, entry))
        parts.append(f"<h4>General</h4>{general}<h4>Details</h4>{details}<h4>Certification Path</h4>{path}")
    parts.append("</div></div>")
    return "".join(parts)


def _store(store) -> StoreName:
    from genesys_lab.windows.stores import parse_store

    return parse_store(store)


class CertificatesConsole(W.VBox):
    """MMC's Certificates snap-in over one machine (``Machine`` or its folder); read-only for another computer."""

    def __init__(self, machine: Machine | str, store="LocalMachine\\My", **kwargs):
        self.machine = machine if isinstance(machine, Machine) else load_machine(machine)
        nodes = tree_nodes(self.machine)
        self.tree = W.Select(
            options=[(label, str(s) if s else "") for label, s in nodes], value=str(_store(store)), rows=len(nodes)
        )
        self.tree.layout.width = "330px"
        self.list_pane = W.HTML()
        self.certificate = W.Dropdown(description="Certificate:", layout=W.Layout(width="560px"))
        self.tabs = W.Tab(children=[W.HTML(), W.HTML(), W.HTML()])
        for i, title in enumerate(("General", "Details", "Certification Path")):
            self.tabs.set_title(i, title)
        self.refresh_button = W.Button(description="F5 Refresh", icon="refresh")
        self.message = W.HTML()
        self._build_import()
        self._build_export()
        actions = W.Tab(children=[self.import_box, self.export_box])
        actions.set_title(0, "All Tasks > Import...")
        actions.set_title(1, "All Tasks > Export...")
        right = W.VBox([self.list_pane, self.certificate, self.tabs, W.HBox([self.refresh_button]), actions, self.message])
        super().__init__([W.HBox([self.tree, right])], **kwargs)
        self.add_class("genesys-mmc")
        self.tree.observe(lambda _c: self.refresh(), names="value")
        self.certificate.observe(lambda _c: self._show_dialog(), names="value")
        self.refresh_button.on_click(lambda _b: self.refresh(reload=True))
        self.refresh()

    # -- panes -------------------------------------------------------------------------------
    @property
    def store(self) -> StoreName | None:
        return _store(self.tree.value) if self.tree.value else None

    def refresh(self, reload: bool = False) -> None:
        """F5: re-read the machine folder (a CLI command or another cell may have changed it)."""
        if reload:
            self.machine = self.machine.reload()
        store = self.store
        rows = list_rows(self.machine, store) if store else []
        keep = self.certificate.value
        self.certificate.options = [(f"{r.issued_to}  ({r.thumbprint})", r.thumbprint) for r in rows]
        self.certificate.value = keep if keep in {r.thumbprint for r in rows} else (rows[0].thumbprint if rows else None)
        self.list_pane.value = (
            f"<b>{escape(store.display)}</b>" + list_html(rows, self.certificate.value)
            if store
            else "<i>Select a Certificates folder.</i>"
        )
        self._show_dialog()

    def _show_dialog(self) -> None:
        store, thumb = self.store, self.certificate.value
        if store is None or thumb is None:
            for child in self.tabs.children:
                child.value = ""
            return
        dialog = view(self.machine, self.machine.find(thumb, store=store))
        for child, html in zip(self.tabs.children, dialog_tabs_html(dialog)):
            child.value = html

    # -- Import ------------------------------------------------------------------------------
    def _build_import(self) -> None:
        self.import_file = W.Text(
            description="File to Import:", placeholder="ca_conf/ca_cert.pfx", layout=W.Layout(width="520px")
        )
        self.import_password = W.Password(description="Password:", placeholder="empty for Security Pack files")
        self.import_exportable = W.Checkbox(description="Mark this key as exportable", value=False)
        self.import_auto = W.RadioButtons(
            options=[
                ("Automatically select the certificate store based on the type of certificate", True),
                ("Place all certificates in the following store", False),
            ],
            value=False,
            layout=W.Layout(width="620px"),
        )
        self.import_finish = W.Button(description="Finish", button_style="primary")
        self.root_text = W.HTML()
        self.root_yes = W.Button(description="Yes", button_style="warning")
        self.root_no = W.Button(description="No")
        self.root_box = W.VBox(
            [self.root_text, W.HBox([self.root_yes, self.root_no])], layout=W.Layout(display="none", border="1px solid #f9a825")
        )
        self.import_box = W.VBox(
            [self.import_file, self.import_password, self.import_exportable, self.import_auto, self.import_finish, self.root_box]
        )
        self.import_finish.on_click(lambda _b: self.run_import())
        self.root_yes.on_click(lambda _b: self.run_import(confirm=True))
        self.root_no.on_click(lambda _b: self._cancel_root())

    def _import_target(self):
        store = self.store or _store("LocalMachine\\My")
        return (store.location.value if self.import_auto.value else store), bool(self.import_auto.value)

    def run_import(self, confirm: bool = False):
        """Finish on the Import Wizard (into the store selected in the tree, or automatically in its location)."""
        from genesys_lab.windows.importing import import_file, plan_import

        target, automatic = self._import_target()
        args = dict(automatic=automatic, password=self.import_password.value, exportable=self.import_exportable.value)
        try:
            if not confirm:
                plan = plan_import(self.machine, self.import_file.value.strip(), target, **args)
                if plan.root_warnings:
                    self.root_text.value = (
                        "".join(f"<div>{escape(w.text)}</div>" for w in plan.root_warnings)
                        + "<div><b>Do you want to install this certificate?</b></div>"
                    )
                    self.root_box.layout.display = "flex"
                    return None
            result = import_file(self.machine, self.import_file.value.strip(), target, confirm=True, **args)
        except GenesysLabError as exc:
            self.message.value = error_html(f"Certificate Import Wizard: {exc}")
            return None
        finally:
            if confirm:
                self.root_box.layout.display = "none"
        notes = "".join(f"<div>note: {escape(n)}</div>" for n in result.plan.notes)
        self.message.value = ok_html(result.message) + notes
        self.refresh(reload=True)
        return result

    def _cancel_root(self) -> None:
        self.root_box.layout.display = "none"
        self.message.value = "<div>Import cancelled: nothing was changed.</div>"

    # -- Export ------------------------------------------------------------------------------
    def _build_export(self) -> None:
        self.export_key = W.RadioButtons(
            options=[("Yes, export the private key", True), ("No, do not export the private key", False)], value=False
        )
        self.export_chain = W.Checkbox(description="Include all certificates in the certification path if possible")
        self.export_delete = W.Checkbox(description="Delete the private key if the export is successful")
        self.export_properties = W.Checkbox(description="Export all extended properties")
        self.export_password = W.Password(description="Password:")
        self.export_encryption = W.Dropdown(
            options=[("AES256-SHA256", "aes256"), ("TripleDES-SHA1", "tripledes")], value="aes256", description="Encryption:"
        )
        self.export_out = W.Text(description="File name:", placeholder="moved.pfx", layout=W.Layout(width="520px"))
        self.export_finish = W.Button(description="Finish", button_style="primary")
        self.export_box = W.VBox(
            [
                self.export_key,
                self.export_chain,
                self.export_delete,
                self.export_properties,
                self.export_password,
                self.export_encryption,
                self.export_out,
                self.export_finish,
            ]
        )
        self.export_finish.on_click(lambda _b: self.run_export())

    def run_export(self):
        """Finish on the Export Wizard for the certificate selected in the list."""
        from genesys_lab.windows.exporting import export

        if self.certificate.value is None or self.store is None:
            self.message.value = error_html("select a certificate in the list first")
            return None
        with_key = bool(self.export_key.value)
        try:
            entry = self.machine.find(self.certificate.value, store=self.store)
            result = export(
                self.machine,
                entry,
                self.export_out.value.strip(),
                with_key=with_key,
                password=self.export_password.value if with_key else None,
                include_chain=self.export_chain.value and with_key,
                extended_properties=self.export_properties.value and with_key,
                delete_key=self.export_delete.value and with_key,
                encryption=self.export_encryption.value if with_key else None,
            )
        except GenesysLabError as exc:
            self.message.value = error_html(f"Certificate Export Wizard: {exc}")
            return None
        self.export_password.value = ""
        self.message.value = ok_html(
            f"The export was successful: {result.format}, {result.certificates} certificate(s) in {result.path}"
        )
        self.refresh(reload=True)
        return result

    # -- static picture ------------------------------------------------------------------------
    def static_html(self) -> str:
        return console_html(self.machine, self.store or "LocalMachine\\My", self.certificate.value)

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle if isinstance(bundle, dict) else {}
        data["text/html"] = self.static_html()
        return data

    def __repr__(self) -> str:
        store = self.store
        return f"CertificatesConsole({self.machine.name}, {store}, {len(list_rows(self.machine, store)) if store else 0} certificate(s))"
