"""CRLs: what openssl ca -gencrl would write, accepted by openssl crl / verify, fast at 100,000 entries; the CDP."""

import datetime as dt
import re
import shutil
import subprocess

import pytest
from cryptography import x509
from helpers import make_ca, openssl_ca, run_tool, snapshot

from genesys_lab import load_ca
from genesys_lab.authority.crl import CrlUnavailableError, distribution_points, fetch_crl, generate_crl, load_crl
from genesys_lab.authority.crlserver import free_port, serve_crl
from genesys_lab.authority.revoke import revoke
from genesys_lab.errors import CADatabaseError, UsageError
from genesys_lab.x509 import keys

CDP_PORT = free_port()


@pytest.fixture(scope="module")
def base_ca(tmp_path_factory):
    """A CA whose certificates carry a local CDP; six certificates, one host key."""
    root = tmp_path_factory.mktemp("crlbase")
    ca = make_ca(root, "CRL Test CA", crl_url=f"http://127.0.0.1:{CDP_PORT}/crl.der")
    host_key = keys.generate_rsa_key(1024)
    for i in range(6):
        ca.issue(f"host{i}.example.com", f"host{i}", key=host_key, key_size=1024, profile="gui" if i == 5 else "server")
    return root


@pytest.fixture
def ca_copy(base_ca, tmp_path):
    def copy(name="ca"):
        return load_ca(shutil.copytree(base_ca, tmp_path / name))

    return copy


def crl_text(openssl, path) -> str:
    return run_tool(openssl, "crl", "-in", path, "-noout", "-text").stdout


def verify(openssl, ca, serial, *extra):
    return run_tool(openssl, "verify", "-CAfile", ca.paths.cert, *extra, ca.paths.repository / f"{serial}.pem", check=False)


def revoke_some_with_openssl(openssl, ca):
    """Revocations of every kind ca.db can hold, written by openssl itself (no 'unspecified': see next test)."""
    openssl_ca(openssl, ca, "-revoke", "ca_conf/repository/01.pem", "-crl_reason", "keyCompromise")
    openssl_ca(openssl, ca, "-revoke", "ca_conf/repository/02.pem")
    openssl_ca(openssl, ca, "-revoke", "ca_conf/repository/03.pem", "-crl_compromise", "20260101120000Z")
    openssl_ca(openssl, ca, "-revoke", "ca_conf/repository/04.pem", "-crl_hold", "holdInstructionReject")


def test_same_bytes_as_openssl_gencrl(openssl, ca_copy):
    """Same ca.db, same moment: our CRL is byte for byte what openssl ca -gencrl signs (PKCS#1 v1.5 is deterministic)."""
    theirs = ca_copy("openssl")
    revoke_some_with_openssl(openssl, theirs)
    ours = load_ca(shutil.copytree(theirs.paths.root, theirs.paths.root.parent / "ours"))
    openssl_ca(openssl, theirs, "-gencrl", "-out", "ca_conf/crl.pem")
    reference = load_crl(theirs.paths.crl_pem)
    info = generate_crl(ours, now=reference.this_update)
    assert ours.paths.crl_pem.read_bytes() == theirs.paths.crl_pem.read_bytes()
    assert ours.paths.crlnumber.read_text() == theirs.paths.crlnumber.read_text() == "02\n"
    assert (info.number, info.count) == (1, 4)
    assert ours.paths.crl_der.read_bytes() == info.der == reference.der


def test_unspecified_has_no_reason_extension(openssl, ca_copy):
    """RFC 5280 5.3.1: the reasonCode SHOULD be absent rather than unspecified (OpenSSL writes 0; both mean the same)."""
    ca = ca_copy()
    revoke(ca, "01", "unspecified")
    revoke(ca, "02", "keyCompromise")
    info = generate_crl(ca)
    assert [(e.serial_hex, e.reason) for e in info.entries] == [("01", None), ("02", "keyCompromise")]
    assert [(r["serial"], r["reason"]) for r in info.to_rows()] == [("01", ""), ("02", "keyCompromise")]
    text = crl_text(openssl, ca.paths.crl_pem)
    assert text.count("CRL Reason Code") == 1 and "Unspecified" not in text
    openssl_ca(openssl, ca, "-gencrl", "-out", "theirs.pem")
    theirs = load_crl(ca.paths.root / "theirs.pem")
    assert [(e.serial_hex, e.reason) for e in theirs.entries] == [("01", "unspecified"), ("02", "keyCompromise")]


