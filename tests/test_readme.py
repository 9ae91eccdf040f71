"""The README runs as written: every ```sh block, verbatim and in order, in one fresh folder.

A newcomer copies the blocks into a shell with the lab's commands on PATH
(``. .venv/bin/activate``); so does this test, with bash ``-e`` so a failing
command fails the block. The folder sits beside a copy of ``examples/`` as
the README's "new folder inside your clone" does. Blocks that need a
terminal or run forever are plain ``` blocks, which are not run. The
```python blocks run afterwards in the same folder, each in a fresh
interpreter.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[str]:
    return [body for lang, body in _FENCE.findall(README.read_text(encoding="utf-8")) if lang == language]


def test_the_readme_has_command_blocks_and_no_unrunnable_ones_marked_sh():
    sh = blocks("sh")
    assert len(sh) >= 5
    for body in sh:
        assert "serve-crl" not in body and "make lab" not in body, body  # those run forever: plain blocks


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("readme")
    shutil.copytree(ROOT / "examples", root / "examples")
    work = root / "try"
    work.mkdir()
    return work


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GENESYS")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_every_sh_block_runs_verbatim_in_order(folder):
    for number, body in enumerate(blocks("sh"), 1):
        proc = subprocess.run(
            ["bash", "-e", "-c", body],
            cwd=folder,
            env=_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, f"README sh block {number} failed ({proc.returncode}):\n{body}\n{proc.stdout}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr, proc.stderr


def test_every_python_block_runs(folder):
    for number, body in enumerate(blocks("python"), 1):
        proc = subprocess.run(
            [sys.executable, "-c", body],
            cwd=folder,
            env=_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, f"README python block {number} failed:\n{body}\n{proc.stdout}\n{proc.stderr}"


def test_the_example_inventory_issues_every_row(folder):
    """examples/hosts.csv is what the README hands to create-certs: every row became a certificate."""
    rows = (ROOT / "examples" / "hosts.csv").read_text().strip().splitlines()[1:]
    listing = subprocess.run(
        [BIN / "genesys-lab", "list", "--ca-dir", "labca", "--json"], cwd=folder, capture_output=True, text=True, env=_env()
    )
    if listing.returncode != 0:
        pytest.fail("run after test_every_sh_block_runs_verbatim_in_order: " + listing.stderr)
    import json

    issued = json.loads(listing.stdout)
    assert len(issued) == 1 + len(rows)  # app01, then one per row


def test_the_piped_pfx_password_was_used(folder, openssl):
    """`echo PW | genesys-lab pkcs12 export ...` protects the .pfx with PW (it used to write an empty password)."""
    pfx = folder / "myHOST_legacy.pfx"
    assert pfx.is_file(), "run after test_every_sh_block_runs_verbatim_in_order"
    empty = subprocess.run([openssl, "pkcs12", "-in", pfx, "-noout", "-passin", "pass:"], capture_output=True)
    assert empty.returncode != 0
    subprocess.run([openssl, "pkcs12", "-in", pfx, "-noout", "-passin", "pass:Pfx-pass-1"], check=True, capture_output=True)
