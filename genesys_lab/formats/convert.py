"""Convert keys, certificates and CRLs between the formats each consumer wants.

* Native (Security Pack) applications read PEM: a PKCS#1 "RSA PRIVATE KEY".
* Java PSDK applications read PKCS#8 ("PRIVATE KEY"): ``PKCS8EncodedKeySpec``
  is the only key encoding the JDK reads without extra libraries.
* Windows and Java key stores read PKCS#12 (.pfx), see ``genesys_lab.formats.pkcs12``.

Everything here takes passwords as arguments; the command lines collect them
(``genesys_lab.formats.passwords``). Output files are written through a temporary
file created with its final mode (0600 when it holds a key) and then linked
or renamed into place, so a failure never leaves a partial output file and
an existing file is replaced only when the caller says ``overwrite=True``.
"""

from __future__ import annotations

import contextlib
import enum
import errno
import itertools
import os
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.authority import store
from genesys_lab.errors import FormatError, GenesysLabError, PasswordError, UsageError
from genesys_lab.formats.identify import Identity, Item, Kind, identify, read_source
from genesys_lab.formats.passwords import PasswordRequired
from genesys_lab.x509.describe import readable_name
from genesys_lab.x509.profiles import parse_choice

SECRET_MODE = 0o600
PUBLIC_MODE = 0o644


class KeyFormat(enum.Enum):
    """convert_priv_key.sh's -informat / -outformat values (pfx is another name for pkcs12)."""

    RSA = "rsa"  # PKCS#1 "BEGIN RSA PRIVATE KEY", what the Security Pack writes
    PKCS8 = "pkcs8"  # "BEGIN PRIVATE KEY" / "BEGIN ENCRYPTED PRIVATE KEY", what Java reads
    PKCS12 = "pkcs12"  # a .pfx / .p12 holding the key (input only)

    @classmethod
    def parse(cls, value, option: str = "-informat") -> KeyFormat:
        return parse_choice(
            cls, value, words="is not one of pfx, pkcs8, pkcs12, rsa", aliases={"pfx": cls.PKCS12}, prefix=f"{option} "
        )


class CertEncoding(enum.Enum):
    PEM = "pem"
    DER = "der"

    @classmethod
    def parse(cls, value) -> CertEncoding:
        return parse_choice(cls, value, words="is not pem or der", prefix="output encoding ")


_ACCEPTS = {
    KeyFormat.RSA: (Kind.RSA_KEY, Kind.ENCRYPTED_RSA_KEY),
    KeyFormat.PKCS8: (Kind.PKCS8_KEY, Kind.ENCRYPTED_PKCS8_KEY),
    KeyFormat.PKCS12: (Kind.PKCS12,),
}


def informat_of(kind: Kind) -> KeyFormat | None:
    """The -informat that reads a file of this kind."""
    return next((fmt for fmt, kinds in _ACCEPTS.items() if kind in kinds), None)


# -- output files --------------------------------------------------------------


def check_output(path, *, overwrite: bool = False) -> Path:
    """Refuse a bad output path before any work (and before any password prompt)."""
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(
            f"output folder {folder} does not exist: create it first (mkdir -p {folder}) or choose another output path"
        )
    if path.is_dir():
        raise UsageError(f"output {path} is a folder: give a file name")
    if path.exists() and not overwrite:
        raise UsageError(f"{path} already exists: choose another output name, or ask to overwrite it (--overwrite)")
    return path


def write_output(path, data: bytes, *, secret: bool, overwrite: bool = False) -> Path:
    """Write a whole file or nothing, with mode 0600 for keys (0644 otherwise).

    Without ``overwrite`` the temporary file is hard-linked to the name,
    which fails if another process created it meanwhile (no race between
    the check and the write); with it, the temporary file is renamed over.
    A disk or permission error becomes a GenesysLabError: one line, no traceback.
    """
    path = check_output(path, overwrite=overwrite)
    mode = SECRET_MODE if secret else PUBLIC_MODE
    try:
        if overwrite:
            store.write_atomic(path, data, mode)
        else:
            _create_exclusive(path, data, mode)
    except OSError as exc:
        raise GenesysLabError(f"could not write {path}: {exc.strerror or exc}; nothing was written") from None
    return path


#: errno values of file systems without hard links (some network and FUSE mounts).
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK}


