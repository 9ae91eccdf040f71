"""The Certificate Import and Export Wizards, the Certificate dialog and check, on simulated machines.

The real tools are the oracles: every exported .pfx is opened by ``openssl pkcs12``
and ``keytool`` with its password; thumbprints are compared with ``openssl x509 -fingerprint -sha1``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from helpers import run_tool, snapshot

from genesys_lab import create_ca, generate_crl, revoke, serve_crl
from genesys_lab.checks.verify import Status
from genesys_lab.errors import FormatError, PasswordError, UsageError
from genesys_lab.formats.pkcs12 import Compat, build_pkcs12
from genesys_lab.windows import ConfirmationRequired, WizardRefusal, load_machine, new_machine
from genesys_lab.windows.check import check_application
from genesys_lab.windows.exporting import export
from genesys_lab.windows.importing import OLD_WINDOWS_PFX_ERROR, import_file, plan_import
from genesys_lab.windows.view import PathStatus, certification_path, list_rows, view
from genesys_lab.x509.keys import load_private_key_file

PASSWORD = "Genesys-Lab-1"


@pytest.fixture
def ws01(tmp_path):
    return new_machine(tmp_path / "ws01", "WS01", version="2019")


def _guide_install(machine, ca, host, *, exportable=False):
    """The guide's steps: ca_cert.pfx into Trusted Root, the host .pfx (empty password) into Personal."""
    import_file(machine, ca.paths.pfx, "LocalMachine\\Root", confirm=True)
    result = import_file(machine, host.pfx_file, "LocalMachine\\My", exportable=exportable)
    return next(e for e in result.entries if e.has_private_key)


def _legacy_pfx(tmp_path, host, ca, password=""):
    return _pfx(tmp_path / "legacy.pfx", host, ca, password, Compat.LEGACY)


def _modern_pfx(tmp_path, host, ca, password=""):
    """AES-256 bags and a SHA-256 MAC: what a password-protected export is by default."""
    return _pfx(tmp_path / "modern.pfx", host, ca, password, Compat.MODERN)


def _pfx(path, host, ca, password, compat):
    key = load_private_key_file(host.key_file)
    path.write_bytes(build_pkcs12(key, host.certificate, (ca.certificate,), password=password, compat=compat))
    return path


# -- import ----------------------------------------------------------------------------------------


def test_guide_steps_give_a_trusted_host_certificate(ws01, session_ca, server_cert, openssl):
    entry = _guide_install(ws01, session_ca, server_cert)
    assert entry.store == "LocalMachine\\My" and entry.has_private_key and not entry.exportable
    path = certification_path(ws01, entry)
    assert path.status is PathStatus.OK
    assert [e.store for e in path.elements] == ["LocalMachine\\My", "LocalMachine\\Root"]
    fingerprint = run_tool(openssl, "x509", "-in", server_cert.cert_file, "-noout", "-fingerprint", "-sha1").stdout
    assert entry.thumbprint == fingerprint.strip().split("=")[1].replace(":", "")
    assert view(ws01, entry).detail("Thumbprint").replace(" ", "").upper() == entry.thumbprint


def test_root_import_needs_confirmation_and_changes_nothing_without(ws01, session_ca):
    before = snapshot(ws01.folder)
    plan = plan_import(ws01, session_ca.paths.pfx, "LocalMachine\\Root")
    assert plan.root_warnings[0].thumbprint in plan.root_warnings[0].text
    assert "Basic Certification Authority" in plan.root_warnings[0].text
    with pytest.raises(ConfirmationRequired, match="--yes"):
        import_file(ws01, session_ca.paths.pfx, "LocalMachine\\Root")
    assert snapshot(ws01.folder) == before


def test_place_all_in_personal_leaves_the_ca_untrusted(ws01, server_cert):
    result = import_file(ws01, server_cert.pfx_file, "LocalMachine\\My")
    assert {e.store for e in result.entries} == {"LocalMachine\\My"} and len(result.entries) == 2
    assert any("not to Trusted Root" in n for n in result.plan.notes)
    host = next(e for e in result.entries if e.has_private_key)
    path = certification_path(ws01, host)
    assert path.status is PathStatus.ROOT_NOT_TRUSTED and path.status.flag == "CERT_TRUST_IS_UNTRUSTED_ROOT"


