"""JupyterHub for a class: one server, one JupyterLab per learner, the course in each home.

Start it on the training server with ``jupyterhub -f hub/jupyterhub_config.py``. Everything a
trainer changes is read from environment variables, so the same file serves a class and the
lab's own test (``tests/test_hub.py``), which runs a real hub on 127.0.0.1:

``GENESYS_HUB_AUTH``   ``dummy`` (tests, a quick demo: any name, the shared password below),
                       ``pam`` (the server's own accounts; the default), or an authenticator
                       class name your site uses (``oauthenticator.GitHubOAuthenticator``, ...).
``GENESYS_HUB_PASSWORD`` the dummy authenticator's shared password.
``GENESYS_HUB_SPAWNER`` ``local`` (each learner runs as their own system account: the isolation a
                       class needs; the default) or ``simple`` (everyone runs as the hub's account,
                       each in their own home folder: tests only).
``GENESYS_HUB_HOMES``  with ``simple``: the folder that holds one home per learner.
``GENESYS_HUB_PORT``   the public port (default 8000); ``GENESYS_HUB_IP`` (default 127.0.0.1: put a
                       TLS-terminating proxy in front of it for a class, or set the certificate below).
``GENESYS_HUB_STATE``  where the hub keeps its database, cookie secret and proxy token.

The course reaches each learner's home through nbgitpuller: a link of the form
``https://HUB/hub/user-redirect/git-pull?repo=REPO_URL&branch=main&targetpath=genesys-lab-course&urlpath=lab/tree/genesys-lab-course/notebooks/00_welcome.ipynb``
clones the repository on first click and merges upstream changes later without overwriting the
learner's own edits. ``targetpath`` matters: a folder named ``genesys_lab`` in a learner's home
would shadow the installed package in every kernel started there. Each learner's progress file lives in their workspace; ``genesys-lab
progress --collect`` over the homes gives the trainer one table (see the README).
"""

import os
import sys
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (JupyterHub injects get_config)

state = Path(os.environ.get("GENESYS_HUB_STATE", "/srv/genesys-lab-hub"))
state.mkdir(parents=True, exist_ok=True, mode=0o700)

c.JupyterHub.bind_url = f"http://{os.environ.get('GENESYS_HUB_IP', '127.0.0.1')}:{os.environ.get('GENESYS_HUB_PORT', '8000')}"
c.JupyterHub.hub_ip = "127.0.0.1"
if "GENESYS_HUB_INTERNAL_PORT" in os.environ:
    c.JupyterHub.hub_port = int(os.environ["GENESYS_HUB_INTERNAL_PORT"])
if "GENESYS_HUB_PROXY_API_PORT" in os.environ:
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ['GENESYS_HUB_PROXY_API_PORT']}"
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every learner's server

auth = os.environ.get("GENESYS_HUB_AUTH", "pam")
if auth == "dummy":
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ.get("GENESYS_HUB_PASSWORD", "")
    c.Authenticator.allow_all = True
elif auth == "pam":
    c.JupyterHub.authenticator_class = "pam"
    c.Authenticator.allow_all = False  # list the class in c.Authenticator.allowed_users
else:
    c.JupyterHub.authenticator_class = auth

# The trainer (and the test) use a service token to manage learners through the REST API.
if os.environ.get("GENESYS_HUB_ADMIN_TOKEN"):
    c.JupyterHub.services = [{"name": "trainer", "api_token": os.environ["GENESYS_HUB_ADMIN_TOKEN"]}]
    c.JupyterHub.load_roles = [
        {"name": "trainer", "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"], "services": ["trainer"]}
    ]

# One JupyterLab per learner, started with the same Python the hub runs (the lab's environment).
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {"GENESYS_LAB_BEHIND_HUB": "1"}
if os.getuid() == 0:
    c.Spawner.args = ["--allow-root"]
# Measured (hub/README.md): a learner's course peaks near 1.3 GiB. Spawners that enforce limits
# (systemdspawner, DockerSpawner, KubeSpawner) use this; LocalProcessSpawner only passes it on.
c.Spawner.mem_limit = os.environ.get("GENESYS_HUB_MEM_LIMIT", "2G")

if os.environ.get("GENESYS_HUB_SPAWNER", "local") == "simple":
    c.JupyterHub.spawner_class = "simple"
    c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(os.environ.get("GENESYS_HUB_HOMES", str(state / "homes")), "{username}")
else:
    c.JupyterHub.spawner_class = "localprocess"
    c.LocalProcessSpawner.create_system_users = False
