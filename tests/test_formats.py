"""identify, key conversion, PEM/DER, chains and PKCS#12 export, judged by openssl, keytool and cryptography."""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from helpers import make_ca, run_tool, snapshot

from genesys_lab.errors import FormatError, GenesysLabError, PasswordError, UsageError
from genesys_lab.formats import convert
from genesys_lab.formats.convert import KeyFormat
from genesys_lab.formats.identify import Kind, identify
from genesys_lab.formats.passwords import PasswordRequired
from genesys_lab.formats.pkcs12 import Compat, build_pkcs12, read_pkcs12

# -- fixtures: one small CA and host for the module, and every kind of file made from them -----


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("formats")
    ca = make_ca(root, "Formats CA")
    host = ca.issue("app01.example.com", "app01", key_size=1024)
    return ca, host


@pytest.fixture(scope="module")
def files(lab, tmp_path_factory):
    """A file of each kind identify must recognise."""
    ca, host = lab
    d = tmp_path_factory.mktemp("kinds")
    key = serialization.load_pem_private_key(host.key_file.read_bytes(), None)
    s = serialization
    cert = host.certificate
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "app01")]))
        .sign(key, hashes.SHA256())
    )
    now = dt.datetime.now(dt.UTC)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now)
        .next_update(now + dt.timedelta(days=7))
        .sign(ca.key, hashes.SHA256())
    )
    made = {
        "cert.pem": cert.public_bytes(s.Encoding.PEM),
        "cert.der": cert.public_bytes(s.Encoding.DER),
        "csr.pem": csr.public_bytes(s.Encoding.PEM),
        "csr.der": csr.public_bytes(s.Encoding.DER),
        "crl.pem": crl.public_bytes(s.Encoding.PEM),
        "crl.der": crl.public_bytes(s.Encoding.DER),
        "pkcs1.pem": host.key_file.read_bytes(),
        "pkcs1.der": key.private_bytes(s.Encoding.DER, s.PrivateFormat.TraditionalOpenSSL, s.NoEncryption()),
        "pkcs8.pem": key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()),
        "pkcs8.der": key.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption()),
        "enc8.pem": key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.BestAvailableEncryption(b"pw-1234")),
        "enc8.der": key.private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.BestAvailableEncryption(b"pw-1234")),
        "enc1.pem": key.private_bytes(s.Encoding.PEM, s.PrivateFormat.TraditionalOpenSSL, s.BestAvailableEncryption(b"pw-1234")),
        "host.pfx": host.pfx_file.read_bytes(),
        "secret.pfx": build_pkcs12(key, cert, [ca.certificate], password="pfx-pass"),
        "ca.pfx": ca.paths.pfx.read_bytes(),
        "chain.pem": cert.public_bytes(s.Encoding.PEM) + ca.certificate.public_bytes(s.Encoding.PEM),
        "truncated.pem": host.key_file.read_bytes()[:300],
        "truncated.der": cert.public_bytes(s.Encoding.DER)[:200],
        "notes.txt": b"ssl certificate notes\n",
        "empty.bin": b"",
    }
    for name, data in made.items():
        (d / name).write_bytes(data)
    return d


KINDS = {
    "cert.pem": ("PEM", Kind.CERTIFICATE),
    "cert.der": ("DER", Kind.CERTIFICATE),
    "csr.pem": ("PEM", Kind.CSR),
    "csr.der": ("DER", Kind.CSR),
    "crl.pem": ("PEM", Kind.CRL),
    "crl.der": ("DER", Kind.CRL),
    "pkcs1.pem": ("PEM", Kind.RSA_KEY),
    "pkcs1.der": ("DER", Kind.RSA_KEY),
    "pkcs8.pem": ("PEM", Kind.PKCS8_KEY),
    "pkcs8.der": ("DER", Kind.PKCS8_KEY),
    "enc8.pem": ("PEM", Kind.ENCRYPTED_PKCS8_KEY),
    "enc8.der": ("DER", Kind.ENCRYPTED_PKCS8_KEY),
    "enc1.pem": ("PEM", Kind.ENCRYPTED_RSA_KEY),
    "host.pfx": ("DER", Kind.PKCS12),
    "secret.pfx": ("DER", Kind.PKCS12),
    "ca.pfx": ("DER", Kind.PKCS12),
}


