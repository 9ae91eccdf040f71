"""The verifier's verdict against ``openssl verify`` on the same inputs.

Each case builds its certificates (and CRL) with cryptography's builders,
writes them to files, and runs ``openssl verify -CAfile ... [-untrusted]
[-purpose] [-verify_hostname] [-verify_ip] [-CRLfile | -crl_download] [-crl_check]
[-attime]``.
Both must reach the expected verdict; an invalid case must fail in the check
that explains it, and where OpenSSL accepts what the lab only warns about
(SHA-1, RSA-1024, server-only EKU, CN fallback) the named check must warn.
"""

from __future__ import annotations

import datetime as dt
import http.server
import subprocess
import threading
from dataclasses import dataclass, field

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from helpers import DAY, NOW, make_ca_cert, make_crl, make_leaf

from genesys_lab.checks.verify import Status, verify
from genesys_lab.x509.profiles import Digest

pytestmark = pytest.mark.interop

REVOKED_ON_CDP = 0x2001


@pytest.fixture(scope="module")
def pki():
    """Four keys for all cases: two CAs' (2048 and 1024 bits), a host's (2048) and a weak one (1024).

    Plus a CRL distribution point on 127.0.0.1 serving the root's CRL (DER) that revokes 0x2001.
    """
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    host_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    weak_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    root = make_ca_cert("Diff Root CA", ca_key)
    body = make_crl(root.cert.subject, ca_key, [REVOKED_ON_CDP]).public_bytes(Encoding.DER)
    server = _cdp_server(body)
    yield dict(
        root=root,
        host_key=host_key,
        weak_key=weak_key,
        other_key=other_key,
        other=make_ca_cert("Other CA", other_key),
        impostor=make_ca_cert("Diff Root CA", other_key),
        inter=make_ca_cert("Diff Intermediate CA", other_key, signer=root),
        cdp=f"http://127.0.0.1:{server.server_address[1]}/crl.der",
    )
    server.shutdown()
    server.server_close()


def _cdp_server(body: bytes):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/crl.der":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/pkix-crl")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _cdp(url):
    return x509.CRLDistributionPoints([x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)])


@dataclass
class Case:
    """What to verify; ``build(pki)`` returns (leaf, trusted CA cert, chain certs, CRL or None)."""

    build: object
    valid: bool
    fails_in: str | None = None  # the check that must fail when not valid
    warns_in: tuple[str, ...] = ()  # checks that must warn although OpenSSL accepts
    purpose: str | None = None
    hostname: str | None = None
    ip: str | None = None
    require_crl: bool = False
    crl_from_cdp: bool = False
    at: dt.datetime | None = None
    extra: dict = field(default_factory=dict)


def _plain(p, **kw):
    return make_leaf(p["root"], p["host_key"], **kw), p["root"].cert, (), None


def _with_crl(crl_of, **kw):
    def build(p):
        leaf, ca, chain, _ = _plain(p, **kw)
        return leaf, ca, chain, crl_of(p, leaf)

    return build


def _no_kcs_ca(p):
    bad = make_ca_cert("No KeyCertSign CA", p["other_key"], ku=("digital_signature", "crl_sign"))
    return make_leaf(bad, p["host_key"]), bad.cert, (), None


def _not_a_ca(p):
    bad = make_ca_cert("Host Pretending CA", p["other_key"], ca_flag=False, ku=None)
    return make_leaf(bad, p["host_key"]), bad.cert, (), None


def _via_intermediate(include_inter):
    def build(p):
        leaf = make_leaf(p["inter"], p["host_key"])
        return leaf, p["root"].cert, (p["inter"].cert,) if include_inter else (), None

    return build


def _expired_ca(p):
    short = make_ca_cert("Short-lived CA", p["other_key"], days=5)
    return make_leaf(short, p["host_key"], end=NOW + 30 * DAY), short.cert, (), None


def _from_cdp(serial, url=None):
    return lambda p: _plain(p, serial=serial, extensions=[_cdp(url or p["cdp"])])


