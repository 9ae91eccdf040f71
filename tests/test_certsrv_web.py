"""The web enrollment pages in a real browser (Playwright, Debian's Chromium), and their HTTP safety rules.

Chromium walks every page the guide walks (Welcome > Request a Certificate >
Advanced Certificate Request > the form > Certificate Issued > Install this
certificate > Certificate Installed; the pending and the denied way; the
download page), and ``openssl`` judges what came out. Every refusal is shown
in the page and leaves the CA folder (``snapshot``) and the browser's key
folder as they were. Tests that drive Chromium carry the ``browser`` marker; the HTTP
rules below them need no browser. The browser's machine is the real simulated Windows
machine (genesys_lab.windows).
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import require_tool, run_tool, snapshot
from test_certsrv import ca_status, cli, openssl_request, real_windows, x509_text  # noqa: F401 (fixture)

from genesys_lab import create_ca, generate_crl
from genesys_lab.certsrv import enroll, templates
from genesys_lab.certsrv.web import MAX_BODY, EnrollmentSite, serve_certsrv

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]


@pytest.fixture
def lab(tmp_path, real_windows):  # noqa: F811 (the fixture imported above)
    """A CA with a CDP and the site's approval template, and the site serving it for machine desk01."""
    root = tmp_path / "winca"
    root.mkdir()
    ca = create_ca(root, "Win Lab CA", crl_url="http://127.0.0.1:8099/crl.der").ca
    templates.write_example_site_file(root)
    machine = tmp_path / "desk01"
    with serve_certsrv(root, machine, fqdn="desk01.corp.example.com", idle_timeout=2) as server:
        yield ca, machine, server


