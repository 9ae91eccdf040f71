"""PKCS#12 files judged by the real tools: OpenSSL 3, Java's keytool, cryptography.

keytool and an empty password: `-storepass ''` is the form that works. It
is a real empty password: keytool checks the MAC and decrypts the
certificate bags (a wrong password fails with "keystore password was
incorrect"). An empty line on standard input is NOT the same: keytool
turns it into "no password", skips the integrity check (printing a big
WARNING) and silently drops encrypted certificate bags, so a CA-only file
shows 0 entries. `-storepass:file` of an empty file behaves like `''`.
"""

from __future__ import annotations

import datetime
import os
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12 as pyca_pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from helpers import require_tool

from genesys_lab.errors import FormatError, PasswordError, UsageError
from genesys_lab.formats import pkcs12 as p12
from genesys_lab.formats.pkcs12 import (
    Compat,
    build_cert_only_pkcs12,
    build_pkcs12,
    describe_pkcs12,
    read_pkcs12,
)
from genesys_lab.x509 import der as _der

PASSWORDS = ["", "Genesys-1"]
MODERN_ALG = "PBES2 PBKDF2-HMAC-SHA256 AES-256-CBC, 2048 iterations"
LEGACY_ALG = "pbeWithSHAAnd3-KeyTripleDES-CBC, 2048 iterations"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(args, input=stdin, capture_output=True, timeout=120)


# ------------------------------------------------------------ fixtures


