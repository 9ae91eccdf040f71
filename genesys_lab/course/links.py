"""Links to the lab's local services that work on a laptop and behind JupyterHub.

Every service of the lab (the CRL distribution point, the Certificate Services pages) binds
127.0.0.1 on a port chosen free at run time. On a laptop the browser opens that address directly.
Behind JupyterHub the browser is elsewhere: the learner's server is reached at
``/user/<name>/`` and jupyter-server-proxy forwards ``/user/<name>/proxy/<port>/...`` to
127.0.0.1:<port> on the learner's own server (jupyter-server-proxy's documented
``/proxy/<port>`` route). JupyterHub sets ``JUPYTERHUB_SERVICE_PREFIX`` (``/user/<name>/``) in
every single-user server's environment, and kernels inherit it.
"""

from __future__ import annotations

import os


def behind_hub() -> bool:
    return bool(os.environ.get("JUPYTERHUB_SERVICE_PREFIX"))


def service_url(port: int, path: str = "") -> str:
    """The address a learner's browser uses for a local service on ``port``."""
    if not 0 < int(port) < 65536:
        from genesys_lab.errors import UsageError

        raise UsageError(f"port {port!r} is not a TCP port: use 1-65535")
    path = path.lstrip("/")
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if prefix:
        return f"{prefix.rstrip('/')}/proxy/{int(port)}/{path}"
    return f"http://127.0.0.1:{int(port)}/{path}"
