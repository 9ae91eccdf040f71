"""HTML for certificates, comparisons and a CA overview: pure functions of core data.

The widgets show these same fragments, and ``CertificateView`` hands them to
Jupyter as ``_repr_html_``, so a stored notebook or an HTML export shows the
certificate even where widgets do not render. Every piece of text from a
certificate goes through ``html.escape`` (a subject may hold ``<script>``).
Only inline styles: an exported page has no stylesheet of ours.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from genesys_lab.course.anatomy import Anatomy, Validity, anatomy, field_rows

TABS = ("Summary", "Names", "Usage", "Fingerprints", "Extensions", "Lint", "PEM")

_STATE_COLOURS = {
    Validity.FINE: "#2e7d32",
    Validity.EXPIRING_SOON: "#ef6c00",
    Validity.EXPIRED: "#c62828",
    Validity.NOT_YET_VALID: "#6a1b9a",
}
_STATUS_COLOURS = {"valid": "#2e7d32", "revoked": "#6d4c41", "expired": "#c62828"}
_TABLE = 'style="border-collapse:collapse;margin:4px 0"'
_CELL = 'style="text-align:left;padding:2px 10px 2px 0;vertical-align:top"'
_HEAD = 'style="text-align:left;padding:2px 10px 2px 0;border-bottom:1px solid #999"'
_MONO = "font-family:monospace"


def _table(rows, head=None) -> str:
    """A left-aligned table; every cell is already HTML (callers escape text)."""
    parts = [f"<table {_TABLE}>"]
    if head:
        parts.append("<tr>" + "".join(f"<th {_HEAD}>{h}</th>" for h in head) + "</tr>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td {_CELL}>{cell}</td>" for cell in row) + "</tr>")
    return "".join(parts) + "</table>"


def _badge(text: str, colour: str) -> str:
    return f'<span style="background:{colour};color:#fff;border-radius:3px;padding:0 6px">{escape(text)}</span>'


def _dn(fields) -> str:
    return escape(", ".join(f"{k}={v}" for k, v in fields) or "(empty)")


def _when(moment: dt.datetime) -> str:
    return escape(moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))


def validity_bar_html(item: Anatomy) -> str:
    """The validity window as a bar: the filled part is the time already used."""
    colour = _STATE_COLOURS[item.validity]
    used = round(item.elapsed * 100)
    return (
        f'<div title="{used}% of the validity period used" style="width:320px;height:10px;'
        f'background:#e0e0e0;border-radius:5px;overflow:hidden;display:inline-block">'
        f'<div style="width:{used}%;height:10px;background:{colour}"></div></div>'
    )


def summary_html(item: Anatomy) -> str:
    info = item.info
    state = _badge(item.validity.value, _STATE_COLOURS[item.validity])
    if item.validity is Validity.EXPIRED:
        days = f"expired {(item.now - info.not_after).days} days ago"
    else:
        days = f"{info.days_left} days left"
    rows = [
        ("Subject", _dn(info.subject)),
        ("Issuer", _dn(info.issuer) + (" (self-signed)" if info.self_signed else "")),
        ("Serial", f'<span style="{_MONO}">{escape(info.serial)}</span>'),
        ("Valid from", _when(info.not_before)),
        ("Valid until", _when(info.not_after)),
        ("Validity", f"{validity_bar_html(item)} {state} {escape(days)}"),
        ("Public key", escape(f"{info.key_type} {info.key_size} bits")),
        ("Signature", escape(info.signature_algorithm)),
        ("CA certificate", "yes" if info.is_ca else "no"),
    ]
    return _table(rows)


def names_html(item: Anatomy) -> str:
    """The CN and every SAN entry: TLS clients match the host name against the SAN (RFC 6125)."""
    info = item.info
    rows = [("CN", escape(info.common_name or "(none)"))]
    rows += [("SAN DNS", escape(name)) for name in info.san_dns]
    rows += [("SAN IP", escape(ip)) for ip in info.san_ip]
    if not info.san_dns and not info.san_ip:
        rows.append(("SAN", _badge("missing", "#c62828") + " host name checks will fail: the guide asks for CN and SAN both"))
    elif info.common_name and info.common_name.lower() not in {n.lower() for n in info.san_dns}:
        rows.append(("Note", "the CN is not a SAN entry: clients match only the SAN entries"))
    return _table(rows)


def usage_html(item: Anatomy) -> str:
    info = item.info
    rows = [
        ("Key usage", escape(", ".join(info.key_usage) or "(none)")),
        ("Extended key usage", escape(", ".join(info.extended_key_usage) or "(none)")),
    ]
    for fit in item.roles:
        mark = _badge("fits", "#2e7d32") if fit.fits else _badge("does not fit", "#c62828")
        rows.append((f"Genesys {escape(fit.title)}", f"{mark} {escape(fit.reason)}"))
    return _table(rows)


def fingerprints_html(item: Anatomy) -> str:
    """Windows' certificate dialog shows the SHA-1 hash of the DER as "Thumbprint", in lower case."""
    info = item.info
    rows = [
        ("SHA-1 thumbprint (Windows)", f'<span style="{_MONO}">{escape(info.thumbprint_sha1)}</span>'),
        ("SHA-256 fingerprint", f'<span style="{_MONO}">{escape(info.fingerprint_sha256)}</span>'),
    ]
    note = (
        "<div>PowerShell's <code>Get-ChildItem Cert:\\</code> prints the same thumbprint in upper case; "
        "<code>openssl x509 -fingerprint -sha1</code> prints it with colons.</div>"
    )
    return _table(rows) + note