def _create_exclusive(path: Path, data: bytes, mode: int) -> None:
    from genesys_lab.files import staged_name

    tmp = staged_name(path)  # random: a PID-named file collides in containers, where every run is PID 1
    try:
        store.write_atomic(tmp, data, mode)
        place(tmp, path, overwrite=False)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def place(tmp: Path, path: Path, *, overwrite: bool) -> None:
    """Move a finished temporary file to its name; without ``overwrite``, never replace a file."""
    if overwrite:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise UsageError(f"{path} appeared while writing: choose another output name") from None
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS or path.exists():
            raise
        os.replace(tmp, path)


# -- reading keys ----------------------------------------------------------------


def load_key(source, informat=None, password: str | None = None):
    """The private key in a PKCS#1, PKCS#8 or PKCS#12 file (path or bytes).

    ``informat`` (rsa, pkcs8, pkcs12/pfx) must match what the file really is,
    otherwise the error says what it is; ``None`` accepts any of them.
    A .pfx is tried with the empty password when ``password`` is None.
    Raises PasswordRequired when the input is protected and no password was given.
    """
    data, name = read_source(source)
    return _read_key(data, name, informat, password)[0]


def _read_key(data: bytes, name: str, informat, password: str | None):
    """(key, kind of the input file)."""
    fmt = KeyFormat.parse(informat) if informat is not None else None
    item = _key_item(identify(data), fmt, name)
    if item.kind is Kind.PKCS12:
        return _key_from_pkcs12(data, password, name), item.kind
    return _load_key_item(item, password, name), item.kind


def _key_item(found: Identity, fmt: KeyFormat | None, name: str) -> Item:
    wanted = _ACCEPTS[fmt] if fmt else tuple(k for ks in _ACCEPTS.values() for k in ks)
    items = found.of_kind(*wanted)
    if len(items) == 1:
        return items[0]
    if len(items) > 1:
        raise FormatError(f"{name} holds {len(items)} private keys: put each key in its own file")
    raise FormatError(_not_a_key_message(found, fmt, name))


def _not_a_key_message(found: Identity, fmt: KeyFormat | None, name: str) -> str:
    what = f"{name} is {_a(found.summary())}"
    keys = [i for i in found.items if i.kind.is_private_key or i.kind is Kind.PKCS12]
    right_format = informat_of(keys[0].kind) if keys else None
    if fmt is not None and right_format is not None:
        right = right_format.value.replace("pkcs12", "pfx")
        return f"{what}, not {_a(_FORMAT_NAMES[fmt])}: use -informat {right}"
    if keys:
        return f"{what}: only RSA keys in PKCS#1, PKCS#8 or PKCS#12 files can be converted"
    if any(i.kind is Kind.CERTIFICATE for i in found.items):
        return f"{what}, which holds no private key: give the key file (..._priv_key.pem) or the .pfx"
    expected = _FORMAT_NAMES[fmt] if fmt else "a private key or PKCS#12 file"
    return f"{what}, not {_a(expected)}"


_FORMAT_NAMES = {
    KeyFormat.RSA: "PKCS#1 RSA private key (-informat rsa)",
    KeyFormat.PKCS8: "PKCS#8 private key (-informat pkcs8)",
    KeyFormat.PKCS12: "PKCS#12 file (-informat pfx or pkcs12)",
}


def _a(text: str) -> str:
    if text[:1].isdigit() or text.startswith(("a ", "an ")):
        return text
    return ("an " if text[:1] in "AEIOUaeiou" else "a ") + text


def _load_key_item(item: Item, password: str | None, name: str):
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    encrypted = item.kind in (Kind.ENCRYPTED_RSA_KEY, Kind.ENCRYPTED_PKCS8_KEY)
    if encrypted and password is None:
        raise PasswordRequired(f"{name} is an {item.kind.value}: give its password")
    secret = password.encode() if encrypted and password is not None else None
    try:
        if item.kind is Kind.ENCRYPTED_RSA_KEY:
            return serialization.load_pem_private_key(item.pem, password=secret)
        return serialization.load_der_private_key(item.der, password=secret)
    except ValueError:
        if encrypted:
            raise PasswordError(f"{name}: wrong password (the key does not decrypt with it); nothing was written") from None
        raise FormatError(f"{name} is a damaged {item.kind.value}: it does not load") from None
    except UnsupportedAlgorithm as exc:
        raise FormatError(
            f"{name}: Python's cryptography cannot read this {item.kind.value} ({exc}); OpenSSL may "
            "(openssl pkey -noout -text), but Genesys needs an RSA key: issue a new one"
        ) from None


