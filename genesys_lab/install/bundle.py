"""Deploy bundles: exactly the files one host of a kind receives, with modes, a manifest and the install steps.

What each platform gets comes from the guide's installation sections
(Genesys Security Deployment Guide, "What You Need": "Installing Certificates
on UNIX for Native Applications", "... for Applications with Java
dependency", "... on Windows for Native Applications"):

- ``unix``: ``ca_cert.pem``, ``<serial>_<host>_cert.pem`` and
  ``<serial>_<host>_priv_key.pem``; certificates readable by every Genesys
  application on the host, the key only by the people allowed to (0600, or
  0640 for the applications' group when ``group`` is given);
- ``java-pem``: the same, with the key converted to PKCS#8 as
  ``<serial>_<host>_priv_key_NEW.pem`` (what ``PKCS8EncodedKeySpec`` reads);
- ``java-keystore``: ``<serial>_<host>_cert.pfx`` as a PKCS12 keystore
  protected by the site's password (``keytool -importkeystore`` from the
  Security Pack's empty-password .pfx) and ``truststore.p12`` with the CA
  (``keytool -import``);
- ``windows``: ``ca_cert.pfx`` and ``<serial>_<host>_cert.pfx``, and the
  thumbprint that the security configuration asks for.

Every bundle also holds ``MANIFEST.tsv`` (file, sha256, mode, purpose) and
``INSTALL.txt`` (the steps in words and commands). All files are written in
one ``authority.store`` transaction: a failure part-way removes what was made.
"""

from __future__ import annotations

import enum
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.errors import CertificateNotFoundError, GenesysLabError, UsageError
from genesys_lab.install import accounts
from genesys_lab.x509.profiles import parse_choice

PUBLIC_MODE, KEY_MODE, GROUP_KEY_MODE, FOLDER_MODE = 0o644, 0o600, 0o640, 0o755
MANIFEST, STEPS = "MANIFEST.tsv", "INSTALL.txt"
TRUSTSTORE = "truststore.p12"


class Platform(enum.Enum):
    UNIX = "unix"
    JAVA_PEM = "java-pem"
    JAVA_KEYSTORE = "java-keystore"
    WINDOWS = "windows"

    @classmethod
    def parse(cls, value) -> Platform:
        return parse_choice(cls, value, words="is not a platform: use unix, java-pem, java-keystore or windows")


@dataclass(frozen=True)
class BundleFile:
    """One file of a bundle as the manifest lists it."""

    name: str
    sha256: str
    mode: int
    purpose: str

    @property
    def mode_text(self) -> str:
        return f"{self.mode:04o}"


@dataclass(frozen=True)
class Step:
    """One install step: what to do, in words, and the commands that do it."""

    text: str
    commands: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bundle:
    platform: Platform
    directory: Path
    serial: str
    host: str
    files: tuple[BundleFile, ...]
    steps: tuple[Step, ...]
    owner: int | None = None
    group: int | None = None
    thumbprint: str | None = None
    keytool_ran: bool = True

    def path(self, name: str) -> Path:
        return self.directory / name

    def steps_text(self) -> str:
        return render_steps(self.steps)

    def to_rows(self) -> list[dict]:
        return [{"file": f.name, "sha256": f.sha256, "mode": f.mode_text, "purpose": f.purpose} for f in self.files]


def render_steps(steps) -> str:
    lines = []
    for number, step in enumerate(steps, 1):
        lines.append(f"{number}. {step.text}")
        lines += [f"     {command}" for command in step.commands]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _Payload:
    name: str
    data: bytes
    mode: int
    purpose: str


