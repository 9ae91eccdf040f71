"""Creating the CA and issuing host certificates: files, modes, ca.db, and every extension."""

import datetime as dt
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID as EKU
from cryptography.x509.oid import NameOID

from genesys_lab import create_ca, describe, load_ca
from genesys_lab.authority.store import read_db


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_create_ca_writes_the_security_pack_layout(session_ca):
    conf = session_ca.paths.conf
    names = {p.name for p in conf.iterdir() if not p.name.startswith(".")}
    assert names == {
        "ca.conf",
        "ca_cert.pem",
        "ca_cert.pfx",
        "ca_priv_key.pem",
        "ca.db",
        "ca.db.attr",
        "serial.num",
        "crlnumber",
        "repository",
    } | ({"crl.pem", "crl.der"} & names)
    assert mode(session_ca.paths.key) == 0o400
    assert session_ca.paths.key.read_bytes().startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    assert session_ca.paths.crlnumber.read_text() == "01\n"
    assert "unique_subject = no" in session_ca.paths.db_attr.read_text()


def test_ca_certificate_extensions(session_ca):
    cert = session_ca.certificate
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.key_cert_sign and ku.value.crl_sign and not ku.value.digital_signature
    ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert cert.issuer == cert.subject
    assert cert.signature_hash_algorithm.name == "sha256"
    assert cert.public_key().key_size == 2048
    days = (cert.not_valid_after_utc - cert.not_valid_before_utc).days
    assert days == 365
    subject = [(a.oid, a.value) for a in cert.subject]
    assert subject == [
        (NameOID.COUNTRY_NAME, "US"),
        (NameOID.STATE_OR_PROVINCE_NAME, "CA"),
        (NameOID.LOCALITY_NAME, "Daly City"),
        (NameOID.ORGANIZATION_NAME, "Genesys Telecommunication Labs"),
        (NameOID.ORGANIZATIONAL_UNIT_NAME, "Department"),
        (NameOID.COMMON_NAME, "Basic Certification Authority"),
        (NameOID.EMAIL_ADDRESS, "youremail@yourdomain.com"),
    ]


def test_server_certificate_files_and_modes(server_cert):
    assert server_cert.serial_file.name == f"{server_cert.serial}.pem"
    assert server_cert.cert_file.name == f"{server_cert.serial}_myHOST_cert.pem"
    assert server_cert.key_file.name == f"{server_cert.serial}_myHOST_priv_key.pem"
    assert server_cert.pfx_file.name == f"{server_cert.serial}_myHOST_cert.pfx"
    assert server_cert.serial_file.read_bytes() == server_cert.cert_file.read_bytes()
    assert mode(server_cert.key_file) == 0o600 and mode(server_cert.pfx_file) == 0o600
    assert server_cert.key_file.read_bytes().startswith(b"-----BEGIN RSA PRIVATE KEY-----")


def _ext(cert, cls):
    return cert.extensions.get_extension_for_class(cls)


