"""One line for every operating-system failure and every hostile input: exit 1 (2 for usage), nothing changed."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import openssl_ca, snapshot

from genesys_lab import create_ca, files, load_ca, renew
from genesys_lab.cli.main import main
from genesys_lab.errors import GenesysLabError


def _cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1, err
    return code, lines[0]


@pytest.fixture
def ca(tmp_path):
    (tmp_path / "ca").mkdir()
    made = create_ca(tmp_path / "ca", "Hostile CA", key_size=1024)
    made.ca.issue("one.example.com", "one", key_size=1024)
    return made.ca


def _issue_args(ca):
    return ["create-cert", "--ca-dir", ca.paths.root, "--host", "two.example.com", "--cn", "two", "--key-size", "1024"]


@pytest.mark.parametrize(
    "code, words",
    [
        (errno.ENOSPC, "No space left on device: the disk is full"),
        (errno.EROFS, "Read-only file system: the file system is read-only"),
        (errno.EACCES, "Permission denied: permission denied: check the owner and mode"),
        (errno.EPERM, "Operation not permitted: not permitted: the file may be immutable"),
        (errno.EDQUOT, "quota"),
    ],
)
def test_os_errors_while_writing_are_one_line_and_change_nothing(ca, capsys, monkeypatch, code, words):
    """What a full disk, a read-only mount or an immutable file (chattr +i) raise when the ca.db copy is staged."""
    real = files.write_new_file

    def failing(path, data, mode, **kwargs):
        if Path(path).name.startswith(".ca.db."):
            raise OSError(code, os.strerror(code), str(path))
        return real(path, data, mode, **kwargs)

    before = snapshot(ca.paths.root)
    monkeypatch.setattr(files, "write_new_file", failing)
    status, line = _cli(capsys, *_issue_args(ca))
    assert status == 1
    assert line.startswith(f"genesys-lab: error: {ca.paths.db}: ") and words in line, line
    assert line.endswith("nothing was changed")
    assert snapshot(ca.paths.root) == before


def test_ca_db_that_is_a_folder(ca, capsys):
    ca.paths.db.unlink()
    ca.paths.db.mkdir()
    before = snapshot(ca.paths.root)
    status, line = _cli(capsys, *_issue_args(ca))
    assert status == 1
    assert f"{ca.paths.db}: Is a directory: a folder is where a file should be" in line
    status, line = _cli(capsys, "list", "--ca-dir", ca.paths.root)
    assert status == 1 and "Is a directory" in line
    assert snapshot(ca.paths.root) == before


def test_lock_held_by_another_process(ca, capsys, monkeypatch):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, filelock; l = filelock.FileLock(sys.argv[1]); l.acquire(); print('held', flush=True); time.sleep(60)",
            str(ca.paths.lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("GENESYS_LAB_LOCK_TIMEOUT", "1")
        before = snapshot(ca.paths.root)
        started = time.monotonic()
        status, line = _cli(capsys, *_issue_args(ca))
        assert time.monotonic() - started < 20
        assert status == 1
        assert f"{ca.paths.lock.resolve()} is held by process {holder.pid} (python -c" in line
        assert "waited 1 s" in line and "let that command finish" in line
        assert snapshot(ca.paths.root) == before
    finally:
        holder.kill()
        holder.wait()


def test_filelock_timeout_is_one_line_even_from_elsewhere(capsys, tmp_path):
    from filelock import Timeout

    from genesys_lab.cli.main import run

    def boom(args):
        raise Timeout(str(tmp_path / ".lock"))

    assert run(boom, None, "genesys-lab") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is held by another process" in err


def test_non_utf8_byte_in_an_argument(ca, tmp_path):
    """Bytes straight from a Latin-1 terminal: Python keeps them as surrogates, which failed deep inside."""
    before = snapshot(ca.paths.root)
    proc = subprocess.run(
        [sys.executable, "-m", "genesys_lab.cli", "create-cert", "--ca-dir", str(ca.paths.root)]
        + ["--host", "two.example.com", "--cn", b"Caf\xe9"],
        capture_output=True,
    )
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert err.count("\n") == 1 and "--cn: byte 0xe9 is not UTF-8 text" in err, err
    assert "Traceback" not in err
    assert snapshot(ca.paths.root) == before


def test_non_utf8_file_name_in_a_message_is_printed_not_raised(capsys, tmp_path):
    status, line = _cli(capsys, "list", "--ca-dir", os.fsdecode(bytes(tmp_path) + b"/caf\xe9"))
    assert status == 1 and "caf\\udce9" in line, line


def test_latin1_byte_in_ca_conf_is_read_as_openssl_reads_it(ca, capsys, openssl):
    conf = ca.paths.config.read_bytes().replace(b"# OpenSSL CA", b"# Soci\xe9t\xe9 OpenSSL CA", 1)
    conf = conf.replace(b"default_md       = sha256", b"default_md       = sha384")
    ca.paths.config.write_bytes(conf)
    openssl_ca(openssl, ca, "-gencrl", "-out", "ca_conf/openssl.pem")  # openssl accepts the file
    status = main(["gen-crl", "--ca-dir", str(ca.paths.root)])
    assert status == 0, capsys.readouterr().err
    from genesys_lab.authority.crl import load_crl

    assert load_crl(ca.paths.crl_der).digest == "sha384"  # default_md read from the Latin-1 file
    assert load_ca(ca.paths.root).issue("three.example.com", "three", key_size=1024).serial == "02"


@pytest.mark.parametrize("content, words", [("00\n", "00 is below 01"), ("-5\n", "expected a hexadecimal number")])
def test_serial_num_zero_or_negative(ca, capsys, content, words):
    ca.paths.serial.write_text(content)
    before = snapshot(ca.paths.root)
    status, line = _cli(capsys, *_issue_args(ca))
    assert status == 1 and f"{ca.paths.serial}, line 1: " in line and words in line, line
    assert snapshot(ca.paths.root) == before


def test_damaged_ca_certificate(ca, capsys):
    ca.paths.cert.write_bytes(ca.paths.cert.read_bytes()[:200])
    before = snapshot(ca.paths.root)
    status, line = _cli(capsys, *_issue_args(ca))
    assert status == 1 and str(ca.paths.cert) in line and "restore ca_cert.pem from ca_cert.pfx or a backup" in line, line
    assert snapshot(ca.paths.root) == before


def test_non_ascii_in_renewals_tsv(ca, capsys):
    (ca.paths.conf / "renewals.tsv").write_bytes("# old\tnew\ttime\n01\t05\tn\u00e9\n".encode())
    before = snapshot(ca.paths.root)
    status, line = _cli(capsys, "renew", "01", "--ca-dir", ca.paths.root)
    assert status == 1 and "renewals.tsv, line 2: byte 0xc3 is not ASCII" in line, line
    status, line = _cli(capsys, "list", "--ca-dir", ca.paths.root)
    assert status == 1 and "renewals.tsv, line 2" in line
    assert snapshot(ca.paths.root) == before


def test_renewals_tsv_still_works_after_a_renewal(ca):
    assert renew(ca, "01").new_serial == "02"


# -------------------------------------------------------------- create-certs input


def _inventory(tmp_path, text: str) -> Path:
    path = tmp_path / "inv.csv"
    path.write_text(text)
    return path


def test_csv_cell_over_the_field_limit(ca, capsys, tmp_path):
    path = _inventory(tmp_path, "host,cn,san_domains\nh.example.com,h," + "a" * 140_000 + "\n")
    before = snapshot(ca.paths.root)
    status, line = _cli(capsys, "create-certs", path, "--ca-dir", ca.paths.root)
    assert status == 1 and f"{path}, line 2: a cell is longer than 131072 characters" in line, line
    assert snapshot(ca.paths.root) == before


def test_unquoted_list_with_more_cells_than_the_header(ca, capsys, tmp_path):
    path = _inventory(tmp_path, "host,cn,san_domains\nok.example.com,ok\nh.example.com,h,a.example.com,b.example.com\n")
    before = snapshot(ca.paths.root)
    status, line = _cli(capsys, "create-certs", path, "--ca-dir", ca.paths.root)
    assert status == 1 and f"{path}, line 3: 1 more cell(s) than the header" in line
    assert '"a.example.com,b.example.com"' in line
    assert snapshot(ca.paths.root) == before


def test_quoted_list_is_accepted(tmp_path):
    from genesys_lab.authority.inventory import read_inventory

    path = _inventory(tmp_path, 'host,cn,san_domains\nh.example.com,h,"a.example.com,b.example.com"\n')
    assert read_inventory(path)[0]["san_domains"] == "a.example.com,b.example.com"


@pytest.mark.parametrize("kind", ["device", "fifo", "folder"])
def test_create_certs_reads_only_a_regular_file(ca, capsys, tmp_path, kind):
    if kind == "device":
        path = Path("/dev/zero")
    elif kind == "fifo":
        path = tmp_path / "fifo"
        os.mkfifo(path)
    else:
        path = tmp_path
    started = time.monotonic()
    status, line = _cli(capsys, "create-certs", path, "--ca-dir", ca.paths.root)
    assert time.monotonic() - started < 10
    assert status == 1 and f"cannot read inventory {path}: it is" in line


def test_create_certs_input_size_is_bounded(ca, capsys, tmp_path, monkeypatch):
    from genesys_lab.authority import inventory

    monkeypatch.setattr(inventory, "MAX_INVENTORY_BYTES", 1000)
    path = _inventory(tmp_path, "host,cn\n" + "h.example.com,h\n" * 100)
    status, line = _cli(capsys, "create-certs", path, "--ca-dir", ca.paths.root)
    assert status == 1 and f"inventory {path} is 1608 bytes, over the limit of 1000 bytes" in line


def test_errors_are_genesys_lab_errors(ca):
    ca.paths.serial.write_text("00\n")
    with pytest.raises(GenesysLabError):
        load_ca(ca.paths.root).issue("x.example.com", "x", key_size=1024)