def tool(*args, pw: str, check: bool = True):
    """Run a real tool with the password in $PW (as -passin env:PW / -storepass:env PW)."""
    proc = subprocess.run([str(a) for a in args], env=dict(os.environ, PW=pw), capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, f"{args} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# -- identify ----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(KINDS))
def test_identify_names_each_kind_and_encoding(files, name):
    found = identify(files / name)
    encoding, kind = KINDS[name]
    assert [(i.encoding, i.kind) for i in found.items] == [(encoding, kind)]


def test_identify_agrees_with_openssl_on_der_certificates_and_crls(files, openssl):
    """What identify names a DER file, openssl reads as exactly that (and as nothing else)."""
    judges = {Kind.CERTIFICATE: "x509", Kind.CRL: "crl", Kind.CSR: "req"}
    for name, kind in (("cert.der", Kind.CERTIFICATE), ("crl.der", Kind.CRL), ("csr.der", Kind.CSR)):
        found = identify(files / name)
        assert found.kind is kind and found.items[0].encoding == "DER", (name, found.summary())
        run_tool(openssl, judges[kind], "-inform", "DER", "-in", files / name, "-noout")
        for other in set(judges.values()) - {judges[kind]}:
            assert run_tool(openssl, other, "-inform", "DER", "-in", files / name, "-noout", check=False).returncode != 0


def test_identify_reports_encryption_without_a_password(files):
    assert identify(files / "enc8.pem").items[0].detail == "PBES2, AES-256-CBC"
    assert "AES-256-CBC" in identify(files / "enc1.pem").items[0].detail


def test_identify_lists_every_object_of_a_chain_in_order(files):
    found = identify(files / "chain.pem")
    assert found.several and found.kind is Kind.CERTIFICATE
    assert [i.detail for i in found.items] == ["subject CN=app01", "subject CN=Formats CA"]
    assert found.summary().startswith("2 PEM objects")


@pytest.mark.parametrize(
    "name, words",
    [("truncated.pem", "truncated"), ("truncated.der", "not DER"), ("notes.txt", "text file"), ("empty.bin", "empty")],
)
def test_identify_says_what_is_wrong_with_damaged_or_foreign_files(files, name, words):
    assert words in identify(files / name).summary()


def test_identify_never_shows_key_material(files):
    for name in KINDS:
        text = identify(files / name).summary() + repr(identify(files / name))
        assert "PRIVATE KEY" not in text and "MII" not in text


# -- converting keys: every output read back by openssl and cryptography -----------------


def _modulus(key) -> int:
    return key.public_key().public_numbers().n


@pytest.fixture(scope="module")
def host_key(lab):
    return serialization.load_pem_private_key(lab[1].key_file.read_bytes(), None)


def test_rsa_to_pkcs8_is_read_by_openssl_pkey(files, tmp_path, openssl, host_key):
    result = convert.convert_key(files / "pkcs1.pem", tmp_path / "k8.pem", informat="rsa")
    assert result.source_kind is Kind.RSA_KEY and not result.encrypted
    text = (tmp_path / "k8.pem").read_bytes()
    assert text.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert mode(tmp_path / "k8.pem") == 0o600
    run_tool(openssl, "pkey", "-in", tmp_path / "k8.pem", "-noout")
    assert _modulus(serialization.load_pem_private_key(text, None)) == _modulus(host_key)


def test_pkcs8_to_rsa_passes_openssl_rsa_check(files, tmp_path, openssl):
    convert.convert_key(files / "pkcs8.der", tmp_path / "k1.pem", informat="pkcs8", outformat="rsa")
    assert (tmp_path / "k1.pem").read_bytes().startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    assert "RSA key ok" in run_tool(openssl, "rsa", "-check", "-noout", "-in", tmp_path / "k1.pem").stdout


def test_encrypted_pkcs8_is_pbes2_aes256_and_opens_with_its_password(files, tmp_path, openssl, host_key):
    out = tmp_path / "enc.pem"
    assert convert.convert_key(files / "pkcs1.pem", out, new_password="new-pass").encrypted
    assert out.read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    parsed = run_tool(openssl, "asn1parse", "-in", out).stdout
    assert ":PBES2" in parsed and ":aes-256-cbc" in parsed
    tool(openssl, "pkey", "-in", out, "-noout", "-passin", "env:PW", pw="new-pass")
    assert run_tool(openssl, "pkey", "-in", out, "-noout", "-passin", "pass:wrong", check=False).returncode != 0
    assert _modulus(serialization.load_pem_private_key(out.read_bytes(), b"new-pass")) == _modulus(host_key)


def test_encrypted_rsa_output_is_traditional_aes256(files, tmp_path, openssl):
    out = tmp_path / "enc1.pem"
    convert.convert_key(files / "enc8.pem", out, informat="pkcs8", outformat="rsa", password="pw-1234", new_password="other-pw")
    assert b"DEK-Info: AES-256-CBC," in out.read_bytes()
    proc = tool(openssl, "rsa", "-check", "-noout", "-in", out, "-passin", "env:PW", pw="other-pw")
    assert "RSA key ok" in proc.stdout


def test_the_key_comes_out_of_a_pfx_with_an_empty_password_first(files, tmp_path, openssl, host_key):
    result = convert.convert_key(files / "host.pfx", tmp_path / "from_pfx.pem", informat="pfx")
    assert result.source_kind is Kind.PKCS12
    run_tool(openssl, "pkey", "-in", tmp_path / "from_pfx.pem", "-noout")
    assert _modulus(convert.load_key(tmp_path / "from_pfx.pem")) == _modulus(host_key)


def test_a_protected_pfx_asks_for_its_password_then_opens(files, tmp_path):
    with pytest.raises(PasswordRequired, match="does not open with an empty password"):
        convert.convert_key(files / "secret.pfx", tmp_path / "k.pem", informat="pkcs12")
    convert.convert_key(files / "secret.pfx", tmp_path / "k.pem", informat="pkcs12", password="pfx-pass")
    assert identify(tmp_path / "k.pem").kind is Kind.PKCS8_KEY


# -- bad input: clear errors and no output file -----------------------------------


@pytest.mark.parametrize("name, informat", [("enc8.pem", "pkcs8"), ("enc1.pem", "rsa"), ("secret.pfx", "pfx")])
def test_a_wrong_password_is_a_password_error_and_writes_nothing(files, tmp_path, name, informat):
    with pytest.raises(PasswordError, match="wrong password"):
        convert.convert_key(files / name, tmp_path / "out.pem", informat=informat, password="not-it")
    assert list(tmp_path.iterdir()) == []


def test_an_encrypted_key_without_a_password_asks_for_one(files, tmp_path):
    with pytest.raises(PasswordRequired, match="encrypted PKCS#8 private key: give its password"):
        convert.convert_key(files / "enc8.der", tmp_path / "out.pem", informat="pkcs8")


@pytest.mark.parametrize(
    "name, informat, says",
    [
        ("pkcs8.pem", "rsa", "is a PEM PKCS#8 private key .*use -informat pkcs8"),
        ("pkcs1.pem", "pkcs8", "is a PEM PKCS#1 RSA private key .*use -informat rsa"),
        ("pkcs1.pem", "pfx", "is a PEM PKCS#1 RSA private key .*use -informat rsa"),
        ("host.pfx", "rsa", "is a DER PKCS#12 .*use -informat pfx"),
        ("cert.pem", "rsa", "is a PEM certificate .*holds no private key"),
        ("csr.pem", "pkcs8", "certificate signing request"),
        ("truncated.pem", "rsa", "truncated"),
        ("notes.txt", "rsa", "text file"),
        ("ca.pfx", "pfx", "PKCS#12 file with no private key"),
    ],
)
def test_input_that_is_not_what_informat_says_is_named(files, tmp_path, name, informat, says):
    with pytest.raises(FormatError, match=says):
        convert.convert_key(files / name, tmp_path / "out.pem", informat=informat)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_output_folder_is_refused_before_anything_is_read(files, tmp_path):
    with pytest.raises(UsageError, match="output folder .*missing does not exist"):
        convert.convert_key(files / "pkcs1.pem", tmp_path / "missing" / "k.pem")
    assert not (tmp_path / "missing").exists()


def test_an_existing_output_is_refused_unless_overwrite(files, tmp_path):
    out = tmp_path / "k.pem"
    out.write_bytes(b"keep me")
    out.chmod(0o644)
    before = snapshot(tmp_path)
    with pytest.raises(UsageError, match="already exists"):
        convert.convert_key(files / "pkcs1.pem", out)
    assert snapshot(tmp_path) == before
    convert.convert_key(files / "pkcs1.pem", out, overwrite=True)
    assert identify(out).kind is Kind.PKCS8_KEY and mode(out) == 0o600


def test_a_failure_while_writing_leaves_no_partial_file(files, tmp_path, monkeypatch):
    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(convert.os, "link", disk_full)
    with pytest.raises(GenesysLabError, match="could not write .*No space left on device; nothing was written"):
        convert.convert_key(files / "pkcs1.pem", tmp_path / "k.pem")
    assert list(tmp_path.iterdir()) == []


def test_without_hard_links_the_file_is_still_written_whole(files, tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(convert.os, "link", no_links)
    convert.convert_key(files / "pkcs1.pem", tmp_path / "k.pem")
    assert [p.name for p in tmp_path.iterdir()] == ["k.pem"] and mode(tmp_path / "k.pem") == 0o600


def test_pkcs12_is_not_an_output_key_format(files, tmp_path):
    with pytest.raises(UsageError, match="pkcs12 export"):
        convert.convert_key(files / "pkcs1.pem", tmp_path / "k.p12", outformat="pkcs12")
    with pytest.raises(UsageError, match="not one of pfx, pkcs8, pkcs12, rsa"):
        KeyFormat.parse("der")


# -- certificates, CRLs, chains --------------------------------------------------


@pytest.mark.parametrize("name, tool", [("cert.pem", "x509"), ("crl.pem", "crl")])
def test_pem_to_der_and_back_is_read_by_openssl_and_round_trips(files, tmp_path, openssl, name, tool):
    der = convert.convert_certificate(files / name, tmp_path / "o.der")
    run_tool(openssl, tool, "-inform", "DER", "-in", der, "-noout")
    assert mode(der) == 0o644
    pem = convert.convert_certificate(der, tmp_path / "o.pem")
    assert pem.read_bytes() == (files / name).read_bytes()
    assert der.read_bytes() == (files / name.replace(".pem", ".der")).read_bytes()


def test_a_chain_cannot_become_one_der_file(files, tmp_path):
    with pytest.raises(FormatError, match="holds 2 objects but a DER file holds exactly one"):
        convert.convert_certificate(files / "chain.pem", tmp_path / "c.der")
    with pytest.raises(FormatError, match="only certificates and CRLs"):
        convert.convert_certificate(files / "pkcs1.pem", tmp_path / "c.der")
    assert list(tmp_path.iterdir()) == []


def test_chain_file_is_host_then_ca_and_verifies(lab, files, tmp_path, openssl):
    ca, host = lab
    chain = convert.write_chain(files / "cert.der", [ca.paths.cert], tmp_path / "chain.pem")
    certs = x509.load_pem_x509_certificates(chain.read_bytes())
    assert [c.subject for c in certs] == [host.certificate.subject, ca.certificate.subject]
    run_tool(openssl, "verify", "-CAfile", ca.paths.cert, chain)  # verifies the first: the host


def test_chain_in_the_wrong_order_is_refused(lab, files, tmp_path):
    ca, _ = lab
    with pytest.raises(FormatError, match="did not sign"):
        convert.write_chain(ca.paths.cert, [files / "cert.pem"], tmp_path / "chain.pem")
    assert list(tmp_path.iterdir()) == []


# -- which key belongs to which certificate -------------------------------------------


def test_key_matches_its_certificate_in_any_format(lab, files):
    ca, _ = lab
    for name in ("pkcs1.pem", "pkcs8.der", "host.pfx"):
        assert convert.key_matches(files / "cert.pem", files / name)
    assert convert.key_matches(files / "cert.der", files / "enc8.pem", password="pw-1234")
    assert not convert.key_matches(files / "cert.pem", ca.paths.key)


def test_pair_keys_finds_each_certificates_key(lab, files):
    ca, _ = lab
    pairs = convert.pair_keys([ca.paths.key, files / "cert.pem", ca.paths.cert, files / "csr.pem"])
    assert [(p.certificate, p.key) for p in pairs] == [(files / "cert.pem", None), (ca.paths.cert, ca.paths.key)]


# -- PKCS#12 export ----------------------------------------------------------------


@pytest.mark.parametrize("compat", ["modern", "legacy"])
@pytest.mark.parametrize("password", ["", "Pfx-pass1"])
def test_exported_pfx_opens_in_openssl3_without_legacy_and_in_keytool(lab, files, tmp_path, openssl, keytool, compat, password):
    ca, host = lab
    out = convert.export_pkcs12(
        files / "cert.pem", files / "pkcs8.pem", tmp_path / "x.pfx", chain=[ca.paths.cert], password=password, compat=compat
    )
    assert mode(out) == 0o600
    info = tool(openssl, "pkcs12", "-in", out, "-info", "-noout", "-passin", "env:PW", pw=password)
    assert ("AES-256-CBC" in info.stderr) == (compat == "modern")
    listing = tool(keytool, "-list", "-keystore", out, "-storetype", "PKCS12", "-storepass:env", "PW", pw=password)
    assert "PrivateKeyEntry" in listing.stdout and "app01" in listing.stdout
    back = read_pkcs12(out.read_bytes(), password)
    assert back.cert == host.certificate and back.chain == (ca.certificate,) and back.friendly_name == "app01.example.com"


def test_export_refuses_a_key_of_another_certificate(lab, files, tmp_path):
    ca, _ = lab
    with pytest.raises(FormatError, match="does not belong to"):
        convert.export_pkcs12(files / "cert.pem", ca.paths.key, tmp_path / "x.pfx")
    assert list(tmp_path.iterdir()) == []


def test_export_compat_values(files, tmp_path):
    with pytest.raises(UsageError, match="not modern or legacy"):
        convert.export_pkcs12(files / "cert.pem", files / "pkcs1.pem", tmp_path / "x.pfx", compat="ancient")
    convert.export_pkcs12(
        files / "cert.pem", files / "pkcs1.pem", tmp_path / "y.pfx", compat=Compat.LEGACY, friendly_name="my host"
    )
    assert read_pkcs12((tmp_path / "y.pfx").read_bytes()).friendly_name == "my host"


# -- files from elsewhere: Windows line ends, .p7b bundles, v1 certificates ---------------------


def test_pem_files_with_windows_line_ends_are_recognised_and_convert(files, tmp_path):
    for name, kind in [("cert.pem", Kind.CERTIFICATE), ("enc1.pem", Kind.ENCRYPTED_RSA_KEY)]:
        crlf = tmp_path / f"crlf_{name}"
        crlf.write_bytes((files / name).read_bytes().replace(b"\n", b"\r\n"))
        assert identify(crlf).kind is kind
    convert.convert_key(tmp_path / "crlf_enc1.pem", tmp_path / "k.pem", informat="rsa", password="pw-1234")
    assert convert.key_matches(files / "cert.pem", tmp_path / "k.pem")


def test_openssl_p7b_and_v1_certificates(files, tmp_path, openssl):
    run_tool(openssl, "crl2pkcs7", "-nocrl", "-certfile", files / "chain.pem", "-outform", "DER", "-out", tmp_path / "b.p7b")
    found = identify(tmp_path / "b.p7b")
    assert found.kind is Kind.PKCS7 and found.items[0].detail == "2 certificate(s)"
    run_tool(
        openssl,
        "x509",
        "-req",
        "-in",
        files / "csr.pem",
        "-signkey",
        files / "pkcs1.pem",
        "-days",
        "1",
        "-outform",
        "DER",
        "-out",
        tmp_path / "v1.der",
    )
    assert "Version: 1" in run_tool(openssl, "x509", "-inform", "DER", "-in", tmp_path / "v1.der", "-noout", "-text").stdout
    assert identify(tmp_path / "v1.der").kind is Kind.CERTIFICATE


def test_key_out_of_an_openssl_legacy_pfx(files, tmp_path, openssl, host_key):
    """`openssl pkcs12 -export -legacy` (RC2-40 certificates, 3DES key): what old Security Pack sites have."""
    pfx = tmp_path / "old.pfx"
    tool(
        openssl,
        "pkcs12",
        "-export",
        "-legacy",
        "-in",
        files / "cert.pem",
        "-inkey",
        files / "pkcs1.pem",
        "-passout",
        "env:PW",
        "-out",
        pfx,
        pw="Old-pass1",
    )
    assert identify(pfx).items[0].detail == "protected by a password"
    convert.convert_key(pfx, tmp_path / "k.pem", informat="pfx", password="Old-pass1")
    assert _modulus(convert.load_key(tmp_path / "k.pem")) == _modulus(host_key)
