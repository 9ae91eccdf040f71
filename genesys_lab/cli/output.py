"""Plain-text output shared by the command lines: what was written, tables, certificate fields."""

from __future__ import annotations

import sys


def warn(messages) -> None:
    for message in messages:
        print(f"warning: {message}", file=sys.stderr)


def created_ca(made) -> None:
    warn(made.warnings)
    from genesys_lab.x509.describe import readable_name

    subject = readable_name(made.ca.certificate.subject)
    print(f"Created CA '{subject}' in {made.ca.paths.conf}")
    for path in made.files:
        print(f"  wrote {path}")


def issued(result) -> None:
    warn(result.warnings)
    print(f"Issued certificate {result.serial} for {result.host} (profile {result.profile.value})")
    for path in result.files:
        print(f"  wrote {path}")


def progress(done: int, total: int, result) -> None:
    """One line per certificate on stderr, so long inventories show they are moving."""
    print(f"[{done}/{total}] {result.serial} {result.host}", file=sys.stderr, flush=True)


def issued_many(results) -> None:
    for result in results:
        warn(result.warnings)
    print(f"Issued {len(results)} certificates" + (f", serials {results[0].serial}..{results[-1].serial}" if results else ""))


def table(rows: list[list[str]], headers: list[str]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    for row in [headers, *rows]:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths)).rstrip())


def records(items, *, as_json: bool = False, notes: dict | None = None) -> None:
    """``notes``: {serial: "replaced by 05"} from renew.renewal_notes; a column only when there are any."""
    import json

    notes = notes or {}
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "serial": r.serial,
                        "status": r.status,
                        "expires": r.expires.isoformat(),
                        "days_left": r.days_left,
                        "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
                        "reason": r.reason,
                        "host": r.host,
                        "subject": r.subject,
                        "renewal": notes.get(r.serial),
                        "files": [str(p) for p in r.files],
                    }
                    for r in items
                ],
                indent=2,
            )
        )
        return
    if not items:
        print("no certificates match")
        return
    extra = ["renewal"] if notes else []
    table(
        [
            [
                r.serial,
                r.status,
                f"{r.expires:%Y-%m-%d}",
                str(r.days_left),
                r.host or "",
                *([notes.get(r.serial, "")] if notes else []),
                r.subject,
            ]
            for r in items
        ],
        ["serial", "status", "expires", "days_left", "host", *extra, "subject"],
    )


def info(i) -> None:
    rows = [
        ("subject", ", ".join(f"{k}={v}" for k, v in i.subject)),
        ("issuer", ", ".join(f"{k}={v}" for k, v in i.issuer)),
        ("serial", i.serial),
        ("valid from", f"{i.not_before:%Y-%m-%d %H:%M:%S} UTC"),
        ("valid until", f"{i.not_after:%Y-%m-%d %H:%M:%S} UTC ({i.days_left} days left)"),
        ("public key", f"{i.key_type} {i.key_size} bits"),
        ("signature", i.signature_algorithm),
        ("SAN DNS", ", ".join(i.san_dns) or "-"),
        ("SAN IP", ", ".join(i.san_ip) or "-"),
        ("key usage", ", ".join(i.key_usage) or "-"),
        ("extended key usage", ", ".join(i.extended_key_usage) or "-"),
        ("CA", "yes" if i.is_ca else "no"),
        ("thumbprint (SHA-1)", i.thumbprint_sha1),
        ("SHA-256 fingerprint", i.fingerprint_sha256),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
