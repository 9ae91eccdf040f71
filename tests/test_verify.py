"""verify(): what each check says, the inputs it takes, the CRL it trusts and the CDP it fetches."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from helpers import DAY, NOW, make_ca_cert, make_crl, make_leaf

from genesys_lab.checks.verify import Status, host_matches, parse_moment, verify
from genesys_lab.errors import UsageError

ORDER = [
    "chain signature",
    "CA constraints",
    "name constraints",
    "validity",
    "host name",
    "IP address",
    "email address",
    "purpose",
    "key strength",
    "signature digest",
    "revocation",
]


@pytest.fixture(scope="module")
def small():
    """A 1024-bit CA and host key: sizes do not matter to these tests."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    return make_ca_cert("Unit CA", key), key


def test_checks_come_in_design_order_and_good_server_is_valid(session_ca, server_cert):
    result = verify(server_cert.cert_file, ca=session_ca, purpose="server", hostname="myHOST.domain1.domain2.com", ip="10.0.0.6")
    assert [c.name for c in result.checks] == ORDER
    assert result.valid
    assert {c.status for c in result.checks if c.name not in ("email address", "revocation")} == {Status.PASS}
    assert result.check("email address").status is Status.SKIP
    assert result.check("revocation").status is Status.SKIP
    assert "100 days left" in result.check("validity").reason or "99 days left" in result.check("validity").reason


def test_every_failure_and_warning_has_a_one_line_reason_and_remedy(session_ca, gui_cert):
    result = verify(
        gui_cert.cert_file,
        ca=session_ca,
        purpose="server",
        hostname="nope.example.com",
        ip="10.9.9.9",
        require_crl=True,
        at=NOW + 200 * DAY,
    )
    assert not result.valid
    failed = {c.name for c in result.failures}
    assert failed == {"validity", "host name", "IP address", "purpose", "revocation"}
    for check in result.failures:
        assert check.reason and check.remedy
        assert "\n" not in check.reason + check.remedy


def test_to_rows_and_json(session_ca, server_cert):
    result = verify(server_cert.certificate, ca=session_ca.paths.cert)
    rows = result.to_rows()
    assert [r["check"] for r in rows] == ORDER
    data = json.loads(result.to_json())
    assert data["valid"] is True and data["subject"] == "myWorkstation"
    assert [c["status"] for c in data["checks"]][:4] == ["pass", "pass", "pass", "pass"]


def test_without_trust_anchor_nothing_vouches(server_cert):
    result = verify(server_cert.cert_file)
    assert not result.valid
    assert result.check("chain signature").status is Status.FAIL
    assert "--ca" in result.check("chain signature").remedy


def test_the_ca_verifies_as_its_own_anchor(session_ca):
    result = verify(session_ca.certificate, ca=session_ca)
    assert result.valid
    assert result.check("CA constraints").status is Status.SKIP


def test_tampered_signature_fails(small):
    ca, key = small
    leaf = make_leaf(ca, key)
    der = bytearray(leaf.public_bytes(Encoding.DER))
    der[-5] ^= 0xFF
    result = verify(bytes(der), ca=ca.cert)
    assert result.check("chain signature").status is Status.FAIL
    assert "does not verify" in result.check("chain signature").reason


def test_chain_file_with_several_certificates(small, tmp_path):
    ca, key = small
    inter = make_ca_cert("Unit Intermediate", key, signer=ca)
    leaf = make_leaf(inter, key)
    bundle = tmp_path / "chain.pem"
    bundle.write_bytes(inter.cert.public_bytes(Encoding.PEM) + ca.cert.public_bytes(Encoding.PEM))
    result = verify(leaf, ca=ca.cert, chain=[bundle])
    assert result.valid, result.to_rows()
    assert "'Unit Intermediate'" in result.check("chain signature").reason


@pytest.mark.parametrize(
    "pattern, host, ok",
    [
        ("app01.example.com", "APP01.Example.com", True),
        ("app01.example.com.", "app01.example.com", True),
        ("*.example.com", "app01.example.com", True),
        ("*.example.com", "example.com", False),
        ("*.example.com", "a.b.example.com", False),
        ("*.com", "example.com", False),  # at least two labels after the star
        ("app*.example.com", "app01.example.com", True),  # OpenSSL allows a partial left-most label
        ("*01.example.com", "app01.example.com", True),
        ("a*b.example.com", "axxb.example.com", False),  # no star in the middle of a label
        ("app.*.example.com", "app.x.example.com", False),  # only in the left-most label
        ("*.example.com", "xn--bcher-kva.example.com", True),
        ("x*.example.com", "xn--bcher-kva.example.com", False),  # IDNA labels never match a partial wildcard
    ],
)
def test_host_matches_as_openssl(pattern, host, ok):
    assert host_matches(pattern, host) is ok