UNKNOWN_CRITICAL = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00")


def _critical_unknown(p):
    builder_leaf = make_leaf(p["root"], p["host_key"], extensions=[])
    builder = (
        x509.CertificateBuilder()
        .subject_name(builder_leaf.subject)
        .issuer_name(builder_leaf.issuer)
        .public_key(builder_leaf.public_key())
        .serial_number(0x3001)
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + 90 * DAY)
    )
    for ext in builder_leaf.extensions:
        builder = builder.add_extension(ext.value, ext.critical)
    builder = builder.add_extension(UNKNOWN_CRITICAL, critical=True)
    return builder.sign(p["root"].key, hashes.SHA256()), p["root"].cert, (), None


def _pathlen_exceeded(p):
    top = make_ca_cert("Pathlen Zero CA", p["other_key"], signer=p["root"], path_length=0)
    below = make_ca_cert("Below Pathlen CA", p["other_key"], signer=top)
    return make_leaf(below, p["host_key"]), p["root"].cert, (top.cert, below.cert), None


def _client_only_ca(p):
    ca = make_ca_cert("Client-only CA", p["other_key"], eku=("client",))
    return make_leaf(ca, p["host_key"]), ca.cert, (), None


GUI = dict(cn="desk01", dns=("desk01.example.com",), ips=(), eku=("client",))
SERVER_ONLY = dict(eku=("server",))
CN_ONLY = dict(cn="legacy.example.com", dns=(), ips=())

