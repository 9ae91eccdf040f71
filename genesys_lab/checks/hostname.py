"""Peer-name matching as OpenSSL's ``X509_check_host`` / ``X509_check_email`` do it (crypto/x509/v3_utl.c).

Pure functions on strings: ``verify`` turns their answers into checks, ``lint``
uses ``host_matches`` for its own rules, and the name-constraint evaluation
uses ``cn_as_dns_name`` to decide whether a subject CN counts as a host name.

Sources: RFC 6125 section 6.4 (wildcards), OpenSSL 3.0 ``X509_check_host(3)``
(https://www.openssl.org/docs/man3.0/man3/X509_check_host.html) and its
``equal_email`` / ``cn2dnsid`` in crypto/x509/v3_utl.c and v3_ncons.c.
"""

from __future__ import annotations


def host_matches(pattern: str, hostname: str) -> bool:
    """One DNS name of a certificate against a host name, as OpenSSL's X509_check_host compares them.

    Case-insensitive; a wildcard is only honoured in the left-most label, not
    in an IDNA (xn--) label, with at least two labels after it, and it
    matches exactly one non-empty label (``*.example.com`` does not match
    ``a.b.example.com`` nor ``example.com``).
    """
    pattern, host = pattern.lower().rstrip("."), hostname.lower().rstrip(".")
    star = valid_star(pattern)
    if star < 0:
        return pattern == host
    prefix, suffix = pattern[:star], pattern[star + 1 :]
    if len(host) < len(prefix) + len(suffix) or not host.startswith(prefix) or not host.endswith(suffix):
        return False
    middle = host[len(prefix) : len(host) - len(suffix)]
    if not prefix and suffix.startswith("."):
        if not middle:
            return False
    elif host.startswith("xn--"):
        return False
    return all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in middle)


def valid_star(pattern: str) -> int:
    """Index of the one usable '*' (OpenSSL's valid_star), or -1 when the pattern is literal."""
    labels = pattern.split(".")
    if "*" not in pattern or len(labels) < 3 or any(not lab for lab in labels):
        return -1
    first = labels[0]
    if pattern.count("*") != 1 or "*" not in first or first.startswith("xn--"):
        return -1
    if not (first.startswith("*") or first.endswith("*")):
        return -1
    return first.index("*")


def email_matches(listed: str, wanted: str) -> bool:
    """OpenSSL's equal_email: same length, the part from the last '@' on case-insensitive, the local part exact.

    RFC 5321 2.4 lets the local part be case-sensitive, so ``Agent@example.com``
    and ``agent@example.com`` are different mailboxes to OpenSSL.
    """
    if len(listed) != len(wanted):
        return False
    at = max(listed.rfind("@"), wanted.rfind("@"))
    if at < 0:
        return listed == wanted
    return listed[:at] == wanted[:at] and listed[at:].lower() == wanted[at:].lower()


def cn_as_dns_name(cn: str) -> str | None:
    """The CN as a DNS name when it looks like one (OpenSSL's cn2dnsid), else None.

    Letters, digits and '_' anywhere; '-' and '.' only inside; no '.' next to
    '.' or '-'; at least two labels. A one-label CN (``myWorkstation``) or a
    wildcard CN is not treated as a host name, so DNS name constraints do not
    apply to it.
    """
    value = cn.rstrip("\0")
    if "\0" in value or not value:
        return None
    dotted = False
    for i, ch in enumerate(value):
        if ch.isascii() and (ch.isalnum() or ch == "_"):
            continue
        inside = 0 < i < len(value) - 1
        if inside and ch == "-":
            continue
        if inside and ch == "." and value[i + 1] not in ".-" and value[i - 1] != "-":
            dotted = True
            continue
        return None
    return value if dotted else None
