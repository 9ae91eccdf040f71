"""Widgets without a browser: set values and click (ipywidgets' .click()), then read the widgets' state.

What users rely on: the inspector shows the real certificate's facts (judged
by openssl where a tool can judge), bad input is refused with the core's
message and changes nothing, revoking needs a confirmation, and the static
HTML shows the same content with every certificate text escaped.
"""

from __future__ import annotations

import re
import subprocess
import sys

import ipywidgets  # noqa: F401  (a hard dependency: missing is an error, never a skip)
import pytest
from helpers import make_ca, openssl_ca, run_tool, snapshot

from genesys_lab import create_ca, describe
from genesys_lab.course import samples
from genesys_lab.widgets import CADashboard, CertificateInspector, CertificateView, HandshakePlayground, IssueForm, compare
from genesys_lab.widgets.render import TABS


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    """A small CA these tests may change (1024-bit keys: sizes do not matter here)."""
    return make_ca(tmp_path_factory.mktemp("wca"), "Widget CA")


@pytest.fixture(scope="module")
def app(ca):
    return ca.issue("app01.example.com", "app01", ip="10.0.0.5", san_domains=["alias.example.com"], key_size=1024)


@pytest.fixture(scope="module")
def desk(ca):
    return ca.issue("desk01.example.com", "desk01", profile="gui", key_size=1024)


# ---------------------------------------------------------------- inspector


def test_inspector_opens_every_kind_of_source(ca, app):
    from cryptography.hazmat.primitives.serialization import Encoding

    pem = app.certificate.public_bytes(Encoding.PEM)
    der = app.certificate.public_bytes(Encoding.DER)
    for source in (app.cert_file, str(app.cert_file), pem, der, app.certificate, (ca, app.serial), app):
        inspector = CertificateInspector(source)
        assert inspector.anatomy is not None, source
        assert inspector.anatomy.info.serial == app.serial
        assert "app01" in inspector.heading.value


def test_inspector_tabs_show_the_certificate(app, openssl):
    inspector = CertificateInspector(app.cert_file)
    assert tuple(inspector.tabs.titles) == TABS
    summary = inspector.tab_html("Summary")
    assert "CN=app01" in summary and "CN=Widget CA" in summary and "fine" in summary and "days left" in summary
    names = inspector.tab_html("Names")
    for entry in ("app01.example.com", "alias.example.com", "10.0.0.5"):
        assert entry in names
    # the thumbprint Windows shows is openssl's SHA-1 fingerprint without colons, in lower case
    out = run_tool(openssl, "x509", "-in", app.cert_file, "-noout", "-fingerprint", "-sha1").stdout
    thumbprint = out.strip().split("=", 1)[1].replace(":", "").lower()
    assert thumbprint in inspector.tab_html("Fingerprints")
    extensions = inspector.tab_html("Extensions")
    assert re.search(r"Key Usage</td>.*?critical", extensions)  # keyUsage is critical
    assert "CA:FALSE" in extensions and "Subject Alternative Name" in extensions
    pem = inspector.tab_html("PEM")
    assert "BEGIN CERTIFICATE" in pem and "PRIVATE KEY" not in pem
    usage = inspector.tab_html("Usage")
    assert "serverAuth, clientAuth" in usage and "does not fit" not in usage


def test_inspector_switches_tab_and_refuses_bad_input(app, tmp_path):
    inspector = CertificateInspector(app.cert_file)
    inspector.select("Fingerprints")
    assert inspector.tabs.selected_index == TABS.index("Fingerprints")
    assert inspector.show(b"not a certificate") is False
    assert "not a PEM or DER certificate" in inspector.message.value
    assert inspector.anatomy.info.serial == app.serial  # the previous certificate stays
    inspector.open_button.click()
    assert "type the path" in inspector.message.value
    inspector.path.value = str(tmp_path / "missing.pem")
    inspector.open_button.click()
    assert "cannot read certificate" in inspector.message.value
    inspector.path.value = str(app.cert_file)
    inspector.open_button.click()
    assert inspector.message.value == ""


