"""One reader, one request, one choice parser, one reason table: each idea written once (issue 9 section 2)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from helpers import snapshot

from genesys_lab import cli
from genesys_lab.authority import reasons
from genesys_lab.authority.ca import load_ca
from genesys_lab.authority.crl import REASON_NAMES
from genesys_lab.authority.repository import host_files
from genesys_lab.authority.request import FIELDS, HostRequest, Naming
from genesys_lab.authority.revoke import Reason
from genesys_lab.checks.verify import verify
from genesys_lab.cli import scripts
from genesys_lab.errors import FormatError, GenesysLabError, RevocationError, UsageError
from genesys_lab.formats.convert import CertEncoding, KeyFormat, load_certificate
from genesys_lab.formats.pkcs12 import Compat
from genesys_lab.x509.describe import describe
from genesys_lab.x509.read import Multiple, read_certificate, read_certificates

# -- the one certificate reader --------------------------------------------------------------


@pytest.fixture
def chain_file(session_ca, server_cert, tmp_path):
    path = tmp_path / "chain.pem"
    path.write_bytes(server_cert.cert_file.read_bytes() + session_ca.paths.cert.read_bytes())
    return path


def test_every_reader_takes_a_path_bytes_and_objects(session_ca, server_cert):
    der = server_cert.certificate.public_bytes(Encoding.DER)
    pem = server_cert.cert_file.read_bytes()
    for source in (
        server_cert.cert_file,
        str(server_cert.cert_file),
        der,
        pem,
        bytearray(der),
        server_cert.certificate,
        server_cert,
    ):
        assert read_certificate(source) == server_cert.certificate, type(source)
    assert read_certificate(session_ca) == session_ca.certificate  # an object holding .certificate


def test_a_two_certificate_file_is_refused_naming_both_by_every_reader(chain_file, session_ca):
    messages = set()
    for reader in (read_certificate, describe, load_certificate, lambda p: verify(p, ca=session_ca)):
        with pytest.raises(FormatError) as caught:
            reader(chain_file)
        messages.add(str(caught.value))
    assert len(messages) == 1, messages  # the same answer everywhere
    (message,) = messages
    assert "holds 2 certificates" in message and "myWorkstation" in message and "Basic Certification Authority" in message


def test_a_two_certificate_file_is_read_whole_when_asked(chain_file, server_cert, session_ca):
    assert read_certificate(chain_file, multiple=Multiple.FIRST) == server_cert.certificate
    assert read_certificate(chain_file, multiple="first") == server_cert.certificate
    assert read_certificates(chain_file) == [server_cert.certificate, session_ca.certificate]


def test_inspect_and_verify_commands_refuse_a_chain_file_in_one_line(chain_file, session_ca, capsys):
    for argv in (["inspect", str(chain_file)], ["verify", str(chain_file), "--ca", str(session_ca.paths.cert)]):
        assert cli.main(argv) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "holds 2 certificates" in err, err


def test_a_key_file_is_not_a_certificate(server_cert):
    with pytest.raises(FormatError, match="not a certificate file .it holds RSA PRIVATE KEY"):
        read_certificate(server_cert.key_file)
    with pytest.raises(UsageError, match="int is not a certificate"):
        read_certificate(42)


# -- one request --------------------------------------------------------------------------------


def test_create_cert_sh_and_create_cert_take_exactly_the_declared_fields():
    """Both command lines are built from FIELDS: every field is an option of each, under its declared name."""
    import argparse

    from genesys_lab.cli import ca as cli_ca

    script, command = argparse.ArgumentParser(), argparse.ArgumentParser()
    scripts.add_request_options(script)
    cli_ca.add_request_options(command)
    for parser, spelling in ((script, "script"), (command, "cli")):
        options = {a.dest: a.option_strings[0] for a in parser._actions if a.dest != "help"}
        assert options == {f.name: getattr(f, spelling) for f in FIELDS}


def test_the_issue_form_fields_are_the_declared_ones():
    from genesys_lab.widgets import issue_form  # ipywidgets is a hard dependency: no importorskip

    assert {f.name: f.script for f in FIELDS} == issue_form.OPTIONS
    assert [n for n, *_ in issue_form.TEXT_FIELDS + issue_form.CHOICE_FIELDS] == [
        f.name for f in FIELDS if f.name not in ("profile", "key_size", "digest")
    ] + ["profile", "key_size", "digest"]


def test_errors_name_the_value_as_the_caller_spelled_it(fresh_ca, capsys, monkeypatch):
    before = snapshot(fresh_ca.paths.root)
    with pytest.raises(UsageError) as python:
        fresh_ca.issue("h.example.com", "h", country="USA")
    assert str(python.value).startswith("country (-C) 'USA' is not a two-letter country code")
    monkeypatch.chdir(fresh_ca.paths.root)
    assert scripts.create_cert_main(["-host", "h.example.com", "-CN", "h", "-C", "USA"]) == 2
    assert "create_cert.sh: error: -C 'USA' is not a two-letter country code" in capsys.readouterr().err
    assert cli.main(["create-cert", "--host", "h.example.com", "--cn", "h", "--country", "USA"]) == 2
    assert "genesys-lab: error: --country 'USA' is not a two-letter country code" in capsys.readouterr().err
    with pytest.raises(UsageError, match=r"^days \(-time\) 0 must be at least 1 day"):
        fresh_ca.issue("h.example.com", "h", days=0)
    assert snapshot(fresh_ca.paths.root) == before


def test_renewal_builds_the_same_request_from_the_certificate(fresh_ca):
    old = fresh_ca.issue("app.example.com", "app", san_domains=["b.example.com"], san_ips=["10.0.0.9"], key_size=1024, org="Lab")
    request = HostRequest.from_certificate(old.certificate)
    again = HostRequest.build(
        "app.example.com", "app", san_domains=["b.example.com"], san_ips=["10.0.0.9"], key_size=1024, org="Lab"
    )
    assert request == again


def test_the_ca_names_its_repository_files_in_one_place(fresh_ca):
    issued = fresh_ca.issue("web01.example.com", "web01", key_size=1024)
    files = fresh_ca.host_files(issued.serial)
    assert files == host_files(fresh_ca.paths.repository, issued.serial, "web01.example.com")
    assert (files.cert, files.key, files.pfx, files.serial_copy) == (
        issued.cert_file,
        issued.key_file,
        issued.pfx_file,
        issued.serial_file,
    )
    assert files.cert.name == f"{issued.serial}_web01_cert.pem" and files.key.name == f"{issued.serial}_web01_priv_key.pem"
    assert set(files.all) == set(issued.files)


def test_load_ca_accepts_a_loaded_ca(fresh_ca):
    assert load_ca(fresh_ca) is fresh_ca
    assert load_ca(fresh_ca.paths.root).paths.root == fresh_ca.paths.root


def test_naming_is_explicit_for_every_front_end():
    assert {n.value for n in Naming} == {"python", "script", "cli"}


# -- one choice parser, one reason table ------------------------------------------------------


@pytest.mark.parametrize(
    "parse, good, member, bad, error, words",
    [
        (KeyFormat.parse, " PFX ", KeyFormat.PKCS12, "jks", UsageError, "-informat 'jks' is not one of pfx"),
        (CertEncoding.parse, "DER", CertEncoding.DER, "p7b", UsageError, "output encoding 'p7b' is not pem or der"),
        (Compat.parse, "Legacy", Compat.LEGACY, "old", UsageError, "compatibility 'old' is not modern or legacy"),
        (Reason.parse, "KEYCOMPROMISE", Reason.KEY_COMPROMISE, "stolen", RevocationError, "reason 'stolen' is not one"),
    ],
)
def test_every_choice_goes_through_one_parser(parse, good, member, bad, error, words):
    assert parse(good) is member and parse(member) is member
    with pytest.raises(error, match=words):
        parse(bad)
    assert issubclass(error, GenesysLabError)


def test_revoke_and_crl_share_one_reason_table():
    assert {r.value: r.code for r in Reason} == {name: reasons.CODES[name] for name in reasons.OPENSSL_CA_REASONS}
    assert REASON_NAMES is reasons.NAMES
    assert [r.value for r in Reason] == list(reasons.OPENSSL_CA_REASONS)  # openssl ca -crl_reason's order
