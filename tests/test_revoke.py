"""Revocation: ca.db changes exactly as `openssl ca -revoke -crl_reason` changes it; refusals change nothing."""

import datetime as dt
import re
import shutil

import pytest
from helpers import make_ca, openssl_ca, run_tool, snapshot

from genesys_lab import load_ca
from genesys_lab.authority.revoke import Reason, names, revoke
from genesys_lab.errors import RevocationError
from genesys_lab.x509 import keys

OPENSSL_CASE = [
    "unspecified",
    "KEYCOMPROMISE",
    "cacompromise",
    "AffiliationChanged",
    "superseded",
    "cessationOfOperation",
    "certificatehold",
    "REMOVEFROMCRL",
]


@pytest.fixture(scope="module")
def base_ca(tmp_path_factory):
    """A 1024-bit CA with ten certificates sharing one host key (one key generation for the module)."""
    root = tmp_path_factory.mktemp("base")
    ca = make_ca(root, "Revocation Test CA")
    host_key = keys.generate_rsa_key(1024)
    for i in range(10):
        ca.issue(f"host{i}.example.com", f"host{i}", key=host_key, key_size=1024)
    return root


@pytest.fixture
def ca_copy(base_ca, tmp_path):
    def copy(name="ca"):
        return load_ca(shutil.copytree(base_ca, tmp_path / name))

    return copy


def openssl_status(openssl, ca, serial: str) -> str:
    """What `openssl ca -status` says (it exits 1 for anything but a valid certificate)."""
    proc = openssl_ca(openssl, ca, "-status", serial, check=False)
    return (proc.stdout + proc.stderr).splitlines()[-1]


def mask_times(text: str) -> str:
    """ca.db with the revocation time (the only field that depends on the clock) blanked."""
    return re.sub(r"^(R\t\S+\t)\d{12,14}Z", r"\1TIME", text, flags=re.MULTILINE)


def test_reason_names_are_openssls_and_case_insensitive():
    assert names() == [
        "unspecified",
        "keyCompromise",
        "CACompromise",
        "affiliationChanged",
        "superseded",
        "cessationOfOperation",
        "certificateHold",
        "removeFromCRL",
    ]
    assert [Reason.parse(r).value for r in OPENSSL_CASE] == names()
    assert [r.code for r in Reason] == [0, 1, 2, 3, 4, 5, 6, 8]


def test_differential_with_openssl_ca_revoke(openssl, ca_copy):
    """Same revocations, by openssl on one copy and by genesys_lab on the other: same ca.db but for the clock."""
    theirs, ours = ca_copy("openssl"), ca_copy("genesys")
    for i, reason in enumerate([*OPENSSL_CASE, None], 1):
        serial = f"{i:02X}"
        extra = ["-crl_reason", reason] if reason else []
        openssl_ca(openssl, theirs, "-revoke", f"ca_conf/repository/{serial}.pem", *extra)
        revoke(ours, serial, reason)
    their_db, our_db = theirs.paths.db.read_text(), ours.paths.db.read_text()
    assert mask_times(our_db) == mask_times(their_db)
    assert mask_times(our_db).count("R\t") == 9
    for i in range(1, 11):
        expected = "Revoked (R)" if i <= 9 else "Valid (V)"
        assert openssl_status(openssl, ours, f"{i:02X}") == f"{i:02X}={expected}"


def test_line_format_and_only_that_line_changes(ca_copy):
    ca = ca_copy()
    before = ca.paths.db.read_text().splitlines()
    when = dt.datetime(2026, 3, 4, 5, 6, 7, 890, tzinfo=dt.UTC)
    done = revoke(ca, "0x0a", "keyCompromise", when=when)
    after = ca.paths.db.read_text().splitlines()
    assert after[:9] == before[:9]
    assert done.line == after[9]
    status, expires, revocation, serial, filename, subject = after[9].split("\t")
    assert (status, revocation, serial, filename, subject) == ("R", "260304050607Z,keyCompromise", "0A", "unknown", "/CN=host9")
    assert expires == before[9].split("\t")[1]
    assert ca.record("0A").status == "R" and ca.record("0A").reason == "keyCompromise"


