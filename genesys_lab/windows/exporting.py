"""MMC's Certificate Export Wizard on a simulated machine; the files it writes are real.

The wizard's pages (the Genesys guide's "Exporting Certificates", steps 9-15):

1. **Export Private Key**: "Yes, export the private key" is offered only for
   a key imported as exportable; otherwise only "No, do not export the
   private key" is left (Import-PfxCertificate's ``-Exportable``,
   https://learn.microsoft.com/en-us/powershell/module/pki/import-pfxcertificate).
   The lab's refusal text is its own.
2. **Export File Format**: with the key, PKCS #12 (.pfx) is the only format;
   options "Include all certificates in the certification path if possible",
   "Delete the private key if the export is successful", "Export all extended
   properties". Without the key: DER encoded binary X.509 (.cer) or Base-64
   encoded X.509 (.cer).
3. **Security**: a .pfx needs a password, and newer Windows offers the
   encryption "TripleDES-SHA1" or "AES256-SHA256": the CryptoAlgorithmOption
   values of Export-PfxCertificate (https://learn.microsoft.com/en-us/powershell/module/pki/export-pfxcertificate);
   AES256-SHA256 exists from Windows 10 1709 / Server 2019
   (https://learn.microsoft.com/en-us/windows/win32/api/wincrypt/ns-wincrypt-pkcs12_pbes2_export_params),
   so a Server 2016 machine offers TripleDES-SHA1 only.
4. **File to Export**, then Finish.

Extended properties: the lab keeps one, the friendly name; it is written
into the .pfx only with "Export all extended properties" (Export-PfxCertificate
exports them unless ``-NoProperties``). The chain is what the Certification
Path tab builds from the machine's stores. The .pfx is written by
``formats.pkcs12`` (TripleDES-SHA1 = its LEGACY encoding, AES256-SHA256 = MODERN),
so OpenSSL and keytool open it (tests/test_windows_export.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.errors import PasswordError, UsageError
from genesys_lab.windows import commands
from genesys_lab.windows.errors import WizardRefusal
from genesys_lab.windows.machine import Machine, StoreEntry


class Encryption(enum.Enum):
    """The Security page's choice (Export-PfxCertificate -CryptoAlgorithmOption)."""

    TRIPLEDES = "tripledes"
    AES256 = "aes256"

    @classmethod
    def parse(cls, value) -> Encryption:
        if isinstance(value, cls):
            return value
        text = str(value).strip().lower().replace("-", "_").replace("_sha1", "").replace("_sha256", "")
        for member in cls:
            if member.value == text:
                return member
        raise UsageError(f"encryption {value!r}: use tripledes (TripleDES-SHA1) or aes256 (AES256-SHA256)")

    @property
    def title(self) -> str:
        return "TripleDES-SHA1" if self is Encryption.TRIPLEDES else "AES256-SHA256"


@dataclass(frozen=True)
class ExportOptions:
    """What the wizard offers for one entry on this machine."""

    can_export_key: bool
    why_not: str
    encryptions: tuple[Encryption, ...]
    default_encryption: Encryption


@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str  # "PKCS #12 (.pfx)", "DER encoded binary X.509 (.cer)", "Base-64 encoded X.509 (.cer)"
    with_key: bool
    certificates: int
    encryption: str
    key_deleted: bool
    powershell: str
    certutil: str


def export_options(machine: Machine, entry: StoreEntry) -> ExportOptions:
    encryptions = (Encryption.TRIPLEDES, Encryption.AES256) if machine.version.offers_aes_export else (Encryption.TRIPLEDES,)
    default = Encryption.AES256 if machine.version.offers_aes_export else Encryption.TRIPLEDES
    if not entry.has_private_key:
        return ExportOptions(False, f"{entry.thumbprint} has no private key on {machine.name}", encryptions, default)
    if not entry.exportable:
        why = (
            f"the private key of {entry.thumbprint} was imported as not exportable, so the wizard offers only "
            "'No, do not export the private key'"
        )
        return ExportOptions(False, why, encryptions, default)
    return ExportOptions(True, "", encryptions, default)


def export(
    machine: Machine,
    entry: StoreEntry,
    out,
    *,
    with_key: bool = False,
    password: str | None = None,
    include_chain: bool = False,
    extended_properties: bool = False,
    delete_key: bool = False,
    encryption=None,
    base64: bool = False,
    overwrite: bool = False,
) -> ExportResult:
    """Run the Export Wizard to Finish; a refusal writes nothing and changes nothing."""
    from genesys_lab.formats.convert import check_output, write_output

    options = export_options(machine, entry)
    if delete_key:
        machine.require_writable()
    if with_key and not options.can_export_key:
        raise WizardRefusal(
            f"cannot export the private key: {options.why_not}; export the certificate alone (.cer), or import the "
            ".pfx again with 'Mark this key as exportable' (the lab's wording)"
        )
    if not with_key and (delete_key or password or include_chain or encryption is not None):
        raise UsageError("the chain, password, encryption and delete-key options belong to a .pfx export: add --with-key")
    check_output(out, overwrite=overwrite)
    store = entry.store_name
    if not with_key:
        data = _certificate_bytes(entry, base64)
        path = write_output(out, data, secret=False, overwrite=overwrite)
        ps, cu = commands.export_certificate(store, entry.thumbprint, str(out))
        kind = "Base-64 encoded X.509 (.cer)" if base64 else "DER encoded binary X.509 (.cer)"
        return ExportResult(path, kind, False, 1, "", False, ps, cu)
    chosen = Encryption.parse(encryption) if encryption is not None else options.default_encryption
    if chosen not in options.encryptions:
        raise WizardRefusal(
            f"{machine.version.title}'s Export Wizard offers {Encryption.TRIPLEDES.title} only: AES256-SHA256 needs "
            "Windows 10 1709 or Windows Server 2019 and later"
        )
    if not password:
        raise PasswordError("a .pfx export needs a password (the wizard's Security page): give one; nothing was written")
    chain = _chain(machine, entry) if include_chain else ()
    data = _pfx(machine, entry, chain, password, chosen, extended_properties)
    path = write_output(out, data, secret=True, overwrite=overwrite)
    if delete_key:
        machine.delete_key(entry)
    ps, cu = commands.export_pfx(
        store, entry.thumbprint, str(out), chain=include_chain, properties=extended_properties, encryption=chosen.value
    )
    return ExportResult(path, "PKCS #12 (.pfx)", True, 1 + len(chain), chosen.title, delete_key, ps, cu)


def _chain(machine: Machine, entry: StoreEntry) -> tuple:
    """The certification path's CA certificates, as far as the machine's stores build it."""
    from genesys_lab.windows.view import certification_path

    path = certification_path(machine, entry)
    by_thumb = {e.thumbprint: e.certificate for e in machine.entries()}
    return tuple(by_thumb[el.thumbprint] for el in path.elements[1:])


def _pfx(machine: Machine, entry: StoreEntry, chain, password: str, encryption: Encryption, properties: bool) -> bytes:
    from genesys_lab.formats.pkcs12 import Compat, build_pkcs12

    compat = Compat.LEGACY if encryption is Encryption.TRIPLEDES else Compat.MODERN
    name = entry.friendly_name if properties and entry.friendly_name else None
    key = machine.private_key(entry)
    return build_pkcs12(key, entry.certificate, chain, password=password, friendly_name=name, compat=compat)


def _certificate_bytes(entry: StoreEntry, base64: bool) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return entry.certificate.public_bytes(Encoding.PEM if base64 else Encoding.DER)
