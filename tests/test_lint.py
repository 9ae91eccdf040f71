"""lint(): each of the guide's recommended properties as a rule that fires when, and only when, it is broken."""

from __future__ import annotations

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from helpers import DAY, NOW, make_ca_cert, make_leaf

from genesys_lab.checks.lint import RULES, Severity, has_errors, lint, lint_ca
from genesys_lab.x509.profiles import Digest


@pytest.fixture(scope="module")
def keys():
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048),
        rsa.generate_private_key(public_exponent=65537, key_size=1024),
    )


@pytest.fixture(scope="module")
def ca(keys):
    return make_ca_cert("Lint CA", keys[0])


def _rules(findings):
    return {f.rule: f.severity for f in findings}


def test_every_rule_has_explanation_and_remedy():
    assert set(RULES) >= {
        "rsa-key-size",
        "signature-digest",
        "expiry",
        "san-present",
        "cn-present",
        "cn-consistent",
        "eku-role",
        "key-usage",
        "ca-flag",
    }
    for rule in RULES.values():
        assert rule.explanation and rule.remedy and isinstance(rule.severity, Severity)


def test_lab_issued_server_and_gui_certificates_are_clean(session_ca, gui_cert):
    issued = session_ca.issue("app01.example.com", "app01", ip="10.0.0.5")
    assert lint(issued.cert_file) == ()
    assert lint(gui_cert.cert_file, "gui") == ()
    assert lint(session_ca.certificate) == ()  # guessed role: ca


def test_guides_example_cn_is_flagged_as_inconsistent_but_not_an_error(server_cert):
    """create_cert.sh -host myHOST.domain1.domain2.com -CN myWorkstation: CN names another machine."""
    findings = lint(server_cert.cert_file, "server")
    assert _rules(findings) == {"cn-consistent": Severity.WARNING}
    assert "myWorkstation" in findings[0].message
    assert not has_errors(findings)


@pytest.mark.parametrize(
    "kw, role, rule, severity",
    [
        (dict(weak=True), "server", "rsa-key-size", Severity.ERROR),
        (dict(digest=Digest.SHA1), "server", "signature-digest", Severity.ERROR),
        (dict(digest=Digest.SHA224), "server", "signature-digest", Severity.WARNING),
        (dict(start=NOW - 20 * DAY, end=NOW - DAY), "server", "expiry", Severity.ERROR),
        (dict(end=NOW + 10 * DAY), "server", "expiry", Severity.WARNING),
        (dict(cn="legacy.example.com", dns=(), ips=()), "server", "san-present", Severity.ERROR),
        (dict(eku=("server",)), "server", "eku-role", Severity.ERROR),
        (dict(eku=("server",)), "gui", "eku-role", Severity.ERROR),
        (dict(eku=None), "server", "eku-role", Severity.WARNING),
        (dict(ku=None), "server", "key-usage", Severity.WARNING),
        (dict(ku=("key_encipherment",)), "gui", "key-usage", Severity.ERROR),
        (dict(ku=("digital_signature",)), "server", "key-usage", Severity.INFO),
    ],
    ids=[
        "rsa-1024",
        "sha1",
        "sha224",
        "expired",
        "expiring",
        "no-san",
        "server-only-eku",
        "server-eku-for-gui",
        "no-eku",
        "no-ku",
        "gui-without-digitalSignature",
        "server-without-keyEncipherment",
    ],
)
def test_rule_fires(ca, keys, kw, role, rule, severity):
    key = keys[1] if kw.pop("weak", False) else keys[0]
    findings = lint(make_leaf(ca, key, **kw), role)
    assert _rules(findings).get(rule) is severity, findings
    assert len(findings) == 1, findings  # nothing else is wrong with these certificates


def test_gui_certificate_needs_only_client_auth(ca, keys):
    assert lint(make_leaf(ca, keys[0], eku=("client",)), "gui") == ()
    assert _rules(lint(make_leaf(ca, keys[0], eku=("client",)), "server")) == {"eku-role": Severity.ERROR}


def test_cn_missing_and_host_not_in_san(ca, keys):
    leaf = make_leaf(ca, keys[0], cn="app01")
    assert lint(leaf, host="app01.example.com") == ()  # CN is the SAN name's first label: consistent
    found = _rules(lint(leaf, host="db01.example.com"))
    assert found == {"host-in-san": Severity.ERROR}
    no_cn = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "x")]))
        .issuer_name(ca.cert.subject)
        .public_key(keys[0].public_key())
        .serial_number(5)
        .not_valid_before(NOW - DAY)
        .not_valid_after(NOW + 90 * DAY)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("app01.example.com")]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), False)
        .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), False)
        .sign(ca.key, hashes.SHA256())
    )
    assert _rules(lint(no_cn, "server")) == {"cn-present": Severity.WARNING}


def test_ca_flags(ca, keys):
    host_as_ca = make_ca_cert("host.example.com", keys[0], signer=ca)
    assert _rules(lint(host_as_ca.cert, "server"))["ca-flag"] is Severity.ERROR
    not_ca = make_ca_cert("Broken CA", keys[0], ca_flag=False, ku=("digital_signature",))
    found = _rules(lint(not_ca.cert, "ca"))
    assert found["ca-flag"] is Severity.ERROR and found["key-usage"] is Severity.ERROR


def test_lint_ca_lists_every_certificate_as_rows(fresh_ca):
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    fresh_ca.issue("app01.example.com", "app01", key=small)
    fresh_ca.issue("desk01.example.com", "desk01", profile="gui", key=small, digest="sha1")
    rows = lint_ca(fresh_ca)
    by_serial = {}
    for r in rows:
        by_serial.setdefault(r.serial, {})[r.rule] = r
    assert set(by_serial) == {"CA", "01", "02"}
    assert by_serial["CA"]["rsa-key-size"].severity == "error"  # fresh_ca has a 1024-bit key
    assert by_serial["02"]["signature-digest"].severity == "error" and by_serial["02"]["rsa-key-size"].role == "gui"
    assert {r.host for r in rows} >= {"app01", "desk01"}
    from genesys_lab.course.tables import to_frame

    frame = to_frame(rows)
    assert list(frame.columns) == ["serial", "host", "role", "status", "rule", "severity", "message", "remedy"]
    assert len(frame) == len(rows)
