"""The certificate authority: create it (create_ca.sh), load it, issue host certificates (create_cert.sh).

Everything a front end does with a CA goes through these functions; the CLI,
the widgets and the notebooks only collect input and show results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from genesys_lab.authority import caconf, store
from genesys_lab.errors import CAExistsError, CertificateNotFoundError, FormatError, UsageError
from genesys_lab.x509 import keys
from genesys_lab.x509.names import AltNames, Subject, oneline, short_host, split_list
from genesys_lab.x509.profiles import Digest, Profile, ca_extensions, host_extensions
from genesys_lab.x509.signing import sign_certificate

DEFAULT_CA_DAYS = 365
DEFAULT_HOST_DAYS = 100


def check_days(value, option: str = "-time") -> int:
    """A validity in whole days, at least 1."""
    try:
        days = int(str(value).strip())
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a number of days: use e.g. {option} 365") from None
    if days < 1:
        raise UsageError(f"{option} {days} must be at least 1 day")
    if days > 36500:
        raise UsageError(f"{option} {days} is more than 100 years: use a shorter validity")
    return days


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _pem(cert) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.PEM)


@dataclass(frozen=True)
class IssuedCertificate:
    """What create_cert.sh made: the certificate and the four repository files."""

    serial: str
    host: str
    profile: Profile
    certificate: object = field(repr=False)
    cert_file: Path
    serial_file: Path
    key_file: Path
    pfx_file: Path
    warnings: tuple[str, ...] = ()

    @property
    def files(self) -> tuple[Path, ...]:
        return (self.serial_file, self.cert_file, self.key_file, self.pfx_file)


@dataclass(frozen=True)
class CertificateRecord:
    """A certificate as the CA's database lists it, with its files in repository/."""

    serial: str
    status: str  # V valid, R revoked, E expired (as ca.db says)
    expires: dt.datetime
    revoked_at: dt.datetime | None
    reason: str | None
    subject: str
    files: tuple[Path, ...]

    @property
    def days_left(self) -> int:
        """Whole days left from this instant, as describe() counts them.

        Not _now(): its clock is cut to the second (for notBefore), so a certificate
        issued for 100 days within the same second would show 100 here but 99 in describe().
        """
        return (self.expires - dt.datetime.now(dt.timezone.utc)).days

    @property
    def host(self) -> str | None:
        """The ``<host>`` part of ``<SERIAL>_<host>_cert.pem``, when that file exists."""
        for path in self.files:
            name = path.name
            if name.endswith("_cert.pem"):
                return name[len(self.serial) + 1 : -len("_cert.pem")]
        return None

    @property
    def cert_file(self) -> Path | None:
        return self.files[0] if self.files else None


