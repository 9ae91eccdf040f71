"""genesys_lab: a training lab for TLS certificates in Genesys contact centers.

The public API, all of it plain functions and immutable values::

    from genesys_lab import create_ca, load_ca, describe
    ca = create_ca("lab", "Basic Certification Authority").ca
    issued = ca.issue("myhost.example.com", "myhost")
    describe(issued.cert_file)

Importing this package is cheap: cryptography is loaded when first used,
pandas and ipywidgets only by the modules that draw tables and widgets.
"""
from genesys_lab.authority.ca import CertificateAuthority, CertificateRecord, CreatedCA, IssuedCertificate, create_ca, load_ca
from genesys_lab.errors import GenesysLabError
from genesys_lab.x509.describe import CertificateInfo, describe
from genesys_lab.x509.names import AltNames, Subject
from genesys_lab.x509.profiles import Digest, Profile

__version__ = "0.1.0"

__all__ = [
    "AltNames", "CertificateAuthority", "CertificateInfo", "CertificateRecord", "CreatedCA", "Digest",
    "GenesysLabError", "IssuedCertificate", "Profile", "Subject", "create_ca", "describe", "load_ca",
]
