"""The ``ca_conf/ca.conf`` that lets ``openssl ca`` keep running a genesys_lab CA.

Paths are relative to the CA directory, as with the Security Pack: run
``openssl ca -config ca_conf/ca.conf ...`` from there. The extension
sections repeat what profiles.py puts in certificates, so a certificate that
``openssl ca`` issues from this file looks like one genesys_lab issues.
"""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATE = """\
# OpenSSL CA configuration written by genesys_lab (Security Pack layout).
# Run openssl from the CA directory, e.g.:
#   openssl ca -config ca_conf/ca.conf -revoke ca_conf/repository/01.pem
#   openssl ca -config ca_conf/ca.conf -gencrl -out ca_conf/crl.pem

[ ca ]
default_ca = genesys_ca

[ genesys_ca ]
dir              = ./ca_conf
database         = $dir/ca.db
new_certs_dir    = $dir/repository
certificate      = $dir/ca_cert.pem
private_key      = $dir/ca_priv_key.pem
serial           = $dir/serial.num
crlnumber        = $dir/crlnumber
crl              = $dir/crl.pem
default_md       = {digest}
default_days     = 100
default_crl_days = 30
unique_subject   = no
copy_extensions  = copy
preserve         = no
policy           = policy_genesys
x509_extensions  = server_ext
crl_extensions   = crl_ext
string_mask      = utf8only
utf8             = yes

[ policy_genesys ]
countryName            = optional
stateOrProvinceName    = optional
localityName           = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied
emailAddress           = optional

[ req ]
distinguished_name = req_dn
string_mask        = utf8only
utf8               = yes
prompt             = no

[ req_dn ]
CN = placeholder

[ ca_ext ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ server_ext ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = serverAuth, clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
{cdp}
[ gui_ext ]
basicConstraints       = CA:FALSE
keyUsage               = critical, digitalSignature, keyEncipherment
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
{cdp}
[ crl_ext ]
authorityKeyIdentifier = keyid:always
"""


_DIGESTS = ("sha1", "sha224", "sha256", "sha384", "sha512")


def render(digest: str, crl_url: str | None = None) -> str:
    """The file's text. Every value is checked again here, whoever called: one bad byte rewrites the file's meaning."""
    from genesys_lab.errors import UsageError

    if digest not in _DIGESTS:
        raise UsageError(f"digest {digest!r} cannot go into ca.conf: use one of {', '.join(_DIGESTS)}")
    if crl_url is not None and not re.fullmatch(r"https?://[!%&()*+\-./0-9:;=?@A-Z\[\]_a-z~]+", crl_url):
        raise UsageError(f"CRL URL {crl_url!r} cannot go into ca.conf as it is: percent-encode it (RFC 3986)")
    cdp = f"crlDistributionPoints  = URI:{crl_url}\n" if crl_url else ""
    return TEMPLATE.format(digest=digest, cdp=cdp)


def read_config(config: Path) -> str | None:
    """ca.conf as text, read as OpenSSL reads it: bytes, whatever the encoding; None if it is not there.

    OpenSSL's NCONF parser works on bytes and accepts any byte in a value
    (a Latin-1 "é" in a comment or an OU), so a UTF-8 decode would refuse a
    file that ``openssl ca`` runs with; Latin-1 maps every byte to one
    character, and the keys we look for are ASCII.
    """
    try:
        return config.read_bytes().decode("latin-1")
    except FileNotFoundError:
        return None


def crl_url(config: Path) -> str | None:
    """The CRL distribution point URL that issued certificates carry, if the CA has one."""
    text = read_config(config)
    if text is None:
        return None
    match = re.search(r"^\s*crlDistributionPoints\s*=\s*URI:(\S+)", text, re.MULTILINE)
    return match.group(1) if match else None