@pytest.fixture(scope="module")
def chromium():
    require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(accept_downloads=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def title(page) -> str:
    return page.inner_text("#title")


def open_form(page, server) -> None:
    page.goto(server.url)
    assert title(page) == "Welcome"
    page.click("#request")
    assert title(page) == "Request a Certificate"
    page.click("#advanced")
    assert title(page) == "Advanced Certificate Request"
    page.click("#create")
    assert page.is_visible("#request-form")


def fill(
    page,
    *,
    template="MutualTLS2",
    name="app01.example.com",
    san="",
    key_size="2048",
    container=None,
    exportable=True,
    hash="sha256",
    friendly="App 01",
):
    if template is not None:
        page.select_option("#template", template)
    page.fill("#name", name)
    page.fill("#san", san)
    page.fill("#key_size", key_size)
    if container:
        page.check("#container_user")
        page.fill("#container", container)
    if exportable:
        page.check("#exportable")
    page.select_option("#hash", hash)
    page.fill("#friendly_name", friendly)


def machine_entries(machine: Path):
    """CurrentUser\\My of the browser's real simulated machine; none yet if nothing was ever installed there."""
    from genesys_lab.windows import load_machine

    if not machine.exists():
        return []
    return load_machine(machine).entries("CurrentUser\\My")


# ------------------------------------------------------------ the guide's way


@pytest.mark.browser
def test_request_issued_at_once_then_installed(lab, page, openssl):
    ca, machine, server = lab
    open_form(page, server)
    fill(page, name="app01.example.com", san="app01-alias.example.com", container="app01-key")
    page.click("#submit")
    assert title(page) == "Certificate Issued"
    assert page.inner_text("#request-id") == "1" and page.inner_text("#serial") == "01"
    decisions = page.inner_text("#decisions")
    assert (
        "app01.example.com, app01-alias.example.com" in decisions and "Server Authentication, Client Authentication" in decisions
    )
    page.click("#install")
    assert title(page) == "Certificate Installed"
    (entry,) = machine_entries(machine)
    assert page.inner_text("#thumbprint") == entry.thumbprint
    assert (
        entry.has_private_key and entry.exportable is True and entry.friendly_name == "App 01" and entry.container == "app01-key"
    )
    cert = ca.paths.repository / "01.pem"
    text = x509_text(openssl, cert)
    assert "DNS:app01.example.com, DNS:app01-alias.example.com" in text
    assert "TLS Web Server Authentication, TLS Web Client Authentication" in text
    assert "URI:http://127.0.0.1:8099/crl.der" in text
    run_tool(openssl, "verify", "-CAfile", ca.paths.cert, cert)
    assert "01=Valid (V)" in ca_status(openssl, ca, "01")
    assert [p.name for p in ca.paths.conf.rglob("*priv_key*")] == ["ca_priv_key.pem"], "the host key never reaches the CA"
    key_file = machine.parent / "desk01.certenroll" / "app01-key.key.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
    modulus = run_tool(openssl, "rsa", "-in", key_file, "-noout", "-modulus").stdout
    assert modulus == run_tool(openssl, "x509", "-in", cert, "-noout", "-modulus").stdout


@pytest.mark.browser
def test_gui_and_webserver_templates_give_their_ekus(lab, page, openssl):
    ca, _machine, server = lab
    for number, (template, expected, absent) in enumerate(
        [
            ("GenesysGUI", "TLS Web Client Authentication", "Server Authentication"),
            ("WebServer", "TLS Web Server Authentication", "Client Authentication"),
        ],
        1,
    ):
        open_form(page, server)
        fill(page, template=template, name=f"host{number}.example.com")
        page.click("#submit")
        assert title(page) == "Certificate Issued"
        text = x509_text(openssl, ca.paths.repository / f"0{number}.pem")
        assert expected in text and absent not in text


@pytest.mark.browser
def test_pending_then_issued_by_the_ca_manager_then_installed(lab, page, openssl):
    ca, machine, server = lab
    open_form(page, server)
    fill(page, template="GenesysServerApproval", name="app02.example.com", exportable=False)
    page.click("#submit")
    assert title(page) == "Certificate Pending" and page.inner_text("#request-id") == "1"
    assert ca.paths.db.read_text() == ""
    page.click("#home")
    page.click("#status")
    assert title(page) == "View the Status of a Pending Certificate Request"
    assert "pending" in page.inner_text("#requests")
    page.click("#req-1")
    assert title(page) == "Certificate Pending"
    proc = cli("requests", "issue", "1", "--ca-dir", ca.paths.root)
    assert proc.returncode == 0, proc.stderr
    page.goto(server.url + "status")
    page.click("#req-1")
    assert title(page) == "Certificate Issued" and page.inner_text("#serial") == "01"
    page.click("#install")
    assert title(page) == "Certificate Installed" and page.inner_text("#exportable") == "no"
    (entry,) = machine_entries(machine)
    assert entry.exportable is False and entry.has_private_key
    assert "01=Valid (V)" in ca_status(openssl, ca, "01")


@pytest.mark.browser
def test_denied_request_shows_denied(lab, page):
    ca, machine, server = lab
    open_form(page, server)
    fill(page, template="GenesysServerApproval", name="app03.example.com")
    page.click("#submit")
    assert title(page) == "Certificate Pending"
    assert cli("requests", "deny", "1", "--ca-dir", ca.paths.root).returncode == 0
    page.goto(server.url + "status?ReqID=1")
    assert title(page) == "Certificate Request Denied" and "denied" in page.inner_text("main")
    assert machine_entries(machine) == [] and ca.paths.db.read_text() == ""


@pytest.mark.browser
def test_user_certificate_builds_the_subject_from_the_machine(lab, page, openssl):
    ca, _machine, server = lab
    page.goto(server.url)
    page.click("#request")
    page.click("#user")
    assert page.input_value("#template") == "User"
    page.fill("#name", "ignored.example.com")
    page.click("#submit")
    assert title(page) == "Certificate Issued"
    text = x509_text(openssl, ca.paths.repository / "01.pem")
    assert "DNS:desk01.corp.example.com" in text and "ignored" not in text and "TLS Web Client Authentication" in text


@pytest.mark.browser
def test_base64_request_from_openssl_req(lab, page, openssl, tmp_path):
    ca, _machine, server = lab
    csr = openssl_request(openssl, tmp_path, "gw01.example.com", "DNS:gw01.example.com,DNS:gw.example.com")
    page.goto(server.url + "advanced")
    page.click("#base64")
    page.fill("#csr", csr.read_text())
    page.select_option("#template", "MutualTLS2")
    page.click("#submit")
    assert title(page) == "Certificate Issued"
    assert "not in this browser" in page.inner_text("main") and not page.is_visible("#install")
    with page.expect_download() as download:
        page.click("#cert-b64")
    got = Path(download.value.path())
    assert "DNS:gw01.example.com, DNS:gw.example.com" in x509_text(openssl, got)
    run_tool(openssl, "verify", "-CAfile", ca.paths.cert, got)


@pytest.mark.browser
def test_download_page_gives_ca_certificate_chain_and_crl(lab, page, openssl):
    ca, _machine, server = lab
    page.goto(server.url)
    page.click("#download")
    assert title(page) == "Download a CA Certificate, Certificate Chain, or CRL"
    assert not page.is_visible("#crl") and "No CRL is published yet" in page.inner_text("main")
    with page.expect_download() as der:
        page.click("#ca-der")
    subject = run_tool(openssl, "x509", "-inform", "DER", "-in", der.value.path(), "-noout", "-subject").stdout
    assert "Win Lab CA" in subject
    with page.expect_download() as b64:
        page.click("#ca-b64")
    assert Path(b64.value.path()).read_bytes() == ca.paths.cert.read_bytes()
    with page.expect_download() as chain:
        page.click("#chain")
    printed = run_tool(openssl, "pkcs7", "-inform", "DER", "-in", chain.value.path(), "-print_certs", "-noout").stdout
    assert "Win Lab CA" in printed
    generate_crl(ca)
    page.reload()
    with page.expect_download() as crl:
        page.click("#crl")
    run_tool(openssl, "crl", "-inform", "DER", "-in", crl.value.path(), "-noout", "-CAfile", ca.paths.cert)


# ------------------------------------------------------------ refusals in the page


def _unchanged(ca, machine):
    return snapshot(ca.paths.root), (machine.parent / "desk01.certenroll").exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": "app01"}, "not a fully qualified domain name"),
        ({"name": "bad_name.example.com"}, "may only hold letters"),
        ({"key_size": "1024"}, "outside template MutualTLS2's limits 2048"),
        ({"key_size": "lots"}, "is not a number of bits"),
        ({"template": None}, "no certificate template chosen"),
        ({"template": "Computer"}, "does not allow the private key to be exported"),
        ({"container": "../../etc/x"}, "key container name"),
    ],
)
@pytest.mark.browser
def test_bad_form_input_is_refused_in_the_page_and_changes_nothing(lab, page, changes, message):
    ca, machine, server = lab
    before = _unchanged(ca, machine)
    open_form(page, server)
    fill(page, **changes)
    page.click("#submit")
    assert title(page) == "Advanced Certificate Request"
    assert message in page.inner_text("[role=alert]")
    assert _unchanged(ca, machine) == before
    assert machine_entries(machine) == []


