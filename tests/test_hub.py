"""A class on one server: a real JupyterHub on 127.0.0.1 with three learners at once.

The hub runs hub/jupyterhub_config.py (dummy authenticator, one home per learner), pulls the course
into each home with nbgitpuller as a learner's first click would, and runs notebooks in the
learners' own kernels at the same time. Each learner's local service answers through the hub's
proxy at /user/<name>/proxy/<port>/, nobody reaches another learner's server, and everything the
hub started is gone at the end.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import psutil
import pytest
import requests
from helpers import require_tool
from hubclient import COURSE_FOLDER, Hub

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ["02_create_the_ca.ipynb", "05_revocation_and_crls.ipynb"]
if (ROOT / "notebooks" / "08_windows_certificate_services.ipynb").exists():
    NOTEBOOKS.append("08_windows_certificate_services.ipynb")
LEARNERS = ["ana", "ben", "chloe"]

pytestmark = pytest.mark.hub


def _branch() -> str:
    out = subprocess.run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip()


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    require_tool("configurable-http-proxy")
    require_tool("git")
    # nbgitpuller clones a repository; a throwaway clone of this checkout keeps the test's repo clean.
    repo = tmp_path_factory.mktemp("upstream") / "genesys_lab"
    subprocess.run(["git", "clone", "--quiet", "--branch", _branch(), str(ROOT), str(repo)], check=True)
    hub = Hub(tmp_path_factory.mktemp("hub")).start()
    try:
        learners = [hub.add_learner(name) for name in LEARNERS]
        for learner in learners:
            learner.git_pull(repo, _branch())
        yield hub, learners
    finally:
        hub.stop()
        leftovers = _started_by(hub)
        deadline = time.monotonic() + 30  # servers shut their kernels down after the hub's SIGTERM: bounded
        while leftovers and time.monotonic() < deadline:
            time.sleep(0.5)
            leftovers = _started_by(hub)
        assert not leftovers, f"processes the hub started are still running 30 s after it stopped: {leftovers}"


def _started_by(hub) -> list:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if str(hub.state) in " ".join(proc.info["cmdline"] or []) and proc.status() != psutil.STATUS_ZOMBIE:
                found.append(proc)
        except psutil.NoSuchProcess:
            pass
    return found


def test_three_learners_run_the_course_at_the_same_time(hub):
    _, learners = hub
    jobs = [(learner, f"{COURSE_FOLDER}/notebooks/{nb}") for learner in learners for nb in NOTEBOOKS]
    with concurrent.futures.ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(lambda job: (job, job[0].run_notebook(job[1], timeout=600)), jobs))
    failures = {f"{learner.name}: {path}": errors for (learner, path), errors in results if errors}
    assert not failures
    for learner in learners:
        scratch = learner.home / COURSE_FOLDER / "notebooks" / "scratch"
        assert (scratch / "02_create_the_ca" / "ca_conf" / "ca_cert.pem").exists()
        assert (scratch / "05_revocation_and_crls").is_dir()


def test_no_learner_sees_another_learners_files(hub):
    hub_, learners = hub
    ana, ben, _ = learners
    assert sorted(item["name"] for item in ana.get("/api/contents").json()["content"]) == [COURSE_FOLDER]
    # Ben's token does not open Ana's server.
    r = requests.get(
        f"{hub_.url}/user/ana/api/contents", headers={"Authorization": f"token {ben.token}"}, timeout=30, allow_redirects=False
    )
    assert r.status_code in (302, 403), r.status_code
    # Each learner's files are in their own home only.
    for learner in learners:
        others = [h for h in hub_.homes.iterdir() if h.name != learner.name]
        assert all(not (h / learner.name).exists() for h in others)


def test_each_learners_service_answers_through_the_hubs_proxy(hub):
    """A CDP started in a learner's kernel on a free port is reached at /user/<name>/proxy/<port>/."""
    hub_, learners = hub
    code = (
        "from genesys_lab import create_ca, generate_crl, serve_crl\n"
        "from genesys_lab.course import service_url\n"
        "import threading, time\n"
        "import os; os.makedirs('proxy_ca', exist_ok=True)\n"
        "ca = create_ca('proxy_ca', 'Proxy CA', key_size=1024).ca\n"
        "generate_crl(ca)\n"
        "cdp = serve_crl(ca)  # kept referenced: the CDP serves until the kernel stops\n"
        "server = cdp.__enter__()\n"
        "print(server.port, service_url(server.port, 'crl.der'))\n"
        "threading.Thread(target=lambda: time.sleep(3600), daemon=True).start()\n"
    )
    for learner in learners:
        kernel_out = learner.execute_keep(code)
        port, link = kernel_out.split()
        assert link == f"/user/{learner.name}/proxy/{port}/crl.der"
        r = requests.get(f"{hub_.url}{link}", headers={"Authorization": f"token {learner.token}"}, timeout=30)
        assert r.status_code == 200, r.text[:200]
        assert r.content[:1] == b"\x30"  # a DER CRL: a SEQUENCE
        # Another learner cannot reach it through the hub.
        other = next(x for x in learners if x is not learner)
        r = requests.get(
            f"{hub_.url}{link}", headers={"Authorization": f"token {other.token}"}, timeout=30, allow_redirects=False
        )
        assert r.status_code in (302, 403)