@pytest.mark.parametrize("fixture, ekus", [("server_cert", [EKU.SERVER_AUTH, EKU.CLIENT_AUTH]), ("gui_cert", [EKU.CLIENT_AUTH])])
def test_every_host_extension(request, session_ca, fixture, ekus):
    cert = request.getfixturevalue(fixture).certificate
    assert _ext(cert, x509.BasicConstraints).value.ca is False
    ku = _ext(cert, x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and ku.value.key_encipherment
    assert not ku.value.key_cert_sign and not ku.value.crl_sign
    assert list(_ext(cert, x509.ExtendedKeyUsage).value) == ekus
    assert _ext(cert, x509.SubjectKeyIdentifier).value == x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
    aki = _ext(cert, x509.AuthorityKeyIdentifier).value
    assert aki.key_identifier == _ext(session_ca.certificate, x509.SubjectKeyIdentifier).value.digest
    assert cert.issuer == session_ca.certificate.subject
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == 100


def test_san_holds_host_extra_names_ip_and_extra_ips(server_cert):
    san = _ext(server_cert.certificate, x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["myHOST.domain1.domain2.com", "alias.domain1.domain2.com"]
    assert [str(a) for a in san.get_values_for_type(x509.IPAddress)] == ["10.0.0.5", "10.0.0.6"]
    assert server_cert.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "myWorkstation"


def test_db_line_is_what_openssl_ca_writes(session_ca, server_cert):
    rec = next(r for r in read_db(session_ca.paths.db) if r.serial == server_cert.serial)
    expires = server_cert.certificate.not_valid_after_utc.strftime("%y%m%d%H%M%SZ")
    assert rec.to_line() == f"V\t{expires}\t\t{server_cert.serial}\tunknown\t/CN=myWorkstation"


@pytest.mark.parametrize("digest", ["sha1", "sha224", "sha256", "sha384", "sha512"])
def test_every_digest_signs_for_real(fresh_ca, digest):
    issued = fresh_ca.issue(f"{digest}.example.com", digest, digest=digest, key_size=1024)
    cert = issued.certificate
    assert cert.signature_hash_algorithm.name == digest
    from cryptography.hazmat.primitives.asymmetric import padding

    fresh_ca.certificate.public_key().verify(
        cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm
    )
    assert ("sha1" in " ".join(issued.warnings)) == (digest == "sha1")


def test_sha1_ca_is_a_real_sha1_certificate(tmp_path):
    ca = create_ca(tmp_path, "Old CA", digest="sha1", key_size=1024).ca
    assert ca.certificate.signature_algorithm_oid.dotted_string == "1.2.840.113549.1.1.5"
    assert "default_md       = sha1" in ca.paths.config.read_text()


def test_serials_advance_in_hex_whole_bytes(fresh_ca):
    fresh_ca.paths.serial.write_text("09\n")
    first = fresh_ca.issue("a.example.com", "a", key_size=1024)
    second = fresh_ca.issue("b.example.com", "b", key_size=1024)
    assert (first.serial, second.serial) == ("09", "0A")
    assert fresh_ca.paths.serial.read_text() == "0B\n"
    assert first.certificate.serial_number == 9


def test_non_ascii_subject_reads_back(fresh_ca):
    issued = fresh_ca.issue("zh.example.ch", "Z\u00fcrich host", locality="Z\u00fcrich", country="ch", key_size=1024)
    rec = fresh_ca.record(issued.serial)
    assert rec.subject == "/C=CH/L=Z\\xC3\\xBCrich/CN=Z\\xC3\\xBCrich host"
    assert dict(describe(issued.cert_file).subject)["L"] == "Z\u00fcrich"


def test_records_and_table(session_ca, server_cert, gui_cert):
    records = {r.serial: r for r in load_ca(session_ca.paths.root).records()}
    assert records[server_cert.serial].status == "V"
    assert records[server_cert.serial].host == "myHOST"
    assert server_cert.cert_file in records[server_cert.serial].files
    from genesys_lab.course.tables import records_frame

    frame = records_frame(records.values())
    assert set(frame["serial"]) >= {server_cert.serial, gui_cert.serial}
    assert list(frame.columns[:3]) == ["serial", "status", "host"]


def test_describe_reads_every_field(server_cert):
    info = describe(server_cert.cert_file)
    assert info.common_name == "myWorkstation"
    assert info.key_type == "RSA" and info.key_size == 2048
    assert info.signature_algorithm == "sha256WithRSAEncryption"
    assert info.san_dns == ("myHOST.domain1.domain2.com", "alias.domain1.domain2.com")
    assert info.san_ip == ("10.0.0.5", "10.0.0.6")
    assert info.key_usage == ("digitalSignature", "keyEncipherment")
    assert info.extended_key_usage == ("serverAuth", "clientAuth")
    assert info.thumbprint_sha1 == server_cert.certificate.fingerprint(hashes.SHA1()).hex()
    assert info.fingerprint_sha256.count(":") == 31
    assert 98 <= info.days_left <= 100
    assert info.serial == server_cert.serial and not info.is_ca
    later = describe(server_cert.cert_file, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=150))
    assert later.days_left < 0


def test_record_lookup_in_a_large_database(fresh_ca):
    lines = [
        f"{'R' if n % 2 else 'V'}\t300101000000Z\t{'260101000000Z,superseded' if n % 2 else ''}\t{n:04X}\tunknown\t/CN=h{n}"
        for n in range(1, 3000)
    ]
    fresh_ca.paths.db.write_text("\n".join(lines) + "\n")
    rec = fresh_ca.record("0x0BB7")
    assert (rec.serial, rec.status, rec.reason, rec.subject) == ("0BB7", "R", "superseded", "/CN=h2999")
    assert fresh_ca.record("0a").subject == "/CN=h10"
    from genesys_lab.errors import CertificateNotFoundError

    with pytest.raises(CertificateNotFoundError, match="0BB8"):
        fresh_ca.record("0BB8")


def test_ca_key_that_does_not_match_the_certificate_is_refused(fresh_ca, tmp_path):
    from genesys_lab.errors import FormatError
    from genesys_lab.x509.keys import generate_rsa_key, pkcs1_pem

    fresh_ca.paths.key.chmod(0o600)
    fresh_ca.paths.key.write_bytes(pkcs1_pem(generate_rsa_key(1024)))
    before = fresh_ca.paths.db.read_bytes()
    with pytest.raises(FormatError, match="does not belong"):
        load_ca(fresh_ca.paths.root).issue("x.example.com", "x", key_size=1024)
    assert fresh_ca.paths.db.read_bytes() == before
