"""Bad input is refused with one line that names the value and the fix, and the CA stays byte-for-byte as it was."""

import multiprocessing
from pathlib import Path

import pytest
from helpers import snapshot

from genesys_lab import create_ca, files, load_ca
from genesys_lab.errors import CADatabaseError, CAExistsError, CANotFoundError, GenesysLabError, UsageError

GOOD = dict(host="good.example.com", cn="good", key_size=1024)

BAD_ISSUES = [
    (dict(host="x.example.com", cn="x", country="USA"), "two-letter"),
    (dict(host="x.example.com", cn="x", digest="md5"), "md5"),
    (dict(host="x.example.com", cn="x", key_size="big"), "'big' is not a number"),
    (dict(host="x.example.com", cn="x", key_size=512), "512"),
    (dict(host="x.example.com", cn="x", days=0), "at least 1"),
    (dict(host="x.example.com", cn="x", days=-5), "at least 1"),
    (dict(host="x.example.com", cn="x", days="ten"), "'ten'"),
    (dict(host="x.example.com", cn="x", days=400), "outlive the CA"),
    (dict(host="bad_host.example.com", cn="x"), "bad_host"),
    (dict(host="a..example.com", cn="x"), "empty label"),
    (dict(host="a" * 64 + ".example.com", cn="x"), "63"),
    (dict(host=".".join(["abcdefghi"] * 26), cn="x"), "253"),
    (dict(host="../x", cn="x"), "label"),
    (dict(host="a/b", cn="x"), "label"),
    (dict(host="x.example.com", cn="c" * 65), "64"),
    (dict(host="x.example.com", cn="x", email="nobody"), "e-mail"),
    (dict(host="x.example.com", cn="x", ip="10.0.0.999"), "10.0.0.999"),
    (dict(host="x.example.com", cn="x", san_ips=["10.0.0.1", "fe80::zz"]), "fe80::zz"),
    (dict(host="x.example.com", cn="x", san_domains=["ok.example.com", "bad..one"]), "bad..one"),
    (dict(host="x.example.com", cn="x", profile="admin"), "admin"),
    (dict(host="x.example.com", cn="x", profile="ca"), "profile (-profile) ca"),
    (dict(host="10.0.0.1", cn="x"), "address with -IP"),
    (dict(host="x.example.com", cn="x", state="a\nb"), "control character"),
]


@pytest.fixture
def ca_with_one(fresh_ca):
    fresh_ca.issue(**GOOD)
    return fresh_ca


@pytest.mark.parametrize("kwargs, words", BAD_ISSUES, ids=[w for _, w in BAD_ISSUES])
def test_refusal_changes_nothing(ca_with_one, kwargs, words):
    before = snapshot(ca_with_one.paths.root)
    with pytest.raises(GenesysLabError) as err:
        ca_with_one.issue(**{"key_size": 1024, **kwargs})
    assert words in str(err.value) and "\n" not in str(err.value)
    assert snapshot(ca_with_one.paths.root) == before


def test_create_ca_refuses_existing_ca(fresh_ca):
    before = snapshot(fresh_ca.paths.root)
    with pytest.raises(CAExistsError, match="already exists"):
        create_ca(fresh_ca.paths.root, "Another", key_size=1024)
    assert snapshot(fresh_ca.paths.root) == before


@pytest.mark.parametrize(
    "kwargs, words",
    [
        (dict(cn="x", digest="sha3"), "sha3"),
        (dict(cn="x", days=0), "at least 1"),
        (dict(cn="x", country="U"), "two-letter"),
        (dict(cn="x", key_size=100), "100"),
        (dict(cn=""), "-CN"),
        (dict(cn="x", crl_url="ftp://x"), "http"),
    ],
)
def test_bad_create_ca_writes_nothing(tmp_path, kwargs, words):
    with pytest.raises(GenesysLabError, match=words):
        create_ca(tmp_path, **{"key_size": 1024, **kwargs})
    assert list(tmp_path.iterdir()) == []


