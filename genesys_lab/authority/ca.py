"""The certificate authority: create it (create_ca.sh), load it, issue host certificates (create_cert.sh).

Everything a front end does with a CA goes through these functions; the CLI,
the widgets and the notebooks only collect input and show results.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from genesys_lab import files
from genesys_lab.authority import caconf, repository, store
from genesys_lab.authority.defaults import DEFAULT_CA_DAYS
from genesys_lab.authority.request import DEFAULT_HOST_DAYS, HostRequest, Naming, digest_warning, request_from_row, restate
from genesys_lab.errors import CAExistsError, CANotFoundError, CertificateNotFoundError, FormatError, GenesysLabError, UsageError
from genesys_lab.x509 import keys
from genesys_lab.x509.names import Subject, oneline, short_host, validate_hostname
from genesys_lab.x509.profiles import Digest, Profile, ca_extensions, host_extensions
from genesys_lab.x509.signing import sign_certificate

__all__ = ["DEFAULT_CA_DAYS", "DEFAULT_HOST_DAYS", "CertificateAuthority", "HostRequest", "create_ca", "load_ca"]


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
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


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
class SignedKey:
    """A certificate the CA signed for a key it never held (a PKCS#10 request): no key file, no .pfx."""

    serial: str
    host: str | None
    certificate: object = field(repr=False)
    serial_file: Path
    cert_file: Path | None

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(p for p in (self.serial_file, self.cert_file) if p is not None)


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
        return (self.expires - dt.datetime.now(dt.UTC)).days

    @property
    def host(self) -> str | None:
        """The ``<host>`` part of ``<SERIAL>_<host>_cert.pem``, when that file exists."""
        return repository.host_of(self.files, self.serial)

    @property
    def cert_file(self) -> Path | None:
        return self.files[0] if self.files else None


class CertificateAuthority:
    """A CA directory in the Security Pack layout (made by genesys_lab or by the OpenSSL scripts)."""

    def __init__(self, directory: Path | str = ".", *, password: str | None = None):
        self.paths = store.CAPaths(Path(directory))
        store.recover(self.paths)  # a change a killed process left: finish or undo it first
        self.paths.require_ca()
        self._password = password

    def __repr__(self) -> str:
        return f"CertificateAuthority({str(self.paths.root)!r})"

    @cached_property
    def certificate(self):
        return _read_ca_certificate(self.paths.cert)

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
        listed = repository.index(self.paths.repository)
        return [self._record(r, listed.get(r.serial, ())) for r in store.read_db(self.paths.db)]

    def record(self, serial: str | int) -> CertificateRecord:
        number = serial if isinstance(serial, int) else store.parse_serial(serial)
        rec = store.find_db_record(self.paths.db, number)
        if rec is not None:
            return self._record(rec)
        raise CertificateNotFoundError(
            f"serial {store.serial_hex(number)} is not in {self.paths.db}: list the CA's certificates with 'genesys-lab list'"
        )

    def load_certificate(self, serial: str | int):
        """Certificate ``serial`` from OpenSSL's copy ``repository/<SERIAL>.pem`` (the one reader)."""
        from genesys_lab.x509.read import read_certificate

        rec = self.record(serial)
        path = repository.serial_copy(self.paths.repository, rec.serial)
        if not path.exists():
            raise CertificateNotFoundError(f"{path} is missing: the repository lost certificate {rec.serial}")
        return read_certificate(path, multiple="first")

    def host_files(self, serial: str | int) -> repository.HostFiles:
        """The repository files of an issued certificate (``<SERIAL>_<host>_cert.pem`` ...).

        Refuses a serial whose host files are gone (a certificate signed
        with ``openssl ca`` directly has only ``<SERIAL>.pem``).
        """

        rec = self.record(serial)
        if rec.host is None:
            raise CertificateNotFoundError(
                f"serial {rec.serial} has no <SERIAL>_<host>_cert.pem in {self.paths.repository}: it was not issued by create_cert.sh"
            )
        return repository.host_files(self.paths.repository, rec.serial, rec.host)

    def _record(self, rec: store.DbRecord, found: tuple[Path, ...] | None = None) -> CertificateRecord:
        if found is None:
            found = repository.files_of(self.paths.repository, rec.serial)
        return CertificateRecord(rec.serial, rec.status, rec.expires, rec.revoked_at, rec.reason, rec.subject, found)

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

        The keywords are ``authority.request.FIELDS``; errors name them as Python
        keywords (with create_cert.sh's option). See ``issue_request``.
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
            email=email,
            org_unit=org_unit,
            org=org,
            locality=locality,
            state=state,
            country=country,
        )
        return self.issue_request(request, key=key, naming=Naming.PYTHON)

    def issue_request(self, request: HostRequest, *, key=None, naming: Naming = Naming.PYTHON) -> IssuedCertificate:
        """Issue a checked request (what every front end builds).

        The key is generated outside the lock; the serial is taken, the files
        written and ca.db and serial.num advanced under the lock in one
        transaction, so a failure leaves the CA unchanged.
        """
        try:
            self._check_lifetime(request.days)
        except GenesysLabError as exc:
            raise restate(exc, naming) from None
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
        checked = [r if isinstance(r, HostRequest) else request_from_row(dict(r), n) for n, r in enumerate(requests, 1)]
        for number, request in enumerate(checked, 1):
            try:
                self._check_lifetime(request.days)
            except UsageError as exc:
                raise type(exc)(f"request {number}: {restate(exc, Naming.PYTHON)}") from None
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
        if ca_end <= _now():
            raise UsageError(
                f"the CA certificate {self.paths.cert} expired on {ca_end:%Y-%m-%d}: nothing it signs verifies any more; "
                "create a new CA (create_ca.sh in a new folder), distribute its certificate and re-issue the host certificates"
            )
        if _now() + dt.timedelta(days=days) > ca_end:
            left = max((ca_end - _now()).days, 0)
            raise UsageError(
                f"-time {days} would outlive the CA, which expires {ca_end:%Y-%m-%d}: use -time {left} or less, or renew the CA"
            )

    def _next_serial(self) -> int:
        """serial.num's value, refused if ca.db already holds it (the lock must be held)."""
        records = store.read_db(self.paths.db)  # parsed whole: a damaged ca.db is refused before any change
        number = store.read_hex_counter(self.paths.serial, minimum=1)
        if any(int(r.serial, 16) == number for r in records):
            raise store.CADatabaseError(
                f"{self.paths.serial}: serial {store.serial_hex(number)} is already in ca.db; set serial.num past the highest serial"
            )
        return number

    def _record_issued(self, tx, number: int, cert) -> None:
        """Advance serial.num and append the ca.db line, as ``openssl ca`` does after signing."""
        line = store.DbRecord(
            "V", cert.not_valid_after_utc, None, None, store.serial_hex(number), "unknown", oneline(cert.subject)
        )
        # serial.num before ca.db: if the machine stops between the two
        # renames, the serial is skipped (harmless), never reused.
        tx.replace(self.paths.serial, (store.serial_hex(number + 1) + "\n").encode())
        # ca.db as this transaction leaves it: the journal stages writes, so read through it
        tx.replace(self.paths.db, tx.read_bytes(self.paths.db) + (line.to_line() + "\n").encode("latin-1"))

    def _issue_locked(self, request: HostRequest, host_key) -> IssuedCertificate:
        number = self._next_serial()
        serial = store.serial_hex(number)
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
        named = repository.host_files(self.paths.repository, serial, request.host)
        result = IssuedCertificate(
            serial,
            request.host,
            request.profile,
            cert,
            cert_file=named.cert,
            serial_file=repository.serial_copy(self.paths.repository, serial),
            key_file=named.key,
            pfx_file=named.pfx,
            warnings=request.warnings,
        )
        with store.transaction(self.paths, f"issue {serial} ({request.host})") as tx:
            tx.create(result.serial_file, _pem(cert))
            tx.create(result.cert_file, _pem(cert))
            tx.create(result.key_file, keys.pkcs1_pem(host_key), mode=0o600)
            tx.create(result.pfx_file, pfx, mode=0o600)
            self._record_issued(tx, number, cert)
        return result

    def sign_public_key(
        self, public_key, subject, *, extensions, days, digest: Digest | str = Digest.SHA256, host: str | None = None
    ) -> SignedKey:
        """Sign a public key the CA did not make (a PKCS#10 request): the CA never sees the private key.

        ``subject`` is a cryptography Name; ``extensions`` are (extension,
        critical) pairs decided by the caller (basicConstraints, key usage,
        EKU, SAN, CDP); the CA adds SKI and AKI, and its own CRL distribution
        point when the caller gave none. Serial, ca.db, serial.num and the
        repository (``<SERIAL>.pem`` and, with ``host``,
        ``<SERIAL>_<host>_cert.pem``) are handled exactly as in :meth:`issue`,
        in one transaction under the CA's lock; there is no key file and no
        .pfx, because the key stays where it was made.
        """
        from cryptography import x509

        days, digest = check_days(days), Digest.parse(digest)
        self._check_lifetime(days)
        if host is not None:
            host = validate_hostname(host)
        extensions = list(extensions) + [
            (x509.SubjectKeyIdentifier.from_public_key(public_key), False),
            (x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), False),
        ]
        if self.crl_url and not any(isinstance(ext, x509.CRLDistributionPoints) for ext, _ in extensions):
            extensions.append((_cdp(self.crl_url), False))
        with store.locked(self.paths):
            number = self._next_serial()
            serial = store.serial_hex(number)
            cert = self._sign(subject, public_key, number, days, digest, extensions)
            serial_file = self.paths.repository / f"{serial}.pem"
            cert_file = self.paths.repository / f"{serial}_{short_host(host)}_cert.pem" if host else None
            with store.transaction(self.paths, f"sign {serial} ({host or 'request'})") as tx:
                tx.create(serial_file, _pem(cert))
                if cert_file is not None:
                    tx.create(cert_file, _pem(cert))
                self._record_issued(tx, number, cert)
        return SignedKey(serial, host, cert, serial_file, cert_file)

    def _sign(self, subject, public_key, number: int, days: int, digest: Digest, extensions):
        from cryptography import x509

        now = _now()
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(public_key)
            .serial_number(number)
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=days))
        )
        for ext, critical in extensions:
            builder = builder.add_extension(ext, critical)
        return sign_certificate(builder, self.key, digest)

    def _sign_host(self, request: HostRequest, host_key, number: int):
        extensions = host_extensions(request.profile, host_key.public_key(), self.key.public_key(), request.alt_names)
        if self.crl_url:
            extensions.append((_cdp(self.crl_url), False))
        return self._sign(request.subject.to_x509(), host_key.public_key(), number, request.days, request.digest, extensions)