def _key_from_pkcs12(data: bytes, password: str | None, name: str):
    from genesys_lab.formats.pkcs12 import read_pkcs12

    try:
        contents = read_pkcs12(data, "" if password is None else password)
    except PasswordError:
        if password is None:
            raise PasswordRequired(f"{name} does not open with an empty password: give its password") from None
        raise PasswordError(f"{name}: wrong password (the PKCS#12 MAC does not match); nothing was written") from None
    if contents.key is None:
        count = len(contents.chain) + (contents.cert is not None)
        raise FormatError(
            f"{name} is a PKCS#12 file with no private key ({count} certificate(s) only): "
            "use the host's _cert.pfx, or the _priv_key.pem with -informat rsa"
        )
    return contents.key


# -- writing keys ----------------------------------------------------------------


def key_bytes(key, outformat=KeyFormat.PKCS8, password: str | None = None) -> bytes:
    """PEM text of a key: PKCS#8 (PBES2 AES-256-CBC when encrypted) or PKCS#1.

    An encrypted PKCS#1 file is OpenSSL's traditional form (Proc-Type and
    DEK-Info headers, AES-256-CBC): PKCS#1 itself has no encryption.
    """
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric import rsa

    fmt = KeyFormat.parse(outformat, "-outformat")
    if fmt is KeyFormat.PKCS12:
        raise UsageError("-outformat pkcs12 is not a key format: use `genesys-lab pkcs12 export` to build a .pfx")
    if fmt is KeyFormat.RSA and not isinstance(key, rsa.RSAPrivateKey):
        raise FormatError(f"the key is {type(key).__name__}, not RSA: -outformat rsa needs an RSA key, use -outformat pkcs8")
    encryption = s.BestAvailableEncryption(password.encode()) if password else s.NoEncryption()
    private_format = s.PrivateFormat.TraditionalOpenSSL if fmt is KeyFormat.RSA else s.PrivateFormat.PKCS8
    return key.private_bytes(s.Encoding.PEM, private_format, encryption)


@dataclass(frozen=True)
class ConvertedKey:
    """What convert_key wrote."""

    path: Path
    source_kind: Kind
    outformat: KeyFormat
    encrypted: bool

    def describe(self) -> str:
        target = "PKCS#8" if self.outformat is KeyFormat.PKCS8 else "PKCS#1 (RSA)"
        return f"wrote {'encrypted ' if self.encrypted else ''}{target} key {self.path} (mode 0600) from {_a(self.source_kind.value)}"


def convert_key(
    source,
    out,
    *,
    informat=None,
    outformat=KeyFormat.PKCS8,
    password: str | None = None,
    new_password: str | None = None,
    overwrite: bool = False,
) -> ConvertedKey:
    """convert_priv_key.sh as a function: read ``source``, write ``out`` in ``outformat``.

    ``new_password`` encrypts the output (the script's -encrypt).
    """
    out = check_output(out, overwrite=overwrite)
    data, name = read_source(source)
    key, kind = _read_key(data, name, informat, password)
    pem = key_bytes(key, outformat, new_password)
    write_output(out, pem, secret=True, overwrite=overwrite)
    return ConvertedKey(out, kind, KeyFormat.parse(outformat, "-outformat"), bool(new_password))


# -- certificates, CRLs and chains -----------------------------------------------


def load_certificates(source) -> list:
    """Every certificate in a PEM (one or several) or DER file (``x509.read``'s one reader).

    A certificate object passes through, so callers may mix files and objects.
    """
    from genesys_lab.x509.read import read_certificates

    return read_certificates(source)


def load_certificate(source):
    """Exactly one certificate; a chain file is refused with a message naming each certificate."""
    from genesys_lab.x509.read import read_certificate

    return read_certificate(source)


def _pem_of(item: Item) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    if item.kind is Kind.CRL:
        return x509.load_der_x509_crl(item.der).public_bytes(Encoding.PEM)
    return x509.load_der_x509_certificate(item.der).public_bytes(Encoding.PEM)


def convert_certificate(source, out, *, to=None, overwrite: bool = False) -> Path:
    """PEM <-> DER for certificates and CRLs; ``to`` defaults to the other encoding.

    DER holds exactly one object, so a PEM file with several (a chain)
    can only be written as PEM.
    """
    out = check_output(out, overwrite=overwrite)
    data, name = read_source(source)
    found = identify(data)
    items = found.of_kind(Kind.CERTIFICATE, Kind.CRL)
    if not items or len(items) != len(found.items):
        raise FormatError(f"{name} is {_a(found.summary())}: only certificates and CRLs convert between PEM and DER")
    target = CertEncoding.parse(to) if to else (CertEncoding.DER if items[0].encoding == "PEM" else CertEncoding.PEM)
    if target is CertEncoding.DER and len(items) > 1:
        raise FormatError(f"{name} holds {len(items)} objects but a DER file holds exactly one: write PEM, or split the file")
    data = items[0].der if target is CertEncoding.DER else b"".join(_pem_of(i) for i in items)
    return write_output(out, data, secret=False, overwrite=overwrite)