def test_fields_reasons_and_verification(openssl, ca_copy):
    ca = ca_copy()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for serial, reason in [("01", "keyCompromise"), ("02", "superseded"), ("05", "certificateHold"), ("06", None)]:
        revoke(ca, serial, reason, when=now - dt.timedelta(hours=1))
    info = generate_crl(ca, days=7, now=now)
    text = crl_text(openssl, ca.paths.crl_pem)
    assert "Version 2 (0x1)" in text and "Signature Algorithm: sha256WithRSAEncryption" in text
    assert re.search(r"X509v3 CRL Number: \n\s+1\n", text)
    aki = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    assert aki.hex(":").upper() in text
    assert text.count("Serial Number:") == 4
    assert re.findall(r"Reason Code: \n\s+(.+)\n", text) == ["Key Compromise", "Superseded", "Certificate Hold"]
    assert info.next_update - info.this_update == dt.timedelta(days=7) and info.is_current()
    assert (
        run_tool(openssl, "crl", "-in", ca.paths.crl_pem, "-noout", "-verify", "-CAfile", ca.paths.cert).stderr.strip()
        == "verify OK"
    )
    der_text = run_tool(openssl, "crl", "-inform", "DER", "-in", ca.paths.crl_der, "-noout", "-text").stdout
    assert der_text == text
    assert verify(openssl, ca, "03", "-crl_check", "-CRLfile", ca.paths.crl_pem).returncode == 0
    refused = verify(openssl, ca, "02", "-crl_check", "-CRLfile", ca.paths.crl_pem)
    assert refused.returncode != 0 and "certificate revoked" in refused.stdout + refused.stderr
    assert info.is_signed_by(ca.certificate) and info.is_revoked("0x02") and not info.is_revoked(3)


def test_crlnumber_is_shared_with_openssl(openssl, ca_copy):
    ca = ca_copy()
    revoke(ca, "03")
    assert generate_crl(ca).number == 1
    openssl_ca(openssl, ca, "-gencrl", "-out", "ca_conf/crl.pem")
    assert re.search(r"CRL Number: \n\s+2\n", crl_text(openssl, ca.paths.crl_pem))
    assert generate_crl(ca).number == 3
    assert ca.paths.crlnumber.read_text() == "04\n"
    assert load_crl(ca.paths.crl_der).number == 3


def test_empty_crl_and_sha1_ca(openssl, tmp_path):
    """No revocations: the optional revokedCertificates is left out. default_md sha1 signs with SHA-1."""
    ca = make_ca(tmp_path, "SHA1 CA", digest="sha1")
    info = generate_crl(ca)
    text = crl_text(openssl, ca.paths.crl_pem)
    assert "No Revoked Certificates." in text and "sha1WithRSAEncryption" in text
    assert info.count == 0 and info.digest == "sha1" and load_crl(ca.paths.crl_pem).digest == "sha1"
    assert (
        run_tool(openssl, "crl", "-in", ca.paths.crl_pem, "-noout", "-verify", "-CAfile", ca.paths.cert).stderr.strip()
        == "verify OK"
    )


def test_crl_from_another_ca_is_rejected_by_openssl(openssl, ca_copy, tmp_path):
    ca = ca_copy()
    (tmp_path / "other").mkdir()
    other = make_ca(tmp_path / "other", "Other CA", key=ca.key)
    generate_crl(other)
    proc = verify(openssl, ca, "01", "-crl_check", "-CRLfile", other.paths.crl_pem)
    assert proc.returncode != 0 and "unable to get certificate CRL" in proc.stdout + proc.stderr


def _bad_digest(ca):
    ca.paths.config.write_text(ca.paths.config.read_text().replace("default_md       = sha256", "default_md       = md5"))


def _bad_crlnumber(ca):
    ca.paths.crlnumber.write_text("zz\n")


def _bad_revocation_time(ca):
    ca.paths.db.write_text(ca.paths.db.read_text().replace("\t\t02\t", "\tyesterday\t02\t").replace("V\t", "R\t", 2))


@pytest.mark.parametrize(
    "damage, days, error, words",
    [
        (_bad_digest, 30, CADatabaseError, ["md5", "sha256"]),
        (_bad_crlnumber, 30, CADatabaseError, ["crlnumber", "hexadecimal"]),
        (_bad_revocation_time, 30, CADatabaseError, ["'yesterday'", "line 2"]),
        (None, 0, UsageError, ["--days 0"]),
    ],
)
def test_refusals_change_nothing(ca_copy, damage, days, error, words):
    ca = ca_copy()
    revoke(ca, "01")
    generate_crl(ca)
    if damage:
        damage(ca)
    before = snapshot(ca.paths.root)
    with pytest.raises(error) as err:
        generate_crl(ca, days=days)
    assert all(w in str(err.value) for w in words), str(err.value)
    assert snapshot(ca.paths.root) == before


