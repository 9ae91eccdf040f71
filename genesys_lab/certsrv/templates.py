"""Certificate templates as data: the built-in ones and a site file in the CA folder.

A Windows enterprise CA issues every certificate from a template: the rules
and settings it applies to an incoming request (application policies = EKU,
key usage, minimum key size, validity, how the subject is built, whether a
CA manager must approve, whether the private key may be exported). The lab
keeps the attributes that decide what a Genesys host gets; each one names
the Active Directory attribute or CertEnroll flag it stands for:

- ``subject``: msPKI-Certificate-Name-Flag. "Supply in the request" is
  SubjectNameEnrolleeSupplies (the client provides the subject, and its SAN
  is kept); "Build from this Active Directory information" makes the CA
  write the requester's directory name (SubjectNameRequireDNS): in the lab,
  the requesting machine's name. X509CertificateTemplateSubjectNameFlag,
  https://learn.microsoft.com/en-us/windows/desktop/api/certenroll/ne-certenroll-x509certificatetemplatesubjectnameflag
- ``manager_approval``: msPKI-Enrollment-Flag CT_FLAG_PEND_ALL_REQUESTS
  (Issuance Requirements > "CA certificate manager approval"): the CA
  returns "pending" and a CA manager must approve before it issues.
  [MS-WCCE] 3.2.2.6.2.1.4.5.6 msPKI-Enrollment-Flag,
  https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/9cc7ba15-fcbc-48b3-8a3b-121faef3d5ef
- ``exportable``: msPKI-Private-Key-Flag PrivateKeyExportable (Request
  Handling > "Allow private key to be exported"): the client lets other
  applications export the key to a PFX. X509CertificateTemplatePrivateKeyFlag,
  https://learn.microsoft.com/en-us/windows/desktop/api/CertEnroll/ne-certenroll-x509certificatetemplateprivatekeyflag
- ``min_key_size``: msPKI-Minimal-Key-Size,
  https://learn.microsoft.com/en-us/windows/win32/adschema/a-mspki-minimal-key-size
- ``validity_days`` / ``renewal_days``: pKIExpirationPeriod / pKIOverlapPeriod,
  https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-ada3/57ed8119-18db-4aad-bc13-6848784e1e35

Windows' own templates and their purposes (Computer: client and server
authentication; User: EFS, secure e-mail, client authentication; Web Server:
server authentication) follow Microsoft's "Certificate templates" list,
https://www.sysadmins.lv/documentation/nt5certsrvdocs/CertTemps.aspx (a copy
of the Windows 2000 Certificate Services documentation). That list does not
give validity, key size or export settings: the values below for those are
the lab's, chosen to show the consequences, and said so in ``note``.
MutualTLS2 is the guide's example template name; the guide names no GUI
template, so ``GenesysGUI`` is the lab's name for one.
"""

from __future__ import annotations

import configparser
import enum
from dataclasses import dataclass, field, replace
from pathlib import Path

from genesys_lab.errors import UsageError

SITE_FILE = "templates.ini"

#: application policy (EKU) names as the lab writes them -> OID
EKU_OIDS = {
    "serverAuth": "1.3.6.1.5.5.7.3.1",
    "clientAuth": "1.3.6.1.5.5.7.3.2",
    "emailProtection": "1.3.6.1.5.5.7.3.4",
    "encryptingFileSystem": "1.3.6.1.4.1.311.10.3.4",
}
#: what the Certificate Templates console calls each application policy
EKU_DISPLAY = {
    "serverAuth": "Server Authentication",
    "clientAuth": "Client Authentication",
    "emailProtection": "Secure Email",
    "encryptingFileSystem": "Encrypting File System",
}
KEY_USAGES = ("digitalSignature", "keyEncipherment", "nonRepudiation", "dataEncipherment", "keyAgreement")
MAX_KEY_SIZE = 16384


class SubjectSource(enum.Enum):
    """Subject Name tab: "Supply in the request" or "Build from this Active Directory information"."""

    REQUEST = "request"
    DIRECTORY = "directory"

    @property
    def display(self) -> str:
        return {
            SubjectSource.REQUEST: "Supply in the request",
            SubjectSource.DIRECTORY: "Build from this Active Directory information",
        }[self]


