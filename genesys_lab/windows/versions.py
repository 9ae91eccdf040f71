"""Which Windows versions the lab simulates, and what each one can open.

The one behaviour that differs between versions here is PKCS#12: Windows
reads .pfx files protected with PBES2/AES-256 and a SHA-256 MAC only from
Windows 10 version 1709 and Windows Server 2019 on. The documented minimum
for ``PKCS12_PBES2_ALG_AES256_SHA256`` is "Windows 10 1709 / Windows Server
2019" (PKCS12_PBES2_EXPORT_PARAMS,
https://learn.microsoft.com/en-us/windows/win32/api/wincrypt/ns-wincrypt-pkcs12_pbes2_export_params),
and older versions refuse such a file as if the password were wrong
(CertificateDsc's PfxImport help, which quotes the Windows error;
https://www.powershellgallery.com/packages/CertificateDsc/ , DSC_PfxImport/en-US/about_PfxImport.help.txt).
The same verdict is in ``formats.pkcs12``'s consumer table, which the
import uses. "10" stands for a current Windows 10 (1709 or later).
"""

from __future__ import annotations

import enum

from genesys_lab.errors import UsageError


class WindowsVersion(enum.Enum):
    SERVER_2016 = "2016"
    SERVER_2019 = "2019"
    SERVER_2022 = "2022"
    WINDOWS_10 = "10"
    WINDOWS_11 = "11"

    @classmethod
    def parse(cls, value) -> WindowsVersion:
        if isinstance(value, cls):
            return value
        text = str(value).strip().lower().removeprefix("windows").strip()
        text = text.removeprefix("server").strip()
        for member in cls:
            if member.value == text:
                return member
        raise UsageError(f"Windows version {value!r} is not simulated: use 2016, 2019, 2022 (Server), 10 or 11")

    @property
    def title(self) -> str:
        return f"Windows Server {self.value}" if self.is_server else f"Windows {self.value}"

    @property
    def is_server(self) -> bool:
        return self.value in ("2016", "2019", "2022")

    @property
    def reads_aes_pfx(self) -> bool:
        """AES-256/SHA-256 .pfx files: from Windows 10 1709 and Server 2019 on (see the module docstring)."""
        return self is not WindowsVersion.SERVER_2016

    @property
    def offers_aes_export(self) -> bool:
        """Whether the Export Wizard offers "AES256-SHA256" next to "TripleDES-SHA1" (same versions)."""
        return self.reads_aes_pfx

    @property
    def consumer_name(self) -> str:
        """This version's row in ``formats.pkcs12``'s consumer table."""
        return "Windows Server 2019+/Windows 10 1709+" if self.reads_aes_pfx else "Windows Server 2016 and older"
