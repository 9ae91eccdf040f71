"""certsrv behind jupyter-server-proxy: the entry point's dict, and the command it gives run for real.

jupyter-server-proxy reads ``jupyter_serverproxy_servers`` entry points and
fills ``{port}`` and ``{base_url}`` into the command; it serves the process at
``<base_url>certsrv/`` and strips that prefix from the paths it forwards.
https://jupyter-server-proxy.readthedocs.io/en/latest/server-process.html
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from importlib.metadata import entry_points

from genesys_lab import create_ca


def test_the_entry_point_is_registered_and_returns_the_documented_dict(tmp_path, monkeypatch):
    (ep,) = [e for e in entry_points(group="jupyter_serverproxy_servers") if e.name == "certsrv"]
    monkeypatch.setenv("GENESYS_LAB_CERTSRV_CA", str(tmp_path / "winlab"))
    monkeypatch.delenv("GENESYS_LAB_CERTSRV_MACHINE", raising=False)
    entry = ep.load()()
    cmd = entry["command"]
    assert cmd[:4] == [sys.executable, "-m", "genesys_lab.cli", "certsrv"]
    assert cmd[cmd.index("--ca-dir") + 1] == str(tmp_path / "winlab")
    assert cmd[cmd.index("--machine") + 1] == str(tmp_path.resolve() / "desk01")
    assert cmd[cmd.index("--port") + 1] == "{port}" and cmd[cmd.index("--base-url") + 1] == "{base_url}certsrv"
    assert entry["launcher_entry"]["title"] == "Certificate Services"
    monkeypatch.setenv("GENESYS_LAB_CERTSRV_MACHINE", str(tmp_path / "ws07"))
    assert str(tmp_path / "ws07") in ep.load()()["command"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str:
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")


def test_the_proxy_command_serves_the_site_under_the_base_url(tmp_path, monkeypatch):
    """The command as the proxy would run it for /user/ann/: links carry the prefix, stripped paths are served."""
    root = tmp_path / "winlab"
    root.mkdir()
    create_ca(root, "Proxy CA", key_size=1024)
    monkeypatch.setenv("GENESYS_LAB_CERTSRV_CA", str(root))
    from genesys_lab.certsrv.proxy import setup_certsrv

    port = _free_port()
    cmd = [part.format(port=port, base_url="/user/ann/") for part in setup_certsrv()["command"]]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stripped = _get(f"http://127.0.0.1:{port}/certsrv/")  # what the proxy forwards for /user/ann/certsrv/certsrv/
        assert "<h1 id=title>Welcome</h1>" in stripped
        assert 'href="/user/ann/certsrv/certsrv/request"' in stripped
        full = _get(f"http://127.0.0.1:{port}/user/ann/certsrv/certsrv/request")  # absolute_url proxies keep it
        assert "Request a Certificate" in full
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