def test_parse_moment():
    assert parse_moment("2027-03-01") == dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    assert parse_moment("2027-03-01T12:30Z").hour == 12
    assert abs((parse_moment("+120d") - dt.datetime.now(dt.UTC)).days - 120) <= 1
    with pytest.raises(UsageError, match="is not a date"):
        parse_moment("next tuesday")


def test_bad_ip_and_purpose_are_usage_errors(server_cert, session_ca):
    with pytest.raises(UsageError, match="not an IP address"):
        verify(server_cert.cert_file, ca=session_ca, ip="10.0.0")
    with pytest.raises(UsageError, match="purpose"):
        verify(server_cert.cert_file, ca=session_ca, purpose="mail")


# -- CRLs ---------------------------------------------------------------------


def test_revoked_reason_and_crl_number_are_reported(small):
    ca, key = small
    leaf = make_leaf(ca, key, serial=0x0A)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(NOW - DAY)
        .next_update(NOW + DAY)
        .add_extension(x509.CRLNumber(7), critical=False)
        .add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(0x0A)
            .revocation_date(NOW - DAY)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
        .sign(ca.key, hashes.SHA256())
    )
    check = verify(leaf, ca=ca.cert, crl=crl.public_bytes(Encoding.DER)).check("revocation")
    assert check.status is Status.FAIL
    assert "serial 0A" in check.reason and "keyCompromise" in check.reason and "CRL #7" in check.reason


def test_crl_expiry_is_judged_at_the_given_time(small):
    ca, key = small
    leaf = make_leaf(ca, key)
    crl = make_crl(ca.cert.subject, ca.key, next_=NOW + 2 * DAY)
    assert verify(leaf, ca=ca.cert, crl=crl).check("revocation").status is Status.PASS
    late = verify(leaf, ca=ca.cert, crl=crl, at=NOW + 3 * DAY).check("revocation")
    assert late.status is Status.FAIL and "expired" in late.reason


def test_crl_info_object_is_accepted(small):
    """genesys_lab.authority.crl.CrlInfo carries the DER; anything with a .der attribute is read from it."""
    ca, key = small
    leaf = make_leaf(ca, key)

    class Info:
        der = make_crl(ca.cert.subject, ca.key, [leaf.serial_number]).public_bytes(Encoding.DER)

    assert verify(leaf, ca=ca.cert, crl=Info()).check("revocation").status is Status.FAIL


def test_the_ca_directory_crl_file(fresh_ca):
    issued = fresh_ca.issue("app01.example.com", "app01", key=rsa.generate_private_key(public_exponent=65537, key_size=1024))
    crl = make_crl(fresh_ca.certificate.subject, fresh_ca.key, [issued.certificate.serial_number])
    path = fresh_ca.paths.crl_pem
    path.write_bytes(crl.public_bytes(Encoding.PEM))
    result = verify(issued.cert_file, ca=fresh_ca, crl=path)
    assert result.check("revocation").status is Status.FAIL


# -- CRL from the distribution point ---------------------------------------------


class _Server:
    """A CRL distribution point on 127.0.0.1 that can answer late."""

    def __init__(self, body: bytes, delay: float = 0.0):
        outer = self
        self.release = threading.Event()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if delay:
                    outer.release.wait(delay)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/crl.der"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def _cdp(url):
    return x509.CRLDistributionPoints([x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)])


def test_crl_fetched_from_local_cdp(small):
    ca, key = small
    crl = make_crl(ca.cert.subject, ca.key, [0x99])
    server = _Server(crl.public_bytes(Encoding.DER))
    try:
        revoked = make_leaf(ca, key, serial=0x99, extensions=[_cdp(server.url)])
        good = make_leaf(ca, key, serial=0x98, extensions=[_cdp(server.url)])
        assert verify(revoked, ca=ca.cert, crl_from_cdp=True).check("revocation").status is Status.FAIL
        assert verify(good, ca=ca.cert, crl_from_cdp=True).check("revocation").status is Status.PASS
    finally:
        server.close()


def test_slow_cdp_fails_with_the_timeout_and_the_guides_advice(small):
    ca, key = small
    server = _Server(make_crl(ca.cert.subject, ca.key).public_bytes(Encoding.DER), delay=30)
    try:
        leaf = make_leaf(ca, key, extensions=[_cdp(server.url)])
        check = verify(leaf, ca=ca.cert, crl_from_cdp=True, timeout=0.2).check("revocation")
    finally:
        server.close()
    assert check.status is Status.FAIL
    assert "0.2 s" in check.reason and server.url in check.reason
    assert "local" in check.remedy


def test_crl_from_cdp_without_cdp_fails(small):
    ca, key = small
    check = verify(make_leaf(ca, key), ca=ca.cert, crl_from_cdp=True).check("revocation")
    assert check.status is Status.FAIL and "no http CRL distribution point" in check.reason


