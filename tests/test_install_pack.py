"""install-pack: the scripts run from the pack folder with a clean PATH; README.version tells the truth; refusals."""

from __future__ import annotations

import os
import platform
import ssl
import subprocess
import sys
from pathlib import Path

import cryptography
import pytest
from helpers import run_tool, snapshot

from genesys_lab import install_pack, version_report
from genesys_lab.errors import UsageError
from genesys_lab.install import pack

BIN = Path(sys.executable).parent
CLEAN = {"PATH": "/usr/bin:/bin"}


def test_scripts_work_from_the_pack_folder_with_a_clean_path(tmp_path, openssl):
    result = install_pack("myhost", tmp_path / "pack", "linux")
    assert sorted(p.name for p in (tmp_path / "pack").iterdir()) == [
        "README.version",
        "convert_priv_key.sh",
        "create_ca.sh",
        "create_cert.sh",
    ]
    for script in result.scripts:
        assert script.stat().st_mode & 0o777 == 0o755
    ca = tmp_path / "ca"
    ca.mkdir()
    run = lambda *args: subprocess.run([str(a) for a in args], cwd=ca, env=CLEAN, capture_output=True, text=True)  # noqa: E731
    made = run(result.folder / "create_ca.sh", "-CN", "Pack CA")
    assert made.returncode == 0, made.stderr
    issued = run(result.folder / "create_cert.sh", "-CN", "h1", "-host", "h1.example.com")
    assert issued.returncode == 0, issued.stderr
    converted = run(result.folder / "convert_priv_key.sh", "-in", "ca_conf/repository/01_h1_priv_key.pem", "-out", "01_h1_priv_key_NEW.pem",
                    "-informat", "rsa", "-outformat", "pkcs8")  # fmt: skip
    assert converted.returncode == 0, converted.stderr
    run_tool(openssl, "verify", "-CAfile", ca / "ca_conf/ca_cert.pem", ca / "ca_conf/repository/01_h1_cert.pem")
    assert (ca / "01_h1_priv_key_NEW.pem").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert run(result.folder / "create_cert.sh", "-host", "h2.example.com").returncode == 2  # -CN is mandatory, as in the guide


def test_readme_version_records_what_a_support_case_needs(tmp_path):
    result = install_pack("myhost.example.com", tmp_path / "pack", "aix")
    text = result.readme.read_text()
    assert "Installed for host myhost.example.com (aix)" in text
    assert platform.python_version() in text and cryptography.__version__ in text
    assert ssl.OPENSSL_VERSION in text
    from cryptography.hazmat.backends.openssl.backend import backend

    assert backend.openssl_version_text() in text
    assert "FIPS provider" in text and platform.system() in text
    assert version_report().text() in text


def test_fips_provider_line_follows_the_openssl_modules_folder(openssl):
    folder = run_tool(openssl, "version", "-m").stdout.split(":", 1)[1].strip().strip('"')
    line = version_report().fips_provider
    assert line.startswith("installed" if (Path(folder) / "fips.so").is_file() else "not installed")
    assert folder in line


@pytest.mark.parametrize(
    "os_name, variables",
    [("linux", ["LD_LIBRARY_PATH"]), ("aix", ["LIBPATH"]), ("solaris", ["LD_LIBRARY_PATH", "LD_LIBRARY_PATH_64"])],
)
def test_library_path_lines_per_os_work_in_sh(tmp_path, os_name, variables):
    lines = pack.library_path_lines(os_name, tmp_path / "my pack")
    assert [line.split("=", 1)[0] for line in lines] == variables
    script = "; ".join(lines) + "; " + "; ".join(f'printf "%s\\n" "${v}"' for v in variables)
    for before in ("", "/opt/old"):
        env = {**CLEAN, **({v: before for v in variables} if before else {})}
        out = subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True, check=True).stdout.splitlines()
        expected = str(tmp_path / "my pack") + (":/opt/old" if before else "")
        assert out == [expected] * len(variables)


def test_summary_says_success_chown_and_lca(tmp_path):
    result = install_pack("myhost", tmp_path / "pack", "linux", account="genesys")
    summary = result.summary()
    assert "installed successfully" in summary
    assert f"sudo chown -R genesys {result.folder}" in summary
    assert "LD_LIBRARY_PATH=" in summary and "LCA" in summary


def test_refusals_change_nothing(tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x")
    (tmp_path / "file").write_text("x")
    before = snapshot(tmp_path)
    for args, text in [
        (("myhost", busy, "linux"), "not empty"),
        (("myhost", tmp_path / "file", "linux"), "is a file"),
        (("myhost", tmp_path / "no" / "such", "linux"), "does not exist"),
        (("myhost", tmp_path / "new", "hpux"), "not an OS"),
        (("bad host!", tmp_path / "new", "linux"), "host"),
    ]:
        with pytest.raises(UsageError, match=text):
            install_pack(*args)
    assert snapshot(tmp_path) == before and not (tmp_path / "new").exists()
    install_pack("myhost", busy, "linux", force=True)
    assert (busy / "keep.txt").read_text() == "x" and (busy / "create_ca.sh").exists()


def cli(*args, cwd, input=""):
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["genesys-lab", *args], cwd=cwd, env=env, capture_output=True, text=True, input=input)


def test_cli_asks_for_host_and_folder_like_install_sh(tmp_path):
    proc = cli("install-pack", "--os", "solaris", cwd=tmp_path, input=f"myhost\n{tmp_path / 'sp'}\n")
    assert proc.returncode == 0, proc.stderr
    assert "installed successfully" in proc.stdout and "LD_LIBRARY_PATH_64=" in proc.stdout
    assert (tmp_path / "sp" / "README.version").is_file()
    again = cli("install-pack", "--host", "myhost", "--dir", str(tmp_path / "sp"), cwd=tmp_path)
    assert again.returncode == 2 and "not empty" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    nothing = cli("install-pack", "--host", "myhost", cwd=tmp_path)
    assert nothing.returncode == 2 and "--dir" in nothing.stderr


def test_cli_version_report_prints_readme_version(tmp_path):
    proc = cli("version", "--report", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout == version_report().text()
    assert cli("version", cwd=tmp_path).stdout.startswith("genesys-lab ")
