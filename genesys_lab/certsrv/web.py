"""The web enrollment site (``genesys-lab certsrv``): the standard library's HTTP server on 127.0.0.1.

Safety, as DESIGN.md asks of every local service:

- binds 127.0.0.1 only, on the port given (0 = a free one);
- an idle connection is closed after ``IDLE_TIMEOUT`` seconds;
- a POST body over ``MAX_BODY`` bytes is refused before it is read, and
  only ``application/x-www-form-urlencoded`` forms are accepted;
- every form carries a CSRF token (an HMAC of the browser's session cookie
  under a secret made when the site starts), checked on every POST;
- no URL names a file: each page is one fixed route, and the only files
  read are the CA's own (ca_cert.pem, crl.der, repository/<SERIAL>.pem by
  the serial in the request database);
- ``base_url`` is the prefix the links carry, so the site also works behind
  ``jupyter-server-proxy`` (``/proxy/<port>/``) in JupyterLab or JupyterHub;
  requests arrive with or without that prefix.

The pages render in ``pages``; every decision is taken by ``enroll`` (the
CA's side) and ``browser`` (the browser's machine), the same functions the
command line calls.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from genesys_lab.certsrv import enroll, pages
from genesys_lab.certsrv.browser import Browser, KeyOptions
from genesys_lab.certsrv.database import Disposition
from genesys_lab.certsrv.pkcs10 import check_fqdn
from genesys_lab.certsrv.templates import SubjectSource, all_templates, get_template
from genesys_lab.errors import GenesysLabError, UsageError

MAX_BODY = 32 * 1024
IDLE_TIMEOUT = 15.0
COOKIE = "certsrv_session"
FORM_FIELDS = (
    "template",
    "name",
    "san",
    "email",
    "org",
    "org_unit",
    "locality",
    "state",
    "country",
    "keyset",
    "key_size",
    "container_mode",
    "container",
    "exportable",
    "hash",
    "friendly_name",
)


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    filename: str | None = None


@dataclass(frozen=True)
class Request:
    method: str
    route: str
    query: dict
    form: dict
    session: str


def normalize_base(base_url: str) -> str:
    """``/``, ``/proxy/8123/`` ...: one leading and one trailing slash, no scheme, host, query or dots."""
    text = "/" + (base_url or "/").strip().strip("/")
    text = text if text == "/" else text + "/"
    if any(part in ("..", ".") for part in text.split("/")) or "?" in text or "#" in text or "//" in text:
        raise UsageError(f"--base-url {base_url!r} must be a plain path such as /proxy/8123/")
    return text


class EnrollmentSite:
    """The pages' logic, without sockets: ``handle()`` turns one request into one response."""

    def __init__(self, ca_dir: Path | str, machine: Path | str, *, base_url: str = "/", fqdn: str | None = None):
        from genesys_lab.authority.ca import load_ca

        self.ca = load_ca(ca_dir)
        self.browser = Browser(machine, fqdn=check_fqdn(fqdn, option="--fqdn") if fqdn else None)
        self.prefix = normalize_base(base_url)
        self.base = self.prefix + "certsrv/"
        self._secret = secrets.token_bytes(32)
        self.ca_name = _common_name(self.ca.certificate)

    # -- plumbing ----------------------------------------------------------
    def token(self, session: str) -> str:
        return hmac.new(self._secret, session.encode(), hashlib.sha256).hexdigest()

    def route_of(self, path: str) -> str | None:
        """The page name after ``.../certsrv/``, accepting the path with or without the proxy prefix."""
        for start in (self.base, "/certsrv/"):
            if path.startswith(start):
                return path[len(start) :]
            if path == start.rstrip("/"):
                return ""
        return None

    def handle(self, method: str, target: str, body: bytes = b"", cookie: str | None = None) -> Response:
        session = cookie if cookie and len(cookie) == 32 and cookie.isalnum() else secrets.token_hex(16)
        try:
            response = self._handle(method, target, body, session)
        except GenesysLabError as exc:  # a page handler met a CA or machine problem: say it in the page
            response = self._page("Request Failed", "", errors=[str(exc)], status=500)
        if cookie != session:
            response.headers.append(("Set-Cookie", f"{COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict"))
        return response

    def _handle(self, method: str, target: str, body: bytes, session: str) -> Response:
        parts = urlsplit(target)
        if parts.path in ("/", self.prefix) and method == "GET":
            return Response(302, b"", headers=[("Location", self.base)])
        route = self.route_of(parts.path)
        handler = self._routes().get((method, route)) if route is not None else None
        if handler is None:
            return self._page("Page Not Found", "<p>There is no such page on this site.</p>", status=404)
        try:
            form = _parse_form(body) if method == "POST" else {}
            query = {k: v[0] for k, v in parse_qs(parts.query, max_num_fields=16).items()}
        except ValueError:
            return self._page("Bad Request", "<p>The request could not be read.</p>", status=400)
        if method == "POST" and not hmac.compare_digest(form.get("csrf", ""), self.token(session)):
            return self._page(
                "Form Expired",
                f'<p>This form was not sent from this site\'s own page (or the page is too old). <a href="{self.base}">Start again</a>.</p>',
                errors=["the form's security token is missing or wrong: nothing was submitted"],
                status=403,
            )
        return handler(Request(method, route or "", query, form, session))

    def _routes(self) -> dict:
        return {
            ("GET", ""): self.welcome,
            ("GET", "request"): self.request_choice,
            ("GET", "advanced"): self.advanced_choice,
            ("GET", "form"): self.form,
            ("POST", "submit"): self.submit,
            ("GET", "base64"): self.base64_form,
            ("POST", "submit-base64"): self.submit_base64,
            ("POST", "install"): self.install,
            ("GET", "status"): self.status,
            ("GET", "cert"): self.certificate,
            ("GET", "download"): self.download,
            ("GET", "ca.cer"): self.ca_certificate,
            ("GET", "chain.p7b"): self.chain,
            ("GET", "crl.crl"): self.crl,
        }

    def _page(self, title: str, body: str, *, errors=(), status: int = 200) -> Response:
        code, html = pages.page(title, body, ca_name=self.ca_name, base=self.base, errors=errors, status=status)
        return Response(code, html.encode("utf-8"))

    def _templates(self):
        return list(all_templates(self.ca.paths.root).values())

    # -- pages -------------------------------------------------------------
    def welcome(self, req: Request) -> Response:
        return self._page("Welcome", pages.welcome(self.base, self.ca_name))

    def request_choice(self, req: Request) -> Response:
        return self._page("Request a Certificate", pages.request_choice(self.base))

    def advanced_choice(self, req: Request) -> Response:
        return self._page("Advanced Certificate Request", pages.advanced_choice(self.base))

    def form(self, req: Request, *, values=None, errors=(), status: int = 200) -> Response:
        values = values if values is not None else {"template": req.query.get("template", "")}
        body = pages.request_form(self.base, self.token(req.session), self._templates(), values)
        return self._page("Advanced Certificate Request", body, errors=errors, status=status)

    def base64_form(self, req: Request, *, values=None, errors=(), status: int = 200) -> Response:
        body = pages.base64_form(self.base, self.token(req.session), self._templates(), values or {})
        return self._page("Submit a Certificate Request", body, errors=errors, status=status)

    def submit(self, req: Request) -> Response:
        values = {k: req.form.get(k, "") for k in FORM_FIELDS}
        try:
            template, host, options, subject = self._checked_form(values)
            csr, container, key = self.browser.make_request(host, options, digest=values["hash"], **subject)
            result = enroll.submit(
                self.ca, csr, template.name, requester=self.browser.requester, requester_fqdn=self.browser.fqdn
            )
        except GenesysLabError as exc:
            return self.form(req, values=values, errors=[str(exc)], status=400)
        self.browser.keep(result.request_id, container, key, exportable=options.exportable, friendly_name=values["friendly_name"])
        return self._result(req, result.record, result.plan.decisions, result.plan.warnings)

    def _checked_form(self, values: dict):
        """Every field checked before a key is made: a refusal leaves browser and CA unchanged."""
        template = get_template(values["template"], self.ca.paths.root)
        if values["keyset"] != "new":
            raise UsageError("only 'Create new key set' is available: this lab's browser has no existing key sets to offer")
        try:
            bits = int(values["key_size"].strip())
        except ValueError:
            raise UsageError(f"Key Size {values['key_size'][:20]!r} is not a number of bits: use e.g. 2048") from None
        template.check_key_size(bits)
        if values["hash"] not in pages.HASHES:
            raise UsageError(f"hash algorithm {values['hash'][:20]!r} is not offered: choose one of {', '.join(pages.HASHES)}")
        exportable = values["exportable"] == "1"
        if exportable and not template.exportable:
            raise UsageError(
                f"template {template.name} does not allow the private key to be exported: untick 'Mark keys as exportable' or choose another template"
            )
        if values["container_mode"] not in ("auto", "user"):
            raise UsageError("choose Automatic or User specified key container name")
        container = values["container"] if values["container_mode"] == "user" else None
        if container is not None and not container.strip():
            raise UsageError("User specified key container name is chosen but the name is empty: type one, or choose Automatic")
        if len(values["friendly_name"]) > 128 or any(ord(c) < 32 for c in values["friendly_name"]):
            raise UsageError("Friendly Name must be one line of at most 128 characters")
        options = KeyOptions(bits, container, exportable)
        self.browser.check_container(options)
        if template.subject is SubjectSource.DIRECTORY:
            return template, self.browser.fqdn, options, {}
        host = check_fqdn(values["name"], option="Name")
        subject = {
            "san_domains": [s.strip() for s in values["san"].split(",") if s.strip()],
            "email": values["email"] or None,
            "org": values["org"] or None,
            "org_unit": values["org_unit"] or None,
            "locality": values["locality"] or None,
            "state": values["state"] or None,
            "country": values["country"] or None,
        }
        return template, host, options, subject

    def submit_base64(self, req: Request) -> Response:
        values = {"csr": req.form.get("csr", ""), "template": req.form.get("template", "")}
        try:
            result = enroll.submit(
                self.ca,
                values["csr"].encode("utf-8", "replace"),
                values["template"],
                requester=self.browser.requester,
                requester_fqdn=self.browser.fqdn,
                source="the pasted request",
            )
        except GenesysLabError as exc:
            return self.base64_form(req, values=values, errors=[str(exc)], status=400)
        return self._result(req, result.record, result.plan.decisions, result.plan.warnings)

    def _result(self, req: Request, record, decisions=(), warnings=()) -> Response:
        if record.status is Disposition.PENDING:
            return self._page("Certificate Pending", pages.pending(record, decisions=decisions))
        if record.status is Disposition.DENIED:
            return self._page("Certificate Request Denied", pages.denied(record))
        held = self.browser.requests().get(record.id)
        body = pages.issued(
            self.base, self.token(req.session), record, installable=held is not None, decisions=decisions, warnings=warnings
        )
        return self._page("Certificate Issued", body)

    def install(self, req: Request) -> Response:
        try:
            record = enroll.find(self.ca, req.form.get("ReqID", ""), requester=self.browser.requester)
            entry = self.browser.install(record.id, enroll.certificate_of(self.ca, record))
        except GenesysLabError as exc:
            return self._page("Certificate Not Installed", "", errors=[str(exc)], status=400)
        return self._page("Certificate Installed", pages.installed(entry, self.browser.machine_name()))

    def status(self, req: Request) -> Response:
        title = "View the Status of a Pending Certificate Request"
        if "ReqID" not in req.query:
            rows = enroll.list_requests(self.ca, requester=self.browser.requester)
            return self._page(title, pages.status_list(self.base, rows))
        try:
            record = enroll.find(self.ca, req.query["ReqID"], requester=self.browser.requester)
        except GenesysLabError as exc:
            return self._page(title, "", errors=[str(exc)], status=404)
        if record.status is Disposition.PENDING:
            return self._page("Certificate Pending", pages.still_pending(record))
        return self._result(req, record)

    def certificate(self, req: Request) -> Response:
        try:
            record = enroll.find(self.ca, req.query.get("ReqID", ""), requester=self.browser.requester)
            cert = enroll.certificate_of(self.ca, record)
        except GenesysLabError as exc:
            return self._page("Certificate Not Available", "", errors=[str(exc)], status=404)
        return _certificate_response(cert, req.query.get("Enc", "b64"), f"certnew_{record.id}")

    def download(self, req: Request) -> Response:
        body = pages.download(self.base, self.ca.paths.crl_der.exists())
        return self._page("Download a CA Certificate, Certificate Chain, or CRL", body)

    def ca_certificate(self, req: Request) -> Response:
        return _certificate_response(self.ca.certificate, req.query.get("Enc", "DER"), "certnew")

    def chain(self, req: Request) -> Response:
        from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

        der = pkcs7.serialize_certificates([self.ca.certificate], Encoding.DER)
        return Response(200, der, "application/x-pkcs7-certificates", filename="certnew.p7b")

    def crl(self, req: Request) -> Response:
        path = self.ca.paths.crl_der
        if not path.exists():
            return self._page("CRL Not Available", "", errors=["no CRL is published yet: run genesys-lab gen-crl"], status=404)
        if req.query.get("Enc", "DER") == "b64":
            return Response(200, self.ca.paths.crl_pem.read_bytes(), "application/pkix-crl", filename="certcrl.crl")
        return Response(200, path.read_bytes(), "application/pkix-crl", filename="certcrl.crl")


