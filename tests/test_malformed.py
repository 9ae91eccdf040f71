"""Every reader of outside data turns every failure into one GenesysLabError line, and never hangs.

The corpus (tests/malformed.py) holds hand-made DER for the failures
cryptography raises lazily (UnsupportedAlgorithm, InvalidVersion,
DuplicateExtension, UnsupportedGeneralNameType, bad UTF-8 names, CRL
entries with unknown reasons, broken certificateIssuer extensions,
fractional seconds) and seeded mutants of real files the lab makes. Each
reader gets each file; only GenesysLabError may escape.
"""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization as s
from helpers import deadline, run_tool
from malformed import corpus, named

from genesys_lab import cli
from genesys_lab.authority.crl import generate_crl, parse_crl
from genesys_lab.checks.verify import verify
from genesys_lab.errors import GenesysLabError
from genesys_lab.formats.convert import load_key
from genesys_lab.formats.identify import Kind, identify
from genesys_lab.formats.pkcs12 import describe_pkcs12, read_pkcs12
from genesys_lab.x509.describe import describe
from genesys_lab.x509.keys import load_private_key
from genesys_lab.x509.read import read_certificate, read_certificates


@pytest.fixture(scope="module")
def valid(tmp_path_factory):
    from helpers import make_ca

    ca = make_ca(tmp_path_factory.mktemp("malformed"), "Corpus CA")
    host = ca.issue("corpus.example.com", "corpus", key_size=1024)
    from genesys_lab.authority.revoke import revoke

    revoke(ca, host.serial, "keyCompromise")
    crl = generate_crl(ca)
    cert_der = host.certificate.public_bytes(s.Encoding.DER)
    return {
        "valid-cert": cert_der,
        "valid-cert.pem": host.cert_file.read_bytes(),
        "valid-crl": crl.der,
        "valid-key": host.key_file.read_bytes(),
        "valid-pkcs8": load_key(host.key_file).private_bytes(s.Encoding.DER, s.PrivateFormat.PKCS8, s.NoEncryption()),
        "valid-pfx": host.pfx_file.read_bytes(),
    }, ca


@pytest.fixture(scope="module")
def files(valid):
    return corpus(valid[0])


def _each(files, reader, *, seconds: int = 20):
    """Run ``reader`` on every file; collect anything but a GenesysLabError (with the file's name)."""
    escaped = []
    with deadline(seconds):
        for case, data in files.items():
            try:
                reader(data)
            except GenesysLabError as exc:
                assert "\n" not in str(exc).strip(), (case, str(exc))
            except Exception as exc:  # the defect this test exists to find
                escaped.append(f"{case}: {type(exc).__name__}: {exc}")
    assert not escaped, "\n".join(escaped[:20])


def test_the_corpus_holds_what_cryptography_raises_lazily():
    """The hand-made cases really are the failures named in the docstring (otherwise the tests below prove less)."""
    from cryptography import x509
    from cryptography.exceptions import UnsupportedAlgorithm

    cases = named()
    with pytest.raises(UnsupportedAlgorithm):
        x509.load_der_x509_certificate(cases["cert-unknown-key-oid"]).public_key()
    with pytest.raises(UnsupportedAlgorithm):
        x509.load_der_x509_certificate(cases["cert-explicit-ec-curve"]).public_key()
    with pytest.raises(x509.InvalidVersion):
        x509.load_der_x509_certificate(cases["cert-invalid-version"])
    with pytest.raises(x509.DuplicateExtension):
        _ = x509.load_der_x509_certificate(cases["cert-duplicate-extension"]).extensions
    with pytest.raises(x509.UnsupportedGeneralNameType):
        _ = x509.load_der_x509_certificate(cases["cert-san-x400-address"]).extensions
    with pytest.raises(ValueError):
        _ = x509.load_der_x509_certificate(cases["cert-cn-bad-utf8"]).subject
    crl = x509.load_der_x509_crl(cases["crl-unknown-reason-code"])  # loads: the entries fail later
    with pytest.raises(ValueError):
        [r.extensions for r in crl]
    with pytest.raises(x509.InvalidVersion):
        x509.load_der_x509_csr(cases["csr-invalid-version"])


def test_identify_never_raises(files):
    _each(files, identify)


def test_identify_never_calls_an_unloadable_key_a_private_key(files):
    """Whatever identify names a plain private key must load as one (encrypted keys need a password)."""
    wrong = []
    for case, data in files.items():
        for item in identify(data).items:
            if item.kind in (Kind.RSA_KEY, Kind.PKCS8_KEY, Kind.OTHER_KEY):
                try:
                    load_private_key(item.pem or item.der, check=True)
                except GenesysLabError as exc:
                    wrong.append(f"{case}: identify says {item}, but: {exc}")
    assert not wrong, "\n".join(wrong)


def test_certificate_readers_raise_only_genesys_lab_errors(files):
    _each(files, read_certificate)
    _each(files, read_certificates)
    _each(files, describe)