def extensions_html(item: Anatomy) -> str:
    rows = [
        (
            escape(e.name),
            f'<span style="{_MONO}">{escape(e.oid)}</span>',
            _badge("critical", "#37474f") if e.critical else "no",
            escape(e.value),
        )
        for e in item.extensions
    ]
    if not rows:
        return "<div>No extensions: a version 1 certificate, which TLS clients treat as a CA or reject.</div>"
    return _table(rows, ("Extension", "OID", "Critical", "Value"))


def lint_html(item: Anatomy) -> str:
    if not item.findings:
        return "<div>" + _badge("no findings", "#2e7d32") + " matches the guide's recommended properties</div>"
    colours = {"error": "#c62828", "warning": "#ef6c00", "info": "#455a64"}
    rows = [
        (
            _badge(f.severity.value, colours.get(f.severity.value, "#455a64")),
            f'<span style="{_MONO}">{escape(f.rule)}</span>',
            escape(f.message),
            escape(f.remedy),
        )
        for f in item.findings
    ]
    return _table(rows, ("Level", "Rule", "Finding", "What to do"))


def pem_html(item: Anatomy) -> str:
    """The certificate only: an Anatomy never holds a key, so none can be shown."""
    return f'<pre style="{_MONO};font-size:11px;margin:0">{escape(item.pem)}</pre>'


_SECTIONS = {
    "Summary": summary_html,
    "Names": names_html,
    "Usage": usage_html,
    "Fingerprints": fingerprints_html,
    "Extensions": extensions_html,
    "Lint": lint_html,
    "PEM": pem_html,
}


def sections(item: Anatomy) -> list[tuple[str, str]]:
    """(tab title, HTML) in TABS order: what the inspector's tabs hold."""
    return [(title, _SECTIONS[title](item)) for title in TABS]


def title_html(item: Anatomy, status: str | None = None) -> str:
    """Name and validity badge; ``status`` adds what the CA's database says (a revoked certificate
    is still "fine" by its dates, so the CA's word must be shown beside them)."""
    state = _badge(item.validity.value, _STATE_COLOURS[item.validity])
    if status:
        state += " " + _badge(f"{status} in ca.db", _STATUS_COLOURS.get(status, "#455a64"))
    return f'<div style="font-size:1.15em;font-weight:bold;margin:4px 0">{escape(item.title)} {state}</div>'