def write_chain(host_cert, ca_certs, out, *, overwrite: bool = False) -> Path:
    """One PEM file: the host certificate, then each CA certificate up the chain.

    Some applications read their certificate and its CA from one file; the
    order matters (RFC 8446 4.4.2: each certificate certifies the one
    before it), so each link is checked by its signature before writing.
    """
    out = check_output(out, overwrite=overwrite)
    chain = load_certificates(host_cert)[:1]
    for source in [ca_certs] if isinstance(ca_certs, (str, Path)) else ca_certs:
        chain += load_certificates(source)
    for child, parent in itertools.pairwise(chain):
        _check_issued_by(child, parent)
    return write_output(out, b"".join(_cert_pem(c) for c in chain), secret=False, overwrite=overwrite)


def _cert_pem(cert) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.PEM)


def _check_issued_by(child, parent) -> None:
    try:
        child.verify_directly_issued_by(parent)
    except Exception:  # ValueError (names differ), TypeError (key type), InvalidSignature
        raise FormatError(
            f"{readable_name(parent.subject)} did not sign {readable_name(child.subject)}: "
            "give the host certificate first, then the CA that issued it"
        ) from None


# -- which key belongs to which certificate ----------------------------------------


def _spki(public_key) -> bytes:
    from cryptography.hazmat.primitives import serialization as s

    return public_key.public_bytes(s.Encoding.DER, s.PublicFormat.SubjectPublicKeyInfo)


def key_matches(cert_source, key_source, *, password: str | None = None) -> bool:
    """True when the key is the private half of the certificate's public key."""
    cert = load_certificate(cert_source)
    key = load_key(key_source, None, password)
    return _spki(key.public_key()) == _spki(cert.public_key())


@dataclass(frozen=True)
class KeyPairing:
    certificate: Path
    key: Path | None


def pair_keys(paths) -> list[KeyPairing]:
    """For each certificate file among ``paths``, the key file that matches it (or None).

    Encrypted keys and .pfx files are left out: pairing must not ask for passwords.
    """
    certs, keys = [], []
    for path in map(Path, paths):
        kind = identify(path).kind
        if kind is Kind.CERTIFICATE:
            certs.append((path, _spki(load_certificates(path)[0].public_key())))
        elif kind in (Kind.RSA_KEY, Kind.PKCS8_KEY):
            keys.append((path, _spki(load_key(path).public_key())))
    return [KeyPairing(cert, next((k for k, spki in keys if spki == cert_spki), None)) for cert, cert_spki in certs]


# -- PKCS#12 export ---------------------------------------------------------------


def export_pkcs12(
    cert,
    key,
    out,
    *,
    chain=(),
    password: str = "",
    key_password: str | None = None,
    compat="modern",
    friendly_name: str | None = None,
    overwrite: bool = False,
) -> Path:
    """A .pfx from a certificate file, its key file and CA certificate files (mode 0600).

    The default friendly name is the host name (the first DNS name of the
    SAN, else the CN), as in the .pfx that create_cert.sh writes: Windows
    shows it in the certificate store and keytool uses it as the alias.
    """
    from genesys_lab.formats.pkcs12 import Compat, build_pkcs12

    out = check_output(out, overwrite=overwrite)
    mode = Compat.parse(compat)
    certificate = load_certificate(cert)
    private_key = load_key(key, None, key_password)
    if _spki(private_key.public_key()) != _spki(certificate.public_key()):
        raise FormatError(
            f"the key {read_source(key)[1]} does not belong to {read_source(cert)[1]}: "
            "`genesys-lab identify CERT --key KEY` finds out which key matches"
        )
    cas = [c for source in ([chain] if isinstance(chain, (str, Path)) else chain) for c in load_certificates(source)]
    name = friendly_name if friendly_name is not None else _host_name(certificate)
    pfx = build_pkcs12(private_key, certificate, cas, password=password, friendly_name=name, compat=mode)
    return write_output(out, pfx, secret=True, overwrite=overwrite)


def _host_name(cert) -> str | None:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    from genesys_lab.x509.describe import extension

    san = extension(cert, x509.SubjectAlternativeName)
    dns = san.get_values_for_type(x509.DNSName) if san is not None else []
    names = dns or [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    return names[0] if names else None
