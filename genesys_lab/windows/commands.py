"""The PowerShell and certutil commands a site would run on real Windows for each lab step.

Every command line the lab prints comes from Microsoft's reference pages:

- Import-PfxCertificate (``-FilePath``, ``-CertStoreLocation``, ``-Exportable``, ``-Password``):
  https://learn.microsoft.com/en-us/powershell/module/pki/import-pfxcertificate
- Import-Certificate (``.cer``, ``.p7b``): https://learn.microsoft.com/en-us/powershell/module/pki/import-certificate
- Export-PfxCertificate (``-Cert``, ``-FilePath``, ``-Password``, ``-ChainOption BuildChain|EndEntityCertOnly``,
  ``-NoProperties``, ``-CryptoAlgorithmOption TripleDES_SHA1|AES256_SHA256``):
  https://learn.microsoft.com/en-us/powershell/module/pki/export-pfxcertificate
- Export-Certificate (certificate only, ``-Type CERT``): https://learn.microsoft.com/en-us/powershell/module/pki/export-certificate
- The certificate provider (``Get-ChildItem Cert:\\LocalMachine\\My``) and the
  ``Thumbprint`` property: https://learn.microsoft.com/en-us/powershell/module/microsoft.powershell.security/about/about_certificate_provider
- certutil ``-addstore``, ``-importPFX`` (modifier ``NoExport``), ``-store``, ``-exportPFX``,
  ``-user`` for the current user's stores, ``-repairstore``:
  https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/certutil

Passwords are never spelled out: the PowerShell lines read them with
``Read-Host -AsSecureString``, and certutil prompts when ``-p`` is left out.
"""

from __future__ import annotations

from genesys_lab.windows.stores import StoreName


def _q(path: str) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def import_pfx(path: str, store: StoreName, *, exportable: bool, empty_password: bool, has_key: bool = True) -> tuple[str, str]:
    """(PowerShell, certutil) for importing a .pfx into one store (a .pfx without a key has no export flag)."""
    password = "" if empty_password else " -Password (Read-Host -AsSecureString 'PFX password')"
    ps = (
        f"Import-PfxCertificate -FilePath {_q(path)} -CertStoreLocation {store.ps_path}"
        + (" -Exportable" if exportable and has_key else "")
        + password
    )
    pw = ' -p ""' if empty_password else ""
    cu = f"certutil {store.location.certutil_flag}-f{pw} -importPFX {store.kind.value} {_q(path)}" + (
        "" if exportable else " NoExport"
    )
    return ps, cu.replace("'", '"')


def import_certificate(path: str, store: StoreName) -> tuple[str, str]:
    """(PowerShell, certutil) for importing a .cer/.crt/.p7b into one store."""
    ps = f"Import-Certificate -FilePath {_q(path)} -CertStoreLocation {store.ps_path}"
    cu = f"certutil {store.location.certutil_flag}-addstore {store.kind.value} {_q(path)}".replace("'", '"')
    return ps, cu


def list_store(store: StoreName) -> tuple[str, str]:
    ps = f"Get-ChildItem {store.ps_path} | Format-List Subject, Issuer, Thumbprint, NotAfter, HasPrivateKey, FriendlyName"
    return ps, f"certutil {store.location.certutil_flag}-store {store.kind.value}"


def show(store: StoreName, thumb: str) -> tuple[str, str]:
    ps = f"Get-Item {store.ps_path}\\{thumb} | Format-List *"
    return ps, f"certutil {store.location.certutil_flag}-verifystore {store.kind.value} {thumb}"


def export_pfx(store: StoreName, thumb: str, path: str, *, chain: bool, properties: bool, encryption: str) -> tuple[str, str]:
    """(PowerShell, certutil) for the Export Wizard with "Yes, export the private key"."""
    option = "BuildChain" if chain else "EndEntityCertOnly"
    algo = "AES256_SHA256" if encryption == "aes256" else "TripleDES_SHA1"
    ps = (
        f"Export-PfxCertificate -Cert {store.ps_path}\\{thumb} -FilePath {_q(path)} "
        f"-Password (Read-Host -AsSecureString 'PFX password') -ChainOption {option} -CryptoAlgorithmOption {algo}"
        + ("" if properties else " -NoProperties")
    )
    cu = f"certutil {store.location.certutil_flag}-exportPFX {store.kind.value} {thumb} {_q(path)}".replace("'", '"')
    if not chain:
        cu += " NoChain"
    return ps, cu


def export_certificate(store: StoreName, thumb: str, path: str) -> tuple[str, str]:
    ps = f"Export-Certificate -Cert {store.ps_path}\\{thumb} -FilePath {_q(path)} -Type CERT"
    cu = f"certutil {store.location.certutil_flag}-store {store.kind.value} {thumb} {_q(path)}".replace("'", '"')
    return ps, cu


def grant_key_read(store: StoreName, thumb: str, account: str) -> str:
    """PowerShell that adds a Read rule for ``account`` on a machine key's file (what "Manage Private Keys" does).

    The key file's name comes from the certificate's key (RSA CNG keys live under
    ``%ProgramData%\\Microsoft\\Crypto\\Keys``; the file name is the key's UniqueName).
    """
    return (
        f"$c = Get-Item {store.ps_path}\\{thumb}; "
        "$k = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($c); "
        '$f = Get-Item "$env:ProgramData\\Microsoft\\Crypto\\Keys\\$($k.Key.UniqueName)"; '
        f"$a = Get-Acl $f; $a.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule('{account}', 'Read', 'Allow'))); "
        "Set-Acl $f $a"
    )