class CertificateAuthority:
    """A CA directory in the Security Pack layout (made by genesys_lab or by the OpenSSL scripts)."""

    def __init__(self, directory: Path | str = ".", *, password: str | None = None):
        self.paths = store.CAPaths(Path(directory))
        self.paths.require_ca()
        self._password = password

    def __repr__(self) -> str:
        return f"CertificateAuthority({str(self.paths.root)!r})"

    @cached_property
    def certificate(self):
        from cryptography import x509

        return x509.load_pem_x509_certificate(self.paths.cert.read_bytes())

    @cached_property
    def key(self):
        key = keys.load_private_key_file(self.paths.key, self._password, check=False)
        if not keys.matches(key, self.certificate):
            raise FormatError(f"{self.paths.key} does not belong to {self.paths.cert}: restore the CA's own key from a backup")
        return key

    @property
    def crl_url(self) -> str | None:
        return caconf.crl_url(self.paths.config)

    # -- reading ---------------------------------------------------------
    def records(self) -> list[CertificateRecord]:
        """Every certificate in ca.db, in issue order."""
        return [self._record(r) for r in store.read_db(self.paths.db)]

    def record(self, serial: str | int) -> CertificateRecord:
        number = serial if isinstance(serial, int) else store.parse_serial(serial)
        rec = store.find_db_record(self.paths.db, number)
        if rec is not None:
            return self._record(rec)
        raise CertificateNotFoundError(
            f"serial {store.serial_hex(number)} is not in {self.paths.db}: list the CA's certificates with 'genesys-lab list'"
        )

    def load_certificate(self, serial: str | int):
        from cryptography import x509

        rec = self.record(serial)
        path = self.paths.repository / f"{rec.serial}.pem"
        if not path.exists():
            raise CertificateNotFoundError(f"{path} is missing: the repository lost certificate {rec.serial}")
        return x509.load_pem_x509_certificate(path.read_bytes())

    def _record(self, rec: store.DbRecord) -> CertificateRecord:
        repo = self.paths.repository
        files = sorted(repo.glob(f"{rec.serial}_*_cert.pem"))
        files += sorted(p for p in repo.glob(f"{rec.serial}_*") if p not in files)
        if (repo / f"{rec.serial}.pem").exists():
            files.append(repo / f"{rec.serial}.pem")
        return CertificateRecord(rec.serial, rec.status, rec.expires, rec.revoked_at, rec.reason, rec.subject, tuple(files))

    # -- issuing ---------------------------------------------------------
    def issue(
        self,
        host: str,
        cn: str,
        *,
        ip: str | None = None,
        san_domains=(),
        san_ips=(),
        profile: Profile | str = Profile.SERVER,
        key_size=keys.RECOMMENDED_KEY_SIZE,
        digest: Digest | str = Digest.SHA256,
        days=DEFAULT_HOST_DAYS,
        email=None,
        org_unit=None,
        org=None,
        locality=None,
        state=None,
        country=None,
        key=None,
    ) -> IssuedCertificate:
        """Issue a host certificate exactly as create_cert.sh does; see DESIGN.md for the files.

        All input is checked first; the key is generated outside the lock; the
        serial is taken, the files written and ca.db and serial.num advanced
        under the lock in one transaction, so a failure leaves the CA unchanged.
        """
        request = HostRequest.build(
            host,
            cn,
            ip=ip,
            san_domains=san_domains,
            san_ips=san_ips,
            profile=profile,
            key_size=key_size,
            digest=digest,
            days=days,
            subject=Subject(CN=cn, E=email, OU=org_unit, O=org, L=locality, S=state, C=country),
        )
        self._check_lifetime(request.days)
        host_key = key if key is not None else keys.generate_rsa_key(request.key_size)
        with store.locked(self.paths):
            return self._issue_locked(request, host_key)

    def issue_many(self, requests, *, workers: int | None = None, progress=None) -> list[IssuedCertificate]:
        """Issue a site inventory in one call: keys are made on every core, signing stays serial.

        ``requests`` are dicts of :meth:`issue`'s keyword arguments (``host``
        and ``cn`` required). Every request is checked before any work
        starts, so a bad row costs nothing. RSA key generation is nearly all
        the time, so it runs in a process pool; serial allocation and the
        file writes stay under the lock, one certificate at a time, each
        atomic. ``progress(done, total, issued)`` is called after each one.
        """
        checked = [_request_from(dict(r), number) for number, r in enumerate(requests, 1)]
        for request in checked:
            self._check_lifetime(request.days)
        results = []
        for request, host_key in zip(checked, keys.generate_rsa_keys([r.key_size for r in checked], workers)):
            with store.locked(self.paths):
                results.append(self._issue_locked(request, host_key))
            if progress is not None:
                progress(len(results), len(checked), results[-1])
        return results

    def _check_lifetime(self, days: int) -> None:
        """A certificate must not outlive its CA: verifiers reject the chain after the CA expires."""
        ca_end = self.certificate.not_valid_after_utc
        if _now() + dt.timedelta(days=days) > ca_end:
            left = max((ca_end - _now()).days, 0)
            raise UsageError(
                f"-time {days} would outlive the CA, which expires {ca_end:%Y-%m-%d}: use -time {left} or less, or renew the CA"
            )

    def _issue_locked(self, request: HostRequest, host_key) -> IssuedCertificate:
        records = store.read_db(self.paths.db)
        number = store.read_hex_counter(self.paths.serial)
        serial = store.serial_hex(number)
        if any(int(r.serial, 16) == number for r in records):
            raise store.CADatabaseError(
                f"{self.paths.serial}: serial {serial} is already in ca.db; set serial.num past the highest serial"
            )
        cert = self._sign_host(request, host_key, number)
        from genesys_lab.formats.pkcs12 import Compat, build_pkcs12

        # The guide imports this file into the Windows Personal store with an empty password, which
        # protects nothing; so it is written in the encoding every Windows version and Java 8 open
        # (3DES bags, SHA-1 MAC: what the Security Pack's OpenSSL 1.x wrote). Windows Server 2016
        # and older cannot import AES-256 bags or a SHA-256 MAC (see formats.pkcs12._old_windows and
        # Export-PfxCertificate's -CryptoAlgorithmOption TripleDES_SHA1 / AES256_SHA256,
        # https://learn.microsoft.com/powershell/module/pki/export-pfxcertificate).
        # Password-protected exports (export_pkcs12) keep the modern encoding by default.
        pfx = build_pkcs12(host_key, cert, (self.certificate,), password="", friendly_name=request.host, compat=Compat.LEGACY)
        base = self.paths.repository / f"{serial}_{short_host(request.host)}"
        result = IssuedCertificate(
            serial,
            request.host,
            request.profile,
            cert,
            cert_file=Path(f"{base}_cert.pem"),
            serial_file=self.paths.repository / f"{serial}.pem",
            key_file=Path(f"{base}_priv_key.pem"),
            pfx_file=Path(f"{base}_cert.pfx"),
            warnings=request.warnings,
        )
        line = store.DbRecord("V", cert.not_valid_after_utc, None, None, serial, "unknown", oneline(cert.subject))
        with store.transaction() as tx:
            tx.create(result.serial_file, _pem(cert))
            tx.create(result.cert_file, _pem(cert))
            tx.create(result.key_file, keys.pkcs1_pem(host_key), mode=0o600)
            tx.create(result.pfx_file, pfx, mode=0o600)
            # serial.num before ca.db: if the machine stops between the two
            # renames, the serial is skipped (harmless), never reused.
            tx.replace(self.paths.serial, (store.serial_hex(number + 1) + "\n").encode())
            tx.replace(self.paths.db, self.paths.db.read_bytes() + (line.to_line() + "\n").encode("latin-1"))
        return result

    def _sign_host(self, request: HostRequest, host_key, number: int):
        from cryptography import x509

        now = _now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(request.subject.to_x509())
            .issuer_name(self.certificate.subject)
            .public_key(host_key.public_key())
            .serial_number(number)
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=request.days))
        )
        for ext, critical in host_extensions(request.profile, host_key.public_key(), self.key.public_key(), request.alt_names):
            builder = builder.add_extension(ext, critical)
        if self.crl_url:
            builder = builder.add_extension(_cdp(self.crl_url), False)
        return sign_certificate(builder, self.key, request.digest)


