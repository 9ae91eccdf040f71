"""CertificatesConsole in a real browser: JupyterLab on 127.0.0.1, Playwright with Debian's Chromium.

Proves what the kernel-side tests cannot: the MMC-shaped widget renders (no "Error displaying
widget", no plain-text fallback), and clicks in the page run the Import Wizard in the kernel,
including the Trusted Root warning and its Yes button. Reuses the JupyterLab helpers of
tests/test_browser.py; screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import test_browser as lab
from helpers import require_tool

pytestmark = pytest.mark.browser

NOTEBOOK = "windows_console.ipynb"
CELLS = [
    'from genesys_lab.course.lab import scratch\nwork = scratch("windows_console")',
    "from genesys_lab import create_ca\nfrom genesys_lab.windows import new_machine\n"
    'ca = create_ca(work, "Browser Win CA", key_size=1024).ca\n'
    'machine = new_machine(work / "ws01", "WS01")',
    "from genesys_lab.widgets import CertificatesConsole\nconsole = CertificatesConsole(machine)\nconsole",
]


def _notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    require_tool("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("the playwright package is missing — required under CI=true")
        pytest.skip("the playwright package is not installed (pip install -e '.[dev]')")
    tmp = tmp_path_factory.mktemp("jupyterlab-windows")
    lab._settings(tmp / "settings")
    notebooks = tmp / "notebooks"
    notebooks.mkdir()
    _notebook(notebooks / NOTEBOOK)
    port, token = lab._free_port(), secrets.token_hex(16)
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        IPYTHONDIR=str(tmp / "ipython"),
    )
    log = tmp / "jupyterlab.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}",
                f"--LabApp.user_settings_dir={tmp / 'settings'}", f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
                *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
            ],
            cwd=notebooks, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        lab._wait_for_server(f"http://127.0.0.1:{port}/api/status?token={token}", proc, log)
        lab.ARTIFACTS.mkdir(exist_ok=True)
        with sync_playwright() as play:
            chromium = play.chromium.launch(executable_path=lab.shutil.which("chromium"), args=lab.CHROMIUM_ARGS, headless=True)
            try:
                tab = chromium.new_page(viewport={"width": 1500, "height": 1100})
                tab.set_default_timeout(30_000)
                tab.goto(f"http://127.0.0.1:{port}/lab/workspaces/windows/tree/{NOTEBOOK}?reset&token={token}")
                tab.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=60_000)
                lab._run_all(tab)
                lab._wait_until_run(tab)
                yield tab, notebooks
            finally:
                chromium.close()
    finally:
        lab._stop(proc)


def test_console_renders_and_imports_a_root_after_yes(page):
    tab, notebooks = page
    body = tab.locator("body").inner_text()
    assert "Error displaying widget" not in body
    console = tab.locator(".genesys-mmc").first
    console.wait_for(state="visible")
    assert "Certificates (Local Computer)" in console.inner_text()
    tree = console.locator("select").first
    options = tree.locator("option").all_text_contents()
    tree.select_option(index=next(i for i, t in enumerate(options) if "Trusted Root" in t.replace("\xa0", " ")) + 1)
    console.locator(".widget-text input").first.fill("scratch/windows_console/ca_conf/ca_cert.pfx")
    console.locator("button", has_text="Finish").first.click()
    console.get_by_text("Do you want to install this certificate?").wait_for(state="visible")
    index = notebooks / "scratch" / "windows_console" / "ws01" / "machine.json"
    assert '"entries": []' in index.read_text()  # nothing before Yes
    tab.screenshot(path=str(lab.ARTIFACTS / "08_mmc_root_warning.png"))
    console.locator("button", has_text="Yes").first.click()
    console.get_by_text("The import was successful.").wait_for(state="visible")
    assert '"LocalMachine\\\\Root"' in index.read_text()
    console.get_by_text("Browser Win CA").first.wait_for(state="visible")
    tab.screenshot(path=str(lab.ARTIFACTS / "09_mmc_imported.png"))
