"""Thumbprints as Windows shows them, and what goes wrong when people paste them.

Windows identifies a certificate in a store by its *thumbprint*: the SHA-1
hash of the certificate's DER encoding, written in hexadecimal. PowerShell
(``Get-ChildItem Cert:\\LocalMachine\\My``) and .NET's
``X509Certificate2.Thumbprint`` print it as 40 upper-case hex digits without
separators (https://learn.microsoft.com/en-us/dotnet/api/system.security.cryptography.x509certificates.x509certificate2.thumbprint);
``openssl x509 -fingerprint -sha1`` prints the same bytes with colons.

Pasted thumbprints often carry extras: spaces (the Certificate dialog's
Details tab groups the digits in pairs), lower case, colons from OpenSSL,
and invisible formatting marks such as LEFT-TO-RIGHT MARK (U+200E) that a
copy from the Details tab can put in front of the first digit. Application
lookups that compare the text as given then report "certificate not found".
Microsoft's documentation found for this lab does not describe the U+200E
mark; it is a widely reported field problem, and the lab says so when it
names it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from genesys_lab.errors import UsageError

#: Invisible characters seen in copied thumbprints, with their Unicode names.
_INVISIBLE = {
    "\u200e": "LEFT-TO-RIGHT MARK (U+200E)",
    "\u200f": "RIGHT-TO-LEFT MARK (U+200F)",
    "\u200b": "ZERO WIDTH SPACE (U+200B)",
    "\ufeff": "ZERO WIDTH NO-BREAK SPACE / BOM (U+FEFF)",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING (U+202A)",
    "\u202c": "POP DIRECTIONAL FORMATTING (U+202C)",
}


def thumbprint(der: bytes) -> str:
    """The thumbprint of a DER certificate: SHA-1, 40 upper-case hex digits (PowerShell's form)."""
    return hashlib.sha1(der).hexdigest().upper()


def dialog_form(thumb: str) -> str:
    """The thumbprint as the Certificate dialog's Details tab groups it: lower case, pairs split by spaces.

    (Windows 10 and later; older versions showed the same digits in pairs of four.)
    """
    digits = normalize(thumb).value.lower()
    return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))


@dataclass(frozen=True)
class Normalized:
    """A pasted thumbprint, cleaned: ``value`` is what Windows stores; ``problems`` names what was removed."""

    given: str
    value: str
    problems: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return not self.problems


def normalize(text: str) -> Normalized:
    """Clean a pasted thumbprint and say what was wrong with it.

    Removes spaces, colons and the invisible marks above, and upper-cases
    the digits; anything else that is not hex, or a length other than 40
    digits, is a UsageError naming the problem.
    """
    if not isinstance(text, str):
        raise UsageError(f"a thumbprint is text of 40 hex digits, not {type(text).__name__}")
    problems: list[str] = []
    found = [name for char, name in _INVISIBLE.items() if char in text]
    other = sorted({c for c in text if unicodedata.category(c) == "Cf" and c not in _INVISIBLE})
    found += [f"{unicodedata.name(c, 'FORMAT CHARACTER')} (U+{ord(c):04X})" for c in other]
    if found:
        problems.append(
            "invisible character(s) " + ", ".join(found) + " (copied from the Details tab): an application "
            "given this text will not find the certificate; retype the first digits or paste into a plain-text editor first"
        )
    stripped = "".join(c for c in text if unicodedata.category(c) != "Cf")
    if re.search(r"\s", stripped.strip()):
        problems.append("spaces between the digits: Windows stores the thumbprint without them")
    if ":" in stripped:
        problems.append("colons (OpenSSL's fingerprint form): Windows writes the digits without them")
    digits = re.sub(r"[\s:]", "", stripped)
    if digits != digits.upper() and re.fullmatch(r"[0-9A-Fa-f]*", digits):
        problems.append("lower-case digits: PowerShell shows them upper case (its comparisons ignore case)")
    bad = sorted({c for c in digits if c not in "0123456789abcdefABCDEF"})
    if bad:
        raise UsageError(f"thumbprint {text!r} holds {''.join(bad)!r}, which is not hexadecimal: copy it again")
    if len(digits) != 40:
        raise UsageError(f"thumbprint {text!r} has {len(digits)} hex digits, a SHA-1 thumbprint has 40: copy all of it")
    return Normalized(text, digits.upper(), tuple(problems))