def test_automatic_selection_sends_each_certificate_to_its_store(ws01, server_cert):
    plan = plan_import(ws01, server_cert.pfx_file, "LocalMachine", automatic=True)
    assert [p.store for p in plan.placements] == ["LocalMachine\\My", "LocalMachine\\Root"]
    result = import_file(ws01, server_cert.pfx_file, "LocalMachine", automatic=True, confirm=True)
    host = next(e for e in result.entries if e.has_private_key)
    assert certification_path(ws01, host).ok


def test_certificate_files_der_base64_and_p7b(ws01, tmp_path, session_ca, server_cert, openssl):
    der = tmp_path / "ca.cer"
    run_tool(openssl, "x509", "-in", session_ca.paths.cert, "-outform", "DER", "-out", der)
    p7b = tmp_path / "chain.p7b"
    run_tool(openssl, "crl2pkcs7", "-nocrl", "-certfile", server_cert.cert_file, "-certfile", session_ca.paths.cert, "-out", p7b)
    assert plan_import(ws01, der, "CurrentUser", automatic=True).file.kind == "X.509 (DER)"
    assert plan_import(ws01, session_ca.paths.cert, "CurrentUser", automatic=True).file.kind == "X.509 (Base64)"
    result = import_file(ws01, p7b, "CurrentUser", automatic=True, confirm=True)
    assert result.plan.file.kind == "PKCS #7"
    assert sorted(e.store for e in result.entries) == ["CurrentUser\\My", "CurrentUser\\Root"]
    assert any("no private key" in n for n in result.plan.notes)


def test_intermediate_ca_goes_to_intermediate_store(ws01, tmp_path):
    root_key, inter_key = rsa.generate_private_key(65537, 1024), rsa.generate_private_key(65537, 1024)
    root = _ca_cert("Lab Root", root_key, "Lab Root", root_key)
    inter = _ca_cert("Lab Issuing CA", inter_key, "Lab Root", root_key)
    (tmp_path / "inter.cer").write_bytes(inter.public_bytes(serialization.Encoding.DER))
    assert plan_import(ws01, tmp_path / "inter.cer", "LocalMachine", automatic=True).placements[0].store == "LocalMachine\\CA"
    assert root.subject != inter.subject


def _ca_cert(subject, key, issuer, issuer_key):
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(issuer_key, hashes.SHA256())
    )


def test_no_duplicates(ws01, session_ca):
    import_file(ws01, session_ca.paths.cert, "LocalMachine\\Root", confirm=True)
    again = import_file(ws01, session_ca.paths.cert, "LocalMachine\\Root")  # nothing new: no warning to confirm
    assert again.plan.placements[0].already_present and "already" in again.message
    assert len(ws01.entries("LocalMachine\\Root")) == 1


def test_wrong_password_refused_nothing_changed(ws01, tmp_path, server_cert, session_ca):
    pfx = _legacy_pfx(tmp_path, server_cert, session_ca, password=PASSWORD)
    before = snapshot(ws01.folder)
    with pytest.raises(PasswordError, match="does not open with the password"):
        import_file(ws01, pfx, "LocalMachine\\My", password="wrong")
    assert snapshot(ws01.folder) == before
    assert import_file(ws01, pfx, "LocalMachine\\My", password=PASSWORD).entries[0].has_private_key


def test_not_a_certificate_refused_nothing_changed(ws01, server_cert):
    before = snapshot(ws01.folder)
    with pytest.raises(FormatError, match="not a certificate file"):
        import_file(ws01, server_cert.key_file, "LocalMachine\\My")
    assert snapshot(ws01.folder) == before


