"""Certificate Services core and command line: templates, PKCS#10, the request database, approval.

The judges are the real tools: ``openssl req -verify`` for requests,
``openssl x509`` for what a certificate got from request and template,
``openssl verify`` for the chain and ``openssl ca -status`` for the CA
database. Every refusal is shown to change nothing (``snapshot``).
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import openssl_ca, run_tool, snapshot

from genesys_lab import create_ca
from genesys_lab.certsrv import enroll, pkcs10, templates
from genesys_lab.certsrv.fit import template_fit
from genesys_lab.errors import CADatabaseError, FormatError, InvalidNameError, UsageError

GL = [sys.executable, "-m", "genesys_lab.cli"]


# ------------------------------------------------------------ the simulated Windows machine


@pytest.fixture
def real_windows():
    """The browser adapter talks to the real simulated machine (genesys_lab.windows), no fake."""
    import genesys_lab.windows as windows
    from genesys_lab.certsrv import browser

    assert browser._windows() is windows
    return windows


# ------------------------------------------------------------ helpers


@pytest.fixture
def win_ca(tmp_path):
    """A CA with a CDP, as a Windows CA puts one in every certificate (2048-bit: templates ask for 2048+)."""
    root = tmp_path / "winca"
    root.mkdir()
    return create_ca(root, "Win Lab CA", crl_url="http://127.0.0.1:8099/crl.der").ca


def openssl_request(openssl, folder: Path, cn: str, san: str | None = None, bits: int = 2048) -> Path:
    """A request made on the host itself with ``openssl req`` (its key stays in ``folder``)."""
    out = folder / f"{cn.split('.')[0]}.csr"
    args = [openssl, "req", "-new", "-newkey", f"rsa:{bits}", "-nodes", "-keyout", folder / f"{cn}.key", "-subj", f"/CN={cn}"]
    if san:
        args += ["-addext", f"subjectAltName={san}"]
    run_tool(*args, "-out", out)
    return out


def x509_text(openssl, cert_file: Path) -> str:
    return run_tool(openssl, "x509", "-in", cert_file, "-noout", "-text").stdout


def ca_status(openssl, ca, serial: str) -> str:
    """What ``openssl ca -status`` says (it writes the answer to stderr)."""
    proc = openssl_ca(openssl, ca, "-status", serial, check=False)
    return proc.stdout + proc.stderr


def cli(*args, cwd=None):
    return subprocess.run([*GL, *map(str, args)], capture_output=True, text=True, cwd=cwd)


# ------------------------------------------------------------ templates


def test_builtin_templates_carry_the_purposes_microsoft_lists():
    assert templates.get_template("mutualtls2").ekus == ("serverAuth", "clientAuth")
    assert templates.get_template("GenesysGUI").ekus == ("clientAuth",)
    assert templates.get_template("WebServer").ekus == ("serverAuth",)
    assert set(templates.get_template("Computer").ekus) == {"serverAuth", "clientAuth"}
    assert templates.get_template("Computer").subject is templates.SubjectSource.DIRECTORY
    assert "clientAuth" in templates.get_template("User").ekus
    assert templates.get_template("MutualTLS2").exportable and templates.get_template("MutualTLS2").subject.value == "request"


def test_template_fit_names_the_genesys_role():
    assert template_fit(templates.get_template("MutualTLS2")).roles == ("server", "gui")
    assert template_fit(templates.get_template("GenesysGUI")).roles == ("gui",)
    web = template_fit(templates.get_template("WebServer"))
    assert web.roles == ()
    assert any(f.severity == "error" and "clientAuth" in f.message for f in web.findings)
    computer = template_fit(templates.get_template("Computer"))
    assert any("cannot be exported" in f.message for f in computer.findings)


def test_lint_template_on_the_command_line():
    ok = cli("lint", "--template", "MutualTLS2")
    assert ok.returncode == 0 and "fits Genesys server applications" in ok.stdout
    bad = cli("lint", "--template", "WebServer")
    assert bad.returncode == 1 and "serverAuth without clientAuth" in bad.stdout
    same = cli("templates", "lint", "WebServer")
    assert same.returncode == 1 and same.stdout == bad.stdout
    unknown = cli("lint", "--template", "Nope")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1 and "does not exist" in unknown.stderr


def test_site_templates_file_is_editable_and_validated(win_ca):
    path = templates.write_example_site_file(win_ca.paths.root)
    assert path == win_ca.paths.conf / "templates.ini"
    site = templates.get_template("GenesysServerApproval", win_ca.paths.root)
    assert site.manager_approval and site.ekus == ("serverAuth", "clientAuth") and not site.builtin
    path.write_text(path.read_text() + "\n[GuiLong]\nbased_on = GenesysGUI\nvalidity_days = 30\nexportable = no\n")
    gui = templates.get_template("guilong", win_ca.paths.root)
    assert (gui.ekus, gui.validity_days, gui.exportable) == (("clientAuth",), 30, False)
    with pytest.raises(UsageError, match="already exists"):
        templates.write_example_site_file(win_ca.paths.root)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[X]\nekus = serverAuth, bogus\n", r"\[X\]: ekus item 'bogus' is unknown"),
        ("[X]\nwhatever = 1\n", r"\[X\]: unknown key 'whatever'"),
        ("[WebServer]\nekus = clientAuth\n", r"\[WebServer\]: WebServer is a built-in template"),
        ("[X]\nmanager_approval = perhaps\n", "must be yes or no"),
        ("[X]\nmin_key_size = 512\n", "min_key_size 512 must be within"),
        ("[X]\ncdp_urls = ftp://x\n", "not an http:// address"),
        ("no section\n", "INI file"),
    ],
)
def test_a_broken_site_file_is_one_clear_error(win_ca, text, message):
    (win_ca.paths.conf / "templates.ini").write_text(text)
    before = snapshot(win_ca.paths.root)
    with pytest.raises(UsageError, match=message):
        templates.all_templates(win_ca.paths.root)
    proc = cli("templates", "list", "--ca-dir", win_ca.paths.root)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "templates.ini" in proc.stderr
    assert snapshot(win_ca.paths.root) == before


# ------------------------------------------------------------ PKCS#10


def test_create_request_writes_a_valid_request_and_a_private_key_beside_it(tmp_path, openssl):
    proc = cli(
        "create-request",
        "--host",
        "app01.example.com",
        "--san-domain",
        "alias.example.com",
        "--ip",
        "10.0.0.5",
        "--out",
        tmp_path / "req.csr",
    )
    assert proc.returncode == 0, proc.stderr
    key = tmp_path / "req_priv_key.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "req.csr").stat().st_mode & 0o777 == 0o644
    text = run_tool(openssl, "req", "-in", tmp_path / "req.csr", "-noout", "-verify", "-text").stdout
    assert "DNS:app01.example.com, DNS:alias.example.com, IP Address:10.0.0.5" in text
    modulus_req = run_tool(openssl, "req", "-in", tmp_path / "req.csr", "-noout", "-modulus").stdout
    modulus_key = run_tool(openssl, "rsa", "-in", key, "-noout", "-modulus").stdout
    assert modulus_req == modulus_key
    again = cli("create-request", "--host", "app01.example.com", "--out", tmp_path / "req.csr")
    assert again.returncode == 2 and "already exists" in again.stderr


def test_create_request_refuses_a_name_that_is_not_an_fqdn(tmp_path):
    proc = cli("create-request", "--host", "app01", "--out", tmp_path / "req.csr")
    assert proc.returncode == 2 and "not a fully qualified domain name" in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_request_with_a_bad_signature_is_refused(tmp_path, openssl, win_ca):
    csr = openssl_request(openssl, tmp_path, "gw01.example.com", "DNS:gw01.example.com")
    run_tool(openssl, "req", "-in", csr, "-outform", "DER", "-out", tmp_path / "r.der")
    der = bytearray((tmp_path / "r.der").read_bytes())
    der[-5] ^= 0x01  # a bit of the signature
    (tmp_path / "bad.der").write_bytes(bytes(der))
    judged = run_tool(openssl, "req", "-in", tmp_path / "bad.der", "-inform", "DER", "-noout", "-verify", check=False)
    assert "verify failure" in judged.stderr  # openssl 3.0 says so (its exit code stays 0)
    before = snapshot(win_ca.paths.root)
    with pytest.raises(FormatError, match="signature does not match"):
        enroll.submit(win_ca, bytes(der), "MutualTLS2", requester="t")
    proc = cli("sign-request", tmp_path / "bad.der", "--template", "MutualTLS2", "--ca-dir", win_ca.paths.root)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "signature does not match" in proc.stderr
    assert snapshot(win_ca.paths.root) == before


def test_garbage_and_huge_requests_are_refused(win_ca):
    with pytest.raises(FormatError, match="not a PKCS#10 request"):
        pkcs10.load_request(b"hello")
    with pytest.raises(FormatError, match="a few KiB"):
        pkcs10.load_request(b"A" * (pkcs10.MAX_REQUEST_BYTES + 1))


# ------------------------------------------------------------ signing


def test_sign_request_from_openssl_req_keeps_the_san_and_takes_the_eku_from_the_template(tmp_path, openssl, win_ca):
    csr = openssl_request(openssl, tmp_path, "gw01.example.com", "DNS:gw01.example.com,DNS:gw.example.com,IP:10.0.0.7")
    proc = cli("sign-request", csr, "--template", "MutualTLS2", "--ca-dir", win_ca.paths.root)
    assert proc.returncode == 0, proc.stderr
    for line in ("subject ", "SAN ", "extended key usage", "decided by"):
        assert line in proc.stdout
    assert "gw01.example.com, gw.example.com, 10.0.0.7" in proc.stdout and "request" in proc.stdout
    cert = win_ca.paths.repository / "01.pem"
    text = x509_text(openssl, cert)
    assert "DNS:gw01.example.com, DNS:gw.example.com, IP Address:10.0.0.7" in text
    assert "TLS Web Server Authentication, TLS Web Client Authentication" in text
    assert "URI:http://127.0.0.1:8099/crl.der" in text
    assert (win_ca.paths.repository / "01_gw01_cert.pem").read_bytes() == cert.read_bytes()
    assert not list(win_ca.paths.repository.glob("*priv_key*")), "the CA never holds the host's key"
    run_tool(openssl, "verify", "-CAfile", win_ca.paths.cert, cert)
    assert "01=Valid (V)" in ca_status(openssl, win_ca, "01")


def test_webserver_template_gives_server_authentication_only(tmp_path, openssl, win_ca):
    csr = openssl_request(openssl, tmp_path, "web01.example.com", "DNS:web01.example.com")
    result = enroll.submit(win_ca, csr.read_bytes(), "WebServer", requester="t")
    text = x509_text(openssl, win_ca.paths.repository / f"{result.record.serial}.pem")
    assert "TLS Web Server Authentication" in text and "Client Authentication" not in text


def test_directory_template_writes_the_requesters_name_not_the_requested_one(tmp_path, openssl, win_ca):
    csr = openssl_request(openssl, tmp_path, "wanted.example.com", "DNS:wanted.example.com")
    result = enroll.submit(win_ca, csr.read_bytes(), "Computer", requester="desk01", requester_fqdn="desk01.corp.example.com")
    text = x509_text(openssl, win_ca.paths.repository / f"{result.record.serial}.pem")
    assert "CN=desk01.corp.example.com" in text.replace(" = ", "=") and "DNS:desk01.corp.example.com" in text
    assert "wanted" not in text
    assert any(d.field == "ignored from the request" for d in result.plan.decisions)


@pytest.mark.parametrize(
    "bits, template, error, message",
    [
        (1024, "MutualTLS2", UsageError, "outside template MutualTLS2's limits 2048"),
        (2048, "Nope", UsageError, "does not exist"),
        (2048, "", UsageError, "no certificate template chosen"),
    ],
)
def test_requests_outside_the_template_are_refused_and_change_nothing(tmp_path, openssl, win_ca, bits, template, error, message):
    csr = openssl_request(openssl, tmp_path, "gw01.example.com", "DNS:gw01.example.com", bits=bits)
    before = snapshot(win_ca.paths.root)
    with pytest.raises(error, match=message):
        enroll.submit(win_ca, csr.read_bytes(), template, requester="t")
    proc = cli("sign-request", csr, "--template", template, "--ca-dir", win_ca.paths.root)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert snapshot(win_ca.paths.root) == before


def test_a_request_for_a_bare_host_name_is_refused(tmp_path, openssl, win_ca):
    csr = openssl_request(openssl, tmp_path, "gw01")
    before = snapshot(win_ca.paths.root)
    with pytest.raises(InvalidNameError, match="not a fully qualified domain name"):
        enroll.submit(win_ca, csr.read_bytes(), "MutualTLS2", requester="t")
    assert snapshot(win_ca.paths.root) == before


# ------------------------------------------------------------ approval


def test_pending_then_issued_then_issuing_twice_is_refused(tmp_path, openssl, win_ca):
    templates.write_example_site_file(win_ca.paths.root)
    csr = openssl_request(openssl, tmp_path, "app01.example.com", "DNS:app01.example.com")
    proc = cli("sign-request", csr, "--template", "GenesysServerApproval", "--ca-dir", win_ca.paths.root)
    assert proc.returncode == 0 and "Request 1 is pending" in proc.stdout
    assert win_ca.paths.db.read_text() == "", "nothing is issued while the request is pending"
    listed = cli("requests", "list", "--ca-dir", win_ca.paths.root)
    assert "pending" in listed.stdout and "GenesysServerApproval" in listed.stdout
    issued = cli("requests", "issue", "1", "--ca-dir", win_ca.paths.root)
    assert issued.returncode == 0 and "as certificate 01" in issued.stdout
    assert "01=Valid (V)" in ca_status(openssl, win_ca, "01")
    before = snapshot(win_ca.paths.root)
    again = cli("requests", "issue", "1", "--ca-dir", win_ca.paths.root)
    assert again.returncode == 1 and again.stderr.count("\n") == 1 and "already issued (serial 01)" in again.stderr
    denied = cli("requests", "deny", "1", "--ca-dir", win_ca.paths.root)
    assert denied.returncode == 1 and "already issued" in denied.stderr
    missing = cli("requests", "issue", "7", "--ca-dir", win_ca.paths.root)
    assert missing.returncode == 1 and "request 7 does not exist" in missing.stderr
    bad = cli("requests", "issue", "x1", "--ca-dir", win_ca.paths.root)
    assert bad.returncode == 2 and "not a request number" in bad.stderr
    assert snapshot(win_ca.paths.root) == before


def test_deny_a_pending_request(tmp_path, openssl, win_ca):
    templates.write_example_site_file(win_ca.paths.root)
    csr = openssl_request(openssl, tmp_path, "app01.example.com", "DNS:app01.example.com")
    enroll.submit(win_ca, csr.read_bytes(), "GenesysServerApproval", requester="t")
    proc = cli("requests", "deny", "1", "--ca-dir", win_ca.paths.root)
    assert proc.returncode == 0 and "Denied request 1" in proc.stdout
    record = enroll.find(win_ca, 1)
    assert record.status.value == "denied" and record.serial is None and record.resolved is not None
    with pytest.raises(enroll.RequestStateError, match="already denied"):
        enroll.issue_request(win_ca, 1)
    assert win_ca.paths.db.read_text() == ""


def test_a_request_belongs_to_its_requester(tmp_path, openssl, win_ca):
    csr = openssl_request(openssl, tmp_path, "app01.example.com", "DNS:app01.example.com")
    enroll.submit(win_ca, csr.read_bytes(), "MutualTLS2", requester="desk01.lab.example")
    assert enroll.find(win_ca, 1, requester="desk01.lab.example").id == 1
    with pytest.raises(enroll.RequestStateError, match="not made from this browser"):
        enroll.find(win_ca, 1, requester="desk02.lab.example")


def test_a_damaged_request_database_is_one_clear_error(win_ca):
    (win_ca.paths.conf / "certsrv_requests.json").write_text("{not json")
    with pytest.raises(CADatabaseError, match="certsrv_requests.json cannot be read"):
        enroll.list_requests(win_ca)
    proc = cli("requests", "list", "--ca-dir", win_ca.paths.root)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1


def test_two_enrollments_at_once_get_distinct_serials(tmp_path, openssl, win_ca):
    csrs = [openssl_request(openssl, tmp_path, f"h{i}.example.com", f"DNS:h{i}.example.com") for i in range(4)]
    procs = [
        subprocess.Popen(
            [*GL, "sign-request", c, "--template", "MutualTLS2", "--ca-dir", win_ca.paths.root],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for c in csrs[:2]
    ]
    errors: list[BaseException] = []

    def in_thread(csr):
        try:
            enroll.submit(win_ca, csr.read_bytes(), "MutualTLS2", requester="t")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=in_thread, args=(c,)) for c in csrs[2:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for p in procs:
        assert p.wait(60) == 0, p.stderr.read()
    assert not errors
    serials = [r.serial for r in enroll.list_requests(win_ca)]
    assert sorted(serials) == ["01", "02", "03", "04"]
    assert sorted(r.id for r in enroll.list_requests(win_ca)) == [1, 2, 3, 4]
    lines = win_ca.paths.db.read_text().splitlines()
    assert len(lines) == 4 and len({line.split("\t")[3] for line in lines}) == 4
    for serial in serials:
        assert f"{serial}=Valid (V)" in ca_status(openssl, win_ca, serial)


# ------------------------------------------------------------ browser side


def test_browser_keeps_the_key_and_installs_with_the_exportable_flag(tmp_path, win_ca, real_windows):
    from genesys_lab.certsrv.browser import Browser, KeyOptions

    browser = Browser(tmp_path / "desk01")
    csr, container, key = browser.make_request("app01.example.com", KeyOptions(2048, "app01-key", exportable=False))
    assert not browser.keys_dir.exists(), "nothing is written before the CA accepts the request"
    result = enroll.submit(win_ca, csr, "MutualTLS2", requester=browser.requester)
    browser.keep(result.request_id, container, key, exportable=False, friendly_name="App 01")
    key_file = browser.keys_dir / "app01-key.key.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
    entry = browser.install(result.request_id, result.certificate)
    assert entry.store == "CurrentUser\\My" and entry.has_private_key and entry.exportable is False
    assert entry.friendly_name == "App 01" and entry.container == "app01-key"
    machine = real_windows.load_machine(browser.machine_path)
    assert [e.thumbprint for e in machine.entries("CurrentUser\\My")] == [entry.thumbprint]
    assert real_windows.check_application(machine, "desktop", entry.thumbprint).checks[1].status.name == "PASS"
    with pytest.raises(real_windows.WizardRefusal, match="not exportable"):
        real_windows.export(machine, entry, tmp_path / "moved.pfx", with_key=True, password="pw-12345")
    assert not (tmp_path / "moved.pfx").exists()
    with pytest.raises(UsageError, match="already exists"):
        browser.make_request("app02.example.com", KeyOptions(2048, "app01-key"))
    with pytest.raises(UsageError, match="holds no key for request 9"):
        browser.install(9, result.certificate)


def test_a_site_template_puts_its_own_cdp_and_aia_into_certificates(tmp_path, openssl, win_ca):
    (win_ca.paths.conf / "templates.ini").write_text(
        "[LocalCdp]\nbased_on = MutualTLS2\nvalidity_days = 30\n"
        "cdp_urls = http://pki.lab.example.com/win.crl\naia_urls = http://pki.lab.example.com/win.crt\n"
    )
    csr = openssl_request(openssl, tmp_path, "app09.example.com", "DNS:app09.example.com")
    result = enroll.submit(win_ca, csr.read_bytes(), "LocalCdp", requester="t")
    text = x509_text(openssl, win_ca.paths.repository / f"{result.record.serial}.pem")
    assert "URI:http://pki.lab.example.com/win.crl" in text and "127.0.0.1:8099" not in text
    assert "CA Issuers - URI:http://pki.lab.example.com/win.crt" in text
    cert = result.certificate
    assert (cert.not_valid_after_utc - cert.not_valid_before_utc).days == 30
    assert ("validity", "30 days", "template") in [(d.field, d.value, d.source) for d in result.plan.decisions]
