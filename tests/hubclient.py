"""A small client for a real JupyterHub: start it, manage learners, run notebooks in their kernels.

Used by tests/test_hub.py and bench/class_jobs.py. It speaks the hub's REST API and the Jupyter
kernel protocol over the single-user server's websocket (the same path JupyterLab uses), so a
notebook runs exactly as a learner's Run All would, through the hub's proxy.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

# Not "genesys_lab": a folder of that name in a kernel's working directory would shadow the package.
COURSE_FOLDER = "genesys-lab-course"
CONFIG = Path(__file__).resolve().parent.parent / "hub" / "jupyterhub_config.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Hub:
    """A JupyterHub process on 127.0.0.1 with the dummy authenticator and one home per learner."""

    state: Path
    password: str = field(default_factory=lambda: uuid.uuid4().hex)
    token: str = field(default_factory=lambda: uuid.uuid4().hex)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def homes(self) -> Path:
        return self.state / "homes"

    def start(self, timeout: float = 90) -> Hub:
        self.homes.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "GENESYS_HUB_AUTH": "dummy",
            "GENESYS_HUB_PASSWORD": self.password,
            "GENESYS_HUB_SPAWNER": "simple",
            "GENESYS_HUB_HOMES": str(self.homes),
            "GENESYS_HUB_STATE": str(self.state),
            "GENESYS_HUB_PORT": str(self.port),
            "GENESYS_HUB_INTERNAL_PORT": str(free_port()),
            "GENESYS_HUB_PROXY_API_PORT": str(free_port()),
            "GENESYS_HUB_ADMIN_TOKEN": self.token,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        log = open(self.state / "hub.log", "wb")  # noqa: SIM115 (kept open for the hub's lifetime)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
            cwd=self.state,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyterhub exited {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/hub/api", timeout=2).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"jupyterhub did not answer within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        path = self.state / "hub.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def api(self, method: str, path: str, **kwargs):
        r = requests.request(
            method, f"{self.url}/hub/api{path}", headers={"Authorization": f"token {self.token}"}, timeout=60, **kwargs
        )
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {r.status_code} {r.text[:300]}")
        return r.json() if r.content else None

    def add_learner(self, name: str, timeout: float = 120) -> Learner:
        """Create the user, start their server, and give the test a token of theirs."""
        self.api("POST", f"/users/{name}")
        (self.homes / name).mkdir(parents=True, exist_ok=True)
        self.api("POST", f"/users/{name}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            user = self.api("GET", f"/users/{name}")
            server = user.get("servers", {}).get("", {})
            if server.get("ready"):
                break
            time.sleep(0.5)
        else:
            raise RuntimeError(f"{name}'s server did not start:\n{self.log()}")
        token = self.api("POST", f"/users/{name}/tokens", json={"note": "test", "expires_in": 3600})["token"]
        return Learner(self, name, token)

    def stop(self, timeout: float = 30) -> None:
        """Stop the hub (cleanup_servers stops every learner's server), then anything left in its group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


@dataclass
class Learner:
    hub: Hub
    name: str
    token: str

    @property
    def home(self) -> Path:
        return self.hub.homes / self.name

    @property
    def base(self) -> str:
        return f"{self.hub.url}/user/{self.name}"

    def get(self, path: str, timeout: float = 60, **kwargs):
        return requests.get(f"{self.base}{path}", headers={"Authorization": f"token {self.token}"}, timeout=timeout, **kwargs)

    def git_pull(self, repo: Path, branch: str, timeout: float = 120) -> Path:
        """What a learner's click on the trainer's nbgitpuller link does: clone the course into the home."""
        r = self.get(
            "/git-pull/api",
            params={"repo": str(repo), "branch": branch, "targetpath": COURSE_FOLDER},
            stream=True,
            timeout=timeout,
        )
        events = [json.loads(line[5:]) for line in r.iter_lines(decode_unicode=True) if line and line.startswith("data:")]
        if not events or events[-1].get("phase") != "finished":
            raise RuntimeError(f"nbgitpuller did not finish for {self.name}: {events[-3:]}")
        return self.home / COURSE_FOLDER

    def run_notebook(self, path: str, timeout: float = 600) -> list[str]:
        """Run every code cell of a notebook in a kernel of this learner's server; return the errors."""
        import nbformat

        from_file = nbformat.read(self.home / path, as_version=4)
        session = requests.post(
            f"{self.base}/api/sessions",
            headers={"Authorization": f"token {self.token}"},
            json={"path": path, "type": "notebook", "name": Path(path).name, "kernel": {"name": "python3"}},
            timeout=60,
        ).json()
        kernel = session["kernel"]["id"]
        try:
            return _run_cells(self, kernel, [c.source for c in from_file.cells if c.cell_type == "code"], timeout)
        finally:
            requests.delete(
                f"{self.base}/api/sessions/{session['id']}", headers={"Authorization": f"token {self.token}"}, timeout=60
            )

    def execute_keep(self, code: str, timeout: float = 120) -> str:
        """Run a snippet in a kernel that stays up (a service it started keeps serving); return its output."""
        kernel = requests.post(
            f"{self.base}/api/kernels", headers={"Authorization": f"token {self.token}"}, json={"name": "python3"}, timeout=60
        ).json()["id"]
        out: list[str] = []
        errors = _run_cells(self, kernel, [code], timeout, out)
        if errors:
            raise RuntimeError("; ".join(errors))
        return "".join(out)

    def execute(self, code: str, timeout: float = 120) -> list[str]:
        """Run one snippet in a fresh kernel; return what it printed (for small probes)."""
        kernel = requests.post(
            f"{self.base}/api/kernels", headers={"Authorization": f"token {self.token}"}, json={"name": "python3"}, timeout=60
        ).json()["id"]
        try:
            out: list[str] = []
            errors = _run_cells(self, kernel, [code], timeout, out)
            if errors:
                raise RuntimeError("; ".join(errors))
            return out
        finally:
            requests.delete(f"{self.base}/api/kernels/{kernel}", headers={"Authorization": f"token {self.token}"}, timeout=60)


def _run_cells(learner: Learner, kernel: str, cells: list[str], timeout: float, out: list[str] | None = None) -> list[str]:
    import websocket

    url = f"ws://127.0.0.1:{learner.hub.port}/user/{learner.name}/api/kernels/{kernel}/channels"
    ws = websocket.create_connection(url, header=[f"Authorization: token {learner.token}"], timeout=timeout)
    session = uuid.uuid4().hex
    errors: list[str] = []
    try:
        for number, code in enumerate(cells, 1):
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps(_execute_request(code, msg_id, session)))
            deadline = time.monotonic() + timeout
            done = False
            while not done:
                if time.monotonic() > deadline:
                    errors.append(f"cell {number}: no reply within {timeout} s")
                    return errors
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "error":
                    errors.append(f"cell {number}: {msg['content']['ename']}: {msg['content']['evalue']}")
                elif kind == "stream" and out is not None:
                    out.append(msg["content"]["text"])
                elif kind == "execute_reply":
                    done = True
            if errors:
                return errors
    finally:
        ws.close()
    return errors


def _execute_request(code: str, msg_id: str, session: str) -> dict:
    return {
        "header": {"msg_id": msg_id, "username": "test", "session": session, "msg_type": "execute_request", "version": "5.3"},
        "parent_header": {},
        "metadata": {},
        "content": {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
        "channel": "shell",
        "buffers": [],
    }


def cleanup(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
