"""check-install: every permission verdict is proved by really reading the file as that uid (setpriv, numeric ids).

The checker says "readable" exactly when ``setpriv --reuid U --regid G
--clear-groups cat FILE`` succeeds; "nobody else" fails exactly when some
other uid can really read the key. No accounts are added to the machine.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from helpers import require_tool, snapshot

from genesys_lab import check_install, create_ca, deploy
from genesys_lab.errors import UsageError
from genesys_lab.install.checker import Verdict

BIN = Path(sys.executable).parent
APP, GROUP, STRANGER, OTHER_GROUP = 4001, 4100, 4999, 4200


def need_root():
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("reading as other uids (setpriv --reuid) needs root; .ci/run runs as root")
        pytest.skip("reading as other uids (setpriv --reuid) needs root")
    return require_tool("setpriv")


def read_as(uid: int, gid: int, path: Path, groups=()) -> bool:
    """The oracle: can this uid (with these groups only) really read the file?"""
    setpriv = need_root()
    group_args = ["--groups", ",".join(map(str, groups))] if groups else ["--clear-groups"]
    proc = subprocess.run([setpriv, "--reuid", str(uid), "--regid", str(gid), *group_args, "cat", str(path)], capture_output=True)
    return proc.returncode == 0


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("check_ca")
    ca = create_ca(root, "Check CA").ca
    return ca, ca.issue("app01.example.com", "app01")


@pytest.fixture
def base():
    """A folder every uid can reach (pytest's tmp_path lives under a 0700 folder of root)."""
    folder = Path(tempfile.mkdtemp(prefix="genesys-lab-check-", dir="/tmp"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def set_acl(path: Path, entries):
    """A POSIX access ACL written as the kernel stores it (acl(5); system.posix_acl_access, version 2)."""
    tags = {"user_obj": 0x01, "user": 0x02, "group_obj": 0x04, "group": 0x08, "mask": 0x10, "other": 0x20}
    data = struct.pack("<I", 2) + b"".join(
        struct.pack("<HHI", tags[tag], perm, 0xFFFFFFFF if ident is None else ident) for tag, perm, ident in entries
    )
    os.setxattr(path, "system.posix_acl_access", data)


def _acl(user_obj=6, users=(), group_obj=0, groups=(), mask=None, other=0):
    entries = [("user_obj", user_obj, None), *[("user", p, u) for u, p in users], ("group_obj", group_obj, None)]
    entries += [("group", p, g) for g, p in groups]
    entries += [("mask", mask if mask is not None else 7, None), ("other", other, None)]
    return entries


# (label, mode, owner uid, owner gid, acl, --group given, who else really reads it)
CASES = [
    ("0600 owned by the account", 0o600, APP, APP, None, None, []),
    ("0644 world-readable", 0o644, APP, APP, None, None, [(STRANGER, STRANGER)]),
    ("0600 owned by root", 0o600, 0, 0, None, None, []),
    ("0640 root:group, group given", 0o640, 0, GROUP, None, GROUP, []),
    ("0640 root:group, no group given", 0o640, 0, GROUP, None, None, [(STRANGER, GROUP)]),
    ("0060 owner has no bits, group has", 0o060, APP, APP, None, None, [(STRANGER, APP)]),
    ("0604 owner and others", 0o604, APP, APP, None, None, [(STRANGER, STRANGER)]),
    ("0640 account's own group, other group members", 0o640, APP, OTHER_GROUP, None, None, [(STRANGER, OTHER_GROUP)]),
    ("ACL user:account:r on a root 0600 key", None, 0, 0, _acl(users=[(APP, 4)], mask=4), None, []),
    ("ACL user:stranger:r", None, APP, APP, _acl(users=[(STRANGER, 4)], mask=4), None, [(STRANGER, STRANGER)]),
    ("ACL user:account:r masked out", None, 0, 0, _acl(users=[(APP, 4)], mask=0), None, []),
    ("ACL group:other:r", None, APP, APP, _acl(groups=[(OTHER_GROUP, 4)], mask=4), None, [(STRANGER, OTHER_GROUP)]),
]


@pytest.mark.parametrize("label, mode, uid, gid, acl, group, intruders", CASES, ids=[c[0] for c in CASES])
def test_key_verdicts_match_real_reads(lab, base, label, mode, uid, gid, acl, group, intruders):
    need_root()
    ca, host = lab
    out = base / "certs"
    deploy(ca, host.serial, "unix", out)
    key = out / f"{host.serial}_app01_priv_key.pem"
    os.chown(key, uid, gid)
    os.chmod(key, mode if mode is not None else 0o600)
    if acl is not None:
        set_acl(key, acl)
    report = check_install(out, "unix", str(APP), group=group, host="app01.example.com")
    app_gid = group if group is not None else APP
    readable = report.row(f"key readable by {APP}").verdict is Verdict.PASS
    assert readable == read_as(APP, app_gid, key), label
    nobody_else = report.row("key readable by nobody else")
    for intruder in intruders:
        assert read_as(*intruder, key), f"{label}: {intruder} was expected to read the key"
    if intruders:
        assert nobody_else.verdict is Verdict.FAIL, (label, nobody_else)
    elif uid in (APP, 0):
        assert nobody_else.verdict is Verdict.PASS, (label, nobody_else)
        assert not read_as(STRANGER, STRANGER, key) and not read_as(STRANGER, OTHER_GROUP, key)


def test_a_world_readable_key_fails_and_the_printed_fix_makes_it_pass(lab, base):
    need_root()
    ca, host = lab
    out = base / "certs"
    deploy(ca, host.serial, "unix", out, owner=str(APP))
    key = out / f"{host.serial}_app01_priv_key.pem"
    os.chmod(key, 0o644)
    report = check_install(out, "unix", str(APP), host="app01.example.com")
    row = report.row("key readable by nobody else")
    assert row.verdict is Verdict.FAIL and "every account on the host can read it" in row.reason
    assert read_as(STRANGER, STRANGER, key)
    assert row.fix == f"chmod 600 {key}"
    subprocess.run(row.fix, shell=True, check=True)
    after = check_install(out, "unix", str(APP), host="app01.example.com")
    assert after.ok, after.failures
    assert not read_as(STRANGER, STRANGER, key) and read_as(APP, APP, key)


def test_a_closed_parent_folder_fails_searchable_and_its_fix_opens_it(lab, base):
    need_root()
    ca, host = lab
    middle = base / "closed"
    middle.mkdir(mode=0o700)
    out = middle / "certs"
    deploy(ca, host.serial, "unix", out, owner=str(APP))
    cert = out / f"{host.serial}_app01_cert.pem"
    report = check_install(out, "unix", str(APP))
    row = report.row("folders searchable")
    assert row.verdict is Verdict.FAIL and str(middle) in row.reason
    assert report.row(f"{cert.name} readable by {APP}").verdict is Verdict.PASS  # its own bits allow it ...
    assert not read_as(APP, APP, cert)  # ... but the folder stops the read, as the checker said
    subprocess.run(row.fix, shell=True, check=True)
    assert check_install(out, "unix", str(APP)).row("folders searchable").verdict is Verdict.PASS
    assert read_as(APP, APP, cert)


def test_a_world_writable_folder_fails_but_a_sticky_one_passes(lab, base):
    ca, host = lab
    out = base / "certs"
    deploy(ca, host.serial, "unix", out)
    os.chmod(out, 0o777)
    row = check_install(out, "unix", str(os.geteuid())).row("no world-writable folder")
    assert row.verdict is Verdict.FAIL and row.fix == f"chmod o-w {out.resolve()}"
    subprocess.run(row.fix, shell=True, check=True)
    os.chmod(base, 0o1777)
    row = check_install(out, "unix", str(os.geteuid())).row("no world-writable folder")
    assert row.verdict is Verdict.PASS and "sticky" in row.reason


def test_contents_rows_key_match_chain_san_days(lab, tmp_path, fresh_ca):
    ca, host = lab
    out = tmp_path / "certs"
    deploy(ca, host.serial, "unix", out)
    account = str(os.geteuid())
    good = check_install(out, "unix", account, host="app01.example.com")
    for name in ("key matches certificate", "chain verifies", "host in SAN", "days left"):
        assert good.row(name).verdict is Verdict.PASS
    assert check_install(out, "unix", account, host="other.example.com").row("host in SAN").verdict is Verdict.FAIL
    foreign = fresh_ca.issue("x.example.com", "x", key_size=1024)
    shutil.copy(fresh_ca.paths.cert, out / "ca_cert.pem")
    assert check_install(out, "unix", account).row("chain verifies").verdict is Verdict.FAIL
    shutil.copy(ca.paths.cert, out / "ca_cert.pem")
    key = out / f"{host.serial}_app01_priv_key.pem"
    key.write_bytes(foreign.key_file.read_bytes())
    assert check_install(out, "unix", account).row("key matches certificate").verdict is Verdict.FAIL


def test_java_pem_wants_pkcs8_and_prints_convert_priv_key(lab, tmp_path):
    ca, host = lab
    out = tmp_path / "java"
    deploy(ca, host.serial, "java-pem", out)
    account = str(os.geteuid())
    assert check_install(out, "java-pem", account).row("key is PKCS#8").verdict is Verdict.PASS
    new = out / f"{host.serial}_app01_priv_key_NEW.pem"
    os.unlink(new)
    shutil.copy(host.key_file, out / host.key_file.name)
    missing = check_install(out, "java-pem", account).row("private key present")
    assert missing.verdict is Verdict.FAIL and missing.fix.startswith("convert_priv_key.sh -in ")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(missing.fix, shell=True, check=True, env=env, capture_output=True)
    assert check_install(out, "java-pem", account).ok


def test_java_keystore_password_rows(lab, tmp_path):
    require_tool("keytool")
    ca, host = lab
    out = tmp_path / "ks"
    deploy(ca, host.serial, "java-keystore", out, storepass="keystore-pw", trustpass="truststore-pw")
    account = str(os.geteuid())
    good = check_install(
        out, "java-keystore", account, storepass="keystore-pw", trustpass="truststore-pw", host="app01.example.com"
    )
    assert good.ok, good.failures
    wrong = check_install(out, "java-keystore", account, storepass="wrong-pw", trustpass="truststore-pw")
    row = wrong.row("keystore opens")
    assert row.verdict is Verdict.FAIL and "password" in row.reason


def test_missing_files_and_a_folder_instead_of_a_file(lab, tmp_path):
    ca, host = lab
    out = tmp_path / "certs"
    deploy(ca, host.serial, "unix", out)
    os.unlink(out / "ca_cert.pem")
    (out / "ca_cert.pem").mkdir()
    report = check_install(out, "unix", str(os.geteuid()))
    assert (
        report.row("CA certificate present").verdict is Verdict.FAIL
        and "is a folder" in report.row("CA certificate present").reason
    )
    with pytest.raises(UsageError, match="not a folder"):
        check_install(out / "MANIFEST.tsv", "unix", "0")
    with pytest.raises(UsageError, match="not a platform"):
        check_install(out, "mac", "0")
    with pytest.raises(UsageError, match="does not exist"):
        check_install(out, "unix", "no-such-account-xyz")


def test_cli_check_install_table_fix_and_exit_code(lab, base):
    ca, host = lab
    out = base / "certs"
    deploy(ca, host.serial, "unix", out)
    os.chmod(out / f"{host.serial}_app01_priv_key.pem", 0o644)
    before = snapshot(out)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(
        ["genesys-lab", "check-install", str(out), "--platform", "unix", "--account", str(os.geteuid())],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 1
    assert "fail     key readable by nobody else" in proc.stdout and f"chmod 600 {out}/" in proc.stdout
    assert snapshot(out) == before  # the checker changes nothing
    bad = subprocess.run(
        ["genesys-lab", "check-install", str(out), "--platform", "solaris", "--account", "0"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1


def test_named_account_and_group_from_the_system_databases(lab, base):
    """--owner/--account/--group by name (nobody/nogroup, present on Debian): the verdict still matches a real read."""
    import grp
    import pwd

    need_root()
    try:
        uid, gid = pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid
    except KeyError:
        pytest.skip("no nobody/nogroup entries on this system")
    ca, host = lab
    out = base / "named"
    deploy(ca, host.serial, "unix", out, owner="nobody", group="nogroup")
    key = out / f"{host.serial}_app01_priv_key.pem"
    assert (key.stat().st_uid, key.stat().st_gid, key.stat().st_mode & 0o777) == (uid, gid, 0o640)
    report = check_install(out, "unix", "nobody", group="nogroup", host="app01.example.com")
    assert report.ok, report.failures
    assert read_as(uid, gid, key) and not read_as(STRANGER, STRANGER, key)
    stranger = check_install(out, "unix", str(STRANGER))
    assert stranger.row(f"key readable by {STRANGER}").verdict is Verdict.FAIL and not read_as(STRANGER, STRANGER, key)
