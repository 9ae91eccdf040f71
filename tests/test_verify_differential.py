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
import functools
import http.server
import ipaddress
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from cryptography.x509.oid import NameOID
from helpers import DAY, NOW, Issuer, _key_usage, _name, make_crl, make_leaf
from helpers import make_ca_cert as make_ca

from genesys_lab.checks.verify import Status, verify
from genesys_lab.x509 import der
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
    root = make_ca("Diff Root CA", ca_key)
    body = make_crl(root.cert.subject, ca_key, [REVOKED_ON_CDP]).public_bytes(Encoding.DER)
    server = _cdp_server(body)
    yield dict(
        root=root,
        host_key=host_key,
        weak_key=weak_key,
        other_key=other_key,
        other=make_ca("Other CA", other_key),
        impostor=make_ca("Diff Root CA", other_key),
        inter=make_ca("Diff Intermediate CA", other_key, signer=root),
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
    """What to verify; ``build(pki)`` returns (leaf, trusted CA cert(s), untrusted certs, CRL or None).

    ``valid`` is OpenSSL's verdict. The lab's is the same unless ``differs``
    names the deliberate difference (the lab refuses a certificate it cannot
    read while OpenSSL accepts it): then the lab must refuse and its reason
    must say so.
    """

    build: object
    valid: bool
    fails_in: str | None = None  # the check that must fail when not valid
    warns_in: tuple[str, ...] = ()  # checks that must warn although OpenSSL accepts
    purpose: str | None = None
    hostname: str | None = None
    ip: str | None = None
    email: str | None = None
    require_crl: bool = False
    crl_from_cdp: bool = False
    at: dt.datetime | None = None
    partial_chain: bool = False
    x509_strict: bool = False
    verify_depth: int | None = None
    says: str = ""  # words the failing check's reason must contain (OpenSSL's message)
    differs: str = ""  # the named deliberate difference
    extra: dict = field(default_factory=dict)


def _plain(p, **kw):
    return make_leaf(p["root"], p["host_key"], **kw), p["root"].cert, (), None


def _with_crl(crl_of, **kw):
    def build(p):
        leaf, ca, chain, _ = _plain(p, **kw)
        return leaf, ca, chain, crl_of(p, leaf)

    return build


def _no_kcs_ca(p):
    bad = make_ca("No KeyCertSign CA", p["other_key"], ku=("digital_signature", "crl_sign"))
    return make_leaf(bad, p["host_key"]), bad.cert, (), None


def _not_a_ca(p):
    bad = make_ca("Host Pretending CA", p["other_key"], ca_flag=False, ku=None)
    return make_leaf(bad, p["host_key"]), bad.cert, (), None


def _via_intermediate(include_inter):
    def build(p):
        leaf = make_leaf(p["inter"], p["host_key"])
        return leaf, p["root"].cert, (p["inter"].cert,) if include_inter else (), None

    return build


def _expired_ca(p):
    short = make_ca("Short-lived CA", p["other_key"], days=5)
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
    top = make_ca("Pathlen Zero CA", p["other_key"], signer=p["root"], path_length=0)
    below = make_ca("Below Pathlen CA", p["other_key"], signer=top)
    return make_leaf(below, p["host_key"]), p["root"].cert, (top.cert, below.cert), None


def _client_only_ca(p):
    ca = make_ca("Client-only CA", p["other_key"], eku=("client",))
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


# == the hard cases (issue 17): name constraints, anchors, several CAs, pathLen, strictness, boundaries ==
#
# EC P-256 keys (about a millisecond each) made once; certificates are built per case from them.

EC = [ec.generate_private_key(ec.SECP256R1()) for _ in range(8)]
SECOND = dt.timedelta(seconds=1)
T0 = NOW - DAY  # notBefore of every hard-case certificate unless said otherwise


def _ext_names(*names):
    return [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Genesys Lab"), *names]


def cert(
    cn,
    key,
    signer: Issuer | None = None,
    *,
    subject=None,
    ca=True,
    bc=True,
    bc_critical=True,
    path_length=None,
    ku="default",
    ski=True,
    aki=True,
    san=None,
    nc=None,
    extensions=(),
    start=None,
    end=None,
    issuer_name=None,
) -> Issuer:
    """One certificate from the EC pool; ``signer`` None makes it self-signed; ``ku=None`` leaves key usage out."""
    subject = subject or _name(cn)
    sign_key = signer.key if signer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name or (signer.cert.subject if signer else subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start or T0)
        .not_valid_after(end or NOW + 400 * DAY)
    )
    if bc:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=bc_critical)
    if ku == "default":
        ku = ("key_cert_sign", "crl_sign") if ca else ("digital_signature", "key_encipherment")
    if ku is not None:
        builder = builder.add_extension(_key_usage(*ku), critical=True)
    if ski:
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    if aki:
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(sign_key.public_key()), critical=False)
    if san is not None:
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    if nc is not None:
        builder = builder.add_extension(x509.NameConstraints(*nc), critical=True)
    for ext, critical in extensions:
        builder = builder.add_extension(ext, critical=critical)
    return Issuer(builder.sign(sign_key, hashes.SHA256()), key)


def host(signer, cn="app01.example.com", san="default", key=None, **kw) -> Issuer:
    """A server certificate (CA:FALSE) for ``cn``; ``san`` default: DNS of the CN."""
    if san == "default":
        san = [x509.DNSName(cn)]
    return cert(cn, key or EC[7], signer, ca=False, san=san, **kw)


ROOT = cert("Hard Root CA", EC[0])
INTER = cert("Hard Intermediate CA", EC[1], ROOT)


def DNS(v):
    return x509.DNSName(v)


def IP(v):
    return x509.IPAddress(ipaddress.ip_network(v) if "/" in v else ipaddress.ip_address(v))


def EMAIL(v):
    return x509.RFC822Name(v)


def URI(v):
    return x509.UniformResourceIdentifier(v)


def DIR(*pairs):
    oids = {"O": NameOID.ORGANIZATION_NAME, "CN": NameOID.COMMON_NAME, "OU": NameOID.ORGANIZATIONAL_UNIT_NAME}
    return x509.DirectoryName(x509.Name([x509.NameAttribute(oids[k], v) for k, v in pairs]))