@dataclass(frozen=True)
class Template:
    """One certificate template; see the module docstring for what each field stands for."""

    name: str
    display_name: str
    ekus: tuple[str, ...]
    key_usage: tuple[str, ...] = ("digitalSignature", "keyEncipherment")
    min_key_size: int = 2048
    max_key_size: int = MAX_KEY_SIZE
    validity_days: int = 365
    renewal_days: int = 42
    subject: SubjectSource = SubjectSource.REQUEST
    manager_approval: bool = False
    exportable: bool = True
    cdp_urls: tuple[str, ...] = ()
    aia_urls: tuple[str, ...] = ()
    builtin: bool = True
    note: str = ""
    source: str = field(default="built in", compare=False)

    @property
    def application_policies(self) -> tuple[str, ...]:
        """The EKUs as the Extensions tab shows them."""
        return tuple(EKU_DISPLAY[e] for e in self.ekus)

    def check_key_size(self, bits: int) -> None:
        """The key size must lie within the template's limits (Cryptography tab, minimum key size)."""
        if not self.min_key_size <= bits <= self.max_key_size:
            raise UsageError(
                f"key size {bits} is outside template {self.name}'s limits {self.min_key_size}..{self.max_key_size}: "
                f"choose {self.min_key_size} or more"
            )


_LAB_VALUES = "validity, key size and export settings are the lab's: Microsoft's list gives only the purposes"

BUILTIN = {
    t.name.lower(): t
    for t in (
        Template(
            "MutualTLS2",
            "Mutual TLS 2",
            ("serverAuth", "clientAuth"),
            note="the guide's example template: a Genesys server is a TLS server and a TLS client",
        ),
        Template(
            "GenesysGUI",
            "Genesys GUI",
            ("clientAuth",),
            note="the lab's template for Genesys GUI applications, which only connect out (the guide names none)",
        ),
        Template(
            "WebServer",
            "Web Server",
            ("serverAuth",),
            validity_days=730,
            note="Windows' usual template for web servers: server authentication only; " + _LAB_VALUES,
        ),
        Template(
            "Computer",
            "Computer",
            ("clientAuth", "serverAuth"),
            subject=SubjectSource.DIRECTORY,
            exportable=False,
            note="Windows' template for domain computers: the subject is the machine's own name; " + _LAB_VALUES,
        ),
        Template(
            "User",
            "User",
            ("encryptingFileSystem", "emailProtection", "clientAuth"),
            subject=SubjectSource.DIRECTORY,
            exportable=False,
            note="Windows' template for people: EFS, secure e-mail, client authentication; " + _LAB_VALUES,
        ),
    )
}


def site_file(ca_root: Path) -> Path:
    """``ca_conf/templates.ini``: the site's own templates, beside ca.conf (``openssl ca`` ignores it)."""
    from genesys_lab.authority.store import CAPaths

    return CAPaths(Path(ca_root)).conf / SITE_FILE


def all_templates(ca_root: Path | None = None) -> dict[str, Template]:
    """Built-in templates, then the site's (a site template may not reuse a built-in name)."""
    found = dict(BUILTIN)
    if ca_root is not None:
        path = site_file(ca_root)
        if path.exists():
            found.update({t.name.lower(): t for t in load_site_templates(path)})
    return found


def get_template(name: str | None, ca_root: Path | None = None) -> Template:
    """The template called ``name`` (case does not matter), or an error listing the ones there are."""
    templates = all_templates(ca_root)
    names = ", ".join(t.name for t in templates.values())
    if name is None or not str(name).strip():
        raise UsageError(f"no certificate template chosen: pick one of {names}")
    found = templates.get(str(name).strip().lower())
    if found is None:
        raise UsageError(f"certificate template {str(name).strip()[:60]!r} does not exist: use one of {names}")
    return found


# ----------------------------------------------------------------- site file

_KEYS = {
    "display_name",
    "ekus",
    "key_usage",
    "min_key_size",
    "validity_days",
    "renewal_days",
    "subject",
    "manager_approval",
    "exportable",
    "cdp_urls",
    "aia_urls",
    "based_on",
}

EXAMPLE_SITE_FILE = """\
# Certificate templates of this site, read by genesys-lab (openssl ca ignores this file).
# One section per template; "based_on" copies a built-in template (MutualTLS2, GenesysGUI,
# WebServer, Computer, User) and the lines below it change what differs.
#   ekus             serverAuth, clientAuth, emailProtection, encryptingFileSystem
#   subject          request (Supply in the request) or directory (Build from this Active Directory information)
#   manager_approval yes = requests wait as pending until a CA manager issues them
#   exportable       yes = Allow private key to be exported
#   min_key_size     1024..16384; validity_days, renewal_days: whole days
#   cdp_urls, aia_urls  http:// addresses put into the certificates (comma-separated)

[GenesysServerApproval]
based_on = MutualTLS2
display_name = Genesys Server (approval)
manager_approval = yes
"""