def deploy(
    ca,
    serial,
    platform,
    out,
    *,
    owner=None,
    group=None,
    storepass: str | None = None,
    trustpass: str | None = None,
    overwrite: bool = False,
    keytool: str | None = None,
) -> Bundle:
    """Write the bundle of certificate ``serial`` for ``platform`` into the folder ``out``.

    ``owner`` / ``group`` (names or numbers) become the files' owner and
    group, and a group makes the key 0640 so that every application of
    that group reads it. Everything is checked before anything is written:
    an existing non-empty folder is refused unless ``overwrite``.
    """
    from genesys_lab.authority.ca import CertificateAuthority, load_ca

    kind = Platform.parse(platform)
    ca = ca if isinstance(ca, CertificateAuthority) else load_ca(ca)
    uid = accounts.user_id(owner) if owner is not None else None
    gid = accounts.group_id(group) if group is not None else None
    _check_ownership(uid, gid)
    out = _check_folder(Path(out), overwrite)
    record, cert_file, key_file, pfx_file = _repository_files(ca, serial)
    host = record.host or ""
    payloads, thumbprint, ran = _payloads(kind, ca, record.serial, host, cert_file, key_file, pfx_file, gid, storepass, trustpass, keytool)
    listed = tuple(BundleFile(p.name, hashlib.sha256(p.data).hexdigest(), p.mode, p.purpose) for p in payloads)
    from genesys_lab.install.steps import steps_for

    fqdn = _fqdn(cert_file)
    steps = steps_for(kind, record.serial, host, fqdn, listed, owner, group, thumbprint, ran)
    payloads += [
        _Payload(MANIFEST, manifest_text(listed).encode(), PUBLIC_MODE, "this list"),
        _Payload(STEPS, render_steps(steps).encode(), PUBLIC_MODE, "the install steps"),
    ]
    _write(out, payloads, uid, gid, overwrite)
    return Bundle(kind, out, record.serial, host, listed, tuple(steps), uid, gid, thumbprint, ran)


def manifest_text(files) -> str:
    rows = ["file\tsha256\tmode\tpurpose"] + [f"{f.name}\t{f.sha256}\t{f.mode_text}\t{f.purpose}" for f in files]
    return "\n".join(rows) + "\n"


def _fqdn(cert_file: Path) -> str:
    from genesys_lab.checks.tls import first_dns_name

    return first_dns_name(cert_file) or ""


def _check_ownership(uid: int | None, gid: int | None) -> None:
    """chown(2): only root gives a file away; a user may only choose one of its own groups."""
    if os.geteuid() == 0:
        return
    if uid is not None and uid != os.geteuid():
        raise UsageError(f"only root can make uid {uid} the owner: run as root, or leave out --owner")
    if gid is not None and gid not in os.getgroups() and gid != os.getegid():
        raise UsageError(f"you are not a member of group {gid}: run as root, or choose one of your groups")


def check_target(out, overwrite: bool = False) -> Path:
    """Refuse a bad output folder before any work (and before any password prompt)."""
    return _check_folder(Path(out), overwrite)


def _check_folder(out: Path, overwrite: bool) -> Path:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file, not a folder: give the folder the bundle should be written to")
    if not out.parent.is_dir():
        raise UsageError(f"folder {out.parent} does not exist: create it first (mkdir -p {out.parent})")
    if out.is_dir() and any(out.iterdir()) and not overwrite:
        raise UsageError(f"{out} already exists and is not empty: choose a new folder, or ask to overwrite (--overwrite)")
    return out


def _repository_files(ca, serial):
    record = ca.record(serial)
    if record.status == "R":
        raise UsageError(f"certificate {record.serial} is revoked: deploy its replacement (genesys-lab list shows it)")
    if record.days_left < 0 or record.status == "E":
        raise UsageError(f"certificate {record.serial} has expired: renew it first (genesys-lab renew {record.serial})")
    if record.host is None:
        raise CertificateNotFoundError(f"serial {record.serial} has no <SERIAL>_<host>_cert.pem in {ca.paths.repository}")
    base = ca.paths.repository / f"{record.serial}_{record.host}"
    cert_file, key_file, pfx_file = Path(f"{base}_cert.pem"), Path(f"{base}_priv_key.pem"), Path(f"{base}_cert.pfx")
    for path in (cert_file, key_file, pfx_file):
        if not path.is_file():
            raise CertificateNotFoundError(f"{path} is missing: the repository lost a file of certificate {record.serial}")
    return record, cert_file, key_file, pfx_file


