"""genesys_lab: a training lab for TLS certificates in Genesys contact centers.

This module is the package's public face: notebooks, exercise solutions and
scripts import from here (or from a documented subpackage: ``genesys_lab.course``,
``genesys_lab.widgets``, ``genesys_lab.exercises``), so modules can move inside
the package without breaking them::

    from genesys_lab import create_ca, load_ca, describe, verify
    ca = create_ca("lab", "Basic Certification Authority").ca
    issued = ca.issue("myhost.example.com", "myhost")
    describe(issued.cert_file)

Importing it is cheap and changes nothing global: every name below is loaded
from its module on first use (PEP 562), so ``genesys-lab --help`` does not pay
for cryptography, and pandas and ipywidgets are imported only by the modules
that draw tables and widgets.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "GenesysLabError": "genesys_lab.errors",
    "UsageError": "genesys_lab.errors",
    "FormatError": "genesys_lab.errors",
    "PasswordError": "genesys_lab.errors",
    "CAExistsError": "genesys_lab.errors",
    "CANotFoundError": "genesys_lab.errors",
    "CertificateNotFoundError": "genesys_lab.errors",
    "RevocationError": "genesys_lab.errors",
    "CADatabaseError": "genesys_lab.errors",
    "InvalidNameError": "genesys_lab.errors",
    # x509: names, profiles, reading certificates
    "AltNames": "genesys_lab.x509.names",
    "Subject": "genesys_lab.x509.names",
    "Digest": "genesys_lab.x509.profiles",
    "Profile": "genesys_lab.x509.profiles",
    "CertificateInfo": "genesys_lab.x509.describe",
    "describe": "genesys_lab.x509.describe",
    "load_certificate": "genesys_lab.x509.describe",
    "key_matches_certificate": "genesys_lab.x509.keys",
    # the CA
    "CertificateAuthority": "genesys_lab.authority.ca",
    "CertificateRecord": "genesys_lab.authority.ca",
    "CreatedCA": "genesys_lab.authority.ca",
    "IssuedCertificate": "genesys_lab.authority.ca",
    "create_ca": "genesys_lab.authority.ca",
    "load_ca": "genesys_lab.authority.ca",
    "CAPaths": "genesys_lab.authority.store",
    "looks_like_serial": "genesys_lab.authority.store",
    "Reason": "genesys_lab.authority.revoke",
    "revoke": "genesys_lab.authority.revoke",
    "renew": "genesys_lab.authority.renew",
    "CrlInfo": "genesys_lab.authority.crl",
    "CrlUnavailableError": "genesys_lab.authority.crl",
    "generate_crl": "genesys_lab.authority.crl",
    "load_crl": "genesys_lab.authority.crl",
    "fetch_crl": "genesys_lab.authority.crl",
    "distribution_points": "genesys_lab.authority.crl",
    "serve_crl": "genesys_lab.authority.crlserver",
    "free_port": "genesys_lab.authority.crlserver",
    # file formats
    "Kind": "genesys_lab.formats.identify",
    "identify": "genesys_lab.formats.identify",
    "convert_key": "genesys_lab.formats.convert",
    "export_pkcs12": "genesys_lab.formats.convert",
    "key_matches": "genesys_lab.formats.convert",
    "pair_keys": "genesys_lab.formats.convert",
    "write_output": "genesys_lab.formats.convert",
    "describe_pkcs12": "genesys_lab.formats.pkcs12",
    "read_pkcs12": "genesys_lab.formats.pkcs12",
    "create_truststore": "genesys_lab.formats.java",
    "keystore_properties": "genesys_lab.formats.java",
    "password_from_spec": "genesys_lab.formats.passwords",
    # one of each (issue 9): the certificate reader, the request, the repository's names
    "Multiple": "genesys_lab.x509.read",
    "read_certificate": "genesys_lab.x509.read",
    "read_certificates": "genesys_lab.x509.read",
    "HostRequest": "genesys_lab.authority.request",
    "Naming": "genesys_lab.authority.request",
    "HostFiles": "genesys_lab.authority.repository",
    # checks
    "Status": "genesys_lab.checks.verify",
    "verify": "genesys_lab.checks.verify",
    "lint": "genesys_lab.checks.lint",
    "lint_ca": "genesys_lab.checks.lint",
    "handshake": "genesys_lab.checks.tls",
    "handshake_with_ca": "genesys_lab.checks.tls",
}

#: public names whose module spells them differently
_RENAMED = {"password_from_spec": "from_spec", "key_matches_certificate": "matches"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'genesys_lab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