def _read_ca_certificate(path: Path):
    """The CA's own certificate, through the one reader; a damaged file says where to get it back."""
    from genesys_lab.x509.read import read_certificate

    try:
        return read_certificate(path, multiple="first", what="CA certificate")
    except FormatError as exc:
        raise FormatError(f"{exc}; restore {path.name} from ca_cert.pfx or a backup") from None


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
    naming: Naming = Naming.PYTHON,
) -> CreatedCA:
    """Create the ``ca_conf/`` of a new CA in ``directory`` (create_ca.sh).

    Refuses when a CA is already there: overwriting ca_priv_key.pem would
    orphan every certificate the old CA issued. Errors name the options as
    ``naming`` says (Python keywords by default, create_ca.sh's for the script).
    """
    paths = store.CAPaths(Path(directory))
    try:
        subject = Subject(CN=cn, E=email, OU=org_unit, O=org, L=locality, S=state, C=country)
        bits, digest, days = keys.check_key_size(key_size), Digest.parse(digest), check_days(days)
        if crl_url is not None:
            crl_url = _check_url(crl_url)
    except GenesysLabError as exc:
        raise restate(exc, naming) from None
    existing = [p for p in (paths.cert, paths.key, paths.db, paths.serial) if p.exists()]
    if existing:
        raise CAExistsError(
            f"a CA already exists in {paths.conf.resolve()} ({existing[0].name}): use another directory, or remove ca_conf/ yourself if you really mean to start over"
        )
    if paths.root.exists() and not paths.root.is_dir():
        raise UsageError(f"{paths.root} is a file, not a directory: give the folder the CA should live in")
    if not paths.root.is_dir():
        raise UsageError(f"directory {paths.root} does not exist: create it first")
    warnings = tuple(w for w in (keys.key_size_warning(bits), digest_warning(digest)) if w)
    ca_key = key if key is not None else keys.generate_rsa_key(bits)
    cert = _self_signed(subject, ca_key, digest, days)
    made_dirs = [d for d in (paths.conf, paths.repository) if not d.exists()]
    for d in made_dirs:
        files.make_dir(d, 0o755)  # exactly 0755 whatever the umask; the keys inside are 0400 / 0600
    try:
        with store.transaction(paths, f"create CA {subject.CN}") as tx:
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
    """A CRL URL that goes into ca.conf (``crlDistributionPoints = URI:...``) and into every certificate.

    ca.conf is parsed by OpenSSL's NCONF: a newline would start new lines
    (even new sections), ``#`` starts a comment, ``$`` expands a variable,
    a backslash escapes, and a comma separates a second distribution point
    in the value. None of them belongs in a URL unencoded (RFC 3986 2.1:
    percent-encode), nor does a space or any control character.
    """
    from urllib.parse import urlsplit

    text = url.strip()
    bad = next((ch for ch in text if ord(ch) < 0x21 or ord(ch) == 0x7F or ch in "#$\\,\"'<>{}|^`"), None)
    if bad is not None:
        raise UsageError(
            f"CRL URL {text!r} contains {bad!r}, which would change ca.conf: percent-encode it (RFC 3986), "
            "e.g. http://127.0.0.1:8080/crl.der"
        )
    if not text.isascii():
        raise UsageError(f"CRL URL {text!r} is not ASCII: percent-encode the non-ASCII characters (RFC 3986)")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"CRL URL {text!r} is not an http:// address: use e.g. http://127.0.0.1:8080/crl.der")
    return text