def _payloads(kind, ca, serial, host, cert_file, key_file, pfx_file, gid, storepass, trustpass, keytool):
    from genesys_lab.files import read_user_file

    key_mode = GROUP_KEY_MODE if gid is not None else KEY_MODE
    ca_pem = _Payload("ca_cert.pem", read_user_file(ca.paths.cert), PUBLIC_MODE, "the CA certificate: trust anchor for every peer")
    cert = _Payload(cert_file.name, read_user_file(cert_file), PUBLIC_MODE, f"the certificate of {host}")
    if kind is Platform.UNIX:
        key = _Payload(key_file.name, read_user_file(key_file), key_mode, "the private key (PKCS#1): only the applications' account")
        return [ca_pem, cert, key], None, True
    if kind is Platform.JAVA_PEM:
        from genesys_lab.formats.convert import key_bytes, load_key

        name = f"{serial}_{host}_priv_key_NEW.pem"
        pkcs8 = key_bytes(load_key(key_file), "pkcs8")
        return [ca_pem, cert, _Payload(name, pkcs8, key_mode, "the private key as PKCS#8, what Java reads")], None, True
    if kind is Platform.WINDOWS:
        from genesys_lab.x509.describe import describe

        thumb = describe(cert_file).thumbprint_sha1.upper()
        return (
            [
                _Payload("ca_cert.pfx", read_user_file(ca.paths.pfx), PUBLIC_MODE, "the CA certificate for Trusted Root Certification Authorities"),
                _Payload(pfx_file.name, read_user_file(pfx_file), KEY_MODE, f"key and certificate for Personal; thumbprint {thumb}"),
            ],
            thumb,
            True,
        )
    return _keystore_payloads(ca, pfx_file, key_mode, storepass, trustpass, keytool)


def _keystore_payloads(ca, pfx_file: Path, key_mode: int, storepass, trustpass, keytool):
    """keytool writes the two stores into a private temporary folder; the bundle then takes their bytes."""
    from genesys_lab.files import read_user_file
    from genesys_lab.formats import java

    if storepass is None or trustpass is None:
        raise UsageError("a java-keystore bundle needs a keystore password and a truststore password")
    tool = keytool or shutil.which("keytool")
    if tool is None:
        return (
            [
                _Payload("ca_cert.pem", read_user_file(ca.paths.cert), PUBLIC_MODE, "the CA certificate: import it with keytool -import"),
                _Payload(pfx_file.name, read_user_file(pfx_file), KEY_MODE, "the key and chain (empty password): keytool -importkeystore"),
            ],
            None,
            False,
        )
    work = Path(tempfile.mkdtemp(prefix="genesys-lab-keystore-"))
    try:
        java.create_keystore(pfx_file, work / pfx_file.name, storepass, keytool=tool)
        java.create_truststore(ca.paths.cert, work / TRUSTSTORE, trustpass, keytool=tool)
        return (
            [
                _Payload(pfx_file.name, (work / pfx_file.name).read_bytes(), key_mode, "the keystore: key and chain, PKCS12, site password"),
                _Payload(TRUSTSTORE, (work / TRUSTSTORE).read_bytes(), PUBLIC_MODE, "the truststore: the CA certificate, PKCS12"),
            ],
            None,
            True,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write(out: Path, payloads, uid, gid, overwrite: bool) -> None:
    """One transaction for the whole bundle; the folder is removed again if this call made it and failed.

    ``os.open`` applies the umask to a new file's mode, so each file gets
    its exact mode afterwards (only ever widening to what the manifest
    says, never past it); ownership is given before the mode is widened.
    """
    from genesys_lab.authority import store

    made = not out.exists()
    try:
        if made:
            os.mkdir(out, FOLDER_MODE)
            os.chmod(out, FOLDER_MODE)
        with store.transaction() as tx:
            for item in payloads:
                path = out / item.name
                if path.exists() and overwrite:
                    tx.replace(path, item.data, item.mode)
                else:
                    tx.create(path, item.data, item.mode)
                if uid is not None or gid is not None:
                    os.chown(path, -1 if uid is None else uid, -1 if gid is None else gid)
                os.chmod(path, item.mode)
    except OSError as exc:
        if made:
            shutil.rmtree(out, ignore_errors=True)
        raise GenesysLabError(f"could not write the bundle in {out}: {exc.strerror or exc}; nothing was left there") from None
    except BaseException:
        if made:
            shutil.rmtree(out, ignore_errors=True)
        raise