CASES = {
    "good-server": Case(lambda p: _plain(p), True, purpose="server", hostname="app01.example.com"),
    "good-server-as-client": Case(lambda p: _plain(p), True, purpose="client"),
    "good-gui-as-client": Case(lambda p: _plain(p, **GUI), True, purpose="gui", hostname="desk01.example.com"),
    "gui-used-as-server": Case(lambda p: _plain(p, **GUI), False, "purpose", purpose="server"),
    "server-only-eku-as-client": Case(lambda p: _plain(p, **SERVER_ONLY), False, "purpose", purpose="client"),
    "server-only-eku-as-server": Case(lambda p: _plain(p, **SERVER_ONLY), True, warns_in=("purpose",), purpose="server"),
    "no-eku-any-purpose": Case(lambda p: _plain(p, eku=None), True, purpose="server"),
    "any-eku-only-as-server": Case(lambda p: _plain(p, eku=("any",)), False, "purpose", purpose="server"),
    "ku-without-signature-as-client": Case(lambda p: _plain(p, ku=("key_encipherment",)), False, "purpose", purpose="client"),
    "ku-encipherment-only-as-server": Case(lambda p: _plain(p, ku=("key_encipherment",)), True, purpose="server"),
    "expired-at-time": Case(lambda p: _plain(p), False, "validity", at=NOW + 200 * DAY),
    "expired-dates": Case(lambda p: _plain(p, start=NOW - 200 * DAY, end=NOW - 100 * DAY), False, "validity"),
    "not-yet-valid": Case(lambda p: _plain(p, start=NOW + 10 * DAY, end=NOW + 110 * DAY), False, "validity"),
    "expiring-soon": Case(lambda p: _plain(p, end=NOW + 10 * DAY), True, warns_in=("validity",)),
    "wrong-host": Case(lambda p: _plain(p), False, "host name", hostname="db01.example.com"),
    "san-alias-host": Case(
        lambda p: _plain(p, dns=("app01.example.com", "alias.example.com")), True, hostname="ALIAS.example.com"
    ),
    "wildcard-one-label": Case(lambda p: _plain(p, dns=("*.example.com",)), True, hostname="app07.example.com"),
    "wildcard-two-labels": Case(lambda p: _plain(p, dns=("*.example.com",)), False, "host name", hostname="a.b.example.com"),
    "wildcard-bare-domain": Case(lambda p: _plain(p, dns=("*.example.com",)), False, "host name", hostname="example.com"),
    "cn-ignored-when-san": Case(lambda p: _plain(p, cn="myWorkstation"), False, "host name", hostname="myWorkstation"),
    "cn-without-san": Case(lambda p: _plain(p, **CN_ONLY), True, warns_in=("host name",), hostname="legacy.example.com"),
    "cn-without-san-wrong-host": Case(lambda p: _plain(p, **CN_ONLY), False, "host name", hostname="other.example.com"),
    "cn-fallback-san-ip-only": Case(
        lambda p: _plain(p, cn="ipsan.example.com", dns=()), True, warns_in=("host name",), hostname="ipsan.example.com"
    ),
    "right-ip": Case(lambda p: _plain(p), True, ip="10.0.0.5"),
    "wrong-ip": Case(lambda p: _plain(p), False, "IP address", ip="10.0.0.99"),
    "ip-in-cn-only": Case(lambda p: _plain(p, cn="10.0.0.7", dns=(), ips=()), False, "IP address", ip="10.0.0.7"),
    "revoked": Case(
        _with_crl(lambda p, leaf: make_crl(p["root"].cert.subject, p["root"].key, [leaf.serial_number])), False, "revocation"
    ),
    "not-revoked": Case(_with_crl(lambda p, leaf: make_crl(p["root"].cert.subject, p["root"].key, [7, 9])), True),
    "crl-expired": Case(
        _with_crl(lambda p, leaf: make_crl(p["root"].cert.subject, p["root"].key, last=NOW - 40 * DAY, next_=NOW - 10 * DAY)),
        False,
        "revocation",
    ),
    "crl-not-yet-valid": Case(
        _with_crl(lambda p, leaf: make_crl(p["root"].cert.subject, p["root"].key, last=NOW + 2 * DAY, next_=NOW + 30 * DAY)),
        False,
        "revocation",
    ),
    "crl-of-another-ca": Case(_with_crl(lambda p, leaf: make_crl(p["other"].cert.subject, p["other_key"])), False, "revocation"),
    "crl-same-name-other-key": Case(
        _with_crl(lambda p, leaf: make_crl(p["root"].cert.subject, p["other_key"])), False, "revocation"
    ),
    "crl-required-missing": Case(lambda p: _plain(p), False, "revocation", require_crl=True),
    "untrusted-ca": Case(lambda p: (make_leaf(p["other"], p["host_key"]), p["root"].cert, (), None), False, "chain signature"),
    "impostor-same-name": Case(
        lambda p: (make_leaf(p["impostor"], p["host_key"]), p["root"].cert, (), None), False, "chain signature"
    ),
    "ca-without-keycertsign": Case(_no_kcs_ca, False, "CA constraints"),
    "ca-flag-false": Case(_not_a_ca, False, "CA constraints"),
    "sha1-signed": Case(lambda p: _plain(p, digest=Digest.SHA1), True, warns_in=("signature digest",), purpose="server"),
    "rsa-1024": Case(
        lambda p: (make_leaf(p["root"], p["weak_key"]), p["root"].cert, (), None),
        True,
        warns_in=("key strength",),
        purpose="server",
    ),
    "intermediate-in-chain": Case(_via_intermediate(True), True, purpose="server", hostname="app01.example.com"),
    "intermediate-missing": Case(_via_intermediate(False), False, "chain signature"),
    "pathlen-exceeded": Case(_pathlen_exceeded, False, "CA constraints"),
    "ca-eku-without-serverauth": Case(_client_only_ca, False, "purpose", purpose="server"),
    "ca-eku-with-clientauth": Case(_client_only_ca, True, purpose="gui"),
    "ca-expired-at-time": Case(_expired_ca, False, "validity", at=NOW + 10 * DAY),
    "unknown-critical-extension": Case(_critical_unknown, False, "chain signature"),
    "cdp-not-revoked": Case(_from_cdp(0x2002), True, crl_from_cdp=True),
    "cdp-revoked": Case(_from_cdp(REVOKED_ON_CDP), False, "revocation", crl_from_cdp=True),
    # Not a refused connection: OpenSSL 3.0's -crl_download retries that forever (the stall the guide warns about).
    "cdp-crl-missing": Case(
        lambda p: _from_cdp(0x2003, p["cdp"].replace("crl.der", "missing.der"))(p), False, "revocation", crl_from_cdp=True
    ),
}


