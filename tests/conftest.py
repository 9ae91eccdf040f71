"""Shared fixtures: a CA made once per session, and the real tools used as judges.

A test that needs openssl, keytool, javac or chromium skips with the reason
when the tool is missing, except under CI=true, where it fails: CI must
have installed it (.ci/run does).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from genesys_lab import create_ca


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (apt-get install it, or run .ci/run)"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " — required under CI=true")
    pytest.skip(message)


@pytest.fixture(scope="session")
def openssl() -> str:
    return require_tool("openssl")


@pytest.fixture(scope="session")
def keytool() -> str:
    return require_tool("keytool")


def run_tool(*args, cwd=None, input=None, check=True) -> subprocess.CompletedProcess:
    """Run a real tool; on failure the assertion shows its stderr."""
    proc = subprocess.run([str(a) for a in args], cwd=cwd, input=input, capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, f"{' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def openssl_ca(openssl, ca, *args, check=True) -> subprocess.CompletedProcess:
    """``openssl ca -config ca_conf/ca.conf ...`` run from the CA directory, as the Security Pack does."""
    return run_tool(openssl, "ca", "-config", "ca_conf/ca.conf", *args, cwd=ca.paths.root, check=check)


GUIDE_CA = dict(
    email="youremail@yourdomain.com",
    org_unit="Department",
    org="Genesys Telecommunication Labs",
    locality="Daly City",
    state="CA",
    country="US",
)


@pytest.fixture(scope="session")
def session_ca(tmp_path_factory):
    """One CA for read-only tests: the guide's create_ca.sh example."""
    root = tmp_path_factory.mktemp("ca")
    return create_ca(root, "Basic Certification Authority", **GUIDE_CA).ca


@pytest.fixture(scope="session")
def server_cert(session_ca):
    """The guide's create_cert.sh example, plus an IP and SAN lists."""
    return session_ca.issue(
        "myHOST.domain1.domain2.com",
        "myWorkstation",
        ip="10.0.0.5",
        san_domains=["alias.domain1.domain2.com"],
        san_ips=["10.0.0.6"],
    )


@pytest.fixture(scope="session")
def gui_cert(session_ca):
    return session_ca.issue("desk01.example.com", "desk01", profile="gui")


@pytest.fixture
def fresh_ca(tmp_path):
    """A new, empty CA for tests that change it (1024-bit key: fast, and only these tests use it)."""
    return create_ca(tmp_path, "Test CA", key_size=1024).ca


def snapshot(directory: Path) -> dict:
    """Every file under a directory with its bytes and mode, to prove a refusal changed nothing."""
    return {
        str(p.relative_to(directory)): (p.read_bytes(), p.stat().st_mode)
        for p in sorted(Path(directory).rglob("*"))
        if p.is_file()
    }
