"""A tiny ASN.1 DER encoder and a tolerant BER/DER decoder (X.690).

Why our own: `cryptography` builds X.509 objects, but PKCS#12 files with an
empty password (and, later, hand-made CRL pieces) need structures it will
not write. Only the handful of types those formats use are covered.

Encoding always produces DER (definite lengths, minimal integers, SET OF
sorted). Decoding also accepts BER indefinite lengths and constructed
OCTET STRINGs, because PKCS#12 files exported by Windows and older Java
are BER; everything else about the input is checked and a damaged file
raises `DERError` (a ValueError) rather than returning garbage.
"""

from __future__ import annotations

from dataclasses import dataclass

# Universal tags (X.680 section 8.4), as the identifier octet of a DER value.
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OID = 0x06
UTF8_STRING = 0x0C
PRINTABLE_STRING = 0x13
IA5_STRING = 0x16
UTC_TIME = 0x17
GENERALIZED_TIME = 0x18
BMP_STRING = 0x1E
SEQUENCE = 0x30
SET = 0x31

_CONSTRUCTED = 0x20
_CONTEXT = 0x80


class DERError(ValueError):
    """The bytes are not the ASN.1 structure the caller expected."""


# --------------------------------------------------------------- encoding


def _length(n: int) -> bytes:
    """Definite length: short form below 128, else long form (X.690 8.1.3)."""
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    """One value with a single-octet identifier (tag numbers below 31)."""
    return bytes([tag]) + _length(len(content)) + content


def sequence(*items: bytes) -> bytes:
    return tlv(SEQUENCE, b"".join(items))


def set_of(*items: bytes) -> bytes:
    """DER sorts SET OF members by their encodings (X.690 11.6)."""
    return tlv(SET, b"".join(sorted(items)))


def integer(value: int) -> bytes:
    """Two's complement in the fewest octets (X.690 8.3)."""
    size = value.bit_length() // 8 + 1
    return tlv(INTEGER, value.to_bytes(size, "big", signed=True))


def oid(dotted: str) -> bytes:
    """First two arcs share one subidentifier; the rest are base-128 (X.690 8.19)."""
    arcs = [int(a) for a in dotted.split(".")]
    if len(arcs) < 2 or arcs[0] > 2 or (arcs[0] < 2 and arcs[1] >= 40):
        raise DERError(f"not a valid object identifier: {dotted!r}")
    out = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return tlv(OID, bytes(out))


def octet_string(value: bytes) -> bytes:
    return tlv(OCTET_STRING, value)


def bit_string(value: bytes, unused_bits: int = 0) -> bytes:
    return tlv(BIT_STRING, bytes([unused_bits]) + value)


def null() -> bytes:
    return tlv(NULL, b"")


def bmp_string(text: str) -> bytes:
    """UCS-2 big endian; PKCS#12 friendlyName uses it (RFC 7292 4.2)."""
    return tlv(BMP_STRING, text.encode("utf-16-be"))


def explicit(number: int, inner: bytes) -> bytes:
    """[number] EXPLICIT: a constructed context tag wrapping a whole value."""
    return tlv(_CONTEXT | _CONSTRUCTED | number, inner)


def implicit(number: int, content: bytes, constructed: bool = False) -> bytes:
    """[number] IMPLICIT: the context tag replaces the universal one."""
    return tlv(_CONTEXT | (_CONSTRUCTED if constructed else 0) | number, content)


# --------------------------------------------------------------- decoding