def _pem(obj) -> bytes:
    return obj.public_bytes(Encoding.PEM)


def _openssl_verify(openssl, tmp_path, case: Case, leaf, ca, chain, crl) -> tuple[bool, str]:
    (tmp_path / "leaf.pem").write_bytes(_pem(leaf))
    (tmp_path / "ca.pem").write_bytes(_pem(ca))
    args = [openssl, "verify", "-CAfile", tmp_path / "ca.pem"]
    if chain:
        (tmp_path / "chain.pem").write_bytes(b"".join(_pem(c) for c in chain))
        args += ["-untrusted", tmp_path / "chain.pem"]
    if case.purpose:
        args += ["-purpose", "sslserver" if case.purpose == "server" else "sslclient"]
    if case.hostname:
        args += ["-verify_hostname", case.hostname]
    if case.ip:
        args += ["-verify_ip", case.ip]
    if crl is not None:
        (tmp_path / "crl.pem").write_bytes(_pem(crl))
        args += ["-CRLfile", tmp_path / "crl.pem"]
    if case.crl_from_cdp:
        args += ["-crl_download"]
    if crl is not None or case.require_crl or case.crl_from_cdp:
        args += ["-crl_check"]
    if case.at:
        args += ["-attime", str(int(case.at.timestamp()))]
    proc = subprocess.run([str(a) for a in (*args, tmp_path / "leaf.pem")], capture_output=True, text=True, timeout=60)
    return proc.returncode == 0 and ": OK" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.parametrize("name", list(CASES))
def test_verdict_agrees_with_openssl(name, pki, openssl, tmp_path):
    case = CASES[name]
    leaf, ca, chain, crl = case.build(pki)
    openssl_ok, openssl_says = _openssl_verify(openssl, tmp_path, case, leaf, ca, chain, crl)
    result = verify(
        leaf,
        ca=ca,
        chain=chain,
        purpose=case.purpose,
        hostname=case.hostname,
        ip=case.ip,
        crl=crl,
        require_crl=case.require_crl,
        crl_from_cdp=case.crl_from_cdp,
        timeout=5,
        at=case.at,
    )
    table = "\n".join(f"  {r['check']}: {r['status']} - {r['reason']}" for r in result.to_rows())
    assert openssl_ok is case.valid, f"openssl verify: {openssl_says}"
    assert result.valid is openssl_ok, f"lab says valid={result.valid}, openssl says:\n{openssl_says}\n{table}"
    if case.fails_in:
        assert result.check(case.fails_in).status is Status.FAIL, table
    for check in case.warns_in:
        assert result.check(check).status is Status.WARN, table
        if check in ("signature digest", "key strength"):
            assert "openssl verify accepts it" in result.check(check).reason


def test_enough_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize("name, refused_from_level", [("sha1-signed", 1), ("rsa-1024", 2)])
def test_security_level_claims_in_the_warnings(name, refused_from_level, pki, openssl, tmp_path):
    """The warnings say openssl verify accepts these (no -auth_level) and from which security level it refuses them."""
    leaf, ca, _, _ = CASES[name].build(pki)
    (tmp_path / "leaf.pem").write_bytes(_pem(leaf))
    (tmp_path / "ca.pem").write_bytes(_pem(ca))
    verdicts = {}
    for level in (0, 1, 2):
        proc = subprocess.run(
            [openssl, "verify", "-auth_level", str(level), "-CAfile", str(tmp_path / "ca.pem"), str(tmp_path / "leaf.pem")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        verdicts[level] = proc.returncode == 0
    assert verdicts == {level: level < refused_from_level for level in (0, 1, 2)}
    check = verify(leaf, ca=ca).check("signature digest" if name == "sha1-signed" else "key strength")
    assert f"security level {refused_from_level}" in check.reason