def test_each_learners_certsrv_answers_through_the_hubs_proxy(hub):
    """Certificate Services started in a learner's kernel answers at /user/<name>/proxy/<port>/certsrv/, to them only."""
    hub_, learners = hub
    code = (
        "import os\n"
        "from genesys_lab import create_ca, free_port, serve_certsrv\n"
        "from genesys_lab.course import service_url\n"
        "os.makedirs('certsrv_ca', exist_ok=True)\n"
        "create_ca('certsrv_ca', 'Hub Win CA', key_size=1024)\n"
        "port = free_port()\n"
        "base = os.environ['JUPYTERHUB_SERVICE_PREFIX'].rstrip('/') + f'/proxy/{port}'\n"
        "certsrv = serve_certsrv('certsrv_ca', 'desk01', port=port, base_url=base)  # serves until the kernel stops\n"
        "print(port, service_url(port, 'certsrv/'))\n"
    )
    for learner in learners:
        port, link = learner.execute_keep(code).split()
        assert link == f"/user/{learner.name}/proxy/{port}/certsrv/"
        r = requests.get(f"{hub_.url}{link}", headers={"Authorization": f"token {learner.token}"}, timeout=30)
        assert r.status_code == 200, r.text[:200]
        assert "<h1 id=title>Welcome</h1>" in r.text and "Hub Win CA" in r.text
        assert f'href="{link}request"' in r.text  # the page's own links go through the proxy too
        other = next(x for x in learners if x is not learner)
        r = requests.get(
            f"{hub_.url}{link}", headers={"Authorization": f"token {other.token}"}, timeout=30, allow_redirects=False
        )
        assert r.status_code in (302, 403) and "Welcome" not in r.text


def test_a_learner_logs_in_and_sees_the_course_in_chromium(hub):
    chromium = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    hub_, learners = hub
    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"{hub_.url}/hub/login")
            page.fill("#username_input", learners[0].name)
            page.fill("#password_input", hub_.password)
            page.click("#login_submit")
            page.wait_for_url(re.compile(rf"/user/{learners[0].name}/lab"), timeout=60_000)
            page.goto(f"{hub_.url}/user/{learners[0].name}/lab/tree/{COURSE_FOLDER}/notebooks/00_welcome.ipynb")
            page.locator(".jp-Notebook .jp-Cell").first.wait_for(state="visible", timeout=60_000)
            page.locator(".jp-Notebook .jp-RenderedMarkdown h1").first.wait_for(state="visible", timeout=60_000)
            page.locator(".jp-StatusBar-Widget", has_text="Idle").first.wait_for(timeout=60_000)
            page.screenshot(path=str(artifacts / "hub_learner_lab.png"))
        finally:
            browser.close()
    assert (artifacts / "hub_learner_lab.png").stat().st_size > 10_000


def test_binder_environment_lists_the_same_dependencies_as_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {re.split(r"[<>=!~\[ ]", r)[0].lower(): r for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    listed = {}
    lines = (ROOT / "binder" / "environment.yml").read_text().splitlines()
    for line in lines[lines.index("dependencies:") :]:
        m = re.match(r"^  - ([A-Za-z0-9_.-]+)(.*)$", line)
        if m and m.group(1) not in ("python", "pip"):
            listed[m.group(1).lower()] = m.group(1) + m.group(2).strip()
    assert listed == {name: req.replace(" ", "") for name, req in wanted.items()}
    assert {"openssl", "openjdk-17-jdk-headless"} <= set((ROOT / "binder" / "apt.txt").read_text().split())
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)
    assert shutil.which("bash") and "pip install" in (ROOT / "binder" / "postBuild").read_text()