def _cdp(url: str):
    from cryptography import x509

    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(url)], relative_name=None, reasons=None, crl_issuer=None
            )
        ]
    )


@dataclass(frozen=True)
class HostRequest:
    """A checked create_cert.sh request: every value valid before any work starts."""

    host: str
    subject: Subject
    alt_names: AltNames
    profile: Profile
    key_size: int
    digest: Digest
    days: int
    warnings: tuple[str, ...]

    @classmethod
    def build(cls, host, cn, *, ip, san_domains, san_ips, profile, key_size, digest, days, subject):
        if isinstance(san_domains, str):
            san_domains = split_list(san_domains)
        if isinstance(san_ips, str):
            san_ips = split_list(san_ips)
        profile = Profile.parse(profile)
        if profile is Profile.CA:
            raise UsageError("-profile ca is for the CA itself (create_ca.sh): a host certificate is server or gui")
        alt = AltNames.for_host(host, ip, san_domains, san_ips)
        bits = keys.check_key_size(key_size)
        digest = Digest.parse(digest)
        warnings = [w for w in (keys.key_size_warning(bits), _digest_warning(digest)) if w]
        return cls(alt.dns[0], subject, alt, profile, bits, digest, check_days(days), tuple(warnings))


def _request_from(row: dict, number: int) -> HostRequest:
    """One inventory row as a checked request; errors say which row."""
    try:
        row = {k: v for k, v in row.items() if v not in (None, "")}
        host, cn = row.pop("host"), row.pop("cn")
        subject = Subject(
            CN=cn,
            E=row.pop("email", None),
            OU=row.pop("org_unit", None),
            O=row.pop("org", None),
            L=row.pop("locality", None),
            S=row.pop("state", None),
            C=row.pop("country", None),
        )
        kwargs = dict(
            ip=None,
            san_domains=(),
            san_ips=(),
            profile=Profile.SERVER,
            key_size=keys.RECOMMENDED_KEY_SIZE,
            digest=Digest.SHA256,
            days=DEFAULT_HOST_DAYS,
        )
        unknown = set(row) - set(kwargs)
        if unknown:
            raise UsageError(
                f"unknown field {sorted(unknown)[0]!r}: use host, cn, ip, san_domains, san_ips, profile, key_size, digest, days and the subject fields"
            )
        kwargs.update(row)
        return HostRequest.build(host, cn, subject=subject, **kwargs)
    except KeyError as exc:
        raise UsageError(f"request {number}: {exc.args[0]} is missing; every row needs host and cn") from None
    except UsageError as exc:
        raise type(exc)(f"request {number}: {exc}") from None


