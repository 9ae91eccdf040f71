"""certsrv behind JupyterLab / JupyterHub: a jupyter-server-proxy server entry.

jupyter-server-proxy finds servers through the ``jupyter_serverproxy_servers``
entry point group; each entry is a function returning the server's settings
dict: ``command`` (a list whose items may hold ``{port}`` and ``{base_url}``,
filled in by the proxy), ``timeout``, ``launcher_entry`` (``title``,
``path_info``) and so on. The proxy serves it at ``<base_url>certsrv/`` and,
by default, strips that prefix from the paths it forwards; the site accepts
both forms (``EnrollmentSite(base_url=...)``), and its links carry the prefix.
Source: jupyter-server-proxy, "Server Process options",
https://jupyter-server-proxy.readthedocs.io/en/latest/server-process.html

The CA folder comes from the environment (a launcher has no form):
``GENESYS_LAB_CERTSRV_CA`` (default: ``winlab`` in the home folder; a
missing folder makes certsrv exit with its one-line error, not the
notebook server), and the browser's simulated Windows
machine from ``GENESYS_LAB_CERTSRV_MACHINE`` (default: ``desk01`` beside the
CA folder).
"""

from __future__ import annotations

import sys

CA_ENV = "GENESYS_LAB_CERTSRV_CA"
MACHINE_ENV = "GENESYS_LAB_CERTSRV_MACHINE"
NAME = "certsrv"


def certsrv_command(ca_dir: str, machine: str) -> list[str]:
    """The command line the proxy runs; ``{port}`` and ``{base_url}`` are the proxy's placeholders."""
    return [
        sys.executable, "-m", "genesys_lab.cli", "certsrv",
        "--ca-dir", ca_dir, "--machine", machine,
        "--port", "{port}", "--base-url", "{base_url}" + NAME,
    ]  # fmt: skip


def setup_certsrv() -> dict:
    """The jupyter-server-proxy entry (``jupyter_serverproxy_servers``) for Certificate Services."""
    import os
    from pathlib import Path

    ca_dir = os.environ.get(CA_ENV) or str(Path.home() / "winlab")
    machine = os.environ.get(MACHINE_ENV) or str(Path(ca_dir).resolve().parent / "desk01")
    return {
        "command": certsrv_command(ca_dir, machine),
        "timeout": 30,
        "launcher_entry": {"title": "Certificate Services", "path_info": f"{NAME}/{NAME}/"},
    }