def test_roles_and_lint_in_words(ca, app, desk):
    gui = CertificateInspector(desk)
    assert re.search(r"server application</td><td[^>]*>.*does not fit.*serverAuth missing", gui.tab_html("Usage"))
    assert re.search(r"GUI application</td><td[^>]*><span[^>]*>fits", gui.tab_html("Usage"))
    lint_tab = CertificateInspector(app).tab_html("Lint")
    assert "rsa-key-size" in lint_tab and "1024" in lint_tab  # the module CA issues 1024-bit keys
    wrong = CertificateInspector(samples.wrong_eku(ca, "mail.example.com", "mail", key=_key(ca)).certificate)
    assert wrong.tab_html("Usage").count("does not fit") == 2
    assert "eku-role" in wrong.tab_html("Lint")


def _key(ca):
    return ca.key  # any RSA key will do for a demo certificate's subject key; saves a key generation


def test_flawed_samples_show_their_flaw(ca):
    expired = CertificateInspector(samples.expired(ca, "old.example.com", "old", key=_key(ca)).certificate)
    assert expired.anatomy.validity.value == "expired" and "expired" in expired.tab_html("Summary")
    assert "expiry" in expired.tab_html("Lint")
    no_san = CertificateInspector(samples.without_san(ca, "nosan.example.com", "nosan", key=_key(ca)).certificate)
    assert "missing" in no_san.tab_html("Names") and "san-present" in no_san.tab_html("Lint")
    sha1 = ca.issue("legacy.example.com", "legacy", digest="sha1", key_size=1024)
    sha1_view = CertificateInspector(sha1)
    assert "sha1WithRSAEncryption" in sha1_view.tab_html("Summary") and "signature-digest" in sha1_view.tab_html("Lint")


def test_expiring_soon(ca):
    soon = ca.issue("soon.example.com", "soon", days=10, key_size=1024)
    view = CertificateInspector(soon)
    assert view.anatomy.validity.value == "expiring soon"
    assert "9 days left" in view.tab_html("Summary")


def test_compare_highlights_differences(app, desk):
    comparison = compare(app, desk)
    assert "Extended key usage" in comparison.differences and "Fits: server application" in comparison.differences
    assert "Issuer" not in comparison.differences
    assert comparison.table.value.count("background:#fff3cd") == len(comparison.differences)


def test_static_html_escapes_and_never_shows_a_key(ca):
    evil = ca.issue("evil.example.com", "<script>alert(1)</script>", key_size=1024)
    view = CertificateView(evil)
    html = view._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "PRIVATE KEY" not in html and "BEGIN CERTIFICATE" in html
    assert describe(evil.cert_file).thumbprint_sha1 in html
    for title in TABS:
        assert f">{title}</h4>" in html
    assert repr(view) == f"CertificateView(CN='<script>alert(1)</script>', serial {evil.serial}, fine)"


