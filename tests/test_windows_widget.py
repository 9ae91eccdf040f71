"""The MMC-shaped widget, driven without a browser: tree, list pane, tabs, Import and Export through the core."""

from __future__ import annotations

import pytest
from helpers import run_tool, snapshot

from genesys_lab.widgets import CertificatesConsole
from genesys_lab.windows import new_machine, open_remote

PASSWORD = "Genesys-Lab-1"


@pytest.fixture
def console(tmp_path):
    return CertificatesConsole(new_machine(tmp_path / "ws01", "WS01"))


def test_tree_has_both_locations_and_three_stores(console):
    labels = [label.strip() for label, _ in console.tree.options]
    assert labels[:2] == ["Console Root (WS01)", "Certificates (Local Computer)"]
    assert labels.count("Personal") == 2 and labels.count("Trusted Root Certification Authorities") == 2
    assert "Certificates - Current User" in labels
    assert "There are no items to show in this view." in console.list_pane.value


def test_import_root_asks_first_then_lists_and_shows(console, session_ca, server_cert):
    console.tree.value = "LocalMachine\\Root"
    console.import_file.value = str(session_ca.paths.pfx)
    before = snapshot(console.machine.folder)
    assert console.run_import() is None  # the security warning, waiting for Yes / No
    assert console.root_box.layout.display == "flex" and "Basic Certification Authority" in console.root_text.value
    assert snapshot(console.machine.folder) == before
    console._cancel_root()
    assert snapshot(console.machine.folder) == before
    console.run_import()
    assert console.run_import(confirm=True).message == "The import was successful."
    console.tree.value = "LocalMachine\\My"
    console.import_file.value = str(server_cert.pfx_file)
    console.import_exportable.value = True
    console.run_import()
    assert "myWorkstation" in console.list_pane.value and "Expiration Date" in console.list_pane.value
    general, details, path = (t.value for t in console.tabs.children)
    assert "You have a private key" in general and "Thumbprint" in details and "Certificate status:</b> ok" in path


def test_errors_show_in_the_widget_and_change_nothing(console, server_cert):
    console.tree.value = "LocalMachine\\My"
    console.import_file.value = str(server_cert.key_file)
    before = snapshot(console.machine.folder)
    assert console.run_import() is None
    assert "not a certificate file" in console.message.value and snapshot(console.machine.folder) == before


def test_export_writes_a_pfx_openssl_opens(console, tmp_path, session_ca, server_cert, openssl, monkeypatch):
    console.machine.add_certificate("LocalMachine\\Root", session_ca.certificate)
    console.tree.value = "LocalMachine\\My"
    console.import_file.value = str(server_cert.pfx_file)
    console.import_exportable.value = True
    console.run_import()
    console.certificate.value = next(t for label, t in console.certificate.options if label.startswith("myWorkstation"))
    console.export_key.value = True
    console.export_chain.value = True
    console.export_password.value = PASSWORD
    console.export_out.value = str(tmp_path / "moved.pfx")
    result = console.run_export()
    assert result is not None and result.certificates == 2 and console.export_password.value == ""
    monkeypatch.setenv("PW", PASSWORD)
    assert (
        "BEGIN CERTIFICATE" in run_tool(openssl, "pkcs12", "-in", tmp_path / "moved.pfx", "-passin", "env:PW", "-nokeys").stdout
    )


def test_static_html_in_the_mimebundle_and_remote_is_read_only(console, server_cert):
    console.machine.add_certificate("LocalMachine\\My", server_cert.certificate)
    console.refresh(reload=True)
    bundle = console._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "Issued To" in bundle["text/html"]
    remote = CertificatesConsole(open_remote(console.machine.folder))
    assert remote.tree.options[0][0] == "Console Root (Another computer: WS01)"
    remote.import_file.value = str(server_cert.cert_file)
    remote.tree.value = "LocalMachine\\Root"
    assert remote.run_import() is None and "read-only" in remote.message.value
