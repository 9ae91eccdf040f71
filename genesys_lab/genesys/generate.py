"""The TLS options for one certificate, as an administrator types them into Configuration Manager / GAX.

What goes where (SOURCES.md): ``tls=1`` and ``tls-mutual=1`` in the secure
Port's Transport parameters (S1), written ``name=value;name=value`` as the
Transport field takes them (Framework Configuration Options Reference,
*Transport Parameter Options*,
https://docs.genesys.com/Documentation/FR/latest/CORM/CommTransParms); the
rest in the Application's Annex, section security (S5, S9), or on the Host.

The values come from the CA folder, as the guide names its files (S12):

- unix: ``<serial>_<host>_cert.pem``, ``<serial>_<host>_priv_key.pem``, ``ca_conf/ca_cert.pem``;
- java: the same certificate and the PKCS#8 key ``<serial>_<host>_priv_key_NEW.pem``
  (Genesys recommends PEM files with PSDK Java; the keystore option names
  were not read, so the lab prints no keystore options);
- windows: the certificate's thumbprint (MSCAPI, S9), read after the
  ``.pfx`` is imported into the Local Computer's Personal store (S12);
  whether Windows needs ``trusted-ca`` was not read, so it is not printed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.errors import GenesysLabError
from genesys_lab.genesys.model import _choice

PORT_PLACE = "Port > Transport parameters"
SECURITY_PLACE = "Application (or Host) > Annex > [security]"


class Platform(enum.Enum):
    UNIX = "unix"
    WINDOWS = "windows"
    JAVA = "java"


@dataclass(frozen=True)
class OptionLine:
    place: str
    option: str
    value: str

    def __str__(self) -> str:
        return f"{self.option} = {self.value}"


@dataclass(frozen=True)
class GeneratedOptions:
    serial: str
    host: str
    platform: Platform
    lines: tuple[OptionLine, ...]
    notes: tuple[str, ...] = ()

    def at(self, place: str) -> tuple[OptionLine, ...]:
        return tuple(line for line in self.lines if line.place == place)

    def options(self) -> dict[str, str]:
        return {line.option: line.value for line in self.lines}

    def transport(self) -> str:
        """The Port's Transport parameters as typed into the field: ``tls=1;tls-mutual=1`` (no spaces)."""
        return ";".join(f"{line.option}={line.value}" for line in self.at(PORT_PLACE))

    def render(self) -> str:
        out = [f"# {self.platform.value} options for serial {self.serial} ({self.host})", f"[{PORT_PLACE}]", self.transport()]
        out += ["", f"[{SECURITY_PLACE}]", *(str(line) for line in self.at(SECURITY_PLACE))]
        out += [f"# {note}" for note in self.notes]
        return "\n".join(out)


def genesys_options(ca, serial, platform="unix", *, mutual=False, target_name_check=False, crl=False) -> GeneratedOptions:
    """The options for the application that presents certificate ``serial`` of ``ca``."""
    platform = platform if isinstance(platform, Platform) else _choice(Platform, platform, "platform")
    record = ca.record(serial)
    host = record.host
    if host is None:
        raise GenesysLabError(
            f"serial {record.serial} has no <serial>_<host>_cert.pem in {ca.paths.repository}: issue it with create_cert.sh"
        )
    cert = ca.paths.repository / f"{record.serial}_{host}_cert.pem"
    lines = [OptionLine(PORT_PLACE, "tls", "1")]
    if mutual:
        lines.append(OptionLine(PORT_PLACE, "tls-mutual", "1"))
    notes: list[str] = []
    if platform is Platform.WINDOWS:
        lines += _windows(cert, notes)
    else:
        lines += _files(ca, record.serial, host, cert, platform, notes)
    if target_name_check:
        lines.append(OptionLine(SECURITY_PLACE, "tls-target-name-check", "host"))
    if crl:
        lines.append(OptionLine(SECURITY_PLACE, "tls-crl", str(_crl_file(ca, platform))))
    return GeneratedOptions(record.serial, host, platform, tuple(lines), tuple(notes))


def _files(ca, serial: str, host: str, cert: Path, platform: Platform, notes: list[str]) -> list[OptionLine]:
    key = ca.paths.repository / f"{serial}_{host}_priv_key.pem"
    if platform is Platform.JAVA:
        rsa_key, key = key, ca.paths.repository / f"{serial}_{host}_priv_key_NEW.pem"
        if not key.exists():
            notes.append(f"make the PKCS#8 key first: convert_priv_key.sh -in {rsa_key} -out {key} -outformat pkcs8")
    return [
        OptionLine(SECURITY_PLACE, "certificate", str(cert.resolve())),
        OptionLine(SECURITY_PLACE, "certificate-key", str(key.resolve())),
        OptionLine(SECURITY_PLACE, "trusted-ca", str(ca.paths.cert.resolve())),
    ]


def _windows(cert: Path, notes: list[str]) -> list[OptionLine]:
    from genesys_lab.x509.describe import describe

    notes.append(
        f"import {cert.with_suffix('.pfx').name} into Local Computer > Personal, ca_cert.pfx into Trusted Root Certification Authorities"
    )
    notes.append("on Windows the SChannel settings of the machine take precedence over sec-protocol")
    return [OptionLine(SECURITY_PLACE, "certificate", describe(cert).thumbprint_sha1.upper())]


def _crl_file(ca, platform: Platform) -> Path:
    if platform is Platform.WINDOWS:
        raise GenesysLabError(
            "--crl with --platform windows: SChannel finds CRLs through the certificate's distribution point, not a file; "
            "issue certificates with a CRL URL instead"
        )
    if not ca.paths.crl_pem.exists():
        raise GenesysLabError(f"there is no CRL in {ca.paths.conf} yet: run genesys-lab gen-crl --ca-dir {ca.paths.root} first")
    return ca.paths.crl_pem.resolve()