def test_windows_2016_refuses_aes_pfx_with_the_password_message(tmp_path, server_cert, session_ca):
    old = new_machine(tmp_path / "old", "SRV2016", version="2016")
    before = snapshot(old.folder)
    with pytest.raises(WizardRefusal) as refused:
        import_file(
            old, _modern_pfx(tmp_path, server_cert, session_ca, "Pfx-Pass-2026"), "LocalMachine\\My", password="Pfx-Pass-2026"
        )
    assert OLD_WINDOWS_PFX_ERROR in str(refused.value) and "TripleDES-SHA1" in str(refused.value)
    assert snapshot(old.folder) == before
    result = import_file(old, _legacy_pfx(tmp_path, server_cert, session_ca), "LocalMachine\\My")
    assert any(e.has_private_key for e in result.entries)
    # the Security Pack's own empty-password .pfx is written in that legacy encoding, so the guide's step works on 2016
    assert any(e.has_private_key for e in import_file(old, server_cert.pfx_file, "LocalMachine\\My").entries)


def test_exportable_only_when_asked(ws01, server_cert):
    plain = import_file(ws01, server_cert.pfx_file, "LocalMachine\\My")
    assert not next(e for e in plain.entries if e.has_private_key).exportable
    with pytest.raises(UsageError, match="exportable"):
        import_file(ws01, server_cert.cert_file, "LocalMachine\\My", exportable=True)


# -- export ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("encryption", ["tripledes", "aes256"])
def test_exported_pfx_opens_in_openssl_and_keytool(
    ws01, tmp_path, session_ca, server_cert, openssl, keytool, encryption, monkeypatch
):
    entry = _guide_install(ws01, session_ca, server_cert, exportable=True)
    out = tmp_path / f"moved-{encryption}.pfx"
    result = export(ws01, entry, out, with_key=True, password=PASSWORD, include_chain=True, encryption=encryption)
    assert result.certificates == 2 and (out.stat().st_mode & 0o777) == 0o600
    monkeypatch.setenv("PW", PASSWORD)
    info = run_tool(openssl, "pkcs12", "-in", out, "-passin", "env:PW", "-info", "-nokeys").stdout
    assert info.count("BEGIN CERTIFICATE") == 2
    key = run_tool(openssl, "pkcs12", "-in", out, "-passin", "env:PW", "-nocerts", "-nodes").stdout
    assert "BEGIN PRIVATE KEY" in key
    listing = run_tool(keytool, "-list", "-keystore", out, "-storetype", "PKCS12", "-storepass", PASSWORD).stdout
    assert "PrivateKeyEntry" in listing and "Your keystore contains 1 entry" in listing


def test_non_exportable_key_refused_nothing_written(ws01, tmp_path, session_ca, server_cert):
    entry = _guide_install(ws01, session_ca, server_cert)
    before = snapshot(ws01.folder)
    with pytest.raises(WizardRefusal, match="not exportable"):
        export(ws01, entry, tmp_path / "x.pfx", with_key=True, password=PASSWORD)
    assert not (tmp_path / "x.pfx").exists() and snapshot(ws01.folder) == before


def test_certificate_only_export_is_the_der(ws01, tmp_path, session_ca, server_cert, openssl):
    entry = _guide_install(ws01, session_ca, server_cert)
    export(ws01, entry, tmp_path / "host.cer")
    assert (tmp_path / "host.cer").read_bytes() == entry.der
    run_tool(openssl, "x509", "-inform", "DER", "-in", tmp_path / "host.cer", "-noout")


def test_export_rules(tmp_path, ws01, session_ca, server_cert):
    entry = _guide_install(ws01, session_ca, server_cert, exportable=True)
    with pytest.raises(PasswordError, match="needs a password"):
        export(ws01, entry, tmp_path / "a.pfx", with_key=True, password="")
    with pytest.raises(UsageError, match="--with-key"):
        export(ws01, entry, tmp_path / "a.cer", delete_key=True)
    old = new_machine(tmp_path / "old", "SRV2016", version="2016")
    import_file(old, _legacy_pfx(tmp_path, server_cert, session_ca), "LocalMachine\\My", exportable=True)
    old_entry = next(e for e in old.entries() if e.has_private_key)
    with pytest.raises(WizardRefusal, match="TripleDES-SHA1 only"):
        export(old, old_entry, tmp_path / "b.pfx", with_key=True, password=PASSWORD, encryption="aes256")
    assert export(old, old_entry, tmp_path / "b.pfx", with_key=True, password=PASSWORD).encryption == "TripleDES-SHA1"
    assert not (tmp_path / "a.pfx").exists()


