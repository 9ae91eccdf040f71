"""The widgets in a real browser: JupyterLab on 127.0.0.1, driven by Playwright with Debian's Chromium.

What the other widget tests cannot show: that the widget manager is
installed and the widgets really render in JupyterLab (not "Error displaying
widget", not the plain-text fallback), that clicks in the page reach the
kernel, and that the issue form issues a certificate from the browser.
Screenshots go to test-artifacts/ (gitignored) for a human to look at.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from helpers import openssl_ca, require_tool

from genesys_lab.course import COURSE as CATALOGUE

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "01_certificate_anatomy.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_SECONDS = 90
RUN_ALL_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_server(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()[-3000:]}")


TOUR = "widgets_tour.ipynb"
TOUR_CELLS = [
    'from genesys_lab.course import scratch\nwork = scratch("widgets_tour")',
    "from genesys_lab import create_ca\nfrom genesys_lab.widgets import CADashboard, HandshakePlayground\n"
    'ca = create_ca(work, "Browser CA").ca\n'
    'for host, profile in (("app01", "server"), ("app02", "server"), ("desk01", "gui")):\n'
    '    ca.issue(f"{host}.example.com", host, profile=profile)',
    "CADashboard(ca)",
    "HandshakePlayground(ca)",
]


def _tour_notebook(path: Path) -> None:
    """A small notebook with the dashboard and the playground (2048-bit keys: the handshake needs them)."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in TOUR_CELLS]
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab with a token, serving a temporary copy of the anatomy notebook and a widget tour; killed afterwards."""
    require_tool("chromium")
    tmp_path = tmp_path_factory.mktemp("jupyterlab")
    _settings(tmp_path / "settings")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(NOTEBOOK, notebooks / NOTEBOOK.name)
    _tour_notebook(notebooks / TOUR)
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
        IPYTHONDIR=str(tmp_path / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    log = tmp_path / "jupyterlab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--ip=127.0.0.1",
                f"--port={port}",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={notebooks}",
                f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
                f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
                *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
            ],
            cwd=notebooks,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_server(f"http://127.0.0.1:{port}/api/status?token={token}", proc, log)
        # one workspace per page (reset), so a page shows only the notebook it opened
        yield {
            "url": f"http://127.0.0.1:{port}/lab/workspaces/{{workspace}}/tree/{{notebook}}?reset&token={token}",
            "dir": notebooks,
            "log": log,
        }
    finally:
        _stop(proc)


@pytest.fixture(scope="module")
def browser(jupyterlab):
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("the playwright package is missing — required under CI=true")
        pytest.skip("the playwright package is not installed (pip install -e '.[dev]')")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_notebook(jupyterlab, browser, request):
    """Open a notebook in a new page, run all its cells; the console log is saved per test."""
    pages, console = [], []

    def opener(name: str):
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(30_000)
        page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
        pages.append(page)
        page.goto(jupyterlab["url"].format(workspace=Path(name).stem.replace("_", "-"), notebook=name))
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=60_000)
        _run_all(page)
        _wait_until_run(page)
        return page

    yield opener
    (ARTIFACTS / f"{request.node.name}-console.log").write_text("\n".join(console))
    for page in pages:
        page.close()


def _settings(directory: Path) -> None:
    """Start the kernel without asking; render every cell (JupyterLab 4 otherwise only puts the cells
    near the viewport into the page); no news pop-up over the page."""
    for name, values in (
        ("notebook-extension/tracker", {"autoStartDefaultKernel": True, "windowingMode": "none"}),
        ("apputils-extension/notification", {"fetchNews": "false"}),
    ):
        path = directory / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server and its kernels (its own process group, started above)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def _run_all(page) -> None:
    """Clear the stored outputs first, so "finished" means every cell has a new execution number.

    Waits for the kernel to be idle first, as a learner would: widget outputs that
    arrive before JupyterLab's widget manager is connected show as plain text.
    """
    dialog = page.locator(".jp-Dialog")
    if dialog.count():  # kernel chooser, should the setting not apply
        dialog.locator("button", has_text="Select").first.click()
    page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=60_000)
    _menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function("""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                                      .every(p => !/\\d/.test(p.textContent))""")
    _menu(page, "Run", "Run All Cells")


def _wait_until_run(page) -> None:
    """Every code cell has an execution number (none waiting as [*] or [ ]) and the kernel is idle."""
    deadline = time.monotonic() + RUN_ALL_SECONDS
    prompts: list[str] = []
    while time.monotonic() < deadline:
        prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        idle = "Idle" in page.locator(".jp-StatusBar-Widget", has_text="Python 3").first.inner_text()
        if idle and prompts and all(p.strip().strip("[]:").strip().isdigit() for p in prompts):
            return
        page.wait_for_timeout(500)
    pytest.fail(f"the notebook did not finish within {RUN_ALL_SECONDS} s; prompts: {prompts}")


def _no_widget_errors(page, **expected: int) -> None:
    """No "Error displaying widget", no plain-text fallback, and each widget (by CSS class) rendered."""
    body = page.locator("body").inner_text()
    assert "Error displaying widget" not in body, "a widget failed to render"
    # Without the widget manager JupyterLab falls back to the text/plain repr, "CertificateInspector(...)".
    fallbacks = [
        t
        for t in page.locator(".jp-OutputArea-output").all_inner_texts()
        if t.startswith(("CertificateInspector(", "IssueForm(", "CertificateComparison(", "CADashboard(", "HandshakePlayground("))
    ]
    assert not fallbacks, f"widgets shown as plain text (widget manager missing?): {fallbacks}"
    for css, count in expected.items():
        found = page.locator(f".genesys-{css.replace('_', '-')}").count()
        assert found >= count, f".genesys-{css} rendered {found} times, expected {count}"


def test_anatomy_notebook_runs_and_widgets_work(jupyterlab, open_notebook):
    page = open_notebook(NOTEBOOK.name)
    page.screenshot(path=str(ARTIFACTS / "01_after_run_all.png"))
    _no_widget_errors(page, inspector=4, issue_form=1)
    _check_comparison_fits(page)
    _check_inspector(page, jupyterlab["dir"])
    _check_issue_form(page, jupyterlab["dir"])
    _no_widget_errors(page, inspector=4, issue_form=1)


def test_dashboard_and_playground_work_in_the_browser(jupyterlab, open_notebook, openssl):
    page = open_notebook(TOUR)
    _no_widget_errors(page, dashboard=1, playground=1, inspector=1)
    ca_db = jupyterlab["dir"] / "scratch" / "widgets_tour" / "ca_conf" / "ca.db"
    board = page.locator(".genesys-dashboard").first
    _outside_revocation_between_two_clicks(board, ca_db.parent.parent, openssl)
    board.locator("select").first.select_option(index=1)  # serial 02
    board.get_by_text("ca.db: serial 02 is valid").wait_for(state="visible")
    board.locator("button", has_text="Revoke selected").click()
    confirm = board.locator("button", has_text="Yes, revoke")
    confirm.wait_for(state="visible")
    board.screenshot(path=str(ARTIFACTS / "05_dashboard_confirm.png"))
    assert [line.split("\t")[0] for line in ca_db.read_text().splitlines()] == ["R", "V", "V"]  # not before "Yes"
    confirm.click()
    board.get_by_text("revoked serial 02").wait_for(state="visible")
    assert [line.split("\t")[0] for line in ca_db.read_text().splitlines()] == ["R", "R", "V"]
    board.locator("button", has_text="Generate CRL").click()
    board.get_by_text("CRL number 1 written").wait_for(state="visible")
    board.screenshot(path=str(ARTIFACTS / "06_dashboard_revoked.png"))

    play = page.locator(".genesys-playground").first
    play.scroll_into_view_if_needed()
    play.locator("button", has_text="Run handshake").click()
    play.get_by_text("ok (TLS").wait_for(state="visible")
    play.locator("select").first.select_option(index=2)  # the GUI certificate as a server
    play.locator("button", has_text="Run handshake").click()
    play.get_by_text("unsuitable certificate purpose").first.wait_for(state="visible")
    play.screenshot(path=str(ARTIFACTS / "07_playground_refused.png"))


def _outside_revocation_between_two_clicks(board, ca_dir: Path, openssl) -> None:
    """Select 01 (valid), revoke it with openssl ca in another process, click again: every part says revoked."""
    from genesys_lab import load_ca

    board.locator("select").first.select_option(index=0)  # serial 01
    board.get_by_text("ca.db: serial 01 is valid").wait_for(state="visible")
    openssl_ca(openssl, load_ca(ca_dir), "-revoke", "ca_conf/repository/01.pem", "-crl_reason", "keyCompromise")
    board.locator("button", has_text="Revoke selected").click()
    board.get_by_text("serial 01 is already revoked in ca.db (keyCompromise)").wait_for(state="visible")
    board.get_by_text("ca.db: serial 01 is revoked").wait_for(state="visible")
    assert "revoked in ca.db" in board.locator(".genesys-inspector").first.inner_text()
    row = board.locator("table.genesys-records tr", has_text="app01").first
    assert "revoked" in row.inner_text()
    assert board.locator("button", has_text="Yes, revoke").is_hidden(), "nothing to confirm for a revoked certificate"
    board.screenshot(path=str(ARTIFACTS / "05_dashboard_outside_revocation.png"))


def _check_comparison_fits(page) -> None:
    """Every comparison table is no wider than the output area it sits in (it wraps instead)."""
    tables = page.locator("table.genesys-compare")
    assert tables.count() >= 2, "the comparison widget and the ComparisonView"
    for index in range(tables.count()):
        table = tables.nth(index)
        table.scroll_into_view_if_needed()
        width, room = table.evaluate(
            "t => [t.getBoundingClientRect().width, t.closest('.jp-OutputArea-output').getBoundingClientRect().width]"
        )
        assert 0 < width <= room + 1, f"comparison {index} is {width:.0f} px wide in a {room:.0f} px output"
        assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1"), f"comparison {index} cuts its content off"


def _check_inspector(page, notebooks: Path) -> None:
    """The first inspector shows the server certificate's CN; its tabs switch; the thumbprint is there."""
    from genesys_lab import describe

    cert = notebooks / "scratch" / "01_certificate_anatomy" / "ca_conf" / "repository" / "01_confserv_cert.pem"
    thumbprint = describe(cert).thumbprint_sha1
    inspector = page.locator(".genesys-inspector").first
    inspector.scroll_into_view_if_needed()
    assert "confserv" in inspector.inner_text()
    inspector.locator(".lm-TabBar-tab", has_text="Extensions").click()
    extensions = inspector.locator(".widget-html-content", has_text="Subject Alternative Name").first
    extensions.wait_for(state="visible")
    assert "DNS:confserv.example.com" in extensions.inner_text()
    inspector.screenshot(path=str(ARTIFACTS / "02_inspector_extensions.png"))
    inspector.locator(".lm-TabBar-tab", has_text="Fingerprints").click()
    fingerprints = inspector.locator(".widget-html-content", has_text="SHA-1 thumbprint").first
    fingerprints.wait_for(state="visible")
    assert thumbprint in fingerprints.inner_text()
    inspector.screenshot(path=str(ARTIFACTS / "03_inspector_fingerprints.png"))