def test_render_works_without_ipywidgets():
    """Static views and genesys-lab itself must not pull ipywidgets in."""
    code = (
        "import sys; import genesys_lab.widgets.render, genesys_lab.cli.main; "
        "assert 'ipywidgets' not in sys.modules, 'ipywidgets imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- issue form


def test_issue_form_validates_as_you_type(ca):
    form = IssueForm(ca)
    assert "required" in form.messages["host"].value
    form.fields["host"].value = "bad..host.example.com"
    assert "empty label" in form.messages["host"].value
    form.fields["host"].value = "web01.example.com"
    assert "&#10003;" in form.messages["host"].value
    form.fields["ip"].value = "10.0.0.300"
    assert "is not an IP address" in form.messages["ip"].value
    form.fields["country"].value = "USA"
    assert "two-letter country code" in form.messages["country"].value
    form.fields["san_domains"].value = "a.example.com, b..example.com"
    assert "-SANDomain item" in form.messages["san_domains"].value
    form.fields["days"].value = "zero"
    assert "is not a number of days" in form.messages["days"].value
    form.fields["key_size"].value = "1024"
    assert "below the guide" in form.messages["key_size"].value
    assert set(form.errors()) == {"cn", "ip", "country", "san_domains", "days"}


def test_issue_form_command_line_follows_the_fields(ca):
    form = IssueForm(ca)
    form.fields["host"].value = "web01.example.com"
    form.fields["cn"].value = "web 01"
    form.fields["san_ips"].value = "10.0.0.6,10.0.0.7"
    form.fields["profile"].value = "gui"
    expected = "create_cert.sh -host web01.example.com -CN 'web 01' -SANip 10.0.0.6,10.0.0.7 -profile gui"
    assert form.command_line() == expected
    assert "web01.example.com" in form.command.value and "-profile gui" in form.command.value


def test_issue_form_refuses_and_changes_nothing(ca):
    form = IssueForm(ca)
    form.fields["host"].value = "web02.example.com"
    form.fields["cn"].value = "web02"
    form.fields["ip"].value = "not-an-ip"
    before = snapshot(ca.paths.root)
    form.issue_button.click()
    assert "not issued: fix -IP first" in form.result.value and form.issued is None
    form.fields["ip"].value = "10.0.0.8"
    form.fields["days"].value = "5000"  # valid days, but outlives the CA
    form.issue_button.click()
    assert "would outlive the CA" in form.result.value and form.issued is None
    assert snapshot(ca.paths.root) == before


def test_issue_form_issues_and_opens_the_inspector(ca, openssl):
    form = IssueForm(ca)
    form.fields["host"].value = "web03.example.com"
    form.fields["cn"].value = "web03"
    form.fields["key_size"].value = "1024"
    form.fields["digest"].value = "sha384"
    form.issue_button.click()
    issued = form.issued
    assert issued is not None and f"issued serial {issued.serial}" in form.result.value
    assert "below the guide" in form.result.value  # the 1024-bit warning
    assert ca.record(issued.serial).status == "V"
    assert form.inspector.anatomy.info.serial == issued.serial
    assert "sha384WithRSAEncryption" in form.inspector.tab_html("Summary")
    run_tool(openssl, "verify", "-CAfile", ca.paths.cert, issued.cert_file)
    assert not form.busy.active


# ---------------------------------------------------------------- dashboard


def test_dashboard_table_filter_and_inspect(ca, app, desk):
    board = CADashboard(ca)
    serials = [serial for _label, serial in board.select.options]
    assert app.serial in serials and desk.serial in serials
    assert "<svg" in board.chart.value and "today" in board.chart.value
    board.select.value = desk.serial
    assert board.inspector.anatomy.info.serial == desk.serial
    assert "background:#e3f2fd" in board.table.value and "gui" in board.table.value
    board.status_filter.value = "revoked"
    assert all(r.status == "revoked" for r in board.visible_rows())


def test_dashboard_revoke_needs_confirmation(ca, openssl):
    victim = ca.issue("victim.example.com", "victim", key_size=1024)
    board = CADashboard(ca)
    board.revoke_button.click()
    assert "select a certificate" in board.message.value
    board.select.value = victim.serial
    board.reason.value = "keyCompromise"
    before = snapshot(ca.paths.root)
    board.revoke_button.click()
    assert board.confirm_box.layout.display == "flex" and victim.serial in board.confirm_text.value
    assert snapshot(ca.paths.root) == before  # asking changes nothing
    board.cancel_button.click()
    assert board.confirm_box.layout.display == "none" and snapshot(ca.paths.root) == before
    board.confirm_button.click()  # nothing pending any more
    assert "nothing to confirm" in board.message.value and snapshot(ca.paths.root) == before
    board.revoke_button.click()
    board.confirm_button.click()
    assert f"revoked serial {victim.serial}" in board.message.value
    assert ca.record(victim.serial).status == "R" and ca.record(victim.serial).reason == "keyCompromise"
    assert "revoked in ca.db" in board.inspector.heading.value
    status = run_tool(openssl, "ca", "-config", ca.paths.config, "-status", victim.serial, cwd=ca.paths.root, check=False)
    assert "Revoked" in status.stdout + status.stderr
    board.revoke_button.click()  # a second time: ca.db says it is revoked, so nothing is asked
    assert "already revoked in ca.db" in board.message.value and board.confirm_box.layout.display == "none"
    board.crl_button.click()
    assert "CRL number" in board.message.value and not board.busy.active
    crl = run_tool(openssl, "crl", "-in", ca.paths.crl_pem, "-noout", "-text").stdout
    assert f"Serial Number: {victim.serial}" in crl and "Key Compromise" in crl


def test_dashboard_reads_ca_db_again_on_every_action(ca, openssl):
    """A revocation by another process (openssl ca -revoke) between two clicks shows up everywhere at once."""
    target = ca.issue("outside.example.com", "outside", key_size=1024)
    board = CADashboard(ca)
    board.select.value = target.serial
    assert f"serial {target.serial} is <b>valid</b>" in board.status.value
    openssl_ca(openssl, ca, "-revoke", str(target.cert_file), "-crl_reason", "keyCompromise")
    board.revoke_button.click()
    assert f"serial {target.serial} is already revoked in ca.db (keyCompromise)" in board.message.value
    assert f"serial {target.serial} is <b>revoked</b>" in board.status.value, "the badge still says valid"
    assert "revoked in ca.db" in board.inspector.heading.value
    row = next(r for r in board.rows if r.serial == target.serial)
    assert row.status == "revoked" and ">revoked<" in board.table.value
    board.status_filter.value = "expired"
    assert f"no expired certificates ({len(ca.records())} in the CA" in board.chart.value
    assert "no certificates yet" not in board.chart.value + board.table.value


def test_dashboard_confirm_after_an_outside_revocation_refuses_and_redraws(ca, openssl):
    target = ca.issue("race.example.com", "race", key_size=1024)
    board = CADashboard(ca)
    board.select.value = target.serial
    board.revoke_button.click()
    before = ca.paths.db.read_bytes()
    openssl_ca(openssl, ca, "-revoke", str(target.cert_file), "-crl_reason", "superseded")
    after_openssl = ca.paths.db.read_bytes()
    assert after_openssl != before
    board.confirm_button.click()
    assert "not revoked" in board.message.value and ca.paths.db.read_bytes() == after_openssl
    assert f"serial {target.serial} is <b>revoked</b> (superseded)" in board.status.value


def test_every_widget_output_carries_its_static_html(ca, app, desk):
    board = CADashboard(ca)
    board.select.value = app.serial
    bundle = board._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    html = bundle["text/html"]
    assert "<svg" in html and app.serial in html and "SHA-1" in html and app.host in html
    form = IssueForm(ca)
    form.fields["host"].value, form.fields["cn"].value = "static.example.com", "static"
    assert "create_cert.sh -host static.example.com -CN static" in form._repr_mimebundle_()["text/html"]
    inspector = CertificateInspector(app.cert_file)
    assert inspector.anatomy.info.thumbprint_sha1 in inspector._repr_mimebundle_()["text/html"]


# ---------------------------------------------------------------- playground


@pytest.fixture(scope="module")
def tls_ca(session_ca, server_cert, gui_cert):
    """2048-bit certificates: OpenSSL's default security level refuses 1024-bit keys in a handshake."""
    return session_ca


def _choose(playground, serial):
    playground.server.value = serial


def test_playground_good_and_broken_handshakes(tls_ca, server_cert, gui_cert):
    play = HandshakePlayground(tls_ca)
    assert play.client.label == "none" and play.version.label == "highest both support"  # shown, not blank
    _choose(play, server_cert.serial)
    assert play.hostname.value == "myHOST.domain1.domain2.com"
    play.run_button.click()
    assert play.result.ok and "nothing" in play.output.value

    play.hostname.value = "other.example.com"
    play.run_button.click()
    assert play.result.refused_by == "client" and "Hostname mismatch" in play.output.value
    assert "SAN lists" in play.output.value
    play.hostname_check.value = False
    play.run_button.click()
    assert play.result.ok and "host name checking is off" in play.output.value
    play.hostname_check.value = True
    play.hostname.value = "myHOST.domain1.domain2.com"

    play.mutual.value = True
    play.run_button.click()
    assert play.result.refused_by == "server" and "peer did not return a certificate" in play.output.value
    play.client.value = gui_cert.serial
    play.run_button.click()
    assert play.result.ok

    play.crl_check.value = True
    play.run_button.click()
    if tls_ca.paths.crl_pem.exists():  # another test published a CRL for the shared CA: nothing is revoked here
        assert play.result.ok
    else:
        assert "unable to get certificate CRL" in play.output.value and "generate one" in play.output.value


def test_playground_gui_certificate_as_server(tls_ca, gui_cert):
    play = HandshakePlayground(tls_ca)
    _choose(play, gui_cert.serial)
    play.run_button.click()
    assert play.result.refused_by == "client" and "unsuitable certificate purpose" in play.output.value
    assert "lacks serverAuth" in play.output.value


# ---------------------------------------------------------------- the core behind the views, judged by openssl


def _pem_file(tmp_path, cert, name):
    from cryptography.hazmat.primitives.serialization import Encoding

    path = tmp_path / f"{name}.pem"
    path.write_bytes(cert.public_bytes(Encoding.PEM))
    return path


def test_demo_samples_fail_openssl_for_their_flaw(ca, tmp_path, openssl):
    """Each demo certificate is signed by the CA and refused by OpenSSL for exactly the advertised reason."""
    expired = _pem_file(tmp_path, samples.expired(ca, "old.example.com", "old", key=_key(ca)).certificate, "expired")
    out = run_tool(openssl, "verify", "-CAfile", ca.paths.cert, expired, check=False)
    assert out.returncode != 0 and "certificate has expired" in out.stdout + out.stderr
    wrong = _pem_file(tmp_path, samples.wrong_eku(ca, "mail.example.com", "mail", key=_key(ca)).certificate, "wrong")
    out = run_tool(openssl, "verify", "-CAfile", ca.paths.cert, "-purpose", "sslserver", wrong, check=False)
    assert out.returncode != 0 and "unsuitable certificate purpose" in out.stdout + out.stderr
    run_tool(openssl, "verify", "-CAfile", ca.paths.cert, wrong)  # otherwise a valid signature
    no_san = _pem_file(tmp_path, samples.without_san(ca, "nosan.example.com", "nosan", key=_key(ca)).certificate, "nosan")
    out = run_tool(openssl, "verify", "-CAfile", ca.paths.cert, "-verify_hostname", "nosan.example.com", no_san, check=False)
    assert out.returncode != 0 and "hostname mismatch" in (out.stdout + out.stderr).lower()
    from genesys_lab.errors import UsageError

    with pytest.raises(UsageError, match="usage 'anything' is not one of"):
        samples.wrong_eku(ca, "x.example.com", "x", usage="anything", key=_key(ca))


def test_extensions_tab_agrees_with_openssl_text(app, openssl):
    text = run_tool(openssl, "x509", "-in", app.cert_file, "-noout", "-text").stdout
    inspector = CertificateInspector(app)
    for ext in inspector.anatomy.extensions:
        if ext.name in ("Subject Key Identifier", "Authority Key Identifier"):
            assert ext.value.removeprefix("keyid:") in text, ext
        assert (f"{ext.name}: critical" in text) == ext.critical, ext.name
    assert "DNS:app01.example.com, DNS:alias.example.com, IP Address:10.0.0.5" in text
    assert "DNS:app01.example.com, DNS:alias.example.com, IP Address:10.0.0.5" in inspector.tab_html("Extensions")


def test_playground_revoked_client_without_crl_checking_says_it_is_revoked(tmp_path):
    ca = create_ca(tmp_path, "Playground CA").ca
    server = ca.issue("srv.example.com", "srv")
    client = ca.issue("cli.example.com", "cli")
    from genesys_lab import generate_crl, revoke

    revoke(ca, client.serial, "keyCompromise")
    generate_crl(ca)
    play = HandshakePlayground(ca)
    _choose(play, server.serial)
    play.mutual.value, play.client.value, play.crl_check.value = True, client.serial, False
    play.run_button.click()
    assert play.result.ok, "without CRL checking nobody looks at the revocation"
    assert f"certificate {client.serial} is revoked in ca.db" in play.output.value and "nothing:" not in play.output.value
    assert "turn CRL checking on and the handshake fails" in play.output.value
    play.crl_check.value = True
    play.run_button.click()
    assert not play.result.ok and "revoked" in play.output.value
    static = play._repr_mimebundle_()["text/html"]
    assert "CRL checking</b></td><td>on" in static and play.result.summary() in static
    assert "OpenSSL, via Python ssl" in static