def load_site_templates(path: Path) -> list[Template]:
    """Read and validate ``templates.ini``; any mistake is one error naming the file, section and key."""
    from genesys_lab.files import read_user_file

    text = read_user_file(path, "templates file").decode("utf-8", "replace")
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as exc:
        first = str(exc).splitlines()[0]
        raise UsageError(f"{path}: {first}: fix the file (it is an INI file, one [section] per template)") from None
    return [_section(path, name, parser[name]) for name in parser.sections()]


def _section(path: Path, name: str, section) -> Template:
    where = f"{path} [{name}]"
    if name.lower() in BUILTIN:
        raise UsageError(f"{where}: {name} is a built-in template: give the site's template another name")
    if not name.replace("-", "").replace("_", "").isalnum():
        raise UsageError(f"{where}: a template name holds letters, digits, '-' and '_' only")
    unknown = sorted(set(section) - _KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r}: use {', '.join(sorted(_KEYS))}")
    base = BUILTIN.get(section.get("based_on", "MutualTLS2").strip().lower())
    if base is None:
        raise UsageError(
            f"{where}: based_on {section.get('based_on')!r} is not a built-in template: use MutualTLS2, GenesysGUI, WebServer, Computer or User"
        )
    try:
        changes = _changes(section)
    except (ValueError, UsageError) as exc:
        raise UsageError(f"{where}: {exc}") from None
    return replace(base, name=name, builtin=False, note="", source=str(path), **changes)


def _changes(section) -> dict:
    changes: dict = {"display_name": section.get("display_name", "").strip()}
    if not changes["display_name"]:
        del changes["display_name"]
    if "ekus" in section:
        changes["ekus"] = _names(section["ekus"], EKU_OIDS, "ekus")
    if "key_usage" in section:
        changes["key_usage"] = _names(section["key_usage"], dict.fromkeys(KEY_USAGES), "key_usage")
    for key in ("min_key_size", "validity_days", "renewal_days"):
        if key in section:
            changes[key] = _whole(section[key], key)
    if not 1024 <= changes.get("min_key_size", 2048) <= MAX_KEY_SIZE:
        raise UsageError(f"min_key_size {changes['min_key_size']} must be within 1024..{MAX_KEY_SIZE}")
    if "subject" in section:
        value = section["subject"].strip().lower()
        if value not in ("request", "directory"):
            raise UsageError(f"subject {value!r} must be request or directory")
        changes["subject"] = SubjectSource(value)
    for key in ("manager_approval", "exportable"):
        if key in section:
            changes[key] = _yes_no(section[key], key)
    for key in ("cdp_urls", "aia_urls"):
        if key in section:
            changes[key] = tuple(_url(u) for u in section[key].split(",") if u.strip())
    return changes


def _names(text: str, allowed, key: str) -> tuple[str, ...]:
    items = tuple(i.strip() for i in text.split(",") if i.strip())
    if not items:
        raise UsageError(f"{key} is empty: list at least one of {', '.join(allowed)}")
    for item in items:
        if item not in allowed:
            raise UsageError(f"{key} item {item!r} is unknown: use {', '.join(allowed)}")
    return items


def _whole(text: str, key: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise UsageError(f"{key} {text.strip()!r} is not a whole number") from None
    if value < 1:
        raise UsageError(f"{key} {value} must be at least 1")
    return value


def _yes_no(text: str, key: str) -> bool:
    value = text.strip().lower()
    if value in ("yes", "true", "1", "on"):
        return True
    if value in ("no", "false", "0", "off"):
        return False
    raise UsageError(f"{key} {text.strip()!r} must be yes or no")


def _url(text: str) -> str:
    from urllib.parse import urlsplit

    url = text.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"{url!r} is not an http:// address")
    return url


def write_example_site_file(ca_root: Path) -> Path:
    """Create ``ca_conf/templates.ini`` with one example template, through the CA's transaction."""
    from genesys_lab.authority import store

    paths = store.CAPaths(Path(ca_root))
    paths.require_ca()
    path = site_file(ca_root)
    with store.locked(paths), store.transaction() as tx:
        if path.exists():
            raise UsageError(f"{path} already exists: edit it, or remove it to start again from the example")
        tx.create(path, EXAMPLE_SITE_FILE.encode())
    return path