def test_delete_key_after_export_and_move_to_another_host(ws01, tmp_path, session_ca, server_cert):
    entry = _guide_install(ws01, session_ca, server_cert, exportable=True)
    out = tmp_path / "move.pfx"
    result = export(ws01, entry, out, with_key=True, password=PASSWORD, include_chain=True, delete_key=True)
    assert result.key_deleted and not ws01.find(entry.thumbprint, "LocalMachine\\My").has_private_key
    assert list((ws01.folder / "keys").iterdir()) == []
    ws02 = new_machine(tmp_path / "ws02", "WS02", version="2022")
    import_file(ws02, out, "LocalMachine", automatic=True, password=PASSWORD, confirm=True)
    moved = ws02.find(entry.thumbprint, "LocalMachine\\My")
    assert moved.has_private_key and certification_path(ws02, moved).ok


def test_another_computer_view_reads_only(ws01, tmp_path, session_ca, server_cert):
    _guide_install(ws01, session_ca, server_cert)
    remote = load_machine(ws01.folder, read_only=True)
    rows = list_rows(remote, "LocalMachine\\My")
    assert {r.issued_to for r in rows} == {"myWorkstation", "Basic Certification Authority"}
    assert all(len(r.thumbprint) == 40 for r in rows)


# -- check -------------------------------------------------------------------------------------------


def test_server_application_checks(ws01, session_ca, server_cert):
    entry = _guide_install(ws01, session_ca, server_cert)
    report = check_application(ws01, "server", entry.thumbprint)
    assert report.ok, report.to_rows()
    service = check_application(ws01, "server", entry.thumbprint, account="LAB\\svc-genesys")
    fail = service.check("key permission")
    assert fail.status is Status.FAIL and "Manage Private Keys" in fail.fix and "Set-Acl" in fail.powershell
    ws01.grant_key_access(entry, "LAB\\svc-genesys")
    assert check_application(ws01, "server", entry.thumbprint, account="lab\\SVC-genesys").ok


def test_wrong_store_for_the_kind_of_application(ws01, session_ca, server_cert, gui_cert):
    import_file(ws01, session_ca.paths.pfx, "LocalMachine\\Root", confirm=True)
    user = import_file(ws01, server_cert.pfx_file, "CurrentUser\\My").entries[0]
    report = check_application(ws01, "server", user.thumbprint)
    assert report.check("store").status is Status.FAIL and "CurrentUser\\My" in report.check("store").reason
    assert "Import-PfxCertificate" in report.check("store").powershell
    desk = import_file(ws01, gui_cert.pfx_file, "CurrentUser\\My").entries[0]
    assert check_application(ws01, "desktop", desk.thumbprint).ok
    ws01.add_certificate("LocalMachine\\My", gui_cert.certificate, load_private_key_file(gui_cert.key_file))
    assert check_application(ws01, "server", desk.thumbprint).check("purpose (EKU)").status is Status.FAIL


def test_pasted_thumbprint_with_invisible_mark_fails(ws01, session_ca, server_cert):
    entry = _guide_install(ws01, session_ca, server_cert)
    report = check_application(ws01, "server", "\u200e" + entry.thumbprint.lower())
    assert report.check("thumbprint text").status is Status.FAIL and "U+200E" in report.check("thumbprint text").reason


def test_chain_not_trusted_for_a_service_when_root_is_only_the_users(ws01, session_ca, server_cert):
    import_file(ws01, session_ca.paths.cert, "CurrentUser\\Root", confirm=True)
    entry = import_file(ws01, server_cert.pfx_file, "LocalMachine", automatic=True, confirm=True)
    host = next(e for e in entry.entries if e.has_private_key)
    assert check_application(ws01, "server", host.thumbprint).ok  # the pfx put the CA in LocalMachine\Root too
    other = new_machine(ws01.folder.parent / "ws03", "WS03")
    import_file(other, session_ca.paths.cert, "CurrentUser\\Root", confirm=True)
    lone = other.add_certificate("LocalMachine\\My", server_cert.certificate, load_private_key_file(server_cert.key_file))
    chain = check_application(other, "server", lone.thumbprint).check("chain")
    assert chain.status is Status.FAIL and "issuer" in chain.reason