def test_refused_cdp_fails_at_once(small):
    """Nothing listens on the port: the lab reports it (openssl verify -crl_download would keep retrying)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ca, key = small
    leaf = make_leaf(ca, key, extensions=[_cdp(f"http://127.0.0.1:{port}/crl.der")])
    check = verify(leaf, ca=ca.cert, crl_from_cdp=True, timeout=2).check("revocation")
    assert check.status is Status.FAIL and "refused" in check.reason.lower()


def test_issued_certificate_objects_are_accepted(session_ca, server_cert):
    assert verify(server_cert, ca=session_ca).valid
    with pytest.raises(UsageError, match="is not a certificate"):
        verify(42, ca=session_ca)


# -- issue 17: inputs, peer names, name-constraint helpers, unreadable certificates ------------------


def test_several_trusted_cas_as_objects_and_bundle_files(session_ca, server_cert, tmp_path):
    from test_verify_differential import NEW_ROOT, OLD_ROOT, _pem

    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(_pem(OLD_ROOT.cert) + _pem(NEW_ROOT.cert))
    assert verify(server_cert.cert_file, ca=[bundle, session_ca]).valid
    assert verify(server_cert.cert_file, ca=[session_ca.paths.cert, bundle]).valid
    alone = verify(server_cert.cert_file, ca=bundle)
    assert not alone.valid and "'Site Root CA 2019', 'Site Root CA 2026'" in alone.check("chain signature").reason


def test_verify_depth_must_be_a_count(server_cert, session_ca):
    with pytest.raises(UsageError, match="--verify-depth"):
        verify(server_cert.cert_file, ca=session_ca, verify_depth=-1)


@pytest.mark.parametrize(
    "listed, wanted, ok",
    [
        ("agent@example.com", "agent@example.com", True),
        ("agent@EXAMPLE.com", "agent@example.com", True),
        ("Agent@example.com", "agent@example.com", False),  # the local part is case-sensitive
        ("agent@example.com", "agent@example.co", False),
    ],
)
def test_email_matches_as_openssl(listed, wanted, ok):
    from genesys_lab.checks.hostname import email_matches

    assert email_matches(listed, wanted) is ok


@pytest.mark.parametrize(
    "cn, host",
    [
        ("app01.example.com", "app01.example.com"),
        ("myWorkstation", None),  # one label: not a host name
        ("*.example.com", None),  # a wildcard is not a DNS-ID
        ("a..b.com", None),
        ("-a.example.com", None),
        ("a-.example.com", None),
        ("srv_01.example.com", "srv_01.example.com"),  # OpenSSL tolerates '_'
        ("app01.example.com\0", "app01.example.com"),  # a trailing NUL is dropped
    ],
)
def test_cn_as_dns_name_follows_cn2dnsid(cn, host):
    from genesys_lab.checks.hostname import cn_as_dns_name

    assert cn_as_dns_name(cn) == host


def test_directory_names_compare_in_canonical_form():
    from cryptography.x509.oid import NameOID

    from genesys_lab.checks.name_constraints import canonical_rdns

    def name(org, kind=None):
        attr = (
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org, kind)
            if kind
            else x509.NameAttribute(NameOID.ORGANIZATION_NAME, org)
        )
        return x509.Name([attr])

    from cryptography.x509.name import _ASN1Type

    assert canonical_rdns(name("Genesys Lab")) == canonical_rdns(name("  genesys   LAB ", _ASN1Type.PrintableString))
    assert canonical_rdns(name("Genesys Lab")) != canonical_rdns(name("Genesys Labs"))


def test_malformed_san_ip_is_refused_in_one_line_not_a_crash():
    """A SAN iPAddress of 5 octets: cryptography cannot read it; verify fails one check with a one-line reason."""
    from test_verify_differential import ROOT, host, raw_extension, resign

    from genesys_lab.x509 import der

    bad_san = raw_extension("2.5.29.17", der.sequence(der.tlv(0x87, b"\x0a\x00\x00\x05\x01")))
    leaf = resign(host(ROOT, san=None).cert, ROOT.key, extensions=lambda exts: [*exts, bad_san])
    result = verify(leaf, ca=ROOT.cert, hostname="app01.example.com", ip="10.0.0.5", purpose="server")
    assert [c.name for c in result.failures] == ["chain signature"]
    reason = result.check("chain signature").reason
    assert "cannot be read" in reason and "compare with openssl verify" in reason and "\n" not in reason


def test_name_constraint_ip_without_mask_is_refused_in_one_line():
    """An iPAddress subtree of 4 octets (no mask): cryptography refuses it; no traceback."""
    from test_verify_differential import EC, cert, host, raw_extension, resign

    from genesys_lab.x509 import der

    root = cert("Maskless Root CA", EC[2])
    nc = raw_extension("2.5.29.30", der.sequence(der.tlv(0xA0, der.sequence(der.tlv(0x87, b"\x0a\x00\x00\x00")))), True)
    root_cert = resign(root.cert, root.key, extensions=lambda exts: [*exts, nc])
    result = verify(host(root).cert, ca=root_cert)
    assert not result.valid and result.check("chain signature").status is Status.FAIL