def test_hundred_thousand_entries(openssl, tmp_path):
    """ca.db lines written directly (no keys); openssl reads and verifies the result and counts every entry."""
    ca = make_ca(tmp_path, "Big CA")
    reasons = ["", ",keyCompromise", ",superseded", ",unspecified", ",cessationOfOperation"]
    lines = [
        f"R\t270101000000Z\t26{(i % 12) + 1:02d}{(i % 28) + 1:02d}120000Z{reasons[i % 5]}\t{i:06X}\tunknown\t/CN=host{i}\n"
        for i in range(100_000, 0, -1)
    ]
    ca.paths.db.write_text("V\t270101000000Z\t\t0186A1\tunknown\t/CN=valid\n" + "".join(lines))
    info = generate_crl(ca)
    assert info.count == 100_000 and info.is_revoked(1) and info.is_revoked("0186A0") and not info.is_revoked("0186A1")
    check = run_tool(openssl, "crl", "-inform", "DER", "-in", ca.paths.crl_der, "-noout", "-verify", "-CAfile", ca.paths.cert)
    assert check.stderr.strip() == "verify OK"
    text = crl_text(openssl, ca.paths.crl_pem)
    serials = re.findall(r"Serial Number: ([0-9A-F]+)", text)
    assert len(serials) == 100_000 and serials[0] == "01" and serials[-1] == "0186A0"
    assert text.count("Key Compromise") == 20_000 and text.count("Unspecified") == 0
    loaded = load_crl(ca.paths.crl_der)
    assert loaded.count == 100_000 and loaded.entry(7).reason == "superseded"


# ------------------------------------------------------------------ CDP


def test_certificates_carry_the_cdp_and_ca_conf_issues_it_too(openssl, ca_copy, tmp_path):
    ca = ca_copy()
    url = f"http://127.0.0.1:{CDP_PORT}/crl.der"
    assert ca.crl_url == url
    assert distribution_points(ca.paths.repository / "01.pem") == (url,)
    assert distribution_points(ca.paths.cert) == ()
    ext = run_tool(openssl, "x509", "-in", ca.paths.repository / "01.pem", "-noout", "-ext", "crlDistributionPoints").stdout
    assert f"URI:{url}" in ext
    csr = tmp_path / "req.pem"
    run_tool(openssl, "req", "-new", "-key", ca.paths.repository / "01_host0_priv_key.pem", "-subj", "/CN=byopenssl", "-out", csr)
    for section in ("server_ext", "gui_ext"):
        openssl_ca(openssl, ca, "-batch", "-in", csr, "-extensions", section, "-out", tmp_path / f"{section}.pem")
        ext = run_tool(openssl, "x509", "-in", tmp_path / f"{section}.pem", "-noout", "-ext", "crlDistributionPoints").stdout
        assert f"URI:{url}" in ext


def test_openssl_downloads_the_crl_from_a_local_cdp(openssl, ca_copy):
    ca = ca_copy()
    revoke(ca, "02", "keyCompromise")
    generate_crl(ca)
    with serve_crl(ca) as server:
        assert server.url == ca.crl_url
        good = verify(openssl, ca, "01", "-crl_check", "-crl_download")
        bad = verify(openssl, ca, "02", "-crl_check", "-crl_download")
        fetched = fetch_crl(server.url, timeout=5)
    assert good.returncode == 0, good.stdout + good.stderr
    assert bad.returncode != 0 and "certificate revoked" in bad.stdout + bad.stderr
    assert fetched.der == ca.paths.crl_der.read_bytes() and fetched.is_revoked("02")


def test_an_unreachable_cdp_stalls_openssl(openssl, ca_copy):
    """Nothing listens at the CDP: OpenSSL 3.0's -crl_download has no timeout and keeps retrying (we stop it)."""
    ca = ca_copy()
    generate_crl(ca)
    command = [openssl, "verify", "-CAfile", ca.paths.cert, "-crl_check", "-crl_download", ca.paths.repository / "01.pem"]
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run([str(c) for c in command], capture_output=True, timeout=1)
    with_file = verify(openssl, ca, "01", "-crl_check", "-CRLfile", ca.paths.crl_pem)
    assert with_file.returncode == 0, "with the CRL at hand the same check finishes"


def test_fetch_from_a_slow_cdp_fails_at_the_timeout(ca_copy):
    ca = ca_copy()
    generate_crl(ca)
    with serve_crl(ca, port=0, delay=2) as server, pytest.raises(CrlUnavailableError, match="longer than 0.3 s"):
        fetch_crl(server.url, timeout=0.3)
    with pytest.raises(CrlUnavailableError, match="cannot download"):
        fetch_crl(server.url, timeout=1)  # the server is gone: connection refused


def test_server_before_any_crl_and_wrong_path(ca_copy):
    import urllib.error
    import urllib.request

    ca = ca_copy()
    with serve_crl(ca, port=0) as server:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(server.url, timeout=5)
        assert err.value.code == 404 and b"gen-crl" in err.value.read()
        generate_crl(ca)
        with urllib.request.urlopen(server.url, timeout=5) as response:
            assert response.headers["Content-Type"] == "application/pkix-crl"
            assert response.read() == ca.paths.crl_der.read_bytes()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(server.url.replace("crl.der", "other"), timeout=5)


@pytest.mark.parametrize("kwargs", [dict(delay=-1), dict(delay="slow"), dict(port=70000)])
def test_server_option_errors(ca_copy, kwargs):
    with pytest.raises(UsageError), serve_crl(ca_copy(), **kwargs):
        pass