def _field(form, label: str):
    return form.locator(".widget-text", has=form.page.locator(".widget-label", has_text=label)).locator("input").first


def _check_issue_form(page, notebooks: Path) -> None:
    """Type a bad host (message appears), then a good one, press Issue: the kernel issues it."""
    form = page.locator(".genesys-issue-form").first
    form.scroll_into_view_if_needed()
    host = _field(form, "Host (FQDN)")
    host.fill("bad..example.com")
    form.get_by_text("has an empty label").first.wait_for(state="visible")
    host.fill("browser01.example.com")
    _field(form, "Common name").fill("browser01")
    _field(form, "Host IP").fill("10.0.0.42")
    form.get_by_text("create_cert.sh -host browser01.example.com -CN browser01 -IP 10.0.0.42").first.wait_for()
    form.locator("button", has_text="Issue").first.click()
    issued = form.get_by_text("issued serial").first
    issued.wait_for(state="visible", timeout=60_000)
    form.screenshot(path=str(ARTIFACTS / "04_issue_form_issued.png"))
    repository = notebooks / "scratch" / "01_certificate_anatomy" / "ca_conf" / "repository"
    made = sorted(repository.glob("*_browser01_cert.pem"))
    assert made, f"no browser01 certificate in {repository}: {sorted(p.name for p in repository.iterdir())}"
    inspector = form.locator(".genesys-inspector").first
    assert "browser01" in inspector.inner_text()
    db = (repository.parent / "ca.db").read_text()
    assert "/CN=browser01" in db