def _parse_form(body: bytes) -> dict:
    fields = parse_qs(body.decode("utf-8", "strict"), keep_blank_values=True, max_num_fields=64, strict_parsing=False)
    return {k: v[0] for k, v in fields.items()}


def _certificate_response(cert, encoding: str, stem: str) -> Response:
    from cryptography.hazmat.primitives.serialization import Encoding

    if encoding == "b64":
        return Response(200, cert.public_bytes(Encoding.PEM), "application/pkix-cert", filename=f"{stem}.cer")
    return Response(200, cert.public_bytes(Encoding.DER), "application/pkix-cert", filename=f"{stem}.cer")


def _common_name(cert) -> str:
    from cryptography.x509.oid import NameOID

    from genesys_lab.x509.describe import readable_name

    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else readable_name(cert.subject)


# ------------------------------------------------------------------ server


def _handler_for(site: EnrollmentSite, idle_timeout: float):
    class Handler(BaseHTTPRequestHandler):
        timeout = idle_timeout  # idle connections are closed (StreamRequestHandler sets it on the socket)
        server_version = "genesys-lab-certsrv"
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):
            return

        def do_GET(self):
            self._answer(site.handle("GET", self.path, b"", self._cookie()))

        def do_POST(self):
            length = self.headers.get("Content-Length", "")
            if not length.isdigit():
                self.close_connection = True
                return self._answer(Response(411, b"a form must say its length (Content-Length)\n", "text/plain"))
            if int(length) > MAX_BODY:
                self.close_connection = True
                code, html = pages.page(
                    "Request Too Large",
                    "",
                    ca_name=site.ca_name,
                    base=site.base,
                    errors=[f"the form is {int(length)} bytes; at most {MAX_BODY} are accepted: nothing was submitted"],
                    status=413,
                )
                return self._answer(Response(code, html.encode()))
            ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
            body = self.rfile.read(int(length))
            if ctype != "application/x-www-form-urlencoded":
                return self._answer(
                    Response(415, b"only HTML forms (application/x-www-form-urlencoded) are accepted\n", "text/plain")
                )
            self._answer(site.handle("POST", self.path, body, self._cookie()))

        def _cookie(self) -> str | None:
            from http.cookies import CookieError, SimpleCookie

            try:
                jar = SimpleCookie(self.headers.get("Cookie", ""))
            except CookieError:
                return None
            morsel = jar.get(COOKIE)
            return morsel.value if morsel else None

        def _answer(self, response: Response) -> None:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
            if response.filename:
                self.send_header("Content-Disposition", f'attachment; filename="{response.filename}"')
            for name, value in response.headers:
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(response.body)

    return Handler