def certificate_html(item: Anatomy) -> str:
    """Every section one under the other: the static form of the inspector."""
    body = "".join(f'<h4 style="margin:8px 0 2px 0">{escape(t)}</h4>{h}' for t, h in sections(item))
    return f'<div class="genesys-certificate">{title_html(item)}{body}</div>'


def compare_html(a: Anatomy, b: Anatomy) -> str:
    """Side by side, differing rows highlighted: "why does this one work and that one not".

    The table takes the width of the output area and no more (fixed layout, long values such
    as fingerprints wrap anywhere), so no column is cut off in a notebook or an export.
    """
    wrap = "text-align:left;padding:2px 8px 2px 0;vertical-align:top;overflow-wrap:anywhere;word-break:break-word"
    rows = []
    for (name, left), (_, right) in zip(field_rows(a), field_rows(b)):
        differs = left != right
        style = ' style="background:#fff3cd"' if differs else ""
        mark = "&#9664;&#9654;" if differs else ""
        rows.append(
            f'<tr{style}><td style="{wrap}"><b>{escape(name)}</b></td><td style="{wrap}">{escape(left)}</td>'
            f'<td style="{wrap}">{escape(right)}</td><td style="{wrap}">{mark}</td></tr>'
        )
    widths = "".join(f'<col style="width:{w}">' for w in ("18%", "38%", "38%", "6%"))
    head = f"<tr><th {_HEAD}>Field</th><th {_HEAD}>{escape(a.title)}</th><th {_HEAD}>{escape(b.title)}</th><th {_HEAD}></th></tr>"
    table = 'style="border-collapse:collapse;margin:4px 0;table-layout:fixed;width:100%;max-width:100%"'
    return f'<table class="genesys-compare" {table}><colgroup>{widths}</colgroup>{head}{"".join(rows)}</table>'


def differing_fields(a: Anatomy, b: Anatomy) -> list[str]:
    return [name for (name, left), (_, right) in zip(field_rows(a), field_rows(b)) if left != right]


# ------------------------------------------------------------------ CA overview


def records_table_html(rows, selected: str | None = None, *, empty: str = "no certificates") -> str:
    """The dashboard's table: one CertificateRow each; the selected serial is highlighted."""
    head = "".join(f"<th {_HEAD}>{h}</th>" for h in ("Serial", "Host", "Status", "Expires", "Days left", "Profile"))
    body = []
    for row in rows:
        style = ' style="background:#e3f2fd"' if row.serial == selected else ""
        body.append(
            f"<tr{style}><td {_CELL}>{escape(row.serial)}</td><td {_CELL}>{escape(row.host)}</td>"
            f"<td {_CELL}>{_badge(row.status, _STATUS_COLOURS.get(row.status, '#455a64'))}</td>"
            f"<td {_CELL}>{escape(row.expires.strftime('%Y-%m-%d'))}</td><td {_CELL}>{row.days_left}</td>"
            f"<td {_CELL}>{escape(row.profile)}</td></tr>"
        )
    if not body:
        body.append(f'<tr><td {_CELL} colspan="6">{escape(empty)}</td></tr>')
    return f'<table class="genesys-records" {_TABLE}><tr>{head}</tr>{"".join(body)}</table>'