# ---------------------------------------------------------------- stored notebooks, exported to HTML

COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

#: what each exported notebook must show (from its widgets' static renderings), beyond its headings
VISIBLE = {
    "00_welcome": ["05_revocation_and_crls", f"0 of {sum(nb.exercises for nb in CATALOGUE)}"],
    "01_certificate_anatomy": ["confserv.example.com", "SHA-1 thumbprint (Windows)", "tserver"],
    "03_issue_host_certificates": ["create_cert.sh -host ixn01.contact.example.com", "issued serial"],
    "05_revocation_and_crls": ["app01", "keyCompromise", "today"],
    "06_verification_and_tls": ["Handshake playground", "Hostname mismatch", "What to change"],
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every course notebook exported with plain `jupyter nbconvert --to html`, as a reader would."""
    out = tmp_path_factory.mktemp("html")
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--output-dir", str(out), *map(str, COURSE)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def offline_page(jupyterlab, browser):
    """A page that may load only file:// URLs: no CDN, no network, as for a reader offline."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    yield page
    page.close()


@pytest.mark.parametrize("notebook", [p.stem for p in COURSE])
def test_every_exported_notebook_shows_its_widgets_without_kernel_or_network(notebook, exported, offline_page):
    page = offline_page
    page.goto((exported / f"{notebook}.html").as_uri())
    outputs = page.locator(".jp-OutputArea-output")
    widget_boxes = page.locator(".jupyter-widgets script[type='application/vnd.jupyter.widget-view+json']")
    assert widget_boxes.count() == 0, "a widget output was exported as a script that needs the widget CDN"
    for text in VISIBLE.get(notebook, []):
        found = page.get_by_text(text, exact=False).first
        assert found.is_visible(), f"{notebook}.html does not show {text!r}"
    statics = page.locator(".genesys-static")
    for index in range(statics.count()):
        box = statics.nth(index)
        box.scroll_into_view_if_needed()
        assert box.is_visible() and box.inner_text().strip(), f"{notebook}: widget rendering {index} is empty"
    if notebook == "01_certificate_anatomy":
        # the thumbprint changes per run, so the test looks for 40 hex digits under the label
        thumbprints = [t for t in page.locator(".genesys-static").all_inner_texts() if "SHA-1 thumbprint" in t]
        assert thumbprints and any(len(w) == 40 for t in thumbprints for w in t.split()), "no thumbprint visible"
    page.screenshot(path=str(ARTIFACTS / f"export_{notebook}.png"), full_page=False)
    assert outputs.count() > 0
