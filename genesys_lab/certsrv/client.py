"""Drive the enrollment pages from Python the way a browser does (the notebook's stored run, tests).

A ``SiteClient`` keeps the site's session cookie, follows the links a
learner would click and posts the forms with the page's own CSRF token, so
every step goes through exactly the code that serves Chromium. A
``PageView`` is what a reader sees of a page: its title, the alerts and the
text, without markup or tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode


@dataclass(frozen=True)
class PageView:
    status: int
    title: str
    alerts: tuple[str, ...]
    text: str
    html: str

    def field(self, element_id: str) -> str | None:
        """The text of the element with this id (``request-id``, ``serial``, ``thumbprint``)."""
        match = re.search(rf'id="?{re.escape(element_id)}"?[^>]*>([^<]*)<', self.html)
        return match.group(1) if match else None

    def __str__(self) -> str:
        lines = [f"[{self.status}] {self.title}"] + [f"  ! {a}" for a in self.alerts]
        return "\n".join(lines + ["  " + line for line in self.text.splitlines() if line.strip()])

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


class _Text(HTMLParser):
    """Visible text of <main>, one line per block; the page title; the alert boxes."""

    BLOCKS = frozenset({"p", "li", "tr", "h1", "div", "fieldset", "legend", "br", "table"})

    def __init__(self):
        super().__init__()
        self.title, self.alerts, self.lines, self._stack = "", [], [""], []
        self._in_main = self._in_title = self._in_alert = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self._in_main = True
        if tag == "h1":
            self._in_title = True
        if attrs.get("role") == "alert":
            self._in_alert = True
            self.alerts.append("")
        if tag in self.BLOCKS:
            self.lines.append("")
        if tag in ("td", "th"):
            self.lines[-1] += " | " if self.lines[-1] else ""

    def handle_endtag(self, tag):
        if tag == "h1":
            self._in_title = False
        if tag == "div":
            self._in_alert = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif self._in_alert:
            self.alerts[-1] += data
        elif self._in_main:
            self.lines[-1] += re.sub(r"\s+", " ", data)


def view(response) -> PageView:
    html = response.body.decode("utf-8", "replace")
    parser = _Text()
    parser.feed(html)
    text = "\n".join(" ".join(line.split()) for line in parser.lines if line.strip())
    return PageView(response.status, parser.title.strip(), tuple(a.strip() for a in parser.alerts), text, html)


class SiteClient:
    """One browser session on an ``EnrollmentSite`` (no sockets: ``site.handle`` is called directly)."""

    def __init__(self, site):
        self.site = site
        self.session: str | None = None
        self.last: PageView | None = None

    def get(self, page: str = "") -> PageView:
        return self._send("GET", page, b"")

    def post(self, page: str, fields: dict) -> PageView:
        """Post a form as the last page's form would: with that page's CSRF token."""
        token = re.search(r'name=csrf value="([0-9a-f]+)"', self.last.html if self.last else "")
        data = {"csrf": token.group(1) if token else "", **{k: v for k, v in fields.items() if v is not None}}
        return self._send("POST", page, urlencode(data).encode())

    def _send(self, method: str, page: str, body: bytes) -> PageView:
        response = self.site.handle(method, self.site.base + page, body, self.session)
        for name, value in response.headers:
            if name == "Set-Cookie":
                self.session = value.split(";", 1)[0].split("=", 1)[1]
        if response.status == 302:
            return self.get("")
        self.last = view(response)
        return self.last

    def request_certificate(self, template: str, name: str, **options) -> PageView:
        """Welcome > Request a Certificate > Advanced Certificate Request > the form > Submit."""
        self.get("")
        self.get("request")
        self.get("advanced")
        self.get("form")
        fields = {
            "template": template,
            "name": name,
            "san": options.get("san", ""),
            "keyset": "new",
            "key_size": str(options.get("key_size", 2048)),
            "container_mode": "user" if options.get("container") else "auto",
            "container": options.get("container", ""),
            "exportable": "1" if options.get("exportable") else None,
            "hash": options.get("hash", "sha256"),
            "friendly_name": options.get("friendly_name", ""),
        }
        return self.post("submit", fields)
