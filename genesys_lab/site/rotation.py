"""The rotation plan: when each certificate expires and when to renew it, as data, a picture, a calendar.

The renewal date is the expiry minus the site's lead time, so there is time to install the new
certificate everywhere before the old one stops working. The calendar is iCalendar (RFC 5545,
written with the ``icalendar`` package): one all-day event per renewal with a reminder a week
before (a VALARM, RFC 5545 3.6.6), which Outlook, Google Calendar and Thunderbird import.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

REMINDER_DAYS = 7


@dataclass(frozen=True)
class Rotation:
    host: str
    serial: str
    thumbprint: str
    not_after: dt.datetime
    renew_on: dt.date
    applications: tuple[str, ...] = ()

    @property
    def days_left(self) -> int:
        return (self.not_after - dt.datetime.now(dt.UTC)).days


def rotation(host: str, serial: str, thumbprint: str, not_after: dt.datetime, lead_days: int, applications=()) -> Rotation:
    return Rotation(host, serial, thumbprint, not_after, (not_after - dt.timedelta(days=lead_days)).date(), tuple(applications))


def rows(plan: list[Rotation]) -> list[dict]:
    return [
        {
            "host": r.host,
            "serial": r.serial,
            "expires": r.not_after.date().isoformat(),
            "renew on": r.renew_on.isoformat(),
            "days left": r.days_left,
            "applications": ", ".join(r.applications),
        }
        for r in sorted(plan, key=lambda r: (r.renew_on, r.host))
    ]


def calendar_bytes(plan: list[Rotation], site: str) -> bytes:
    """An .ics file: one event per renewal, with a reminder ``REMINDER_DAYS`` before."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//genesys_lab//certificate rotation//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{site}: certificate renewals")
    stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for r in plan:
        event = icalendar.Event()
        event.add("uid", f"{r.serial}-{r.host}@{_slug(site)}.genesys-lab")
        event.add("dtstamp", stamp)
        event.add("dtstart", r.renew_on)
        event.add("dtend", r.renew_on + dt.timedelta(days=1))
        event.add("summary", f"Renew the certificate of {r.host} (serial {r.serial})")
        event.add(
            "description",
            f"Certificate {r.serial} of {r.host} expires {r.not_after.date().isoformat()}. "
            f"Renew it with: genesys-lab renew {r.serial} --revoke-old, then install the new files and "
            f"update the thumbprint where applications name it. Applications: {', '.join(r.applications) or 'none listed'}.",
        )
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"In {REMINDER_DAYS} days: renew the certificate of {r.host}")
        alarm.add("trigger", dt.timedelta(days=-REMINDER_DAYS))
        event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()


def timeline_svg(plan: list[Rotation], *, today: dt.date | None = None, width: int = 760) -> str:
    """A timeline a person reads at a glance: one bar per host from today to expiry, renewal marked."""
    today = today or dt.date.today()
    if not plan:
        return '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="30"><text x="4" y="20">no certificates</text></svg>'
    ordered = sorted(plan, key=lambda r: (r.renew_on, r.host))
    end = max(r.not_after.date() for r in ordered)
    span = max((end - today).days, 1)
    left, right, row_h = 230, 130, 22
    x = lambda day: left + (width - left - right) * max(0, (day - today).days) / span  # noqa: E731
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{row_h * len(ordered) + 40}" '
        'font-family="sans-serif" font-size="12" role="img" aria-label="certificate rotation timeline">'
    ]
    for i, r in enumerate(ordered):
        y = 10 + i * row_h
        due = r.renew_on <= today
        colour = "#c0392b" if due else "#2e86c1"
        parts.append(f'<text x="4" y="{y + 13}">{html.escape(r.host)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{x(r.not_after.date()) - left:.1f}" height="12" fill="{colour}" opacity="0.35"/>'
        )
        parts.append(
            f'<line x1="{x(r.renew_on):.1f}" x2="{x(r.renew_on):.1f}" y1="{y}" y2="{y + 18}" stroke="{colour}" stroke-width="3"/>'
        )
        parts.append(f'<text x="{width - right + 8}" y="{y + 13}" fill="#555">renew {r.renew_on.isoformat()}</text>')
    base = 10 + len(ordered) * row_h + 14
    parts.append(f'<text x="{left}" y="{base}" fill="#555">today {today.isoformat()}</text>')
    parts.append(f'<text x="{width - right - 70}" y="{base}" fill="#555">{end.isoformat()}</text>')
    parts.append("</svg>")
    return "".join(parts)


def write_calendar(plan: list[Rotation], site: str, path: Path) -> Path:
    from genesys_lab.site.output import write_file

    return write_file(path, calendar_bytes(plan, site))


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "site"