@pytest.mark.browser
def test_tampered_template_choice_is_refused(lab, page):
    ca, machine, server = lab
    before = _unchanged(ca, machine)
    open_form(page, server)
    fill(page)
    page.evaluate("document.querySelector('#template').options[1].value = 'EnrollmentAgent'")
    page.select_option("#template", "EnrollmentAgent")
    page.click("#submit")
    assert "certificate template 'EnrollmentAgent' does not exist" in page.inner_text("[role=alert]")
    assert _unchanged(ca, machine) == before


@pytest.mark.browser
def test_tampered_csrf_token_is_refused(lab, page):
    ca, machine, server = lab
    before = _unchanged(ca, machine)
    open_form(page, server)
    fill(page)
    page.evaluate("document.querySelector('input[name=csrf]').value = 'forged'")
    page.click("#submit")
    assert title(page) == "Form Expired" and "security token" in page.inner_text("[role=alert]")
    assert _unchanged(ca, machine) == before


def test_form_posted_from_another_site_is_refused(lab, tmp_path):
    ca, machine, server = lab
    before = _unchanged(ca, machine)
    body = b"template=MutualTLS2&name=evil.example.com&keyset=new&key_size=2048&container_mode=auto&hash=sha256"
    request = urllib.request.Request(
        server.url + "submit", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 403
    assert _unchanged(ca, machine) == before


@pytest.mark.browser
def test_bad_signature_in_a_pasted_request_is_refused(lab, page, openssl, tmp_path):
    ca, machine, server = lab
    csr = openssl_request(openssl, tmp_path, "gw01.example.com", "DNS:gw01.example.com")
    pem = csr.read_text().splitlines()
    body = pem[1:-1]
    body[-2] = body[-2][:-4] + ("AAAA" if body[-2][-4:] != "AAAA" else "BBBB")  # a few bytes of the signature
    before = _unchanged(ca, machine)
    page.goto(server.url + "base64")
    page.fill("#csr", "\n".join([pem[0], *body, pem[-1]]))
    page.select_option("#template", "MutualTLS2")
    page.click("#submit")
    assert "signature does not match" in page.inner_text("[role=alert]")
    assert _unchanged(ca, machine) == before


@pytest.mark.browser
def test_unknown_and_foreign_request_ids_are_refused(lab, page, openssl, tmp_path):
    ca, machine, server = lab
    csr = openssl_request(openssl, tmp_path, "gw01.example.com", "DNS:gw01.example.com")
    enroll.submit(ca, csr.read_bytes(), "MutualTLS2", requester="desk02.corp.example.com")
    before = _unchanged(ca, machine)
    page.goto(server.url + "status?ReqID=99")
    assert "request 99 does not exist" in page.inner_text("[role=alert]")
    page.goto(server.url + "status?ReqID=1")
    assert "not made from this browser" in page.inner_text("[role=alert]")
    page.goto(server.url + "cert?ReqID=1&Enc=b64")
    assert "not made from this browser" in page.inner_text("[role=alert]")
    page.goto(server.url + "status?ReqID=1;DROP")
    assert "not a request number" in page.inner_text("[role=alert]")
    page.goto(server.url + "status")
    assert "no certificate requests from this browser" in page.inner_text("main")
    assert _unchanged(ca, machine) == before


@pytest.mark.browser
def test_install_of_a_foreign_request_is_refused(lab, page, openssl, tmp_path):
    ca, machine, server = lab
    csr = openssl_request(openssl, tmp_path, "gw01.example.com", "DNS:gw01.example.com")
    enroll.submit(ca, csr.read_bytes(), "MutualTLS2", requester="desk02.corp.example.com")
    open_form(page, server)  # any page with a token: forge the install form's request id
    with page.expect_navigation():
        page.evaluate(
            "(() => { const f = document.createElement('form'); f.method = 'post'; f.action = 'install';"
            " f.innerHTML = '<input name=csrf value=\"' + document.querySelector('input[name=csrf]').value + '\"><input name=ReqID value=1>';"
            " document.body.appendChild(f); f.submit(); })()"
        )
    assert title(page) == "Certificate Not Installed" and "not made from this browser" in page.inner_text("[role=alert]")
    assert machine_entries(machine) == []


# ------------------------------------------------------------ HTTP rules (no browser needed)


def test_huge_upload_is_refused_before_it_is_read(lab):
    ca, machine, server = lab
    before = _unchanged(ca, machine)
    body = b"csr=" + b"A" * (MAX_BODY + 1)
    request = urllib.request.Request(
        server.url + "submit-base64", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 413 and b"at most" in refused.value.read()
    assert _unchanged(ca, machine) == before


def test_no_url_reaches_a_file(lab):
    _ca, _machine, server = lab
    for path in ("ca_conf/ca_priv_key.pem", "../ca_conf/ca_priv_key.pem", "%2e%2e/ca_conf/ca_priv_key.pem", "repository/01.pem"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server.url + path, timeout=5)
        assert refused.value.code == 404 and b"PRIVATE KEY" not in refused.value.read()


def test_listens_on_loopback_only_and_closes_idle_connections(lab):
    _ca, _machine, server = lab
    assert server._server.server_address[0] == "127.0.0.1"
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        started = time.monotonic()
        assert sock.recv(1) == b""  # the server hangs up on a silent client
        assert time.monotonic() - started < 8


def test_base_url_for_jupyter_server_proxy(tmp_path, real_windows):  # noqa: F811 (the fixture imported above)
    root = tmp_path / "ca"
    root.mkdir()
    create_ca(root, "Proxy CA", key_size=1024)
    site = EnrollmentSite(root, tmp_path / "desk", base_url="/user/ann/proxy/8123")
    page = site.handle("GET", "/user/ann/proxy/8123/certsrv/").body.decode()
    assert 'href="/user/ann/proxy/8123/certsrv/request"' in page
    stripped = site.handle("GET", "/certsrv/request")  # jupyter-server-proxy strips its prefix by default
    assert stripped.status == 200 and b'href="/user/ann/proxy/8123/certsrv/advanced"' in stripped.body
    with pytest.raises(Exception, match="plain path"):
        EnrollmentSite(root, tmp_path / "desk", base_url="/../x")


def test_two_enrollments_at_once_get_distinct_serials(lab):
    ca, _machine, server = lab
    site = server.site
    session = "a" * 32
    token = site.token(session)
    results = []

    def enroll_one(n):
        body = (
            f"csrf={token}&template=MutualTLS2&name=h{n}.example.com&keyset=new&key_size=2048"
            "&container_mode=auto&hash=sha256&friendly_name="
        ).encode()
        results.append(site.handle("POST", "/certsrv/submit", body, session))

    threads = [threading.Thread(target=enroll_one, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status for r in results] == [200, 200, 200]
    serials = sorted(r.serial for r in enroll.list_requests(ca))
    assert serials == ["01", "02", "03"]
    assert len(ca.paths.db.read_text().splitlines()) == 3


def test_the_certsrv_command_serves_the_pages(tmp_path, real_windows):  # noqa: F811 (the fixture imported above)
    """``genesys-lab certsrv`` prints its address and serves the Welcome page there until it is stopped."""
    import signal
    import subprocess
    import sys

    root = tmp_path / "ca"
    root.mkdir()
    create_ca(root, "Cli CA", key_size=1024)
    proc = subprocess.Popen(
        [sys.executable, "-m", "genesys_lab.cli", "certsrv", "--ca-dir", root, "--machine", tmp_path / "desk01", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = line.split(": ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/certsrv/")
        with urllib.request.urlopen(url, timeout=10) as response:
            assert b"<h1 id=title>Welcome</h1>" in response.read()
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0


def test_the_certsrv_command_without_a_ca_is_one_line(tmp_path):
    proc = cli("certsrv", "--ca-dir", tmp_path, "--machine", tmp_path / "m")
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "no CA in" in proc.stderr