def test_ca_dir_that_is_a_file(tmp_path):
    target = tmp_path / "notadir"
    target.write_text("x")
    with pytest.raises(UsageError, match="is a file"):
        create_ca(target, "x", key_size=1024)


def test_no_ca_here(tmp_path):
    with pytest.raises(CANotFoundError, match="create_ca.sh"):
        load_ca(tmp_path)


@pytest.mark.parametrize(
    "filename, content, words",
    [
        ("ca.db", "V\t270101000000Z\t\t01\tunknown\n", "ca.db, line 1"),
        ("ca.db", "V\t270101000000Z\t\t01\tunknown\t/CN=a\nX\t270101000000Z\t\t02\tunknown\t/CN=b\n", "ca.db, line 2"),
        ("ca.db", "V\tnot-a-date\t\t01\tunknown\t/CN=a\n", "line 1"),
        ("serial.num", "zz\n", "serial.num, line 1"),
        ("serial.num", "", "serial.num, line 1"),
    ],
)
def test_damaged_database_is_named(fresh_ca, filename, content, words):
    (fresh_ca.paths.conf / filename).write_text(content)
    before = snapshot(fresh_ca.paths.root)
    with pytest.raises(CADatabaseError, match=words):
        fresh_ca.issue(**GOOD)
    assert snapshot(fresh_ca.paths.root) == before


def test_failure_part_way_leaves_ca_unchanged(ca_with_one, monkeypatch):
    """The fourth file write fails (disk full, say): the three written are removed, no serial is used."""
    before = snapshot(ca_with_one.paths.root)
    real = files.write_new_file
    calls = []

    def flaky(path, data, mode, **kwargs):
        calls.append(path)
        if len(calls) == 4:
            raise OSError(28, "No space left on device")
        return real(path, data, mode, **kwargs)

    monkeypatch.setattr(files, "write_new_file", flaky)
    with pytest.raises(OSError):
        ca_with_one.issue("next.example.com", "next", key_size=1024)
    monkeypatch.undo()
    assert snapshot(ca_with_one.paths.root) == before
    assert ca_with_one.issue("next.example.com", "next", key_size=1024).serial == "02"


def test_failure_at_database_update_rolls_back(ca_with_one, monkeypatch):
    before = snapshot(ca_with_one.paths.root)
    real = files.write_new_file

    def fail_on_serial(path, data, mode, **kwargs):
        if Path(path).name.startswith(".serial.num."):
            raise OSError(5, "I/O error")
        return real(path, data, mode, **kwargs)

    monkeypatch.setattr(files, "write_new_file", fail_on_serial)
    with pytest.raises(OSError):
        ca_with_one.issue("next.example.com", "next", key_size=1024)
    monkeypatch.undo()
    assert snapshot(ca_with_one.paths.root) == before


def _issue_ten(args):
    root, worker = args
    ca = load_ca(root)
    return [ca.issue(f"w{worker}h{i}.example.com", f"w{worker}h{i}", key_size=1024).serial for i in range(10)]


def test_four_processes_get_forty_distinct_serials(fresh_ca):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(4) as pool:
        serials = [s for batch in pool.map(_issue_ten, [(str(fresh_ca.paths.root), w) for w in range(4)]) for s in batch]
    assert len(set(serials)) == 40
    lines = fresh_ca.paths.db.read_text().splitlines()
    assert len(lines) == 40
    assert sorted(int(line.split("\t")[3], 16) for line in lines) == list(range(1, 41))
    assert fresh_ca.paths.serial.read_text() == "29\n"
    assert len(list(fresh_ca.paths.repository.glob("*_priv_key.pem"))) == 40


def test_usage_errors_are_usage_errors():
    from genesys_lab.x509.profiles import Digest

    with pytest.raises(UsageError):
        Digest.parse("md5")
