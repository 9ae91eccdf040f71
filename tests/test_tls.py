"""Real TLS handshakes between lab certificates: every scenario, under TLS 1.2 and 1.3, judged by OpenSSL (Python's ssl).

The expected texts below are OpenSSL 3's own messages, written out here
(not taken from genesys_lab.course.scenarios) so that a change in the scenarios or in
how errors are read shows up as a failure.
"""

from __future__ import annotations

import threading

import pytest

from genesys_lab import create_ca
from genesys_lab.checks.tls import ClientConfig, ServerConfig, handshake, handshake_with_ca
from genesys_lab.cli.main import main
from genesys_lab.course.scenarios import prepare_scenarios, run_scenarios, scenario_frame
from genesys_lab.errors import FormatError, UsageError

# scenario name start -> (refused by, refusing side's text, other side's text for TLS 1.2, for TLS 1.3)
EXPECTED = [
    ("good", None, None, None, None),
    (
        "wrong host name",
        "client",
        "certificate verify failed: Hostname mismatch, certificate is not valid for 'stat.example.com'",
        "sslv3 alert bad certificate",
        "sslv3 alert bad certificate",
    ),
    (
        "server certificate without serverAuth",
        "client",
        "certificate verify failed: unsuitable certificate purpose",
        "sslv3 alert unsupported certificate",
        "sslv3 alert unsupported certificate",
    ),
    (
        "client certificate without clientAuth",
        "server",
        "certificate verify failed: unsuitable certificate purpose",
        "sslv3 alert unsupported certificate",
        "sslv3 alert unsupported certificate",
    ),
    (
        "revoked client certificate",
        "server",
        "certificate verify failed: certificate revoked",
        "sslv3 alert certificate revoked",
        "sslv3 alert certificate revoked",
    ),
    (
        "expired server certificate",
        "client",
        "certificate verify failed: certificate has expired",
        "sslv3 alert certificate expired",
        "sslv3 alert certificate expired",
    ),
    (
        "unknown CA",
        "client",
        "certificate verify failed: self-signed certificate in certificate chain",
        "tlsv1 alert unknown ca",
        "tlsv1 alert unknown ca",
    ),
    (
        "CRL checking on, but no CRL",
        "client",
        "certificate verify failed: unable to get certificate CRL",
        "tlsv1 alert unknown ca",
        "tlsv1 alert unknown ca",
    ),
    (
        "mutual TLS, client sends no certificate",
        "server",
        "peer did not return a certificate",
        "sslv3 alert handshake failure",
        "tlsv13 alert certificate required",
    ),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A 2048-bit CA (OpenSSL's default security level refuses 1024-bit keys in TLS) and the prepared cases."""
    root = tmp_path_factory.mktemp("tlsca")
    ca = create_ca(root, "TLS Lab CA").ca
    cases = prepare_scenarios(ca, tmp_path_factory.mktemp("tlswork"))
    return ca, cases


def test_every_issue_case_is_prepared(lab):
    _, cases = lab
    assert len(cases) == len(EXPECTED)
    for case, (start, *_rest) in zip(cases, EXPECTED):
        assert case.name.startswith(start)


@pytest.mark.parametrize("version", ["1.2", "1.3"])
@pytest.mark.parametrize("index", range(len(EXPECTED)), ids=[e[0] for e in EXPECTED])
def test_scenario_outcome(lab, index, version):
    _, cases = lab
    _start, refused_by, text, other12, other13 = EXPECTED[index]
    case = cases[index]
    result = handshake(case.server, case.client, tls_version=version)
    assert result.refused_by == refused_by, result
    if refused_by is None:
        assert result.ok and result.server.ok and result.client.ok
        assert result.version == f"TLSv{version}"
        return
    assert not result.ok
    refusing, other = (result.client, result.server) if refused_by == "client" else (result.server, result.client)
    assert refusing.refused and not other.refused
    assert refusing.error.startswith(text), refusing.error
    assert other.error == (other12 if version == "1.2" else other13)
    assert result.reason == refusing.error
    assert case.matches(result)


@pytest.mark.parametrize("index", [3, 4, 8], ids=["no clientAuth", "revoked", "no client certificate"])
def test_tls13_client_learns_of_refusal_only_at_first_read(lab, index):
    """RFC 8446: the client has finished its handshake (a version was negotiated) before the server's verdict arrives."""
    _, cases = lab
    case = cases[index]
    r13 = handshake(case.server, case.client, tls_version="1.3")
    r12 = handshake(case.server, case.client, tls_version="1.2")
    assert r13.version == "TLSv1.3" and not r13.client.ok and r13.refused_by == "server"
    assert r12.version is None and not r12.client.ok and r12.refused_by == "server"


def test_unpinned_handshake_negotiates_tls13(lab):
    _, cases = lab
    result = handshake(cases[0].server, cases[0].client)
    assert result.ok and result.version == "TLSv1.3" and result.cipher.startswith("TLS_")


def test_mutual_tls_server_sees_client_rejected_without_trust(lab):
    """mTLS where the server was given no CA to trust: it cannot verify any client certificate.

    The client sends its CA certificate along (OpenSSL builds the chain from
    the client's trust store), so OpenSSL reports an untrusted self-signed
    certificate in the chain rather than a missing issuer.
    """
    _, cases = lab
    good = cases[0]
    server = ServerConfig(good.server.cert, good.server.key, trust=None, require_client_cert=True)
    result = handshake(server, good.client, tls_version="1.2")
    assert result.refused_by == "server"
    assert result.server.error == "certificate verify failed: self-signed certificate in certificate chain"


def test_run_scenarios_table(lab):
    _, cases = lab
    rows = run_scenarios(cases, versions=("1.2", "1.3"))
    assert len(rows) == 2 * len(cases)
    assert all(r.as_expected for r in rows), [r for r in rows if not r.as_expected]
    frame = scenario_frame(rows)
    assert list(frame.columns) == ["scenario", "tls", "expected", "happened", "as_expected", "server_says", "client_says", "fix"]
    assert set(frame["tls"]) == {"TLS 1.2", "TLS 1.3"}
    assert frame["fix"].str.len().min() > 10


def test_no_server_thread_left_behind(lab):
    _, cases = lab
    for case in cases[:3]:
        handshake(case.server, case.client, tls_version="1.3", timeout=2)
    assert not [t for t in threading.enumerate() if t.name == "genesys-lab-tls-server" and t.is_alive()]


def test_missing_file_fails_before_any_socket(tmp_path, lab):
    ca, _ = lab
    with pytest.raises(FormatError, match="does not exist"):
        handshake(ServerConfig(tmp_path / "nope.pem", tmp_path / "nope_key.pem"), ClientConfig(ca.paths.cert))


def test_bad_tls_version(lab):
    _, cases = lab
    with pytest.raises(UsageError, match="use 1.2 or 1.3"):
        handshake(cases[0].server, cases[0].client, tls_version="1.1")


def test_handshake_with_ca_and_crl(lab):
    ca, _ = lab
    serials = {r.host: r.serial for r in ca.records()}
    server, client, revoked = serials["confserv"], serials["tserver"], serials["oldapp"]
    assert handshake_with_ca(ca, server, client, crl=True).ok
    refused = handshake_with_ca(ca, server, revoked, crl=True, tls_version="1.2")
    assert refused.refused_by == "server" and "certificate revoked" in refused.reason
    assert handshake_with_ca(ca, server, revoked, crl=False).ok  # without CRL checking nobody notices


def test_cli_handshake(lab, capsys):
    ca, _ = lab
    serials = {r.host: r.serial for r in ca.records()}
    root = str(ca.paths.root)
    assert (
        main(["handshake", "--ca-dir", root, "--server", serials["confserv"], "--client", serials["tserver"], "--tls", "1.2"])
        == 0
    )
    assert "handshake: ok (TLSv1.2" in capsys.readouterr().out
    assert main(["handshake", "--ca-dir", root, "--server", serials["confserv"], "--hostname", "wrong.example.com"]) == 1
    out = capsys.readouterr().out
    assert "refused by the client: certificate verify failed: Hostname mismatch" in out
    assert main(["handshake", "--ca-dir", root, "--server", serials["desk01"]]) == 1
    assert "unsuitable certificate purpose" in capsys.readouterr().out


def test_weak_key_refused_before_the_handshake_with_the_fix(lab):
    """OpenSSL's default security level (2) will not even load a 1024-bit certificate into a context."""
    ca, _ = lab
    weak = ca.issue("weak.example.com", "weak", key_size=1024)
    with pytest.raises(FormatError, match=r"ee key too small.*--key-size 2048"):
        handshake_with_ca(ca, weak.serial)


def test_hostname_check_without_a_name_is_a_usage_error(lab):
    _, cases = lab
    good = cases[0]
    client = ClientConfig(good.client.trust, server_hostname=None)
    with pytest.raises(UsageError, match="server_hostname"):
        handshake(good.server, client)