class CertsrvServer:
    """A running site; ``url`` is its Welcome page, ``close()`` stops it. Shows as a link in a notebook."""

    def __init__(self, site: EnrollmentSite, port: int = 0, *, idle_timeout: float = IDLE_TIMEOUT):
        from genesys_lab.authority.crlserver import _check_port

        self.site = site
        handler = _handler_for(site, idle_timeout)
        try:
            self._server = ThreadingHTTPServer(("127.0.0.1", _check_port(port) or 0), handler)
        except OSError as exc:
            raise UsageError(f"cannot listen on 127.0.0.1 port {port}: {exc.strerror}; use --port 0 for a free port") from None
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.site.base}"

    def start(self) -> CertsrvServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="genesys-lab-certsrv", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def close(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _repr_html_(self) -> str:
        from html import escape

        return f'<a href="{escape(self.url)}" target="_blank">{escape(self.url)}</a> (Certificate Services, {escape(self.site.ca_name)})'

    def __repr__(self) -> str:
        return f"CertsrvServer({self.url!r})"


def serve_certsrv(
    ca_dir: Path | str,
    machine: Path | str,
    *,
    port: int = 0,
    base_url: str = "/",
    fqdn: str | None = None,
    idle_timeout: float = IDLE_TIMEOUT,
) -> CertsrvServer:
    """Start the web enrollment site in a background thread and return it (``with`` closes it)."""
    site = EnrollmentSite(ca_dir, machine, base_url=base_url, fqdn=fqdn)
    return CertsrvServer(site, port, idle_timeout=idle_timeout).start()