def nc_case(valid, permitted=None, excluded=None, *, says="", **leaf):
    """A root that constrains names, and a leaf straight under it."""

    def build(p):
        root = cert("NC Root CA", EC[2], nc=(permitted, excluded))
        return host(root, **leaf).cert, root.cert, (), None

    return Case(build, valid, None if valid else "name constraints", says=says)


PERMIT = "permitted subtree violation"
EXCLUDE = "excluded subtree violation"
SYNTAX = "unsupported or invalid name syntax"
SITE = [DNS("example.com")]

NAME_CONSTRAINT_CASES = {
    "nc-dns-inside": nc_case(True, SITE),
    "nc-dns-the-domain-itself": nc_case(True, SITE, cn="example.com"),
    "nc-dns-outside": nc_case(False, SITE, cn="www.bank.com", says=PERMIT),
    "nc-dns-suffix-is-not-a-label": nc_case(False, SITE, cn="badexample.com", says=PERMIT),
    "nc-dns-dot-base-subdomain": nc_case(True, [DNS(".example.com")]),
    "nc-dns-dot-base-not-the-domain": nc_case(False, [DNS(".example.com")], cn="example.com", says=PERMIT),
    "nc-dns-case-insensitive": nc_case(True, [DNS("EXAMPLE.COM")], cn="App01.Example.com"),
    "nc-dns-wildcard-inside": nc_case(True, SITE, cn="wild.example.com", san=[DNS("*.example.com")]),
    "nc-dns-one-san-outside": nc_case(False, SITE, san=[DNS("app01.example.com"), DNS("www.other.com")], says=PERMIT),
    "nc-dns-second-subtree": nc_case(True, [DNS("example.com"), DNS("example.net")], cn="app01.example.net"),
    "nc-dns-excluded": nc_case(False, None, [DNS("bank.example.com")], cn="bank.example.com", says=EXCLUDE),
    "nc-dns-excluded-subdomain": nc_case(False, None, [DNS("secret.example.com")], cn="x.secret.example.com", says=EXCLUDE),
    "nc-dns-excluded-elsewhere": nc_case(True, None, [DNS("secret.example.com")]),
    "nc-dns-permitted-and-excluded": nc_case(False, SITE, [DNS("hr.example.com")], cn="hr.example.com", says=EXCLUDE),
    "nc-dns-only-ip-subtrees": nc_case(True, [IP("10.0.0.0/8")], san=[DNS("anything.org"), IP("10.0.0.5")]),
    "nc-ip-inside": nc_case(True, [IP("10.0.0.0/8")], san=[DNS("app01.example.com"), IP("10.0.0.5")]),
    "nc-ip-outside": nc_case(False, [IP("10.0.0.0/8")], san=[IP("192.168.1.5")], says=PERMIT),
    "nc-ip-excluded": nc_case(False, None, [IP("10.0.0.0/24")], san=[IP("10.0.0.5")], says=EXCLUDE),
    "nc-ip-excluded-elsewhere": nc_case(True, None, [IP("10.0.0.0/24")], san=[IP("10.0.1.5")]),
    "nc-ip-single-host": nc_case(True, [IP("10.0.0.5/32")], san=[IP("10.0.0.5")]),
    "nc-ipv6-inside": nc_case(True, [IP("fd00::/8")], san=[IP("fd00::5")]),
    "nc-ipv4-not-in-ipv6-subtree": nc_case(False, [IP("fd00::/8")], san=[IP("10.0.0.5")], says=PERMIT),
    "nc-email-host": nc_case(True, [EMAIL("example.com")], san=[EMAIL("agent@example.com")]),
    "nc-email-host-not-subdomain": nc_case(False, [EMAIL("example.com")], san=[EMAIL("agent@sub.example.com")], says=PERMIT),
    "nc-email-dot-subdomain": nc_case(True, [EMAIL(".example.com")], san=[EMAIL("agent@sub.example.com")]),
    "nc-email-dot-not-the-host": nc_case(False, [EMAIL(".example.com")], san=[EMAIL("agent@example.com")], says=PERMIT),
    "nc-email-mailbox": nc_case(True, [EMAIL("agent@example.com")], san=[EMAIL("agent@EXAMPLE.com")]),
    "nc-email-local-part-case": nc_case(False, [EMAIL("Agent@example.com")], san=[EMAIL("agent@example.com")], says=PERMIT),
    "nc-email-excluded": nc_case(False, None, [EMAIL("example.com")], san=[EMAIL("x@example.com")], says=EXCLUDE),
    "nc-email-subject-attribute": Case(
        lambda p: (
            host(
                cert("NC Root CA", EC[2], nc=([EMAIL("example.com")], None)),
                subject=x509.Name(_ext_names(x509.NameAttribute(NameOID.EMAIL_ADDRESS, "agent@other.com"))),
                san=[DNS("app01.example.com")],
            ).cert,
            cert("NC Root CA", EC[2], nc=([EMAIL("example.com")], None)).cert,
            (),
            None,
        ),
        False,
        "name constraints",
        says=PERMIT,
    ),
    "nc-email-without-at": nc_case(False, [EMAIL("example.com")], san=[EMAIL("example.com")], says=SYNTAX),
    "nc-uri-host": nc_case(True, [URI("example.com")], san=[URI("https://example.com/genesys")]),
    "nc-uri-host-and-port": nc_case(True, [URI("example.com")], san=[URI("https://example.com:8443/x")]),
    "nc-uri-dot-subdomain": nc_case(True, [URI(".example.com")], san=[URI("https://www.example.com/")]),
    "nc-uri-dot-not-the-host": nc_case(False, [URI(".example.com")], san=[URI("https://example.com/")], says=PERMIT),
    "nc-uri-no-subdomain-without-dot": nc_case(False, [URI("example.com")], san=[URI("https://www.example.com")], says=PERMIT),
    "nc-uri-without-authority": nc_case(False, [URI("example.com")], san=[URI("urn:example:agent")], says=SYNTAX),
    "nc-uri-excluded": nc_case(False, None, [URI(".bank.com")], san=[URI("ldap://ldap.bank.com/")], says=EXCLUDE),
    "nc-dirname-inside": nc_case(True, [DIR(("O", "Genesys Lab"))]),
    "nc-dirname-outside": nc_case(False, [DIR(("O", "Other Org"))], says=PERMIT),
    "nc-dirname-canonical-case-and-spaces": nc_case(True, [DIR(("O", "  GENESYS   lab "))]),
    "nc-dirname-longer-base": nc_case(False, [DIR(("O", "Genesys Lab"), ("CN", "other"))], says=PERMIT),
    "nc-dirname-excluded": nc_case(False, None, [DIR(("O", "Genesys Lab"), ("CN", "app01.example.com"))], says=EXCLUDE),
    "nc-dirname-in-san": nc_case(
        False, [DIR(("O", "Genesys Lab"))], san=[DNS("app01.example.com"), DIR(("O", "Elsewhere"))], says=PERMIT
    ),
    "nc-cn-host-name-outside": nc_case(False, SITE, cn="www.bank.com", san=None, says=PERMIT),
    "nc-cn-host-name-inside": nc_case(True, SITE, san=None),
    "nc-cn-one-label-is-not-a-host": nc_case(True, SITE, cn="myWorkstation", san=None),
    "nc-cn-ignored-with-dns-san": nc_case(True, SITE, cn="www.bank.com", san=[DNS("app01.example.com")]),
    "nc-cn-checked-with-ip-only-san": nc_case(False, SITE, cn="www.bank.com", san=[IP("10.0.0.5")], says=PERMIT),
    "nc-unsupported-type": nc_case(
        False,
        [x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4"))],
        san=[DNS("app01.example.com"), x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4"))],
        says="unsupported name constraint type",
    ),
    "nc-in-the-leaf-ignored": Case(lambda p: (host(ROOT, nc=(None, [DNS("app01.example.com")])).cert, ROOT.cert, (), None), True),
}


def _constrained_chain(root_nc=None, inter_nc=None, inter_subject=None, leaf_cn="app01.example.com"):
    def build(p):
        root = cert("NC Root CA", EC[2], nc=root_nc)
        inter = cert("NC Intermediate CA", EC[3], root, subject=inter_subject, nc=inter_nc)
        return host(inter, leaf_cn).cert, root.cert, (inter.cert,), None

    return build


def _self_issued_exempt(leaf_like_root: bool):
    """Root excludes its own name; a self-issued (key rollover) intermediate carries that name and is exempt."""

    def build(p):
        root_name = _name("Rollover Root CA")
        root = cert("Rollover Root CA", EC[2], nc=(None, [x509.DirectoryName(root_name)]))
        rollover = cert("Rollover Root CA", EC[3], root)  # same name, new key: self-issued, not self-signed
        leaf = cert("Rollover Root CA", EC[7], rollover, ca=False) if leaf_like_root else host(rollover)
        return leaf.cert, root.cert, (rollover.cert,), None

    return build


def _dos(names, constraints):
    """OpenSSL refuses names x constraints above 2^20 before comparing anything."""

    def build(p):
        root = cert("Busy NC Root CA", EC[2], nc=(None, [EMAIL(f"x{i}.invalid") for i in range(constraints)]))
        leaf = host(root, san=[DNS(f"h{i}.example.com") for i in range(names - 2)])  # + O and CN in the subject
        return leaf.cert, root.cert, (), None

    return build


NAME_CONSTRAINT_CASES.update(
    {
        "nc-root-constrains-intermediate-name": Case(
            _constrained_chain(
                root_nc=([DIR(("O", "Genesys Lab"))], None),
                inter_subject=x509.Name(
                    [x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Rogue Org"), x509.NameAttribute(NameOID.COMMON_NAME, "X")]
                ),
            ),
            False,
            "name constraints",
            says=PERMIT,
        ),
        "nc-root-constrains-leaf-below-intermediate": Case(
            _constrained_chain(root_nc=(SITE, None), leaf_cn="www.bank.com"), False, "name constraints", says=PERMIT
        ),
        "nc-root-and-leaf-below-intermediate-inside": Case(_constrained_chain(root_nc=(SITE, None)), True),
        "nc-intermediate-constrains-leaf": Case(
            _constrained_chain(inter_nc=(SITE, None), leaf_cn="www.bank.com"), False, "name constraints", says=PERMIT
        ),
        "nc-both-constrain-leaf-inside": Case(
            _constrained_chain(root_nc=(SITE, None), inter_nc=([DNS("emea.example.com")], None), leaf_cn="a.emea.example.com"),
            True,
        ),
        "nc-both-constrain-inner-refuses": Case(
            _constrained_chain(root_nc=(SITE, None), inter_nc=([DNS("emea.example.com")], None), leaf_cn="a.apac.example.com"),
            False,
            "name constraints",
            says=PERMIT,
        ),
        "nc-self-issued-intermediate-exempt": Case(_self_issued_exempt(False), True),
        "nc-self-issued-leaf-not-exempt": Case(_self_issued_exempt(True), False, "name constraints", says=EXCLUDE),
        "nc-dos-guard-just-under": Case(_dos(1024, 1024), True),
        "nc-dos-guard-over": Case(_dos(1024, 1025), False, "name constraints", says="unspecified certificate verification error"),
    }
)


# -- trust anchors (OpenSSL's default needs a self-signed trusted certificate) and several CAs --------

NOT_ANCHOR = "unable to get issuer certificate"
CROSS = cert("Hard Root CA", EC[0], cert("Bridge CA", EC[4]), aki=True)  # Hard Root's key, signed by Bridge CA
BRIDGE = cert("Bridge CA", EC[4])


def _odd_root():
    """Self-issued root whose authority key identifier names another key: not self-signed to OpenSSL."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name("Odd Root CA"))
        .issuer_name(_name("Odd Root CA"))
        .public_key(EC[5].public_key())
        .serial_number(0x0DD)
        .not_valid_before(T0)
        .not_valid_after(NOW + 400 * DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage("key_cert_sign", "crl_sign"), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(EC[5].public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(EC[6].public_key()), critical=False)
    )
    return Issuer(builder.sign(EC[5], hashes.SHA256()), EC[5])


ODD_ROOT = _odd_root()
SELF_LEAF = cert("selfsigned.example.com", EC[7], ca=False, san=[DNS("selfsigned.example.com")])
OLD_ROOT, NEW_ROOT = cert("Site Root CA 2019", EC[5]), cert("Site Root CA 2026", EC[6])
LEAF_UNDER_INTER = host(INTER).cert


def _t(leaf, trusted, untrusted=()):
    return lambda p: (leaf, trusted, untrusted, None)


ANCHOR_CASES = {
    "anchor-intermediate-as-only-ca": Case(_t(LEAF_UNDER_INTER, INTER.cert), False, "chain signature", says=NOT_ANCHOR),
    "anchor-intermediate-partial-chain": Case(_t(LEAF_UNDER_INTER, INTER.cert), True, partial_chain=True),
    "anchor-intermediate-and-root-trusted": Case(_t(LEAF_UNDER_INTER, (INTER.cert, ROOT.cert)), True),
    "anchor-root-given-untrusted-only": Case(
        _t(LEAF_UNDER_INTER, BRIDGE.cert, (INTER.cert, ROOT.cert)),
        False,
        "chain signature",
        says="self-signed certificate in certificate chain",
    ),
    "anchor-trusted-intermediate-root-untrusted": Case(
        _t(LEAF_UNDER_INTER, INTER.cert, (ROOT.cert,)), False, "chain signature", says=NOT_ANCHOR
    ),
    "anchor-root-both-trusted-and-untrusted": Case(_t(LEAF_UNDER_INTER, ROOT.cert, (INTER.cert, ROOT.cert)), True),
    "anchor-cross-signed-root-alone": Case(_t(host(ROOT).cert, CROSS.cert), False, "chain signature", says=NOT_ANCHOR),
    "anchor-cross-signed-root-partial": Case(_t(host(ROOT).cert, CROSS.cert), True, partial_chain=True),
    "anchor-cross-signed-root-and-bridge": Case(_t(host(ROOT).cert, (CROSS.cert, BRIDGE.cert)), True),
    "anchor-cross-signed-untrusted-bridge-trusted": Case(_t(host(ROOT).cert, BRIDGE.cert, (CROSS.cert,)), True),
    # OpenSSL takes the first trusted certificate that fits, in file order, and does not go back.
    "anchor-cross-signed-first-then-self-signed": Case(
        _t(host(ROOT).cert, (CROSS.cert, ROOT.cert)), False, "chain signature", says=NOT_ANCHOR
    ),
    "anchor-self-signed-first-then-cross-signed": Case(_t(host(ROOT).cert, (ROOT.cert, CROSS.cert)), True),
    "anchor-root-aki-not-its-ski": Case(_t(host(ODD_ROOT).cert, ODD_ROOT.cert), False, "chain signature", says=NOT_ANCHOR),
    "anchor-root-aki-not-its-ski-partial": Case(_t(host(ODD_ROOT).cert, ODD_ROOT.cert), True, partial_chain=True),
    "anchor-leaf-trusted-itself": Case(
        _t(LEAF_UNDER_INTER, LEAF_UNDER_INTER), False, "chain signature", says="unable to get local issuer certificate"
    ),
    "anchor-leaf-trusted-itself-partial": Case(_t(LEAF_UNDER_INTER, LEAF_UNDER_INTER), True, partial_chain=True),
    "anchor-self-signed-leaf-trusted": Case(_t(SELF_LEAF.cert, SELF_LEAF.cert), True, hostname="selfsigned.example.com"),
    "anchor-self-signed-leaf-untrusted": Case(
        _t(SELF_LEAF.cert, ROOT.cert), False, "chain signature", says="self-signed certificate"
    ),
    "several-cas-second-issued-it": Case(_t(host(NEW_ROOT).cert, (OLD_ROOT.cert, NEW_ROOT.cert)), True),
    "several-cas-first-issued-it": Case(_t(host(OLD_ROOT).cert, (OLD_ROOT.cert, NEW_ROOT.cert)), True),
    "several-cas-none-issued-it": Case(
        _t(host(ROOT).cert, (OLD_ROOT.cert, NEW_ROOT.cert)), False, "chain signature", says="unable to get local issuer"
    ),
    "several-cas-intermediate-from-bundle": Case(_t(LEAF_UNDER_INTER, (OLD_ROOT.cert, ROOT.cert), (INTER.cert,)), True),
}


def _long_chain(p):
    """Leaf <- I3 <- I2 <- I1 <- root, intermediates in a shuffled untrusted bundle with a stranger."""
    i1 = cert("Chain I1", EC[1], ROOT)
    i2 = cert("Chain I2", EC[2], i1)
    i3 = cert("Chain I3", EC[3], i2)
    return host(i3).cert, ROOT.cert, (i2.cert, BRIDGE.cert, i3.cert, i1.cert), None


def _gap_chain(p):
    leaf, root, bundle, _ = _long_chain(p)
    return leaf, root, tuple(c for c in bundle if "I2" not in c.subject.rfc4514_string()), None


def _depth_chain(p):
    i1 = cert("Depth I1", EC[1], ROOT)
    i2 = cert("Depth I2", EC[2], i1)
    return host(i2).cert, ROOT.cert, (i1.cert, i2.cert), None


UNTRUSTED_CASES = {
    "untrusted-bundle-three-intermediates": Case(_long_chain, True, purpose="server"),
    "untrusted-bundle-missing-middle": Case(_gap_chain, False, "chain signature", says="unable to get local issuer"),
    "depth-0-direct": Case(_t(host(ROOT).cert, ROOT.cert), True, verify_depth=0),
    "depth-0-one-intermediate": Case(
        _t(LEAF_UNDER_INTER, ROOT.cert, (INTER.cert,)), False, "chain signature", verify_depth=0, says="chain too long"
    ),
    "depth-1-one-intermediate": Case(_t(LEAF_UNDER_INTER, ROOT.cert, (INTER.cert,)), True, verify_depth=1),
    "depth-1-two-intermediates": Case(_depth_chain, False, "chain signature", verify_depth=1, says="chain too long"),
    "depth-2-two-intermediates": Case(_depth_chain, True, verify_depth=2),
    "depth-0-root-itself": Case(_t(ROOT.cert, ROOT.cert), True, verify_depth=0),
    "depth-1-partial-chain": Case(_t(LEAF_UNDER_INTER, INTER.cert), True, partial_chain=True, verify_depth=0),
}


# -- pathLen with self-issued intermediates, CAs without basicConstraints, -x509_strict -------------------


def _rollover_chain(root_pathlen, real_below=False):
    """root (pathlen N) <- self-issued rollover of the root [<- real intermediate] <- leaf."""

    def build(p):
        root = cert("Rollover Root CA", EC[2], path_length=root_pathlen)
        rollover = cert("Rollover Root CA", EC[3], root)
        chain = [rollover.cert]
        signer = rollover
        if real_below:
            signer = cert("Below Rollover CA", EC[4], rollover)
            chain.append(signer.cert)
        return host(signer).cert, root.cert, tuple(chain), None

    return build


def _pathlen(root_len, inter_len, depth):
    """root (pathlen root_len) <- inter (pathlen inter_len) <- ``depth`` more CAs <- leaf."""

    def build(p):
        root = cert("PL Root CA", EC[2], path_length=root_len)
        chain, signer = [], cert("PL Inter CA", EC[3], root, path_length=inter_len)
        chain.append(signer.cert)
        for n in range(depth):
            signer = cert(f"PL Sub CA {n}", EC[4 + n], signer)
            chain.append(signer.cert)
        return host(signer).cert, root.cert, tuple(chain), None

    return build


def _root_variant(**kw):
    def build(p):
        root = cert("Variant Root CA", EC[2], **kw)
        return host(root).cert, root.cert, (), None

    return build


def _inter_variant(**kw):
    def build(p):
        inter = cert("Variant Intermediate CA", EC[3], ROOT, **kw)
        return host(inter).cert, ROOT.cert, (inter.cert,), None

    return build


def _leaf_variant(**kw):
    return lambda p: (host(ROOT, **kw).cert, ROOT.cert, (), None)


PATHLEN = "path length constraint exceeded"
INVALID_CA = "invalid CA certificate"
STRICT_CASES = {
    "pathlen-0-self-issued-below": Case(_rollover_chain(0), True),
    "pathlen-0-self-issued-then-real": Case(_rollover_chain(0, True), False, "CA constraints", says=PATHLEN),
    "pathlen-1-self-issued-then-real": Case(_rollover_chain(1, True), True),
    "pathlen-0-intermediate-issues-leaf": Case(_pathlen(None, 0, 0), True),
    "pathlen-0-intermediate-with-sub-ca": Case(_pathlen(None, 0, 1), False, "CA constraints", says=PATHLEN),
    "pathlen-root-0-with-intermediate": Case(_pathlen(0, None, 0), False, "CA constraints", says=PATHLEN),
    "pathlen-root-1-two-below": Case(_pathlen(1, None, 1), False, "CA constraints", says=PATHLEN),
    "pathlen-root-2-two-below": Case(_pathlen(2, None, 1), True),
    "pathlen-root-2-three-below": Case(_pathlen(2, None, 2), False, "CA constraints", says=PATHLEN),
    "v3-root-without-bc-default": Case(_root_variant(bc=False), True),
    "v3-root-without-bc-strict": Case(_root_variant(bc=False), False, "CA constraints", x509_strict=True, says=INVALID_CA),
    "v3-root-without-bc-or-ku": Case(_root_variant(bc=False, ku=None), False, "CA constraints", says=INVALID_CA),
    "v3-root-ku-without-keycertsign": Case(_root_variant(ku=("crl_sign",)), False, "CA constraints", says=INVALID_CA),
    "intermediate-without-bc": Case(_inter_variant(bc=False), False, "CA constraints", says=INVALID_CA),
    "intermediate-ca-false": Case(_inter_variant(ca=False), False, "CA constraints", says=INVALID_CA),
    "strict-good-chain": Case(_t(LEAF_UNDER_INTER, ROOT.cert, (INTER.cert,)), True, x509_strict=True, purpose="server"),
    "strict-ca-bc-not-critical-default": Case(_root_variant(bc_critical=False), True),
    "strict-ca-bc-not-critical": Case(
        _root_variant(bc_critical=False), False, "CA constraints", x509_strict=True, says="not marked critical"
    ),
    "strict-ca-without-ku-default": Case(_root_variant(ku=None), True),
    "strict-ca-without-ku": Case(
        _root_variant(ku=None), False, "CA constraints", x509_strict=True, says="does not include key usage"
    ),
    "strict-leaf-without-aki-default": Case(_leaf_variant(aki=False), True),
    "strict-leaf-without-aki": Case(
        _leaf_variant(aki=False), False, "CA constraints", x509_strict=True, says="Missing Authority Key Identifier"
    ),
    "strict-intermediate-without-ski": Case(
        _inter_variant(ski=False), False, "CA constraints", x509_strict=True, says="Missing Subject Key Identifier"
    ),
    "strict-leaf-without-ku": Case(_leaf_variant(ku=None), True, x509_strict=True),
    "strict-root-alone": Case(_t(ROOT.cert, ROOT.cert), True, x509_strict=True),
    "strict-root-without-bc-alone": Case(
        lambda p: (cert("Variant Root CA", EC[2], bc=False).cert,) * 2 + ((), None),
        False,
        "CA constraints",
        x509_strict=True,
        says=INVALID_CA,
    ),
    "root-without-bc-alone": Case(lambda p: (cert("Variant Root CA", EC[2], bc=False).cert,) * 2 + ((), None), True),
}


# -- critical extensions, CRLs, explicit EC parameters ---------------------------------------------------

UNKNOWN = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.7"), b"\x05\x00")


def _ec_crl(*, extensions=(), entry=None, last=None, next_=None):
    """A CRL of ROOT; ``entry``: (serial, [(extension, critical)]) to list."""

    def build(p):
        leaf = host(ROOT)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ROOT.cert.subject)
            .last_update(last or NOW - DAY)
            .next_update(next_ or NOW + 30 * DAY)
        )
        for ext, critical in extensions:
            builder = builder.add_extension(ext, critical=critical)
        if entry is not None:
            revoked = x509.RevokedCertificateBuilder().serial_number(entry[0]).revocation_date(NOW - DAY)
            for ext, critical in entry[1]:
                revoked = revoked.add_extension(ext, critical=critical)
            builder = builder.add_revoked_certificate(revoked.build())
        return leaf.cert, ROOT.cert, (), builder.sign(ROOT.key, hashes.SHA256())

    return build


UNHANDLED_CRL = "unhandled critical CRL extension"
REASON = x509.CRLReason(x509.ReasonFlags.superseded)


@functools.cache
def _explicit_ec():
    """Certificates on an EC key with explicit curve parameters: only openssl writes those."""
    work = Path(tempfile.mkdtemp(prefix="explicit-ec-"))
    tool = shutil.which("openssl")

    def run(*args):
        subprocess.run([tool, *args], cwd=work, check=True, capture_output=True, timeout=60)

    (work / "root.key").write_bytes(ROOT.key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    (work / "root.pem").write_bytes(_pem(ROOT.cert))
    run("ecparam", "-name", "prime256v1", "-param_enc", "explicit", "-genkey", "-noout", "-out", "explicit.key")
    run("req", "-new", "-key", "explicit.key", "-subj", "/CN=explicit.example.com", "-out", "leaf.csr")
    run(
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "root.pem",
        "-CAkey",
        "root.key",
        "-days",
        "30",
        "-set_serial",
        "7",
        "-out",
        "leaf.pem",
    )
    ca_ext = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
    run(
        "req",
        "-new",
        "-x509",
        "-key",
        "explicit.key",
        "-subj",
        "/CN=Explicit Root CA",
        "-days",
        "30",
        *ca_ext,
        "-out",
        "xroot.pem",
    )
    run("req", "-new", "-key", "root.key", "-subj", "/CN=under.example.com", "-out", "under.csr")
    run(
        "x509",
        "-req",
        "-in",
        "under.csr",
        "-CA",
        "xroot.pem",
        "-CAkey",
        "explicit.key",
        "-days",
        "30",
        "-set_serial",
        "8",
        "-out",
        "under.pem",
    )
    load = lambda name: x509.load_pem_x509_certificate((work / name).read_bytes())  # noqa: E731
    found = {name: load(f"{name}.pem") for name in ("leaf", "xroot", "under")}
    shutil.rmtree(work)
    return found


EXPLICIT = "explicit ECC parameters"
CRITICAL_CASES = {
    "critical-unknown-in-root": Case(
        _root_variant(extensions=[(UNKNOWN, True)]), False, "chain signature", says="unhandled critical extension"
    ),
    "critical-unknown-in-intermediate": Case(
        _inter_variant(extensions=[(UNKNOWN, True)]), False, "chain signature", says="unhandled critical extension"
    ),
    "noncritical-unknown-in-leaf": Case(_leaf_variant(extensions=[(UNKNOWN, False)]), True),
    "crl-critical-crl-number": Case(_ec_crl(extensions=[(x509.CRLNumber(3), True)]), False, "revocation", says=UNHANDLED_CRL),
    "crl-critical-unknown": Case(_ec_crl(extensions=[(UNKNOWN, True)]), False, "revocation", says=UNHANDLED_CRL),
    "crl-critical-aki-is-handled": Case(
        _ec_crl(extensions=[(x509.AuthorityKeyIdentifier.from_issuer_public_key(EC[0].public_key()), True)]), True
    ),
    "crl-entry-critical-reason": Case(_ec_crl(entry=(0x77, [(REASON, True)])), False, "revocation", says=UNHANDLED_CRL),
    "crl-entry-noncritical-reason": Case(_ec_crl(entry=(0x77, [(REASON, False)])), True),
    "crl-next-update-exactly-now": Case(
        _ec_crl(next_=NOW + 5 * DAY), False, "revocation", at=NOW + 5 * DAY, says="CRL has expired"
    ),
    "crl-second-before-next-update": Case(_ec_crl(next_=NOW + 5 * DAY), True, at=NOW + 5 * DAY - SECOND),
    "crl-last-update-exactly-now": Case(_ec_crl(last=NOW + DAY), True, at=NOW + DAY),
    "crl-second-before-last-update": Case(
        _ec_crl(last=NOW + DAY), False, "revocation", at=NOW + DAY - SECOND, says="CRL is not yet valid"
    ),
    "explicit-ec-leaf": Case(lambda p: (_explicit_ec()["leaf"], ROOT.cert, (), None), False, "key strength", says=EXPLICIT),
    "explicit-ec-root-alone": Case(lambda p: (_explicit_ec()["xroot"], _explicit_ec()["xroot"], (), None), True),
    "explicit-ec-root-issuer": Case(
        lambda p: (_explicit_ec()["under"], _explicit_ec()["xroot"], (), None), False, "key strength", says=EXPLICIT
    ),
}


# -- validity boundaries: OpenSSL 3.0 takes notBefore as valid and notAfter as expired ------------------

START, END = NOW + 10 * DAY, NOW + 20 * DAY


def _window(p):
    return host(ROOT, start=START, end=END).cert, ROOT.cert, (), None


def _ca_window(p):
    root = cert("Window Root CA", EC[2], start=START, end=END)
    return host(root, start=T0, end=NOW + 100 * DAY).cert, root.cert, (), None


BOUNDARY_CASES = {
    "at-not-before": Case(_window, True, at=START, warns_in=()),
    "second-before-not-before": Case(_window, False, "validity", at=START - SECOND, says="not yet valid"),
    "second-before-not-after": Case(_window, True, at=END - SECOND, warns_in=("validity",)),
    "at-not-after": Case(_window, False, "validity", at=END, says="certificate has expired"),
    "second-after-not-after": Case(_window, False, "validity", at=END + SECOND, says="certificate has expired"),
    "ca-at-not-before": Case(_ca_window, True, at=START),
    "ca-at-not-after": Case(_ca_window, False, "validity", at=END, says="certificate has expired"),
    "ca-second-before-not-before": Case(_ca_window, False, "validity", at=START - SECOND, says="not yet valid"),
}


# -- key usage against the purpose, email peer names ------------------------------------------------------

PURPOSE = "unsuitable certificate purpose"


def _ku(*usages):
    return _leaf_variant(ku=usages)


KEY_USAGE_CASES = {
    "ku-keycertsign-only-as-server": Case(_ku("key_cert_sign"), False, "purpose", purpose="server", says=PURPOSE),
    "ku-keycertsign-only-as-client": Case(_ku("key_cert_sign"), False, "purpose", purpose="client", says=PURPOSE),
    "ku-keycertsign-only-no-purpose": Case(_ku("key_cert_sign"), True),
    "ku-keyagreement-as-server": Case(_ku("key_agreement"), True, purpose="server"),
    "ku-keyagreement-as-client": Case(_ku("key_agreement"), True, purpose="client"),
    "ku-digitalsignature-as-server": Case(_ku("digital_signature"), True, purpose="server"),
    "ku-nonrepudiation-as-client": Case(_ku("content_commitment"), False, "purpose", purpose="client", says=PURPOSE),
    "ku-dataencipherment-as-server": Case(_ku("data_encipherment"), False, "purpose", purpose="server", says=PURPOSE),
    "ku-crlsign-as-gui": Case(_ku("crl_sign"), False, "purpose", purpose="gui", says=PURPOSE),
    "ku-absent-as-server": Case(_leaf_variant(ku=None), True, purpose="server"),
}


def _mail(san=None, subject_email=None):
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, "Agent Smith")]
    if subject_email:
        attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, subject_email))
    subject = x509.Name(_ext_names(*attrs))
    return lambda p: (host(ROOT, subject=subject, san=san).cert, ROOT.cert, (), None)


MISMATCH = "email address mismatch"
EMAIL_CASES = {
    "email-in-san": Case(_mail([EMAIL("agent@example.com")]), True, email="agent@example.com"),
    "email-domain-case": Case(_mail([EMAIL("agent@Example.COM")]), True, email="agent@example.com"),
    "email-local-part-case": Case(
        _mail([EMAIL("Agent@example.com")]), False, "email address", email="agent@example.com", says=MISMATCH
    ),
    "email-wrong": Case(_mail([EMAIL("agent@example.com")]), False, "email address", email="boss@example.com", says=MISMATCH),
    "email-subject-fallback": Case(_mail(None, "agent@example.com"), True, email="agent@example.com"),
    "email-subject-fallback-dns-san": Case(
        _mail([DNS("desk01.example.com")], "agent@example.com"), True, email="agent@example.com"
    ),
    "email-subject-ignored-with-san-email": Case(
        _mail([EMAIL("other@example.com")], "agent@example.com"), False, "email address", email="agent@example.com", says=MISMATCH
    ),
    "email-none-at-all": Case(
        _mail([DNS("desk01.example.com")]), False, "email address", email="agent@example.com", says=MISMATCH
    ),
}


# -- malformed certificates: cryptography refuses to read them, so they are edited in DER and re-signed ------


def resign(certificate, key, *, extensions=None, spki=None) -> x509.Certificate:
    """The certificate with its extension list (raw DER ``Extension`` values) or public key info replaced, signed again."""
    tbs = der.decode(certificate.tbs_certificate_bytes)
    parts = [p.raw for p in tbs.children()]
    if extensions is not None:
        parts[-1] = der.tlv(0xA3, der.sequence(*extensions(list(_raw_exts(tbs)))))
    if spki is not None:
        parts[6] = spki
    body = der.sequence(*parts)
    signature = key.sign(body, ec.ECDSA(hashes.SHA256()))
    return x509.load_der_x509_certificate(der.sequence(body, tbs.children()[2].raw, der.bit_string(signature)))


def _raw_exts(tbs):
    return [e.raw for e in tbs.children()[-1].children()[0].children()]


def raw_extension(oid, value: bytes, critical=False) -> bytes:
    return der.sequence(der.oid(oid), *([der.tlv(0x01, b"\xff")] if critical else []), der.octet_string(value))


ODD_MASK_NC = der.sequence(der.tlv(0xA0, der.sequence(der.tlv(0x87, bytes([10, 0, 0, 0, 255, 0, 255, 0])))))


def _empty_eku(p):
    leaf = resign(host(ROOT).cert, ROOT.key, extensions=lambda exts: [*exts, raw_extension("2.5.29.37", der.sequence())])
    return leaf, ROOT.cert, (), None


MASKLESS_NC = der.sequence(der.tlv(0xA0, der.sequence(der.tlv(0x87, bytes([10, 0, 0, 0])))))


def _odd_mask(address, constraint=ODD_MASK_NC):
    def build(p):
        root = cert("Odd Mask Root CA", EC[2])
        root_cert = resign(root.cert, root.key, extensions=lambda exts: [*exts, raw_extension("2.5.29.30", constraint, True)])
        san = [IP(address)] if address else [DNS("app01.example.com")]
        return host(root, san=san).cert, root_cert, (), None

    return build


def _duplicate_in_leaf(p):
    leaf = resign(host(ROOT).cert, ROOT.key, extensions=lambda exts: [*exts, exts[-1]])
    return leaf, ROOT.cert, (), None


def _duplicate_in_intermediate(p):
    inter = resign(INTER.cert, ROOT.key, extensions=lambda exts: [*exts, exts[0]])
    return LEAF_UNDER_INTER, ROOT.cert, (inter,), None


def _garbage_issuer_key(p):
    rsa_oid = der.sequence(der.oid("1.2.840.113549.1.1.1"), der.null())
    inter = resign(INTER.cert, ROOT.key, spki=der.sequence(rsa_oid, der.bit_string(b"\x30\x03\x02\x01\x05")))
    return LEAF_UNDER_INTER, ROOT.cert, (inter,), None


MALFORMED_CASES = {
    "empty-eku-no-purpose": Case(_empty_eku, True, differs="extendedKeyUsage is empty"),
    "empty-eku-as-server": Case(_empty_eku, False, "chain signature", purpose="server"),
    "nc-odd-ip-mask-inside": Case(_odd_mask("10.7.0.9"), True, differs="mask that is not a prefix"),
    "nc-odd-ip-mask-outside": Case(_odd_mask("10.7.1.9"), False, "chain signature"),
    "nc-ip-subtree-without-mask-dns-leaf": Case(_odd_mask(None, MASKLESS_NC), True, differs="subtree without a mask"),
    "nc-ip-subtree-without-mask-ip-leaf": Case(_odd_mask("10.0.0.5", MASKLESS_NC), False, "chain signature"),
    "duplicate-extension-in-leaf": Case(_duplicate_in_leaf, False, "chain signature"),
    "duplicate-extension-in-intermediate": Case(_duplicate_in_intermediate, False, "chain signature"),
    "unreadable-issuer-key": Case(_garbage_issuer_key, False, "chain signature"),
}

# -- which issuer OpenSSL picks, CRLs of an intermediate -----------------------------------------------


def _expired_twin_first(p):
    """Two trusted roots with the same name and key, the first expired: OpenSSL takes the one valid now."""
    expired = cert("Twin Root CA", EC[5], start=NOW - 400 * DAY, end=NOW - DAY)
    valid = cert("Twin Root CA", EC[5])
    return host(valid).cert, (expired.cert, valid.cert), (), None


def _expired_twin_intermediate(p):
    expired = cert("Twin Intermediate CA", EC[1], ROOT, start=NOW - 400 * DAY, end=NOW - DAY)
    valid = cert("Twin Intermediate CA", EC[1], ROOT)
    return host(valid).cert, ROOT.cert, (expired.cert, valid.cert), None


def _aki_serial_mismatch(p):
    aki = x509.AuthorityKeyIdentifier(None, [x509.DirectoryName(ROOT.cert.issuer)], ROOT.cert.serial_number + 1)
    return host(ROOT, aki=False, extensions=[(aki, False)]).cert, ROOT.cert, (), None


def _aki_serial_match(p):
    aki = x509.AuthorityKeyIdentifier(None, [x509.DirectoryName(ROOT.cert.issuer)], ROOT.cert.serial_number)
    return host(ROOT, aki=False, extensions=[(aki, False)]).cert, ROOT.cert, (), None


def _trusted_intermediate_with_nc(leaf_cn):
    def build(p):
        inter = cert("Constrained Intermediate CA", EC[3], ROOT, nc=(SITE, None))
        return host(inter, leaf_cn).cert, inter.cert, (), None

    return build


def _crl_of(issuer_of_crl, revoked: bool):
    def build(p):
        crl_issuer = INTER if issuer_of_crl == "inter" else ROOT
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(crl_issuer.cert.subject)
            .last_update(NOW - DAY)
            .next_update(NOW + 30 * DAY)
        )
        if revoked:
            revoked_entry = x509.RevokedCertificateBuilder().serial_number(LEAF_UNDER_INTER.serial_number)
            builder = builder.add_revoked_certificate(revoked_entry.revocation_date(NOW - DAY).build())
        crl = builder.sign(crl_issuer.key, hashes.SHA256())
        return LEAF_UNDER_INTER, ROOT.cert, (INTER.cert,), crl

    return build


ISSUER_CASES = {
    "issuer-valid-twin-preferred-in-trusted": Case(_expired_twin_first, True),
    "issuer-valid-twin-preferred-in-untrusted": Case(_expired_twin_intermediate, True),
    "aki-issuer-serial-mismatch": Case(_aki_serial_mismatch, False, "chain signature", says="unable to get local issuer"),
    "aki-issuer-serial-match": Case(_aki_serial_match, True),
    "nc-on-partial-chain-anchor-outside": Case(
        _trusted_intermediate_with_nc("www.bank.com"), False, "name constraints", partial_chain=True, says=PERMIT
    ),
    "nc-on-partial-chain-anchor-inside": Case(_trusted_intermediate_with_nc("app01.example.com"), True, partial_chain=True),
    "crl-of-intermediate-revokes": Case(_crl_of("inter", True), False, "revocation", says="certificate revoked"),
    "crl-of-intermediate-clean": Case(_crl_of("inter", False), True),
    "crl-of-root-for-intermediate-leaf": Case(_crl_of("root", False), False, "revocation", says="unable to get certificate CRL"),
}


HARD_CASES = {
    **NAME_CONSTRAINT_CASES,
    **ANCHOR_CASES,
    **UNTRUSTED_CASES,
    **STRICT_CASES,
    **CRITICAL_CASES,
    **BOUNDARY_CASES,
    **KEY_USAGE_CASES,
    **EMAIL_CASES,
    **MALFORMED_CASES,
    **ISSUER_CASES,
}


def _pem(obj) -> bytes:
    return obj.public_bytes(Encoding.PEM)


CASES.update(HARD_CASES)


def _cas(ca) -> tuple:
    return tuple(ca) if isinstance(ca, (list, tuple)) else (ca,)


def _openssl_verify(openssl, tmp_path, case: Case, leaf, ca, chain, crl) -> tuple[bool, str]:
    (tmp_path / "leaf.pem").write_bytes(_pem(leaf))
    (tmp_path / "ca.pem").write_bytes(b"".join(_pem(c) for c in _cas(ca)))
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
    if case.email:
        args += ["-verify_email", case.email]
    if case.partial_chain:
        args += ["-partial_chain"]
    if case.x509_strict:
        args += ["-x509_strict"]
    if case.verify_depth is not None:
        args += ["-verify_depth", str(case.verify_depth)]
    proc = subprocess.run([str(a) for a in (*args, tmp_path / "leaf.pem")], capture_output=True, text=True, timeout=60)
    return proc.returncode == 0 and ": OK" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.parametrize("name", list(CASES))
def test_verdict_agrees_with_openssl(name, pki, openssl, tmp_path):
    case = CASES[name]
    leaf, ca, chain, crl = case.build(pki)
    openssl_ok, openssl_says = _openssl_verify(openssl, tmp_path, case, leaf, ca, chain, crl)
    result = verify(
        leaf,
        ca=list(_cas(ca)),
        untrusted=chain,
        purpose=case.purpose,
        hostname=case.hostname,
        ip=case.ip,
        email=case.email,
        crl=crl,
        require_crl=case.require_crl,
        crl_from_cdp=case.crl_from_cdp,
        timeout=5,
        at=case.at,
        partial_chain=case.partial_chain,
        x509_strict=case.x509_strict,
        verify_depth=case.verify_depth,
    )
    table = "\n".join(f"  {r['check']}: {r['status']} - {r['reason']}" for r in result.to_rows())
    assert openssl_ok is case.valid, f"openssl verify: {openssl_says}"
    if case.differs:
        assert openssl_ok and not result.valid, table
        assert "Deliberate difference" in table and case.differs in table, table
        return
    assert result.valid is openssl_ok, f"lab says valid={result.valid}, openssl says:\n{openssl_says}\n{table}"
    if case.fails_in:
        assert result.check(case.fails_in).status is Status.FAIL, table
    if case.says:
        assert case.says in result.check(case.fails_in).reason, table
        assert case.says in openssl_says, openssl_says
    for check in case.warns_in:
        assert result.check(check).status is Status.WARN, table
        if check in ("signature digest", "key strength"):
            assert "openssl verify accepts it" in result.check(check).reason


def test_enough_cases():
    assert len(CASES) >= 150
    assert len(HARD_CASES) >= 100


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