def _cert(subject, issuer, public_key, signing_key, *, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("gsrv1.example.com")]), critical=False
        ).add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
    return builder.sign(signing_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki():
    """A CA and one host certificate: only two RSA key generations per run."""
    ca_key = rsa.generate_private_key(65537, 2048)
    host_key = rsa.generate_private_key(65537, 2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Genesys Lab Test CA")])
    host_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gsrv1.example.com")])
    ca_cert = _cert(ca_name, ca_name, ca_key.public_key(), ca_key, ca=True)
    host_cert = _cert(host_name, ca_name, host_key.public_key(), ca_key, ca=False)
    return host_key, host_cert, ca_cert


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("pkcs12")


@pytest.fixture(scope="module")
def pem_files(pki, workdir):
    """The PKI as PEM, for `openssl pkcs12 -export`."""
    key, cert, ca = pki
    key_pem = workdir / "host_key.pem"
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_pem = workdir / "host_cert.pem"
    cert_pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    ca_pem = workdir / "ca_cert.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return key_pem, cert_pem, ca_pem


def host_pfx(pki, workdir, compat: Compat, password: str):
    key, cert, ca = pki
    data = build_pkcs12(key, cert, [ca], password=password, friendly_name="gsrv1", compat=compat)
    path = workdir / f"host_{compat.value}_{len(password)}.pfx"
    path.write_bytes(data)
    return path, data


def ca_pfx(pki, workdir, compat: Compat):
    data = build_cert_only_pkcs12([pki[2]], compat=compat)
    path = workdir / f"ca_{compat.value}.pfx"
    path.write_bytes(data)
    return path, data


def openssl_export(pem_files, workdir, password: str, legacy: bool):
    """A host .pfx written by `openssl pkcs12 -export` (3.0 -legacy: RC2-40 certs)."""
    key_pem, cert_pem, ca_pem = pem_files
    path = workdir / f"openssl_{'legacy' if legacy else 'modern'}_{len(password)}.pfx"
    args = ["-legacy"] if legacy else []
    result = run(
        require_tool("openssl"),
        "pkcs12",
        "-export",
        *args,
        "-inkey",
        str(key_pem),
        "-in",
        str(cert_pem),
        "-certfile",
        str(ca_pem),
        "-name",
        "gsrv1",
        "-passout",
        f"pass:{password}",
        "-out",
        str(path),
    )
    assert result.returncode == 0, result.stderr.decode()
    return path, path.read_bytes()


both_modes = pytest.mark.parametrize("compat", list(Compat), ids=lambda c: c.value)
both_passwords = pytest.mark.parametrize("password", PASSWORDS, ids=["empty", "nonempty"])


# ------------------------------------------------------------- _der


def test_der_round_trips_the_types_pkcs12_uses():
    for dotted in ["1.2.840.113549.1.12.10.1.2", "2.16.840.1.113894.746875.1.1", "2.5.29.37.0"]:
        assert _der.decode(_der.oid(dotted)).as_oid() == dotted
    for n in [0, 127, 128, 255, 256, -1, -129, 2**64]:
        assert _der.decode(_der.integer(n)).as_int() == n
    value = _der.sequence(_der.null(), _der.bmp_string("gsrv1"), _der.explicit(0, _der.octet_string(b"x" * 300)))
    kids = _der.decode(value).children()
    assert kids[0].tag == _der.NULL
    assert kids[1].as_str() == "gsrv1"
    assert kids[2].children()[0].as_bytes() == b"x" * 300
    assert _der.decode(_der.bit_string(b"\xff")).as_bit_string() == b"\xff"


def test_der_matches_openssl_asn1parse():
    openssl = require_tool("openssl")
    encoded = _der.sequence(_der.oid("2.16.840.1.113894.746875.1.1"), _der.set_of(_der.oid("2.5.29.37.0")))
    out = run(openssl, "asn1parse", "-inform", "DER", stdin=encoded).stdout.decode()
    assert "2.16.840.1.113894.746875.1.1" in out and ":Any Extended Key Usage" in out


def test_der_reads_ber_indefinite_lengths_and_rejects_garbage():
    ber = bytes.fromhex("308024800402616204016300000000")
    assert _der.decode(ber).children()[0].as_bytes() == b"abc"
    for bad in [b"", b"\x30", b"\x30\x05\x02\x01", _der.null() + b"\x00"]:
        with pytest.raises(_der.DERError):
            _der.decode(bad)


# --------------------------------------------------- the PKCS#12 KDF

#: Known answers from OpenSSL 3's own implementation:
#: openssl kdf -keylen N -kdfopt digest:D -kdfopt hexpass:P -kdfopt hexsalt:0102030405060708
#:     -kdfopt iter:2048 -kdfopt id:I PKCS12KDF
KDF_VECTORS = [
    ("SHA256", "", 3, 32, "878f85ff6db5c92f2da873fdb0ecae4bdc9dcc3cb5faf9226d10ee23af02546a"),
    ("SHA1", "Genesys-1", 1, 24, "84c927a0bfb8df87c6490b47110ddb335e6d47b4ba468086"),
]


@pytest.mark.parametrize("digest, password, purpose, length, expected", KDF_VECTORS)
def test_pkcs12_kdf_known_answers(digest, password, purpose, length, expected):
    algorithm = getattr(hashes, digest)()
    salt = bytes.fromhex("0102030405060708")
    bmp = p12._bmp_password(password)
    assert p12._pkcs12_kdf(algorithm, bmp, salt, 2048, purpose, length).hex() == expected


@pytest.mark.interop
@pytest.mark.parametrize(
    "digest, password, salt, purpose, length",
    [
        ("SHA1", "", "0102030405", 2, 8),
        ("SHA1", "a much longer password than one hash block, to stretch", "aa" * 20, 1, 45),
        ("SHA512", "Genesys-1", "0011223344556677", 3, 64),
        ("SHA256", "ü€", "ff" * 8, 1, 70),
    ],
)
def test_pkcs12_kdf_matches_openssl(digest, password, salt, purpose, length):
    openssl = require_tool("openssl")
    bmp = p12._bmp_password(password)
    result = run(
        openssl,
        "kdf",
        "-keylen",
        str(length),
        "-kdfopt",
        f"digest:{digest}",
        "-kdfopt",
        f"hexpass:{bmp.hex()}",
        "-kdfopt",
        f"hexsalt:{salt}",
        "-kdfopt",
        "iter:3",
        "-kdfopt",
        f"id:{purpose}",
        "PKCS12KDF",
    )
    assert result.returncode == 0, result.stderr.decode()
    theirs = result.stdout.decode().strip().replace(":", "").lower()
    ours = p12._pkcs12_kdf(getattr(hashes, digest)(), bmp, bytes.fromhex(salt), 3, purpose, length)
    assert ours.hex() == theirs


# ------------------------------------------------ our host .pfx files


@pytest.mark.interop
@both_modes
@both_passwords
def test_openssl_reads_our_file_without_legacy(pki, workdir, compat, password):
    openssl = require_tool("openssl")
    path, _ = host_pfx(pki, workdir, compat, password)
    result = run(openssl, "pkcs12", "-in", str(path), "-passin", f"pass:{password}", "-nodes", "-info")
    out = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, out
    assert out.count("-----BEGIN PRIVATE KEY-----") == 1
    assert out.count("-----BEGIN CERTIFICATE-----") == 2
    if compat is Compat.MODERN:
        assert "MAC: sha256, Iteration 2048" in out
        assert out.count("PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256") == 2
    else:
        assert "MAC: sha1, Iteration 2048" in out
        assert out.count("pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048") == 2
    wrong = run(openssl, "pkcs12", "-in", str(path), "-noout", "-passin", "pass:wrong")
    assert wrong.returncode != 0


@pytest.mark.interop
@both_modes
@both_passwords
def test_keytool_lists_one_private_key_entry_with_chain(pki, workdir, compat, password):
    keytool = require_tool("keytool")
    path, _ = host_pfx(pki, workdir, compat, password)
    result = run(keytool, "-list", "-v", "-storetype", "PKCS12", "-keystore", str(path), "-storepass", password)
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    assert "Your keystore contains 1 entry" in out
    assert "Alias name: gsrv1" in out
    assert "Entry type: PrivateKeyEntry" in out
    assert "Certificate chain length: 2" in out
    assert "WARNING" not in out + result.stderr.decode()  # the MAC was checked
    wrong = run(keytool, "-list", "-storetype", "PKCS12", "-keystore", str(path), "-storepass", "wrong-pw")
    assert "keystore password was incorrect" in wrong.stdout.decode() + wrong.stderr.decode()


@both_modes
@both_passwords
def test_cryptography_loads_our_file(pki, workdir, compat, password):
    key, cert, ca = pki
    _, data = host_pfx(pki, workdir, compat, password)
    loaded = pyca_pkcs12.load_pkcs12(data, password.encode() or None)
    assert loaded.cert.certificate == cert
    assert loaded.cert.friendly_name == b"gsrv1"
    assert [c.certificate for c in loaded.additional_certs] == [ca]
    assert loaded.key.private_numbers() == key.private_numbers()


@both_modes
@both_passwords
def test_read_pkcs12_reads_our_file_back(pki, workdir, compat, password):
    key, cert, ca = pki
    _, data = host_pfx(pki, workdir, compat, password)
    contents = read_pkcs12(data, password)
    assert contents.key.private_numbers() == key.private_numbers()
    assert contents.cert == cert
    assert contents.chain == (ca,)
    assert contents.friendly_name == "gsrv1"


@both_modes
@both_passwords
def test_describe_reports_our_algorithms(pki, workdir, compat, password):
    _, cert, _ = pki
    _, data = host_pfx(pki, workdir, compat, password)
    info = describe_pkcs12(data, password)
    alg = MODERN_ALG if compat is Compat.MODERN else LEGACY_ALG
    assert info.contents == (alg, "none")
    assert info.mac == ("HMAC-SHA256" if compat is Compat.MODERN else "HMAC-SHA1")
    assert info.mac_iterations == 2048
    assert info.empty_password is (password == "")
    assert [(b.kind, b.encryption) for b in info.bags] == [("cert", alg), ("cert", alg), ("key", alg)]
    host_bag, ca_bag, key_bag = info.bags
    local_id = cert.fingerprint(hashes.SHA1()).hex()
    assert host_bag.local_key_id == key_bag.local_key_id == local_id
    assert host_bag.friendly_name == key_bag.friendly_name == "gsrv1"
    assert host_bag.subject == "CN=gsrv1.example.com" and ca_bag.subject == "CN=Genesys Lab Test CA"
    assert ca_bag.local_key_id is None
    opens = {c.consumer: c.opens for c in info.consumers}
    legacy = compat is Compat.LEGACY
    assert opens == {
        "OpenSSL 3": True,
        "OpenSSL 3 -legacy": True,
        "OpenSSL 1.1": True,
        "Java 8u301+/11+/17": True,
        "Java 8 before 8u301": legacy,
        "Windows Server 2019+/Windows 10 1709+": True,
        "Windows Server 2016 and older": legacy,
    }


# ------------------------------------------------- CA-only .pfx files


@pytest.mark.interop
@both_modes
def test_keytool_lists_ca_pfx_as_trusted_cert_entry(pki, workdir, compat):
    keytool = require_tool("keytool")
    path, _ = ca_pfx(pki, workdir, compat)
    result = run(keytool, "-list", "-v", "-storetype", "PKCS12", "-keystore", str(path), "-storepass", "")
    out = result.stdout.decode()
    assert result.returncode == 0, out + result.stderr.decode()
    assert "Your keystore contains 1 entry" in out
    assert "Entry type: trustedCertEntry" in out
    assert "CN=Genesys Lab Test CA" in out


@pytest.mark.interop
def test_keytool_empty_stdin_line_is_no_password_not_empty(pki, workdir):
    """Documents why the tests use -storepass '': stdin gives "no password"."""
    keytool = require_tool("keytool")
    path, _ = ca_pfx(pki, workdir, Compat.MODERN)
    result = run(keytool, "-list", "-storetype", "PKCS12", "-keystore", str(path), stdin=b"\n")
    out = result.stdout.decode() + result.stderr.decode()
    assert "has NOT been verified" in out
    assert "Your keystore contains 0 entries" in out


@pytest.mark.interop
@both_modes
def test_openssl_reads_ca_pfx(pki, workdir, compat):
    openssl = require_tool("openssl")
    path, _ = ca_pfx(pki, workdir, compat)
    result = run(openssl, "pkcs12", "-in", str(path), "-passin", "pass:", "-nodes", "-info")
    out = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, out
    assert out.count("-----BEGIN CERTIFICATE-----") == 1
    assert "PRIVATE KEY" not in out
    # OpenSSL 3.0 cannot name Oracle's attribute yet, but shows it with its OID.
    assert "2.16.840.1.113894.746875.1.1" in out


@both_modes
def test_ca_pfx_reads_back_and_describes_java_trust(pki, workdir, compat):
    ca = pki[2]
    _, data = ca_pfx(pki, workdir, compat)
    contents = read_pkcs12(data)
    assert (contents.key, contents.cert, contents.chain) == (None, None, (ca,))
    info = describe_pkcs12(data)
    (bag,) = info.bags
    assert (bag.kind, bag.subject, bag.java_trusted_usage) == ("cert", "CN=Genesys Lab Test CA", "2.5.29.37.0")
    assert len(info.contents) == 1 and info.contents[0] != "none"
    assert {c.consumer: c.opens for c in info.consumers}["Java 8u301+/11+/17"]


def test_ca_pfx_attribute_matches_openssl_jdktrust_encoding(pki):
    """OpenSSL 3.2+ -jdktrust: X509_ATTRIBUTE_create(trustedkeyusage, V_ASN1_OBJECT, oid)."""
    expected = _der.sequence(_der.oid("2.16.840.1.113894.746875.1.1"), _der.set_of(_der.oid("2.5.29.37.0")))
    assert p12._attribute(p12._JDK_TRUSTED_USAGE, _der.oid(p12._ANY_EXTENDED_KEY_USAGE)) == expected


# --------------------------------------- files written by openssl pkcs12


@pytest.mark.interop
@both_passwords
@pytest.mark.parametrize("legacy", [False, True], ids=["modern", "legacy"])
def test_read_pkcs12_reads_openssl_exports(pki, pem_files, workdir, password, legacy):
    key, cert, ca = pki
    _, data = openssl_export(pem_files, workdir, password, legacy)
    contents = read_pkcs12(data, password)
    assert contents.key.private_numbers() == key.private_numbers()
    assert contents.cert == cert
    assert contents.chain == (ca,)
    assert contents.friendly_name == "gsrv1"


@pytest.mark.interop
@pytest.mark.parametrize("legacy", [False, True], ids=["modern", "legacy"])
def test_describe_reports_openssl_algorithms(pem_files, workdir, legacy):
    _, data = openssl_export(pem_files, workdir, "", legacy)
    info = describe_pkcs12(data, "")
    kinds = sorted(b.kind for b in info.bags)
    assert kinds == ["cert", "cert", "key"]
    key_bag = next(b for b in info.bags if b.kind == "key")
    opens = {c.consumer: c for c in info.consumers}
    if legacy:
        assert info.contents == ("pbeWithSHAAnd40BitRC2-CBC, 2048 iterations", "none")
        assert key_bag.encryption == LEGACY_ALG
        assert info.mac == "HMAC-SHA1"
        assert not opens["OpenSSL 3"].opens and "-legacy" in opens["OpenSSL 3"].reason
        assert opens["Windows Server 2016 and older"].opens
    else:
        assert info.contents == (MODERN_ALG, "none")
        assert key_bag.encryption == MODERN_ALG
        assert info.mac == "HMAC-SHA256"
        assert opens["OpenSSL 3"].opens
        assert not opens["Windows Server 2016 and older"].opens
        assert "password" in opens["Windows Server 2016 and older"].reason


# --------------------------------------------- the empty password itself


@pytest.mark.interop
def test_empty_password_is_bmp_nul_terminator_in_openssl_and_ours(pki, pem_files, workdir):
    """OpenSSL's `-passout pass:` MACs with BMP "" + NUL (b"\\x00\\x00"), as we do."""
    _, theirs = openssl_export(pem_files, workdir, "", legacy=False)
    _, ours = host_pfx(pki, workdir, Compat.MODERN, "")
    for data in (theirs, ours):
        assert p12._mac_password(p12._parse_pfx(data), "") == b"\x00\x00"


@pytest.mark.interop
def test_tools_also_accept_the_no_bytes_form_of_an_empty_password(pki, workdir, monkeypatch):
    """OpenSSL (PKCS12_parse) and Java (RetryWithZero) retry "" as no password.

    So both forms open everywhere; we still write the NUL-terminated form
    because that is what `openssl pkcs12 -export -passout pass:` writes.
    """
    openssl, keytool = require_tool("openssl"), require_tool("keytool")
    key, cert, ca = pki
    monkeypatch.setattr(p12, "_bmp_password", lambda password: password.encode("utf-16-be"))
    data = build_pkcs12(key, cert, [ca], password="", compat=Compat.LEGACY)
    monkeypatch.undo()
    path = workdir / "no_bytes_form.pfx"
    path.write_bytes(data)
    assert p12._mac_password(p12._parse_pfx(data), "") == b""
    assert run(openssl, "pkcs12", "-in", str(path), "-passin", "pass:", "-nodes").returncode == 0
    listing = run(keytool, "-list", "-storetype", "PKCS12", "-keystore", str(path), "-storepass", "")
    assert "PrivateKeyEntry" in listing.stdout.decode()
    assert read_pkcs12(data).cert == cert


# ----------------------------------------------------------- bad input


@both_modes
def test_wrong_password_is_a_password_error(pki, workdir, compat):
    _, data = host_pfx(pki, workdir, compat, "Genesys-1")
    for func in (read_pkcs12, describe_pkcs12):
        with pytest.raises(PasswordError, match="password"):
            func(data, "wrong")
        with pytest.raises(PasswordError, match="password"):
            func(data)  # the Security Pack default, empty


def test_not_a_pkcs12_is_a_format_error(pki, workdir):
    _, data = host_pfx(pki, workdir, Compat.MODERN, "")
    pem = pki[1].public_bytes(serialization.Encoding.PEM)
    der = pki[1].public_bytes(serialization.Encoding.DER)
    for bad in [os.urandom(512), pem, der, data[:-40], b""]:
        with pytest.raises(FormatError):
            read_pkcs12(bad)
        with pytest.raises(FormatError):
            describe_pkcs12(bad)
    with pytest.raises(FormatError, match="PEM"):
        read_pkcs12(pem)


def test_build_refuses_a_key_of_another_certificate(pki):
    key, _, ca = pki
    with pytest.raises(UsageError, match="does not belong"):
        build_pkcs12(key, ca)
    with pytest.raises(UsageError):
        build_pkcs12(key, pki[1], password=b"bytes")
    with pytest.raises(UsageError):
        build_cert_only_pkcs12([])
