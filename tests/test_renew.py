"""Renewal: same host, subject, SAN, profile, key size and digest; new key and serial; the old one superseded on request."""

from __future__ import annotations

import pytest
from cryptography import x509
from helpers import make_ca, run_tool, snapshot

from genesys_lab.authority.renew import RENEWALS_FILE, renew, renewal_notes, replacements
from genesys_lab.authority.revoke import revoke
from genesys_lab.cli.main import main
from genesys_lab.errors import RevocationError, UsageError
from genesys_lab.x509.describe import describe


def _issue_gui(ca):
    return ca.issue(
        "desk07.example.com",
        "desk07",
        ip="10.1.2.3",
        san_domains=["desk07-alias.example.com"],
        san_ips=["10.1.2.4"],
        profile="gui",
        key_size=1024,
        digest="sha384",
        days=30,
        email="it@example.com",
        org_unit="Contact Center",
        org="Example",
        locality="Zürich",
        state="ZH",
        country="CH",
    )


def test_renewal_keeps_everything_but_key_and_serial(fresh_ca, openssl):
    old = _issue_gui(fresh_ca)
    done = renew(fresh_ca, old.serial)
    before, after = describe(old.cert_file), describe(done.new.cert_file)
    assert done.old_serial == old.serial and done.new_serial != old.serial
    assert after.subject == before.subject
    assert (after.san_dns, after.san_ip) == (before.san_dns, before.san_ip)
    assert after.extended_key_usage == ("clientAuth",) and after.key_usage == before.key_usage
    assert (after.key_size, after.signature_algorithm) == (1024, "sha384WithRSAEncryption")
    assert (after.not_after - after.not_before).days == 30
    assert after.fingerprint_sha256 != before.fingerprint_sha256
    old_key = x509.load_pem_x509_certificate(old.cert_file.read_bytes()).public_key().public_numbers()
    new_key = x509.load_pem_x509_certificate(done.new.cert_file.read_bytes()).public_key().public_numbers()
    assert old_key != new_key
    assert all(p.exists() for p in done.new.files)
    assert fresh_ca.record(old.serial).status == "V"  # not revoked unless asked
    run_tool(openssl, "verify", "-CAfile", fresh_ca.paths.cert, "-purpose", "sslclient", done.new.cert_file)


def test_sha1_and_overrides(fresh_ca):
    old = fresh_ca.issue("app09.example.com", "app09", key_size=1024, digest="sha1", days=10)
    same = describe(renew(fresh_ca, old.serial).new.cert_file)
    assert same.signature_algorithm == "sha1WithRSAEncryption" and same.key_size == 1024
    other = fresh_ca.issue("app10.example.com", "app10", key_size=1024, digest="sha1", days=10)
    done = renew(fresh_ca, other.serial, days=20, key_size=2048, digest="sha256")
    info = describe(done.new.cert_file)
    assert info.signature_algorithm == "sha256WithRSAEncryption"
    assert info.key_size == 2048 and (info.not_after - info.not_before).days == 20
    assert info.extended_key_usage == ("serverAuth", "clientAuth")


def test_revoke_old_as_superseded_and_openssl_agrees(fresh_ca, openssl):
    old = fresh_ca.issue("app01.example.com", "app01", key_size=1024)
    done = renew(fresh_ca, old.serial, revoke_old=True)
    record = fresh_ca.record(old.serial)
    assert record.status == "R" and record.reason == "superseded" and done.revoked_old
    status = run_tool(openssl, "ca", "-config", "ca_conf/ca.conf", "-status", old.serial, cwd=fresh_ca.paths.root, check=False)
    assert f"{old.serial}=Revoked (R)" in status.stdout + status.stderr
    # openssl ca still runs this CA with renewals.tsv beside ca.db
    run_tool(openssl, "ca", "-config", "ca_conf/ca.conf", "-gencrl", "-out", "ca_conf/openssl_crl.pem", cwd=fresh_ca.paths.root)
    crl = run_tool(openssl, "crl", "-in", fresh_ca.paths.conf / "openssl_crl.pem", "-noout", "-text").stdout
    assert "Superseded" in crl