def test_revocation_cdp_unreachable_reachable_and_revoked(tmp_path):
    from genesys_lab import free_port

    port = free_port()
    (tmp_path / "ca").mkdir()
    ca = create_ca(tmp_path / "ca", "CDP Lab CA", key_size=1024, crl_url=f"http://127.0.0.1:{port}/crl.der").ca
    host = ca.issue("app01.lab.example.com", "app01", key_size=1024)
    generate_crl(ca)
    machine = new_machine(tmp_path / "app01", "APP01")
    import_file(machine, ca.paths.pfx, "LocalMachine\\Root", confirm=True)
    entry = next(e for e in import_file(machine, host.pfx_file, "LocalMachine\\My").entries if e.has_private_key)
    stalled = check_application(machine, "server", entry.thumbprint, cdp_timeout=1).check("revocation")
    assert stalled.status is Status.WARN and "15 s" in stalled.reason and "turn CRL checking off" in stalled.fix
    with serve_crl(ca):
        assert check_application(machine, "server", entry.thumbprint).check("revocation").status is Status.PASS
        revoke(ca, host.serial)
        generate_crl(ca)
        revoked = check_application(machine, "server", entry.thumbprint).check("revocation")
    assert revoked.status is Status.FAIL and "revoked" in revoked.reason
    assert view(machine, entry, crl=ca.paths.crl_pem).path.status is PathStatus.REVOKED


def test_extended_properties_carry_the_friendly_name(ws01, tmp_path, session_ca, server_cert, openssl, monkeypatch):
    entry = _guide_install(ws01, session_ca, server_cert, exportable=True)
    monkeypatch.setenv("PW", PASSWORD)
    for properties in (True, False):
        out = tmp_path / f"props-{properties}.pfx"
        export(ws01, entry, out, with_key=True, password=PASSWORD, extended_properties=properties)
        text = run_tool(openssl, "pkcs12", "-in", out, "-passin", "env:PW", "-nokeys").stdout
        assert ("friendlyName: " + entry.friendly_name in text) is properties


def test_path_through_an_intermediate_in_the_intermediate_store(ws01, tmp_path, openssl):
    root_key, inter_key, leaf_key = (rsa.generate_private_key(65537, 1024) for _ in range(3))
    root = _ca_cert("Lab Root", root_key, "Lab Root", root_key)
    inter = _ca_cert("Lab Issuing CA", inter_key, "Lab Root", root_key)
    now = dt.datetime.now(dt.UTC)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "app09")]))
        .issuer_name(inter.subject)
        .public_key(leaf_key.public_key())
        .serial_number(9)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=10))
        .sign(inter_key, hashes.SHA256())
    )
    chain = tmp_path / "chain.pem"
    chain.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, inter, root)))
    p7b = tmp_path / "chain.p7b"
    run_tool(openssl, "crl2pkcs7", "-nocrl", "-certfile", chain, "-out", p7b)
    result = import_file(ws01, p7b, "LocalMachine", automatic=True, confirm=True)
    assert sorted(e.store for e in result.entries) == ["LocalMachine\\CA", "LocalMachine\\My", "LocalMachine\\Root"]
    entry = ws01.add_certificate("LocalMachine\\My", leaf, leaf_key)
    path = certification_path(ws01, entry)
    assert path.ok and [e.store for e in path.elements] == ["LocalMachine\\My", "LocalMachine\\CA", "LocalMachine\\Root"]
    moved = ws01.add_certificate("CurrentUser\\My", leaf, leaf_key, exportable=True)
    exported = export(ws01, moved, tmp_path / "x.pfx", with_key=True, password=PASSWORD, include_chain=True)
    assert exported.certificates == 3  # leaf, the intermediate and the root, from the machine's stores