def _digest_warning(digest: Digest) -> str | None:
    if digest is Digest.SHA1:
        return "digest sha1 is not recommended by the guide: use sha256 or stronger in production"
    return None


@dataclass(frozen=True)
class CreatedCA:
    """What create_ca.sh made."""

    ca: CertificateAuthority
    files: tuple[Path, ...]
    warnings: tuple[str, ...] = ()


def create_ca(
    directory: Path | str,
    cn: str,
    *,
    key_size=keys.RECOMMENDED_KEY_SIZE,
    digest: Digest | str = Digest.SHA256,
    days=DEFAULT_CA_DAYS,
    email=None,
    org_unit=None,
    org=None,
    locality=None,
    state=None,
    country=None,
    crl_url: str | None = None,
    key=None,
) -> CreatedCA:
    """Create the ``ca_conf/`` of a new CA in ``directory`` (create_ca.sh).

    Refuses when a CA is already there: overwriting ca_priv_key.pem would
    orphan every certificate the old CA issued.
    """
    paths = store.CAPaths(Path(directory))
    subject = Subject(CN=cn, E=email, OU=org_unit, O=org, L=locality, S=state, C=country)
    bits, digest, days = keys.check_key_size(key_size), Digest.parse(digest), check_days(days)
    if crl_url is not None:
        crl_url = _check_url(crl_url)
    existing = [p for p in (paths.cert, paths.key, paths.db, paths.serial) if p.exists()]
    if existing:
        raise CAExistsError(
            f"a CA already exists in {paths.conf.resolve()} ({existing[0].name}): use another directory, or remove ca_conf/ yourself if you really mean to start over"
        )
    if paths.root.exists() and not paths.root.is_dir():
        raise UsageError(f"{paths.root} is a file, not a directory: give the folder the CA should live in")
    if not paths.root.is_dir():
        raise UsageError(f"directory {paths.root} does not exist: create it first")
    warnings = tuple(w for w in (keys.key_size_warning(bits), _digest_warning(digest)) if w)
    ca_key = key if key is not None else keys.generate_rsa_key(bits)
    cert = _self_signed(subject, ca_key, digest, days)
    made_dirs = [d for d in (paths.conf, paths.repository) if not d.exists()]
    for d in made_dirs:
        d.mkdir()
    try:
        with store.locked(paths), store.transaction() as tx:
            _write_ca_files(tx, paths, ca_key, cert, digest, crl_url)
    except BaseException:
        for d in reversed(made_dirs):
            _remove_empty(d)
        raise
    return CreatedCA(CertificateAuthority(paths.root), tuple(tx.created), warnings)


def _write_ca_files(tx, paths: store.CAPaths, ca_key, cert, digest: Digest, crl_url) -> None:
    from genesys_lab.formats.pkcs12 import Compat, build_cert_only_pkcs12

    tx.create(paths.key, keys.pkcs1_pem(ca_key), mode=0o400)
    tx.create(paths.cert, _pem(cert))
    # Imported into Trusted Root with an empty password: legacy encoding, as for the host .pfx.
    tx.create(paths.pfx, build_cert_only_pkcs12((cert,), password="", compat=Compat.LEGACY))
    tx.create(paths.config, caconf.render(digest.value, crl_url).encode())
    tx.create(paths.db, b"")
    tx.create(paths.db_attr, b"unique_subject = no\n")
    tx.create(paths.serial, b"01\n")
    tx.create(paths.crlnumber, b"01\n")


def _remove_empty(directory: Path) -> None:
    for child in directory.iterdir():
        if child.name == ".lock":
            child.unlink()
    if not any(directory.iterdir()):
        directory.rmdir()


def _self_signed(subject: Subject, ca_key, digest: Digest, days: int):
    from cryptography import x509

    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject.to_x509())
        .issuer_name(subject.to_x509())
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=days))
    )
    for ext, critical in ca_extensions(ca_key.public_key()):
        builder = builder.add_extension(ext, critical)
    return sign_certificate(builder, ca_key, digest)


def _check_url(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"CRL URL {url!r} is not an http:// address: use e.g. http://127.0.0.1:8080/crl.der")
    return url.strip()


def load_ca(directory: Path | str = ".", *, password: str | None = None) -> CertificateAuthority:
    """Open a CA directory (genesys_lab's or the Security Pack's); fails with the fix if there is none."""
    return CertificateAuthority(directory, password=password)