def test_replacements_and_list(fresh_ca, capsys):
    first = fresh_ca.issue("app01.example.com", "app01", key_size=1024)
    second = renew(fresh_ca, first.serial)
    third = renew(fresh_ca, second.new_serial, revoke_old=True)
    assert replacements(fresh_ca) == {first.serial: second.new_serial, second.new_serial: third.new_serial}
    notes = renewal_notes(fresh_ca)
    assert notes[second.new_serial] == f"replaces {first.serial}, replaced by {third.new_serial}"
    lines = (fresh_ca.paths.conf / RENEWALS_FILE).read_text().splitlines()
    assert lines[0].startswith("#") and lines[1].split("\t")[:2] == [first.serial, second.new_serial]
    assert main(["list", "--ca-dir", str(fresh_ca.paths.root)]) == 0
    out = capsys.readouterr().out
    assert "renewal" in out.splitlines()[0]
    assert f"replaced by {second.new_serial}" in out and f"replaces {first.serial}" in out


def test_renewing_twice_is_refused_and_changes_nothing(fresh_ca):
    old = fresh_ca.issue("app01.example.com", "app01", key_size=1024)
    done = renew(fresh_ca, old.serial)
    before = snapshot(fresh_ca.paths.root)
    with pytest.raises(UsageError, match=f"already renewed as {done.new_serial}: renew {done.new_serial} instead"):
        renew(fresh_ca, old.serial)
    assert snapshot(fresh_ca.paths.root) == before


def test_revoke_old_of_a_revoked_certificate_is_refused_and_changes_nothing(fresh_ca):
    old = fresh_ca.issue("app01.example.com", "app01", key_size=1024)
    revoke(fresh_ca, old.serial, "keyCompromise")
    before = snapshot(fresh_ca.paths.root)
    with pytest.raises(RevocationError, match="already revoked"):
        renew(fresh_ca, old.serial, revoke_old=True)
    assert snapshot(fresh_ca.paths.root) == before
    # renewing a compromised certificate without revoking again is exactly what a site needs
    assert renew(fresh_ca, old.serial).new_serial != old.serial


def test_unknown_serial(fresh_ca):
    before = snapshot(fresh_ca.paths.root)
    with pytest.raises(Exception, match="not in"):
        renew(fresh_ca, "7F")
    assert snapshot(fresh_ca.paths.root) == before


def test_cli_renew(fresh_ca, capsys):
    old = fresh_ca.issue("app01.example.com", "app01", key_size=1024)
    root = str(fresh_ca.paths.root)
    assert main(["renew", old.serial, "--ca-dir", root, "--revoke-old", "--days", "15"]) == 0
    out = capsys.readouterr().out
    new = replacements(fresh_ca)[old.serial]
    assert f"Issued certificate {new} for app01.example.com (profile server)" in out
    assert f"revoked {old.serial} (superseded)" in out
    assert main(["renew", old.serial, "--ca-dir", root]) == 2
    assert "renew " + new + " instead" in capsys.readouterr().err
    assert main(["renew", new, "--ca-dir", root, "--days", "0"]) == 2


def test_a_failing_revocation_undoes_the_whole_renewal(tmp_path, monkeypatch):
    """renew = issue + record + revoke in one transaction: if the last step fails, nothing stays."""
    from helpers import snapshot

    from genesys_lab.authority import renew as renew_module
    from genesys_lab.authority import revoke as revoke_module

    ca = make_ca(tmp_path, "Renew CA")
    old = ca.issue("r.example.com", "r", key_size=1024)
    before = snapshot(tmp_path)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(revoke_module, "revoke", broken)
    with pytest.raises(OSError):
        renew_module.renew(ca, old.serial, revoke_old=True)
    assert snapshot(tmp_path) == before


def test_issuing_keeps_the_mode_of_ca_db(fresh_ca):
    fresh_ca.paths.db.chmod(0o600)
    fresh_ca.issue("m.example.com", "m", key_size=1024)
    assert fresh_ca.paths.db.stat().st_mode & 0o777 == 0o600
