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
    # Windows Certificate Services (genesys_lab.certsrv): templates, requests, approval, web enrollment
    "Template": "genesys_lab.certsrv.templates",
    "get_template": "genesys_lab.certsrv.templates",
    "all_templates": "genesys_lab.certsrv.templates",
    "template_fit": "genesys_lab.certsrv.fit",
    "create_request": "genesys_lab.certsrv.pkcs10",
    "load_request": "genesys_lab.certsrv.pkcs10",
    "submit_request": "genesys_lab.certsrv.enroll",
    "issue_request": "genesys_lab.certsrv.enroll",
    "deny_request": "genesys_lab.certsrv.enroll",
    "list_requests": "genesys_lab.certsrv.enroll",
    "EnrollmentSite": "genesys_lab.certsrv.web",
    "serve_certsrv": "genesys_lab.certsrv.web",
    "SiteClient": "genesys_lab.certsrv.client",
    # windows: a simulated Windows computer's certificate stores (more in genesys_lab.windows)
    "new_machine": "genesys_lab.windows.machine",
    "load_machine": "genesys_lab.windows.machine",
    # installing on UNIX and for Java, and the Security Pack (genesys_lab.install)
    "Platform": "genesys_lab.install.bundle",
    "Bundle": "genesys_lab.install.bundle",
    "deploy": "genesys_lab.install.bundle",
    "InstallReport": "genesys_lab.install.checker",
    "Verdict": "genesys_lab.install.checker",
    "check_install": "genesys_lab.install.checker",
    "JavaSide": "genesys_lab.install.javatls",
    "JavaHandshake": "genesys_lab.install.javatls",
    "compile_java_peer": "genesys_lab.install.javatls",
    "java_client_handshake": "genesys_lab.install.javatls",
    "java_server_handshake": "genesys_lab.install.javatls",
    "ServerConfig": "genesys_lab.checks.tls",
    "ClientConfig": "genesys_lab.checks.tls",
    "install_pack": "genesys_lab.install.pack",
    "version_report": "genesys_lab.install.version",
    "create_keystore": "genesys_lab.formats.java",
    # genesys: Genesys TLS options (site model, generator, validator, option-driven handshakes)
    "load_site": "genesys_lab.genesys.sitefile",
    "save_site": "genesys_lab.genesys.sitefile",
    "site_from_dict": "genesys_lab.genesys.sitefile",
    "effective_options": "genesys_lab.genesys.model",
    "genesys_options": "genesys_lab.genesys.generate",
    "check_site": "genesys_lab.genesys.validate",
    "handshake_connection": "genesys_lab.genesys.handshake",
    "with_option": "genesys_lab.genesys.handshake",
    "what_if": "genesys_lab.genesys.handshake",
    # a site's procedure (genesys_lab.site): inventory -> certificates, bundles, options, rotation, runbook
    "SiteSettings": "genesys_lab.site.procedure",
    "run_procedure": "genesys_lab.site.procedure",
    "read_site_inventory": "genesys_lab.site.inventory",
    "write_runbook": "genesys_lab.site.runbook",
    "run_site_notebook": "genesys_lab.site.unattended",
    # crash safety (issue 10): the transaction any store folder uses, recovery, a lost ca.conf
    "transaction": "genesys_lab.authority.journal",
    "Transaction": "genesys_lab.authority.journal",
    "Recovery": "genesys_lab.authority.journal",
    "recover": "genesys_lab.authority.journal",
    "Interrupted": "genesys_lab.authority.journal",
    "LockBusyError": "genesys_lab.authority.journal",
    "recreate_config": "genesys_lab.authority.ca",
}

#: public names whose module spells them differently
_RENAMED = {
    "password_from_spec": "from_spec",
    "key_matches_certificate": "matches",
    "compile_java_peer": "compile_peer",
    "java_client_handshake": "java_client",
    "java_server_handshake": "java_server",
    "submit_request": "submit",
}

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
