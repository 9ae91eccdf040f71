"""The one revocation-reason table: CRLReason codes (RFC 5280 5.3.1) and their spellings.

``revoke`` writes reasons into ca.db in OpenSSL's spelling, ``crl`` turns
ca.db's reason text into the CRL's ENUMERATED code and reads codes back out
of any CRL; all three ask this table. OpenSSL 3.0's ``apps/ca.c``
(``crl_reasons``) accepts the first eight names on ``-crl_reason``; codes 9
and 10 appear only in CRLs made elsewhere (7 is unused by RFC 5280).
"""

from __future__ import annotations

#: (code, OpenSSL's spelling, cryptography's ReasonFlags member name)
TABLE: tuple[tuple[int, str, str], ...] = (
    (0, "unspecified", "unspecified"),
    (1, "keyCompromise", "key_compromise"),
    (2, "CACompromise", "ca_compromise"),
    (3, "affiliationChanged", "affiliation_changed"),
    (4, "superseded", "superseded"),
    (5, "cessationOfOperation", "cessation_of_operation"),
    (6, "certificateHold", "certificate_hold"),
    (8, "removeFromCRL", "remove_from_crl"),
    (9, "privilegeWithdrawn", "privilege_withdrawn"),
    (10, "AACompromise", "aa_compromise"),
)
#: the reasons ``openssl ca -crl_reason`` accepts, in its order
OPENSSL_CA_REASONS: tuple[str, ...] = tuple(name for _code, name, _flag in TABLE[:8])
#: code -> OpenSSL's name (what the lab prints for a CRL entry)
NAMES: dict[int, str] = {code: name for code, name, _flag in TABLE}
#: OpenSSL's name -> code
CODES: dict[str, int] = {name: code for code, name, _flag in TABLE}
#: cryptography ReasonFlags member name -> code
FLAG_CODES: dict[str, int] = {flag: code for code, _name, flag in TABLE}
#: ca.db's reason text (lower case, as OpenSSL's unpack_revinfo compares it) -> code; keyTime,
#: CAkeyTime and holdInstruction are what -crl_compromise, -crl_CA_compromise and -crl_hold write
DB_CODES: dict[str, int] = {name.lower(): CODES[name] for name in OPENSSL_CA_REASONS} | {
    "holdinstruction": 6,
    "keytime": 1,
    "cakeytime": 2,
}