def recreate_config(directory: Path | str, *, crl_url: str | None = None) -> Path:
    """Write a lost ``ca_conf/ca.conf`` again, from what the CA itself shows.

    ``default_md`` is the CA certificate's own signature digest; the CRL
    URL is ``crl_url`` or, when not given, the CRL distribution point of the
    most recent certificate in repository/ (what the old file must have
    said). Refuses when ca.conf exists: it may hold a site's own changes.
    """
    from genesys_lab.authority.crl import distribution_points

    paths = store.CAPaths(Path(directory))
    store.recover(paths)
    if paths.config.exists():
        raise CAExistsError(f"{paths.config} exists: nothing to recreate (edit it, or move it away first)")
    missing = [p.name for p in (paths.cert, paths.key, paths.db, paths.serial) if not p.exists()]
    if missing:
        raise CANotFoundError(f"no CA in {paths.root} (missing ca_conf/{missing[0]}): there is nothing to recreate ca.conf for")
    cert = _read_ca_certificate(paths.cert)
    digest = Digest.parse(cert.signature_hash_algorithm.name if cert.signature_hash_algorithm else "sha256")
    if crl_url is None:
        latest = sorted(paths.repository.glob("*.pem"), key=lambda p: p.stat().st_mtime)
        latest = [p for p in latest if "_" not in p.name]
        urls = distribution_points(latest[-1]) if latest else ()
        crl_url = urls[0] if urls else None
    if crl_url is not None:
        crl_url = _check_url(crl_url)
    with store.transaction(paths, "recreate ca.conf") as tx:
        tx.create(paths.config, caconf.render(digest.value, crl_url).encode())
    return paths.config


def load_ca(directory: Path | str | CertificateAuthority = ".", *, password: str | None = None) -> CertificateAuthority:
    """Open a CA directory (genesys_lab's or the Security Pack's); fails with the fix if there is none.

    A CertificateAuthority passes through as it is (with ``password``, a new one for the same folder),
    so every function that takes "a CA" accepts a folder or a loaded CA alike.
    """
    if isinstance(directory, CertificateAuthority):
        return directory if password is None else CertificateAuthority(directory.paths.root, password=password)
    return CertificateAuthority(directory, password=password)