def test_no_reason_writes_only_the_time_and_2050_uses_generalized_time(openssl, ca_copy):
    ca = ca_copy()
    revoke(ca, "01")
    revoke(ca, "02", when=dt.datetime(2051, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    lines = ca.paths.db.read_text().splitlines()
    assert re.fullmatch(r"\d{12}Z", lines[0].split("\t")[2])
    assert lines[1].split("\t")[2] == "20510102030405Z"
    assert openssl_status(openssl, ca, "02") == "02=Revoked (R)"


def test_revoke_by_certificate_file_and_by_int(ca_copy):
    ca = ca_copy()
    assert revoke(ca, ca.paths.repository / "03_host2_cert.pem", "superseded").serial == "03"
    assert revoke(ca, str(ca.paths.repository / "04.pem")).serial == "04"
    assert revoke(ca, 5, Reason.CESSATION_OF_OPERATION).reason is Reason.CESSATION_OF_OPERATION
    assert [r.status for r in ca.records()][2:5] == ["R", "R", "R"]


def test_openssl_gencrl_accepts_our_revocations(openssl, ca_copy):
    ca = ca_copy()
    revoke(ca, "02", "CACompromise")
    openssl_ca(openssl, ca, "-gencrl", "-out", "openssl_crl.pem")
    text = run_tool(openssl, "crl", "-in", ca.paths.root / "openssl_crl.pem", "-noout", "-text").stdout
    assert "Serial Number: 02" in text and "CA Compromise" in text


@pytest.mark.parametrize(
    "args, words",
    [
        (("0B", None), ["0B", "genesys-lab list"]),
        (("01", "compromised"), ["'compromised'", "keyCompromise"]),
        (("01", "holdInstruction"), ["'holdInstruction'", "certificateHold"]),
        (("zz-not-a-file.pem", None), ["zz-not-a-file.pem", "serial"]),
    ],
)
def test_refusals_change_nothing(ca_copy, args, words):
    ca = ca_copy()
    before = snapshot(ca.paths.root)
    with pytest.raises(RevocationError) as err:
        revoke(ca, *args)
    assert all(w in str(err.value) for w in words), str(err.value)
    assert snapshot(ca.paths.root) == before


def test_openssl_also_refuses_those_reasons(openssl, ca_copy):
    ca = ca_copy()
    for bad in ("compromised", "holdInstruction"):
        proc = openssl_ca(openssl, ca, "-revoke", "ca_conf/repository/01.pem", "-crl_reason", bad, check=False)
        assert proc.returncode != 0 and "Unknown CRL reason" in proc.stderr


def test_revoking_twice_is_refused_and_changes_nothing(openssl, ca_copy):
    ca = ca_copy()
    revoke(ca, "02", "superseded")
    before = snapshot(ca.paths.root)
    with pytest.raises(RevocationError, match=r"serial 02 is already revoked .*superseded"):
        revoke(ca, "02", "keyCompromise")
    assert snapshot(ca.paths.root) == before
    proc = openssl_ca(openssl, ca, "-revoke", "ca_conf/repository/02.pem", check=False)
    assert "Already revoked" in proc.stderr


def test_certificate_of_another_ca_is_refused(ca_copy, tmp_path):
    ca = ca_copy()
    foreign_root = tmp_path / "foreign"
    foreign_root.mkdir()
    foreign = make_ca(foreign_root, "Another CA", key=ca.key)
    issued = foreign.issue("host0.example.com", "host0", key=ca.key, key_size=1024)
    before = snapshot(ca.paths.root)
    with pytest.raises(RevocationError, match="issued by /CN=Another CA, not by this CA"):
        revoke(ca, issued.cert_file)
    assert snapshot(ca.paths.root) == before


def test_a_file_whose_subject_differs_from_ca_db_is_refused(ca_copy, tmp_path):
    """OpenSSL's 'name does not match': serial 01 in ca.db is host0, the file says otherwise."""
    ca = ca_copy()
    lines = ca.paths.db.read_text().splitlines(keepends=True)
    lines[0] = lines[0].replace("/CN=host0", "/CN=someone-else")
    ca.paths.db.write_text("".join(lines))
    before = snapshot(ca.paths.root)
    with pytest.raises(RevocationError, match="someone-else"):
        revoke(ca, ca.paths.repository / "01.pem")
    assert snapshot(ca.paths.root) == before
