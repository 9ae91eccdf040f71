"""Check an installed certificate folder as the Genesys application's account will see it.

One row a check, pass / warn / fail, why, and the exact command that fixes
it. The guide asks for two things that pull apart (section "Installing
Certificates on UNIX for Native Applications"): the files readable by every
Genesys application on the host, and the private key accessible only to
authorised people. So the key must be readable by the account (or the group
given for several applications' accounts) and by no one else, root aside;
the certificates by the account; every parent folder searchable
(a missing x bit on any folder makes open(2) fail with EACCES); and no
folder on the way writable by everyone (anyone could swap the files),
except a folder with the sticky bit, where only an entry's owner may rename
or remove it (as /tmp).

For Java (section "... for Applications with Java dependency") the key must
be PKCS#8 (``PKCS8EncodedKeySpec`` reads nothing else), or the keystore must
open with its password and hold the key, and the truststore the CA.
"""

from __future__ import annotations

import dataclasses
import enum
import shlex
import stat
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.errors import GenesysLabError, UsageError
from genesys_lab.install import accounts
from genesys_lab.install.bundle import TRUSTSTORE, Platform

EXPIRY_WARNING_DAYS = 30


class Verdict(enum.Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Row:
    check: str
    verdict: Verdict
    reason: str
    fix: str = ""


@dataclass(frozen=True)
class InstallReport:
    directory: Path
    platform: Platform
    account: str
    rows: tuple[Row, ...]

    @property
    def ok(self) -> bool:
        return all(r.verdict is not Verdict.FAIL for r in self.rows)

    @property
    def failures(self) -> tuple[Row, ...]:
        return tuple(r for r in self.rows if r.verdict is Verdict.FAIL)

    def row(self, check: str) -> Row:
        for r in self.rows:
            if r.check == check:
                return r
        raise KeyError(check)

    def fixes(self) -> list[str]:
        seen: list[str] = []
        for r in self.rows:
            if r.fix and r.verdict is not Verdict.PASS and r.fix not in seen:
                seen.append(r.fix)
        return seen

    def to_rows(self) -> list[dict]:
        return [{"check": r.check, "verdict": r.verdict.value, "reason": r.reason, "fix": r.fix} for r in self.rows]


def _q(path) -> str:
    return shlex.quote(str(path))


@dataclass(frozen=True)
class _Files:
    cert: Path | None
    key: Path | None
    ca: object | None  # a path, or the CA certificate found in the truststore
    keystore: Path | None = None
    truststore: Path | None = None


def check_install(
    directory,
    platform,
    account,
    *,
    group=None,
    host: str | None = None,
    ca=None,
    storepass: str | None = None,
    trustpass: str | None = None,
) -> InstallReport:
    """Every check of an installed folder for ``account`` (a name or a uid) and, optionally, ``group``."""
    kind = Platform.parse(platform)
    if kind is Platform.WINDOWS:
        raise UsageError("check-install checks UNIX and Java folders: on Windows, look in MMC (Computer account) instead")
    folder = Path(directory)
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder: give the folder the certificates were installed in")
    who = accounts.resolve(account, group)
    gid = accounts.group_id(group) if group is not None else None
    rows: list[Row] = []
    files = _find(folder, kind, ca, rows)
    cert = None
    if kind is Platform.JAVA_KEYSTORE:
        cert, key, trusted = _keystore_rows(files, storepass, trustpass, rows)
        files = dataclasses.replace(files, ca=files.ca or trusted)
    else:
        cert, key = _pem_rows(files, kind, rows)
    if cert is not None:
        _certificate_rows(cert, files, key, host, rows)
    secret = files.keystore if kind is Platform.JAVA_KEYSTORE else files.key
    if secret is not None and secret.is_file():
        rows += _secret_rows(secret, who, gid)
    for path in (files.cert, files.ca, files.truststore):
        if isinstance(path, Path) and path.is_file():
            rows.append(_readable_row(path, who, path.name))
    rows += _folder_rows(folder, who)
    return InstallReport(folder, kind, who.name, tuple(rows))


# -- finding the files -------------------------------------------------------------


def _find(folder: Path, kind: Platform, ca, rows: list[Row]) -> _Files:
    certs = sorted(p for p in folder.glob("*_*_cert.pem") if p.name != "ca_cert.pem")
    ca_path = Path(ca) if ca is not None else folder / "ca_cert.pem"
    if kind is Platform.JAVA_KEYSTORE:
        keystores = sorted(folder.glob("*_*_cert.pfx"))
        keystore = keystores[0] if keystores else None
        rows.append(
            _present(
                "keystore",
                keystore,
                f"no <SERIAL>_<host>_cert.pfx in {folder}",
                "genesys-lab deploy SERIAL --platform java-keystore",
            )
        )
        truststore = folder / TRUSTSTORE
        rows.append(
            _present("truststore", truststore, f"{truststore} is missing", "genesys-lab deploy SERIAL --platform java-keystore")
        )
        return _Files(None, None, ca_path if ca is not None else None, keystore, truststore)
    cert = certs[0] if certs else None
    rows.append(
        _present(
            "certificate", cert, f"no <SERIAL>_<host>_cert.pem in {folder}", f"copy <SERIAL>_<host>_cert.pem into {_q(folder)}"
        )
    )
    rows.append(_present("CA certificate", ca_path, f"{ca_path} is missing", f"cp ca_conf/ca_cert.pem {_q(folder)}/"))
    key = None
    if cert is not None:
        stem = cert.name[: -len("_cert.pem")]
        key = folder / (f"{stem}_priv_key_NEW.pem" if kind is Platform.JAVA_PEM else f"{stem}_priv_key.pem")
        old = folder / f"{stem}_priv_key.pem"
        fix = f"copy {key.name} into {_q(folder)}"
        if kind is Platform.JAVA_PEM and old.is_file() and not key.exists():
            fix = f"convert_priv_key.sh -in {_q(old)} -out {_q(key)} -informat rsa -outformat pkcs8"
        rows.append(_present("private key", key, f"{key} is missing", fix))
    return _Files(cert, key, ca_path)


def _present(check: str, path: Path | None, missing: str, fix: str) -> Row:
    if path is None or not path.exists():
        return Row(f"{check} present", Verdict.FAIL, missing, fix)
    if path.is_dir():
        return Row(
            f"{check} present", Verdict.FAIL, f"{path} is a folder, not a file", f"rmdir {_q(path)}  # then copy the file there"
        )
    return Row(f"{check} present", Verdict.PASS, f"{path.name}")


# -- contents ----------------------------------------------------------------------------


def _pem_rows(files: _Files, kind: Platform, rows: list[Row]):
    from genesys_lab.formats.convert import load_certificate, load_key
    from genesys_lab.formats.identify import Kind, identify

    cert = key = None
    if files.cert is not None and files.cert.is_file():
        try:
            cert = load_certificate(files.cert)
        except GenesysLabError as exc:
            rows.append(
                Row("certificate readable", Verdict.FAIL, str(exc), "copy the certificate again from the CA's repository/")
            )
    if files.key is not None and files.key.is_file():
        try:
            found = identify(files.key).kind
            key = load_key(files.key)
        except GenesysLabError as exc:
            rows.append(Row("key format", Verdict.FAIL, str(exc), "copy the key again from the CA's repository/"))
            return cert, None
        if kind is Platform.JAVA_PEM:
            if found is Kind.PKCS8_KEY:
                rows.append(Row("key is PKCS#8", Verdict.PASS, "PKCS#8, what PKCS8EncodedKeySpec reads"))
            else:
                new = files.key
                rows.append(
                    Row(
                        "key is PKCS#8",
                        Verdict.FAIL,
                        f"{files.key.name} is {found.value}: Java's PKCS8EncodedKeySpec refuses it",
                        f"convert_priv_key.sh -in {_q(files.key)} -out {_q(new.with_name(new.stem + '.pkcs8.pem'))} -informat rsa -outformat pkcs8 && mv {_q(new.with_name(new.stem + '.pkcs8.pem'))} {_q(new)}",
                    )
                )
    return cert, key


def _keystore_rows(files: _Files, storepass, trustpass, rows: list[Row]):
    from genesys_lab.files import read_user_file
    from genesys_lab.formats.pkcs12 import read_pkcs12

    cert = key = None
    ca_cert = None
    if files.keystore is not None and files.keystore.is_file():
        if storepass is None:
            rows.append(
                Row("keystore opens", Verdict.FAIL, "no keystore password was given", "--storepass env:KEYSTORE_PASSWORD")
            )
        else:
            try:
                contents = read_pkcs12(read_user_file(files.keystore, "keystore"), storepass)
                cert, key = contents.cert, contents.key
                if key is None:
                    rows.append(
                        Row(
                            "keystore opens",
                            Verdict.FAIL,
                            "it opens but holds no private key",
                            "genesys-lab deploy SERIAL --platform java-keystore",
                        )
                    )
                else:
                    rows.append(
                        Row(
                            "keystore opens",
                            Verdict.PASS,
                            f"opens with the password given; key and {1 + len(contents.chain)} certificates",
                        )
                    )
            except GenesysLabError as exc:
                rows.append(
                    Row("keystore opens", Verdict.FAIL, str(exc), "give the password the keystore was made with (--storepass)")
                )
    if files.truststore is not None and files.truststore.is_file():
        if trustpass is None:
            rows.append(
                Row("truststore opens", Verdict.FAIL, "no truststore password was given", "--trustpass env:TRUSTSTORE_PASSWORD")
            )
        else:
            try:
                trusted = read_pkcs12(read_user_file(files.truststore, "truststore"), trustpass).chain
                ca_cert = trusted[0] if trusted else None
                rows.append(
                    Row("truststore opens", Verdict.PASS if trusted else Verdict.FAIL, f"{len(trusted)} trusted certificate(s)")
                )
            except GenesysLabError as exc:
                rows.append(
                    Row(
                        "truststore opens", Verdict.FAIL, str(exc), "give the password the truststore was made with (--trustpass)"
                    )
                )
    return cert, key, ca_cert


def _certificate_rows(cert, files: _Files, key, host: str | None, rows: list[Row]) -> None:
    from genesys_lab.checks.verify import Status, verify
    from genesys_lab.formats.convert import load_certificate
    from genesys_lab.x509.keys import matches

    if key is not None:
        if matches(key, cert):
            rows.append(
                Row("key matches certificate", Verdict.PASS, "the key is the private half of the certificate's public key")
            )
        else:
            rows.append(
                Row(
                    "key matches certificate",
                    Verdict.FAIL,
                    "the key belongs to another certificate",
                    "copy the key issued with this certificate (same serial)",
                )
            )
    ca = files.ca
    if isinstance(ca, Path):
        ca = load_certificate(ca) if ca.is_file() else None
    if ca is None:
        rows.append(
            Row("chain verifies", Verdict.FAIL, "no CA certificate to verify against", "copy ca_cert.pem into the folder")
        )
        return
    result = verify(cert, ca=ca, hostname=host)
    chain, constraints = result.check("chain signature"), result.check("CA constraints")
    ok = chain.status is not Status.FAIL and constraints.status is not Status.FAIL
    if not ok and chain.status is not Status.FAIL:
        chain = constraints
    rows.append(Row("chain verifies", Verdict.PASS if ok else Verdict.FAIL, chain.reason, "" if ok else chain.remedy))
    days = (cert.not_valid_after_utc - _now()).days
    if days < 0:
        rows.append(
            Row("days left", Verdict.FAIL, f"expired {-days} days ago", "genesys-lab renew SERIAL, then deploy the new bundle")
        )
    elif days < EXPIRY_WARNING_DAYS:
        rows.append(Row("days left", Verdict.WARN, f"{days} days left", "genesys-lab renew SERIAL before it expires"))
    else:
        rows.append(Row("days left", Verdict.PASS, f"{days} days left"))
    if host:
        name = result.check("host name")
        good = name.status is not Status.FAIL
        rows.append(
            Row(
                "host in SAN",
                Verdict.PASS if good else Verdict.FAIL,
                name.reason,
                "" if good else f"issue a certificate for {host}: create_cert.sh -host {host} ...",
            )
        )


def _now():
    import datetime as dt

    return dt.datetime.now(dt.UTC)


# -- permissions ----------------------------------------------------------------------


def _secret_rows(path: Path, who: accounts.Account, gid: int | None) -> list[Row]:
    rows = [_readable_row(path, who, "key", gid)]
    rows.append(_nobody_else_row(path, who, gid))
    return rows


def _readable_row(path: Path, who: accounts.Account, what: str, gid: int | None = None) -> Row:
    name = f"{what} readable by {who.name}"
    if accounts.can(who, path, "r"):
        return Row(name, Verdict.PASS, f"{path.name}: {who.name} can read it")
    if what == "key":
        fix = (
            f"chown {who.name}:{gid} {_q(path)} && chmod 640 {_q(path)}"
            if gid is not None
            else f"chown {who.name} {_q(path)} && chmod 600 {_q(path)}"
        )
    else:
        fix = f"chmod 644 {_q(path)}"
    return Row(name, Verdict.FAIL, f"{path.name}: {who.name} cannot read it ({_mode_text(path)})", fix)


def _nobody_else_row(path: Path, who: accounts.Account, gid: int | None) -> Row:
    info = path.stat()
    found = accounts.readers(path)
    problems, fixes = [], []
    if info.st_uid not in (who.uid, 0):
        problems.append(f"owned by {accounts.name_of_uid(info.st_uid)}, who can read it and change its mode")
        fixes.append(f"chown {who.name} {_q(path)}")
    wrong_group = found.group is not None and found.group != gid
    if found.group is not None and wrong_group:
        problems.append(f"group {accounts.name_of_gid(found.group)} can read it")
    if found.others:
        problems.append("every account on the host can read it")
    if info.st_mode & 0o022:
        problems.append("others can write it")
    if wrong_group or found.others or info.st_mode & 0o022:
        if gid is None:
            fixes.append(f"chmod 600 {_q(path)}")
        elif info.st_gid != gid:
            fixes.append(f"chgrp {accounts.name_of_gid(gid)} {_q(path)} && chmod 640 {_q(path)}")
        else:
            fixes.append(f"chmod 640 {_q(path)}")
    strangers = [u for u in found.named_users if u != who.uid]
    strange_groups = [g for g in found.named_groups if g != gid]
    if strangers or strange_groups:
        problems.append(
            "an ACL lets "
            + ", ".join(
                [f"user {accounts.name_of_uid(u)}" for u in strangers]
                + [f"group {accounts.name_of_gid(g)}" for g in strange_groups]
            )
            + " read it"
        )
        fixes.append(f"setfacl -b {_q(path)}")
    name = "key readable by nobody else"
    if problems:
        return Row(name, Verdict.FAIL, f"{path.name} ({_mode_text(path)}): " + "; ".join(problems), " && ".join(fixes))
    allowed = f"{who.name}" + (f" and group {accounts.name_of_gid(gid)}" if gid is not None else "")
    return Row(name, Verdict.PASS, f"{path.name} ({_mode_text(path)}): only {allowed} (and root)")


def _mode_text(path: Path) -> str:
    info = path.stat()
    acl = " +ACL" if accounts.extended_acl(path) else ""
    return f"{stat.filemode(info.st_mode)} {accounts.name_of_uid(info.st_uid)}:{accounts.name_of_gid(info.st_gid)}{acl}"


def _folder_rows(folder: Path, who: accounts.Account) -> list[Row]:
    chain = [folder.resolve(), *folder.resolve().parents]
    closed = [d for d in chain if not accounts.can(who, d, "x")]
    if closed:
        search = Row(
            "folders searchable",
            Verdict.FAIL,
            f"{who.name} cannot enter {', '.join(map(str, closed))}: open() fails with 'Permission denied'",
            " && ".join(f"chmod o+x {_q(d)}" for d in reversed(closed)),
        )
    else:
        search = Row("folders searchable", Verdict.PASS, f"{who.name} can reach {folder.resolve()}")
    open_dirs = [d for d in chain if d.stat().st_mode & 0o002 and (d == chain[0] or not d.stat().st_mode & stat.S_ISVTX)]
    if open_dirs:
        writable = Row(
            "no world-writable folder",
            Verdict.FAIL,
            f"everyone can write {', '.join(map(str, open_dirs))}: anyone could replace the certificate or key",
            " && ".join(f"chmod o-w {_q(d)}" for d in open_dirs),
        )
    else:
        writable = Row(
            "no world-writable folder",
            Verdict.PASS,
            "no folder on the way is writable by everyone (sticky ones such as /tmp aside)",
        )
    return [search, writable]
