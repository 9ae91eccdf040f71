"""MMC's Certificate Import Wizard, page by page, on a simulated machine.

The wizard's pages (the Genesys guide's steps 3-14 of "Installing
Certificates on Windows"; CryptUIWizImport is the API behind it,
https://learn.microsoft.com/en-us/windows/win32/api/cryptuiapi/nf-cryptuiapi-cryptuiwizimport):

1. **File to Import**: ``.pfx``/``.p12`` (PKCS #12), ``.cer``/``.crt`` (X.509, DER or
   Base64), ``.p7b`` (PKCS #7), whatever the file is named ("All Files", as the
   guide's step 5 says); the content decides. Keys, requests and anything else
   are refused (Windows also imports CRLs and CTLs; the lab does not).
2. **Private key protection** (PKCS #12 only): the password ("" for the
   Security Pack's host and CA ``.pfx``), and "Mark this key as exportable",
   off unless asked (Import-PfxCertificate imports a non-exportable key unless
   ``-Exportable`` is given; https://learn.microsoft.com/en-us/powershell/module/pki/import-pfxcertificate;
   ImportPFXFlags' ImportExportable, https://learn.microsoft.com/en-us/windows/win32/api/certenroll/ne-certenroll-importpfxflags).
3. **Certificate Store**: "Automatically select the certificate store based
   on the type of certificate" or "Place all certificates in the following
   store". Microsoft's documentation found for the lab does not spell out the
   automatic rule; the lab uses the one the wizard's wording implies and
   field guides describe: a self-signed CA certificate goes to Trusted Root
   Certification Authorities, another CA certificate to Intermediate
   Certification Authorities, any other certificate to Personal. "Place all"
   puts every certificate of the file, the CA's too, into the one store: the
   classic mistake of importing a host ``.pfx`` into Personal alone, after
   which the CA is on the machine but not trusted.
4. **Finish**: a new root needs a confirmation. Microsoft documents that,
   because of the trust a root store carries, "the user may be prompted" when
   a certificate is added to it (ICEnroll::RootStoreName,
   https://learn.microsoft.com/en-us/windows/win32/api/xenroll/nf-xenroll-icenroll-put_rootstorename);
   the dialog's text is not documented there, so the lab's warning is in its
   own words (it names the CA and its SHA-1 thumbprint, the two things the
   Windows dialog shows). The lab asks for every Root import, computer or user.

A certificate already in the chosen store is reported as such and not
added again. On Windows Server 2016 a .pfx protected with AES-256/SHA-256
is refused as if the password were wrong (see ``windows.versions``); the
refusal quotes the message CertificateDsc documents for Import-PfxCertificate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from genesys_lab.errors import FormatError, PasswordError, UsageError
from genesys_lab.windows import commands
from genesys_lab.windows.errors import ConfirmationRequired, WizardRefusal
from genesys_lab.windows.machine import Addition, Machine, StoreEntry
from genesys_lab.windows.stores import Location, StoreKind, StoreName, parse_store
from genesys_lab.windows.thumbprints import dialog_form, thumbprint

#: Quoted by CertificateDsc's PfxImport documentation as the error Windows gives
#: when a build before 1709 imports an AES256_SHA256 .pfx (PowerShell's wording).
OLD_WINDOWS_PFX_ERROR = (
    "The PFX file you are trying to import requires either a different password "
    "or membership in an Active Directory principal to which it is protected."
)


@dataclass(frozen=True)
class ImportFile:
    """What the File to Import page found: the certificates, and the key of a .pfx."""

    name: str
    kind: str  # "PKCS #12", "X.509 (DER)", "X.509 (Base64)", "PKCS #7"
    certificates: tuple = field(repr=False)
    key: object | None = field(default=None, repr=False)
    key_certificate: object | None = field(default=None, repr=False)
    friendly_name: str = ""
    empty_password: bool = False
    encryption: str = ""  # how a .pfx is protected, from describe_pkcs12

    @property
    def is_pfx(self) -> bool:
        return self.kind == "PKCS #12"


@dataclass(frozen=True)
class Placement:
    """Where one certificate of the file goes, and why."""

    store: str
    thumbprint: str
    subject: str
    has_private_key: bool
    already_present: bool
    reason: str


@dataclass(frozen=True)
class RootWarning:
    """What the machine shows before it trusts a new root (the lab's words; see the module docstring)."""

    subject: str
    thumbprint: str
    store: str

    @property
    def text(self) -> str:
        return (
            f"Security warning (the lab's wording, not Microsoft's): {self.store} is about to trust the "
            f"certification authority {self.subject!r} for every certificate it has issued or will issue. "
            f"Nothing on this machine can prove that the file comes from that CA: compare its SHA-1 thumbprint "
            f"{self.thumbprint} ({dialog_form(self.thumbprint)}) with the CA's owner before you say yes."
        )


@dataclass(frozen=True)
class ImportPlan:
    """The wizard's pages filled in, before Finish: nothing has changed yet."""

    machine: str
    file: ImportFile
    placements: tuple[Placement, ...]
    exportable: bool
    automatic: bool
    root_warnings: tuple[RootWarning, ...]
    notes: tuple[str, ...]
    powershell: tuple[str, ...]
    certutil: tuple[str, ...]

    @property
    def changes(self) -> tuple[Placement, ...]:
        return tuple(p for p in self.placements if not p.already_present)


@dataclass(frozen=True)
class ImportResult:
    """What Finish did: the plan, and the entries now in the stores."""

    plan: ImportPlan
    entries: tuple[StoreEntry, ...]

    @property
    def message(self) -> str:
        added = len(self.plan.changes)
        return "The import was successful." if added else "Nothing to import: every certificate was already in its store."


# -- page 1 and 2: the file and its password -------------------------------------------


def read_import_file(source, password: str = "", *, windows=None) -> ImportFile:
    """Read a file as the wizard's first pages do; ``windows`` (a WindowsVersion) applies its .pfx limits."""
    from genesys_lab.formats.identify import read_source

    data, name = read_source(source)
    from genesys_lab.formats.identify import Kind, identify

    found = identify(data)
    if found.kind is Kind.PKCS12:
        return _read_pfx(data, name, password, windows)
    if found.kind is Kind.PKCS7:
        return _read_p7b(data, name)
    certs = found.of_kind(Kind.CERTIFICATE)
    if certs and len(certs) == len(found.items):
        from cryptography import x509

        kind = "X.509 (Base64)" if certs[0].encoding == "PEM" else "X.509 (DER)"
        return ImportFile(name, kind, tuple(x509.load_der_x509_certificate(i.der) for i in certs))
    raise FormatError(
        f"{name} is {found.summary() or 'empty'}, not a certificate file: the wizard imports certificates "
        "(.cer/.crt), PKCS #7 bundles (.p7b) and PKCS #12 files (.pfx/.p12)"
    )


def _read_pfx(data: bytes, name: str, password: str, windows) -> ImportFile:
    from genesys_lab.formats.pkcs12 import describe_pkcs12, read_pkcs12

    try:
        info = describe_pkcs12(data, password)
    except PasswordError:
        raise PasswordError(
            f"Certificate Import Wizard: {name} does not open with the password given (its MAC does not match): "
            "type the password it was exported with (Security Pack .pfx files have an empty one)"
        ) from None
    if windows is not None:
        verdict = next(c for c in info.consumers if c.consumer == windows.consumer_name)
        if not verdict.opens:
            raise WizardRefusal(
                f"{windows.title} refuses {name} as if the password were wrong ({OLD_WINDOWS_PFX_ERROR!r}), "
                f"but the password is right: the file uses AES-256/SHA-256, which {windows.title} cannot read; "
                "re-export it with TripleDES-SHA1 (genesys-lab windows export --encryption tripledes, or "
                "convert_priv_key.sh / export_pkcs12 with the legacy encoding)"
            )
    contents = read_pkcs12(data, password)
    certs = tuple(([contents.cert] if contents.cert is not None else []) + list(contents.chain))
    if not certs:
        raise FormatError(f"{name} holds no certificate: there is nothing for the wizard to import")
    encryption = "; ".join(sorted({b.encryption for b in info.bags}))
    return ImportFile(
        name, "PKCS #12", certs, contents.key, contents.cert, contents.friendly_name or "", password == "", encryption
    )


def _read_p7b(data: bytes, name: str) -> ImportFile:
    from cryptography.hazmat.primitives.serialization import pkcs7

    try:
        if b"-----BEGIN" in data:
            certs = pkcs7.load_pem_pkcs7_certificates(data)
        else:
            certs = pkcs7.load_der_pkcs7_certificates(data)
    except ValueError as exc:
        raise FormatError(f"{name} is a damaged PKCS #7 file ({exc}): export it again") from None
    if not certs:
        raise FormatError(f"{name} is a PKCS #7 file with no certificate in it: there is nothing to import")
    return ImportFile(name, "PKCS #7", tuple(certs))


# -- page 3: the store ------------------------------------------------------------------------


def automatic_store(cert, location: Location) -> tuple[StoreName, str]:
    """ "Automatically select the certificate store based on the type of certificate" (rule in the module docstring)."""
    if _is_ca(cert) and cert.subject == cert.issuer:
        return StoreName(location, StoreKind.ROOT), "a self-signed CA certificate: automatic selection puts it in Trusted Root"
    if _is_ca(cert):
        return StoreName(
            location, StoreKind.CA
        ), "a CA certificate not signed by itself: automatic selection puts it in Intermediate"
    return StoreName(location, StoreKind.MY), "an end-entity certificate: automatic selection puts it in Personal"


def _target(store, automatic: bool) -> tuple[Location, StoreName | None]:
    if automatic:
        text = str(store).strip().rstrip("\\/") if store is not None else ""
        for location in Location:
            if text.lower().removeprefix("cert:\\") == location.value.lower():
                return location, None
        if not text:
            raise UsageError("automatic store selection still needs the location: LocalMachine or CurrentUser")
        return parse_store(store).location, None
    if store is None:
        raise UsageError("name the store to place all certificates in (e.g. LocalMachine\\My), or choose automatic selection")
    name = parse_store(store)
    return name.location, name


def plan_import(
    machine: Machine, source, store=None, *, automatic: bool = False, password: str = "", exportable: bool = False
) -> ImportPlan:
    """Fill in the wizard's pages without pressing Finish: where each certificate would go, warnings, notes."""
    machine.require_writable()
    location, fixed = _target(store, automatic)
    file = read_import_file(source, password, windows=machine.version)
    if exportable and not file.is_pfx:
        raise UsageError(
            f"{file.name} has no private key ({file.kind}): 'mark this key as exportable' applies to .pfx files only"
        )
    placements = []
    for cert in file.certificates:
        target, reason = (fixed, "you chose: place all certificates in this store") if fixed else automatic_store(cert, location)
        thumb = thumbprint(_der(cert))
        present = any(e.thumbprint == thumb for e in machine.entries(target))
        has_key = file.key is not None and cert == file.key_certificate
        placements.append(Placement(str(target), thumb, _label(cert), has_key, present, reason))
    roots = tuple(
        RootWarning(p.subject, p.thumbprint, p.store) for p in placements if not p.already_present and p.store.endswith("\\Root")
    )
    ps, cu = _commands(file, placements, exportable, source)
    return ImportPlan(
        machine.name,
        file,
        tuple(placements),
        exportable and file.is_pfx,
        fixed is None,
        roots,
        _notes(machine, file, placements, exportable),
        ps,
        cu,
    )


def import_file(
    machine: Machine,
    source,
    store=None,
    *,
    automatic: bool = False,
    password: str = "",
    exportable: bool = False,
    confirm: bool = False,
) -> ImportResult:
    """Run the wizard to Finish: one crash-safe change, or a refusal that changes nothing."""
    plan = plan_import(machine, source, store, automatic=automatic, password=password, exportable=exportable)
    if plan.root_warnings and not confirm:
        names = ", ".join(f"{w.subject!r} (SHA-1 {w.thumbprint})" for w in plan.root_warnings)
        raise ConfirmationRequired(
            f"importing into a Trusted Root store makes {machine.name} trust {names}: check the thumbprint, "
            "then confirm (confirm=True, or --yes on the command line)"
        )
    additions = [
        Addition(
            p.store,
            cert,
            plan.file.key if p.has_private_key else None,
            exportable=plan.exportable,
            friendly_name=plan.file.friendly_name if p.has_private_key else "",
        )
        for p, cert in zip(plan.placements, plan.file.certificates)
    ]
    entries = machine.add_certificates(additions)
    return ImportResult(plan, tuple(entries))


# -- what the learner should know ---------------------------------------------------------------


def _notes(machine: Machine, file: ImportFile, placements: list[Placement], exportable: bool) -> tuple[str, ...]:
    notes = []
    for p, cert in zip(placements, file.certificates):
        kind = p.store.rsplit("\\", 1)[1]
        is_ca = _is_ca(cert)
        if is_ca and kind == "My":
            trusted = _trusted_elsewhere(machine, p.thumbprint, p.store.split("\\")[0])
            if not trusted:
                notes.append(
                    f"the CA certificate {p.subject!r} goes to Personal, not to Trusted Root Certification Authorities: "
                    "certificates it issued will not be trusted on this machine until it is imported into Trusted Root"
                )
        if not is_ca and kind == "Root":
            notes.append(f"{p.subject!r} is not a CA certificate: it does not belong in Trusted Root; import it into Personal")
        if p.already_present:
            notes.append(f"{p.subject!r} is already in {p.store}: it is not added twice")
    if file.is_pfx and file.key is not None and not exportable:
        notes.append("the private key is imported as not exportable: it cannot be exported from this machine later")
    if not file.is_pfx and any(p.store.endswith("\\My") for p in placements):
        notes.append(
            f"{file.name} carries no private key: a certificate in Personal without its key cannot be used for TLS; "
            "import the host's .pfx instead"
        )
    return tuple(notes)


def _trusted_elsewhere(machine: Machine, thumb: str, location: str) -> bool:
    stores = ["LocalMachine\\Root"] + (["CurrentUser\\Root"] if location == "CurrentUser" else [])
    return any(e.thumbprint == thumb for s in stores for e in machine.entries(s))


def _commands(file: ImportFile, placements: list[Placement], exportable: bool, source) -> tuple[tuple[str, ...], tuple[str, ...]]:
    path = str(source) if isinstance(source, (str, Path)) else file.name
    ps, cu = [], []
    stores = list(dict.fromkeys(p.store for p in placements))
    if file.is_pfx:  # one command imports the whole file; name the store of the key's certificate
        stores = [next((p.store for p in placements if p.has_private_key), placements[0].store)]
    for store in stores:
        name = parse_store(store)
        if file.is_pfx:
            pair = commands.import_pfx(
                path, name, exportable=exportable, empty_password=file.empty_password, has_key=file.key is not None
            )
        else:
            pair = commands.import_certificate(path, name)
        ps.append(pair[0])
        cu.append(pair[1])
    return tuple(dict.fromkeys(ps)), tuple(dict.fromkeys(cu))


def _is_ca(cert) -> bool:
    from cryptography import x509

    from genesys_lab.x509.describe import extension

    constraints = extension(cert, x509.BasicConstraints)
    return bool(constraints and constraints.ca)


def _label(cert) -> str:
    from genesys_lab.checks.verify import label

    return label(cert)


def _der(cert) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return cert.public_bytes(Encoding.DER)
