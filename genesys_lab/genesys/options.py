"""The TLS options Genesys documents, where each may be set, and what values it takes.

Sources (SOURCES.md): S1 (tls, tls-mutual on the Port; other parameters on
Port, Application or Host), S2 (certificate, certificate-key, trusted-ca),
S4 (names and predefined values are case-sensitive), S5 (Connection, Annex),
S6 (sec-protocol values), S9 (tls Boolean values; provider values, not
case-sensitive; certificate path or thumbprint), S10 (trusted-ca). The
option names ``tls-crl``, ``tls-target-name-check``, ``cipher-list`` and
``fips140-enabled`` are as the issue names them: the bodies of their pages
were not read, so their values are judged only as far as OpenSSL defines
them (a cipher string) or the issue states them (``host``), and
``fips140-enabled`` not at all.
"""

from __future__ import annotations

import difflib
import enum
from dataclasses import dataclass

from genesys_lab.errors import UsageError


class Level(enum.Enum):
    """The configuration objects that carry TLS parameters, most specific first (S5)."""

    CONNECTION = "connection"
    PORT = "port"
    APPLICATION = "application"
    HOST = "host"


ALL_LEVELS = frozenset(Level)
_BOOLEAN = {"1": True, "yes": True, "on": True, "true": True, "0": False, "no": False, "off": False, "false": False}
SEC_PROTOCOLS = ("", "SSLv23", "TLSv12", "TLSv13")
PROVIDERS = ("PEM", "MSCAPI", "PKCS11")


class OptionValueError(UsageError):
    """A documented option with a value it does not take; the message names both and the valid values."""


@dataclass(frozen=True)
class OptionSpec:
    """One documented option: its name, the levels it may be set on, and the source that says so."""

    name: str
    levels: frozenset
    source: str
    what: str

    def check(self, value: str) -> str:
        """The value as Genesys would read it, or OptionValueError (one line) when it is not valid."""
        return _CHECKS.get(self.name, _any)(self.name, value)


def _any(name: str, value: str) -> str:
    return value


def _boolean(name: str, value: str) -> str:
    if value.strip().lower() not in _BOOLEAN:
        raise OptionValueError(f"{name}={value!r} is not a Boolean: use 1 or 0 (yes/no, on/off, true/false also work)")
    return value


def _sec_protocol(name: str, value: str) -> str:
    if value not in SEC_PROTOCOLS:
        close = [v for v in SEC_PROTOCOLS if v and v.lower() == value.lower()]
        fix = f"write {close[0]} (values are case-sensitive)" if close else "use TLSv12, TLSv13, SSLv23 or leave it empty"
        raise OptionValueError(f"sec-protocol={value!r} is not a value Genesys takes: {fix}")
    return value


def _provider(name: str, value: str) -> str:
    if value.upper() not in PROVIDERS:
        raise OptionValueError(f"provider={value!r} is not a security provider Genesys names: use PEM, MSCAPI or PKCS11")
    return value


def _target_name(name: str, value: str) -> str:
    if value != "host":
        raise OptionValueError(f"tls-target-name-check={value!r}: the value that turns the check on is host")
    return value


def _cipher_list(name: str, value: str) -> str:
    """OpenSSL is the judge: a cipher string that selects no cipher is refused by SSL_CTX_set_cipher_list."""
    import ssl

    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise OptionValueError(f"cipher-list={value!r} holds a control character: use OpenSSL cipher names separated by ':'")
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).set_ciphers(value)
    except (ssl.SSLError, ValueError):
        raise OptionValueError(
            f"cipher-list={value!r} selects no cipher OpenSSL knows: use OpenSSL names, e.g. ECDHE-RSA-AES256-GCM-SHA384"
        ) from None
    return value


_CHECKS = {
    "tls": _boolean,
    "tls-mutual": _boolean,
    "sec-protocol": _sec_protocol,
    "provider": _provider,
    "tls-target-name-check": _target_name,
    "cipher-list": _cipher_list,
}

_PARAMS = frozenset({Level.PORT, Level.APPLICATION, Level.HOST, Level.CONNECTION})
OPTIONS: dict[str, OptionSpec] = {
    spec.name: spec
    for spec in (
        OptionSpec("tls", frozenset({Level.PORT, Level.CONNECTION, Level.APPLICATION}), "S1, S5", "1 makes a port secure"),
        OptionSpec("tls-mutual", frozenset({Level.PORT}), "S1", "1 makes the port demand a client certificate"),
        OptionSpec("certificate", _PARAMS, "S1, S2, S9", "PEM file(s), comma-delimited; or the thumbprint (MSCAPI)"),
        OptionSpec("certificate-key", _PARAMS, "S2", "the private key file (UNIX native, Java)"),
        OptionSpec("trusted-ca", _PARAMS, "S2, S10", "the CA PEM file, a JKS truststore, or a thumbprint (MSCAPI)"),
        OptionSpec("tls-crl", _PARAMS, "issue (page not read)", "a PEM CRL file the peer's certificate is checked against"),
        OptionSpec("tls-target-name-check", _PARAMS, "issue (page not read)", "host: the client matches the server's host name"),
        OptionSpec("cipher-list", _PARAMS, "S7", "an OpenSSL cipher string"),
        OptionSpec("sec-protocol", _PARAMS, "S6", "SSLv23, TLSv12, TLSv13 or empty"),
        OptionSpec("provider", _PARAMS, "S9", "PEM, MSCAPI or PKCS11"),
        OptionSpec("fips140-enabled", _PARAMS, "issue (values not read)", "FIPS 140 mode"),
    )
}

#: options whose value names a file (PEM provider); certificate may list several, comma-delimited (S8)
FILE_OPTIONS = ("certificate", "certificate-key", "trusted-ca", "tls-crl")


def suggestion(name: str) -> str | None:
    """The documented option a misspelt name most likely meant (case differences first: names are case-sensitive, S4)."""
    for known in OPTIONS:
        if known.lower() == name.lower():
            return known
    close = difflib.get_close_matches(name.lower(), list(OPTIONS), n=1, cutoff=0.6)
    return close[0] if close else None


def spec(name: str) -> OptionSpec:
    """The documented option, or UsageError naming the one meant (for API and command-line input)."""
    found = OPTIONS.get(name)
    if found is None:
        meant = suggestion(name)
        fix = f"did you mean {meant}?" if meant else f"the documented options are {', '.join(OPTIONS)}"
        raise UsageError(f"{name!r} is not a Genesys TLS option: {fix}")
    return found


def is_true(value: str | None) -> bool:
    return value is not None and _BOOLEAN.get(value.strip().lower(), False)