@dataclass(frozen=True)
class Element:
    """One decoded value: identifier octet, content octets, whole encoding."""

    tag: int
    content: bytes
    raw: bytes
    _children: tuple[Element, ...] | None = None

    @property
    def constructed(self) -> bool:
        return bool(self.tag & _CONSTRUCTED)

    def is_context(self, number: int) -> bool:
        return self.tag & 0xC0 == _CONTEXT and self.tag & 0x1F == number

    def children(self) -> tuple[Element, ...]:
        """Members of a SEQUENCE, SET or constructed context tag."""
        if self._children is None:
            raise DERError(f"tag 0x{self.tag:02x} is primitive, it has no members")
        return self._children

    def expect(self, tag: int) -> Element:
        if self.tag != tag:
            raise DERError(f"expected tag 0x{tag:02x}, found 0x{self.tag:02x}")
        return self

    def as_int(self) -> int:
        self.expect(INTEGER)
        if not self.content:
            raise DERError("empty INTEGER")
        return int.from_bytes(self.content, "big", signed=True)

    def as_oid(self) -> str:
        self.expect(OID)
        arcs, value = [], 0
        for octet in self.content:
            value = (value << 7) | (octet & 0x7F)
            if not octet & 0x80:
                arcs.append(value)
                value = 0
        if not arcs or self.content[-1] & 0x80:
            raise DERError("truncated OBJECT IDENTIFIER")
        first = min(arcs[0] // 40, 2)
        return ".".join(map(str, [first, arcs[0] - 40 * first, *arcs[1:]]))

    def as_bytes(self) -> bytes:
        """OCTET STRING value; BER may split it into constructed pieces."""
        if self.tag == OCTET_STRING:
            return self.content
        if self.tag == OCTET_STRING | _CONSTRUCTED or (self.tag & 0xC0 == _CONTEXT):
            if self._children is None:
                return self.content
            return b"".join(c.as_bytes() for c in self._children)
        raise DERError(f"expected an OCTET STRING, found tag 0x{self.tag:02x}")

    def as_bit_string(self) -> bytes:
        self.expect(BIT_STRING)
        if not self.content or self.content[0] > 7:
            raise DERError("malformed BIT STRING")
        return self.content[1:]

    def as_str(self) -> str:
        """The string types PKCS#12 and X.509 names use."""
        if self.tag == BMP_STRING:
            return self.content.decode("utf-16-be")
        if self.tag in (UTF8_STRING, PRINTABLE_STRING, IA5_STRING):
            return self.content.decode("utf-8")
        raise DERError(f"expected a string, found tag 0x{self.tag:02x}")


def _read(data: bytes, pos: int, depth: int = 0) -> tuple[Element, int]:
    """Decode the value starting at `pos`; return it and the next position."""
    if depth > 64:
        raise DERError("nesting too deep")
    if pos + 2 > len(data):
        raise DERError("truncated value")
    start, tag = pos, data[pos]
    if tag & 0x1F == 0x1F:
        raise DERError("multi-octet tags are not used by these formats")
    first = data[pos + 1]
    pos += 2
    if first == 0x80:  # BER indefinite length: members until 00 00
        if not tag & _CONSTRUCTED:
            raise DERError("indefinite length on a primitive value")
        members: list[Element] = []
        while data[pos : pos + 2] != b"\x00\x00":
            kid, pos = _read(data, pos, depth + 1)
            members.append(kid)
        content = b"".join(k.raw for k in members)
        return Element(tag, content, data[start : pos + 2], tuple(members)), pos + 2
    if first & 0x80:
        size = first & 0x7F
        if size > 4 or pos + size > len(data):
            raise DERError("bad length")
        length, pos = int.from_bytes(data[pos : pos + size], "big"), pos + size
    else:
        length = first
    end = pos + length
    if end > len(data):
        raise DERError("value runs past the end of the data")
    content = data[pos:end]
    kids = _read_all(content, depth + 1) if tag & _CONSTRUCTED else None
    return Element(tag, content, data[start:end], kids), end


def _read_all(data: bytes, depth: int) -> tuple[Element, ...]:
    items, pos = [], 0
    while pos < len(data):
        item, pos = _read(data, pos, depth)
        items.append(item)
    return tuple(items)


def decode(data: bytes) -> Element:
    """Decode exactly one value; trailing bytes mean it is not what we think."""
    try:
        element, end = _read(bytes(data), 0)
    except IndexError:
        raise DERError("truncated value") from None
    if end != len(data):
        raise DERError(f"{len(data) - end} unexpected bytes after the value")
    return element


def header(data: bytes, pos: int = 0) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER value at ``pos``, without decoding its content.

    For walking large structures (a CRL with 100,000 entries, a certificate
    to re-sign) where building an Element tree for every member would cost
    more than the job itself.
    """
    if pos + 2 > len(data):
        raise DERError("truncated value")
    tag, first = data[pos], data[pos + 1]
    if first < 0x80:
        start, length = pos + 2, first
    else:
        size = first & 0x7F
        if size == 0 or size > 4:
            raise DERError("bad length (indefinite or too long) where DER is required")
        start, length = pos + 2 + size, int.from_bytes(data[pos + 2 : pos + 2 + size], "big")
    if start + length > len(data):
        raise DERError("value runs past the end of the data")
    return tag, start, start + length


def split_signed(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(to-be-signed bytes, signature AlgorithmIdentifier bytes, signature) of a certificate or CRL.

    Both are ``SEQUENCE { tbs, signatureAlgorithm, BIT STRING }`` (RFC 5280
    4.1 and 5.1); the signature covers the DER of ``tbs`` exactly as stored.
    """
    tag, start, end = header(data, 0)
    if tag != SEQUENCE or end != len(data):
        raise DERError("not a signed SEQUENCE")
    _, _, tbs_end = header(data, start)
    _, _, alg_end = header(data, tbs_end)
    bit_tag, bit_start, bit_end = header(data, alg_end)
    if bit_tag != BIT_STRING or bit_end != end or data[bit_start] != 0:
        raise DERError("signature is not a whole-octet BIT STRING")
    return data[start:tbs_end], data[tbs_end:alg_end], data[bit_start + 1 : bit_end]