def expiry_svg(rows, now: dt.datetime, *, width: int = 560, height: int = 120, empty: str = "no certificates yet") -> str:
    """Expiry dates on a time line (one dot per certificate, coloured by status), with today marked.

    ``empty`` is what to say when there is no row (a filter that matches nothing is not an empty CA).
    """
    if not rows:
        return f'<svg width="{width}" height="{height // 2}"><text x="8" y="20" font-size="12">{escape(empty)}</text></svg>'
    dates = [r.expires for r in rows] + [now]
    start, end = min(dates) - dt.timedelta(days=5), max(dates) + dt.timedelta(days=5)
    span = (end - start).total_seconds()

    def x(moment):
        return round(20 + (width - 40) * (moment - start).total_seconds() / span, 1)

    axis = height - 30
    parts = [
        f'<svg class="genesys-expiry" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'style="font-family:sans-serif">',
        f'<line x1="20" y1="{axis}" x2="{width - 20}" y2="{axis}" stroke="#777"/>',
        f'<line x1="{x(now)}" y1="10" x2="{x(now)}" y2="{axis + 5}" stroke="#1565c0" stroke-dasharray="4 2"/>',
        f'<text x="{x(now) + 3}" y="18" font-size="11" fill="#1565c0">today</text>',
    ]
    for i, row in enumerate(sorted(rows, key=lambda r: r.expires)):
        y = axis - 12 - (i % 4) * 12
        colour = _STATUS_COLOURS.get(row.status, "#455a64")
        parts.append(
            f'<circle cx="{x(row.expires)}" cy="{y}" r="5" fill="{colour}">'
            f"<title>{escape(row.serial)} {escape(row.host)}: {escape(row.status)}, expires "
            f"{row.expires:%Y-%m-%d}</title></circle>"
        )
    parts.append(f'<text x="20" y="{axis + 16}" font-size="11">{start:%Y-%m-%d}</text>')
    parts.append(f'<text x="{width - 20}" y="{axis + 16}" font-size="11" text-anchor="end">{end:%Y-%m-%d}</text>')
    return "".join(parts) + "</svg>"


# ------------------------------------------------------------------ static views


class CertificateView:
    """A certificate shown as static HTML: ``CertificateView(path)`` as a cell's last line renders it.

    Accepts whatever the inspector accepts (path, PEM/DER bytes, a
    cryptography certificate, ``(ca, serial)``, an IssuedCertificate).
    """

    def __init__(self, source, *, role=None, now: dt.datetime | None = None):
        self.anatomy = anatomy(source, role=role, now=now)

    def html(self) -> str:
        return certificate_html(self.anatomy)

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        info = self.anatomy.info
        return f"CertificateView(CN={info.common_name!r}, serial {info.serial}, {self.anatomy.validity.value})"


class ComparisonView:
    """Two certificates side by side as static HTML, differences highlighted."""

    def __init__(self, a, b, *, now: dt.datetime | None = None):
        self.a, self.b = anatomy(a, now=now), anatomy(b, now=now)

    @property
    def differences(self) -> list[str]:
        return differing_fields(self.a, self.b)

    def html(self) -> str:
        return compare_html(self.a, self.b)

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return f"ComparisonView({self.a.title!r} vs {self.b.title!r}: differ in {', '.join(self.differences) or 'nothing'})"


# ------------------------------------------------------------------ the course map


def course_map_html(rows) -> str:
    """Notebook 00's map: each notebook, what the learner does in it, and exercises passed of total.

    ``rows`` are ``tracking.NotebookProgress``.
    """
    head = "".join(f"<th {_HEAD}>{h}</th>" for h in ("Notebook", "What you do", "Exercises passed"))
    body = []
    for row in rows:
        if row.total == 0:
            score = "-"
        else:
            colour = "#2e7d32" if row.done else "#455a64"
            score = f'<span style="color:{colour}"><b>{row.passed}</b> of {row.total}</span>'
        name = f"<code>{escape(row.name)}</code>"
        body.append(f"<tr><td {_CELL}>{name}</td><td {_CELL}>{escape(row.does)}</td><td {_CELL}>{score}</td></tr>")
    passed, total = sum(r.passed for r in rows), sum(r.total for r in rows)
    body.append(f"<tr><td {_CELL} colspan='2'><b>all notebooks</b></td><td {_CELL}><b>{passed}</b> of {total}</td></tr>")
    return f'<table class="genesys-course-map" {_TABLE}><tr>{head}</tr>{"".join(body)}</table>'
