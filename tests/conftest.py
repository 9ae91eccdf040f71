"""Shared fixtures: a CA made once per session, and the real tools used as judges.

A test that needs openssl, keytool, javac or chromium skips with the reason
when the tool is missing, except under CI=true, where it fails: CI must
have installed it (.ci/run does). The functions behind the fixtures are in
helpers.py, which test modules import (never this file).
"""

from __future__ import annotations

import pytest
from helpers import GUIDE_CA, make_ca, require_tool


@pytest.fixture(scope="session")
def openssl() -> str:
    return require_tool("openssl")


@pytest.fixture(scope="session")
def keytool() -> str:
    return require_tool("keytool")


@pytest.fixture(scope="session")
def session_ca(tmp_path_factory):
    """One CA for read-only tests: the guide's create_ca.sh example."""
    root = tmp_path_factory.mktemp("ca")
    return make_ca(root, "Basic Certification Authority", key_size=2048, **GUIDE_CA)


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
    return make_ca(tmp_path, "Test CA")
