"""create_cert.sh's fifteen values, declared once: Python keyword, script option, genesys-lab option, form label.

``authority.request.HostRequest`` checks them; the command lines, the issue
form and the CSV inventory name them from this table. It imports nothing
heavy, so every command can register its options from it cheaply.
"""

from __future__ import annotations

from genesys_lab.authority.defaults import DEFAULT_HOST_DAYS
from genesys_lab.x509.policy import RECOMMENDED_KEY_SIZE


class RequestField:
    """One value of a request: its Python keyword, create_cert.sh option, genesys-lab option, and how forms show it.

    A plain class, not a dataclass: every command imports this table to register its
    options, and a dataclass costs a code generation at import (issue 9, section 5).
    """

    __slots__ = ("cli", "default", "example", "help", "label", "name", "script", "subject_key")

    def __init__(self, name, script, cli, label, example="", default="", subject_key=None, help=""):
        self.name, self.script, self.cli, self.label = name, script, cli, label
        self.example, self.default, self.subject_key, self.help = example, default, subject_key, help

    def __repr__(self) -> str:
        return f"RequestField({self.name!r}, {self.script!r}, {self.cli!r})"


FIELDS: tuple[RequestField, ...] = (
    RequestField("host", "-host", "--host", "Host (FQDN)", "myhost.example.com", help="the host's full DNS name (mandatory)"),
    RequestField("cn", "-CN", "--cn", "Common name", "myhost", help="common name (mandatory)"),
    RequestField("ip", "-IP", "--ip", "Host IP", "10.0.0.5", help="the host's IP address"),
    RequestField("san_domains", "-SANDomain", "--san-domain", "More DNS names", "a.example.com,b.example.com", help="extra DNS names, comma-separated"),
    RequestField("san_ips", "-SANip", "--san-ip", "More IPs", "10.0.0.6,10.0.0.7", help="extra IP addresses, comma-separated"),
    RequestField("profile", "-profile", "--profile", "Profile", "server", "server", help="server (serverAuth+clientAuth, default) or gui (clientAuth)"),
    RequestField("key_size", "-keySz", "--key-size", "Key size", "2048", str(RECOMMENDED_KEY_SIZE), help="RSA key size in bits (default 2048)"),
    RequestField("digest", "-dgst", "--digest", "Digest", "sha256", "sha256", help="sha1 (not recommended), sha224, sha256 (default), sha384, sha512"),
    RequestField("days", "-time", "--days", "Validity (days)", str(DEFAULT_HOST_DAYS), str(DEFAULT_HOST_DAYS), help="validity in days"),
    RequestField("email", "-E", "--email", "E-mail", "admin@example.com", subject_key="E", help="e-mail address (E)"),
    RequestField("org_unit", "-OU", "--org-unit", "Org. unit", "Department", subject_key="OU", help="organizational unit (OU)"),
    RequestField("org", "-O", "--org", "Organization", "Example Inc", subject_key="O", help="organization (O)"),
    RequestField("locality", "-L", "--locality", "Locality", "Daly City", subject_key="L", help="city (L)"),
    RequestField("state", "-S", "--state", "State", "CA", subject_key="S", help="state or region (S)"),
    RequestField("country", "-C", "--country", "Country", "US", subject_key="C", help="two-letter country code (C)"),
)  # fmt: skip
BY_NAME = {f.name: f for f in FIELDS}
REQUIRED = ("host", "cn")
SUBJECT_KEYS = {f.name: f.subject_key for f in FIELDS if f.subject_key}
LIST_FIELDS = ("san_domains", "san_ips")