def test_inspect_command_prints_one_line(files, tmp_path, capsys):
    for case in ("cert-unknown-key-oid", "cert-duplicate-extension", "cert-cn-bad-utf8", "cert-invalid-version"):
        path = tmp_path / f"{case}.der"
        path.write_bytes(files[case])
        assert cli.main(["inspect", str(path)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err and str(path) in err, err
        assert "cryptography" in err and "OpenSSL" in err, err  # says where the library is stricter


def test_key_readers_raise_only_genesys_lab_errors(files):
    _each(files, load_key)
    _each(files, lambda data: load_key(data, password="wrong"))
    _each(files, load_private_key)


def test_pkcs12_readers_raise_only_genesys_lab_errors(files):
    pfx = {k: v for k, v in files.items() if "pfx" in k or "pkcs12" in k or "cert" in k}
    _each(pfx, describe_pkcs12, seconds=60)
    _each(pfx, read_pkcs12, seconds=60)


def test_crl_reader_and_its_lazy_entries_raise_only_genesys_lab_errors(files, valid):
    ca = valid[1]

    def read(data):
        crl = parse_crl(data)
        _ = crl.entries, crl.count, crl.is_revoked(5), crl.to_rows()
        crl.is_signed_by(ca.certificate)

    _each(files, read)


def test_verify_raises_only_genesys_lab_errors(files, valid):
    ca = valid[1]
    leaf = valid[0]["valid-cert"]
    _each(files, lambda data: verify(data, ca=ca))  # a damaged certificate
    _each(files, lambda data: verify(leaf, ca=data))  # a damaged or unreadable issuer (key)
    _each(files, lambda data: verify(leaf, ca=ca, crl=data))  # a damaged CRL
    _each(files, lambda data: verify(leaf, ca=ca, chain=[data]))  # a damaged intermediate


# -- identify names what each key file is ------------------------------------------------------


@pytest.fixture(scope="module")
def odd_keys(tmp_path_factory, openssl):
    """Key files made by openssl itself in the forms identify used to misname."""
    folder = tmp_path_factory.mktemp("keys")

    def tool(*args):
        run_tool(openssl, *args, cwd=folder)

    tool("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem")
    tool("ec", "-in", "ec.pem", "-aes256", "-passout", "pass:secret1", "-out", "ec_enc.pem")
    tool("ec", "-in", "ec.pem", "-outform", "DER", "-out", "ec.der")
    tool("dsaparam", "-genkey", "-noout", "-out", "dsa.pem", "1024")
    tool("dsa", "-in", "dsa.pem", "-aes256", "-passout", "pass:secret1", "-out", "dsa_enc.pem")
    tool("dsa", "-in", "dsa.pem", "-outform", "DER", "-out", "dsa.der")
    tool("dsa", "-in", "dsa.pem", "-pubout", "-out", "dsa_pub.pem")
    tool("genrsa", "-out", "rsa.pem", "1024")
    tool("rsa", "-in", "rsa.pem", "-RSAPublicKey_out", "-outform", "DER", "-out", "rsa_pub.der")
    spki = (folder / "dsa_pub.pem").read_text().replace("PUBLIC KEY", "DSA PUBLIC KEY")
    (folder / "dsa_pub_label.pem").write_text(spki)
    return folder


@pytest.mark.parametrize(
    "name, kind, words",
    [
        ("ec_enc.pem", Kind.ENCRYPTED_OTHER_KEY, ["EC, traditional OpenSSL encryption", "AES-256-CBC"]),
        ("dsa_enc.pem", Kind.ENCRYPTED_OTHER_KEY, ["DSA, traditional OpenSSL encryption", "AES-256-CBC"]),
        ("ec.der", Kind.OTHER_KEY, ["EC 256 bits"]),
        ("dsa.der", Kind.OTHER_KEY, ["DSA 1024 bits"]),
        ("rsa_pub.der", Kind.PUBLIC_KEY, ["RSA 1024 bits"]),
        ("dsa_pub_label.pem", Kind.PUBLIC_KEY, ["DSA 1024 bits"]),
    ],
)
def test_identify_names_traditional_and_public_keys(odd_keys, name, kind, words):
    found = identify(odd_keys / name)
    assert found.kind is kind, found.summary()
    for word in words:
        assert word in found.summary(), found.summary()


def test_a_key_cryptography_cannot_load_is_not_called_a_private_key():
    for case in ("pkcs8-unknown-algorithm", "pkcs8-ec-unknown-curve"):
        item = identify(named()[case]).items[0]
        assert not item.kind.is_private_key, str(item)
        assert "cryptography" in str(item) or "damaged" in str(item), str(item)
    item = identify(named()["pkcs8-unknown-algorithm"]).items[0]
    assert item.kind is Kind.UNSUPPORTED and "OpenSSL may be more lenient" in str(item)
