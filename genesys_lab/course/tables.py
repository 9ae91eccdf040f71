"""pandas tables for notebooks. The only core-adjacent module that imports pandas, and only when called."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass


def records_frame(records):
    """The CA's certificates (ca.ca.CertificateRecord list) as a DataFrame, one row a certificate."""
    import pandas as pd

    rows = [
        {
            "serial": r.serial,
            "status": r.status,
            "host": r.host,
            "expires": r.expires,
            "days_left": r.days_left,
            "revoked_at": r.revoked_at,
            "reason": r.reason,
            "subject": r.subject,
            "files": ", ".join(p.name for p in r.files),
        }
        for r in records
    ]
    return pd.DataFrame(
        rows, columns=["serial", "status", "host", "expires", "days_left", "revoked_at", "reason", "subject", "files"]
    )


def to_frame(items):
    """Any list of dataclasses as a DataFrame (one row each)."""
    import pandas as pd

    return pd.DataFrame([asdict(i) if is_dataclass(i) else dict(i) for i in items])
