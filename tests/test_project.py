"""The project's promises to a newcomer: two commands, one environment, Python 3.11+."""

import re
import sys

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pip vendors the same parser
    from pip._vendor import tomli as tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = _pyproject()["project"]
    wanted = {_name(r): r for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    lines = (ROOT / "environment.yml").read_text().splitlines()
    conda = {}
    for line in lines[lines.index("dependencies:") :]:
        m = re.match(r"^  - ([A-Za-z0-9_.-]+)(.*)$", line)
        if m and m.group(1) not in ("python", "pip"):
            conda[_name(m.group(1))] = m.group(1) + m.group(2).strip()
    assert set(conda) == set(wanted)
    for name, requirement in wanted.items():
        assert conda[name].replace(" ", "") == requirement.replace(" ", ""), name
    assert "      - -e ." in lines
    assert "conda-forge" in (ROOT / "environment.yml").read_text()


def test_python_floor_is_3_11():
    assert _pyproject()["project"]["requires-python"] == ">=3.11"  # tomllib (site files) is 3.11+
    assert sys.version_info >= (3, 10)


def test_readme_opens_with_the_two_commands():
    head = (ROOT / "README.md").read_text().split("\n## ")[0]
    assert "make lab" in head and "make test" in head


def test_ci_installs_tools_and_runs_make_test():
    ci = (ROOT / ".ci/run").read_text()
    assert "make test" in ci and "apt-get install" in ci
    for package in ("openssl", "openjdk", "chromium"):
        assert package in ci


def test_scripts_are_installed_commands():
    scripts = _pyproject()["project"]["scripts"]
    assert {"genesys-lab", "create_ca.sh", "create_cert.sh", "convert_priv_key.sh"} <= set(scripts)
    bindir = Path(sys.executable).parent
    for name in ("create_ca.sh", "create_cert.sh", "genesys-lab"):
        assert (bindir / name).exists(), f"{name} is not installed next to {sys.executable}: pip install -e ."


def test_make_lab_passes_options_to_jupyterlab():
    import subprocess

    out = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed", "lab", "LAB_ARGS=--no-browser --port 8899"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if "jupyter lab" in line)
    # make lab opens the learner's git-ignored working copy, never the tracked notebooks (issue 11)
    assert "--notebook-dir=workspace" in line and line.endswith("--no-browser --port 8899")


def test_make_test_runs_every_kind_of_test():
    import subprocess

    out = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed", "test"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "pytest tests notebooks --nbval" in out and "--nbval-lax" not in out
    assert "--nbval-sanitize-with notebooks/sanitize.cfg" in out


def test_make_lab_starts_jupyterlab_on_the_notebooks(tmp_path):
    """What a newcomer types: JupyterLab answers and lists the course's notebooks."""
    import json
    import os
    import signal
    import socket
    import subprocess
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = f"--no-browser --ip 127.0.0.1 --port {port} --IdentityProvider.token=labtest"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.Popen(
        ["make", "-o", ".venv/.installed", "lab", f"LAB_ARGS={args}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        listing = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and listing is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token=labtest", timeout=2) as reply:
                    listing = json.load(reply)
            except OSError:
                time.sleep(0.5)
        assert listing is not None, "JupyterLab did not answer within 60 s"
        names = {item["name"] for item in listing["content"]}
        assert {"00_welcome.ipynb", "02_create_the_ca.ipynb", "03_issue_host_certificates.ipynb"} <= names
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token=labtest", timeout=10) as reply:
            assert reply.status == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_a_missing_tool_skips_outside_ci_and_fails_under_ci(monkeypatch):
    import pytest
    from helpers import require_tool

    monkeypatch.setattr("shutil.which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="openssl is not installed"):
        require_tool("openssl")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI=true"):
        require_tool("openssl")


def test_environment_report_names_versions_and_tools():
    import shutil

    from genesys_lab.course.lab import environment_report

    report = environment_report()
    assert report["Python"] == ".".join(map(str, sys.version_info[:3]))
    assert report["openssl"] == ("found" if shutil.which("openssl") else "not found")
    assert set(report) == {"Python", "genesys_lab", "cryptography", "openssl", "keytool", "javac"}
