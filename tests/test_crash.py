"""Kill it anywhere: a CA change interrupted at any file-system step is finished or undone by the next command.

The fault-injection hook (``journal.set_fault_step(N)``) ends a forked child
with ``os._exit`` just before its Nth file-system step, as a power cut or
``kill -9`` would; for every N of every write command the parent then opens
the CA (which recovers it) and checks what users rely on:

* the lab and ``openssl ca`` both load the CA;
* every file in repository/ has its ca.db line, every ca.db line its files;
* no serial and no CRL number can be issued twice (serial.num and crlnumber
  are past everything issued, and the next issue and gen-crl work);
* crl.pem and crl.der hold the same CRL;
* no journal, no staged file (none left holding a key);
* the change happened completely or not at all.

Plus a bounded real ``kill -9`` loop at random instants.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import openssl_ca, snapshot

from genesys_lab import create_ca, files, generate_crl, load_ca, renew, revoke
from genesys_lab.authority import journal, store
from genesys_lab.authority.renew import replacements
from genesys_lab.x509 import keys

KEY = None


def _key():
    global KEY
    if KEY is None:
        KEY = keys.generate_rsa_key(1024)
    return KEY


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A CA with three certificates (01 revoked), a CRL and a renewal: every file a command may touch exists."""
    root = tmp_path_factory.mktemp("template")
    ca = create_ca(root, "Crash CA", key_size=1024).ca
    for name in ("a", "b", "c"):
        ca.issue(f"{name}.example.com", name, key=_key())
    revoke(ca, "01", "keyCompromise")
    renew(ca, "02")
    generate_crl(ca)
    return root


def _copy(template: Path, dest: Path) -> Path:
    shutil.copytree(template, dest, symlinks=True)
    return dest


# -------------------------------------------------------------- the commands, as a child runs them


def _issue(root):
    load_ca(root).issue("new.example.com", "new", key=_key())


def _revoke(root):
    revoke(load_ca(root), "03", "superseded")


def _gen_crl(root):
    generate_crl(load_ca(root))


def _renew(root):
    renew(load_ca(root), "03", revoke_old=True)


def _create_certs(root):
    from genesys_lab.cli.main import main

    csv = root.parent / f"{root.name}.csv"
    csv.write_text("host,cn,key_size\nx1.example.com,x1,1024\nx2.example.com,x2,1024\n")
    assert main(["create-certs", str(csv), "--ca-dir", str(root)]) == 0


def _create_ca(root):
    create_ca(root, "Fresh CA", key=_key())


COMMANDS = {"issue": _issue, "revoke": _revoke, "gen-crl": _gen_crl, "renew": _renew, "create-certs": _create_certs}


def _run_child(func, root: Path, fault_step: int) -> int:
    """Run ``func(root)`` in a forked child that dies before its ``fault_step``-th step; its exit code."""
    _key()
    log = root.parent / f"{root.name}.child.log"
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            journal.set_fault_step(fault_step)
            func(root)
            code = 0
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    assert code in (0, journal.FAULT_EXIT), f"child failed ({code}):\n{log.read_text()}"
    return code


# -------------------------------------------------------------- the invariants


def _serial_of(name: str) -> str:
    return name.split(".")[0].split("_")[0]


def check_invariants(root: Path, openssl: str) -> store.CAPaths:
    """What must hold whenever a command starts, whatever killed the one before it."""
    reports: list[journal.Recovery] = []
    had_journal = (root / "ca_conf" / journal.JOURNAL_NAME).exists()
    old = journal.report_recovery
    journal.report_recovery = reports.append
    try:
        ca = load_ca(root)  # recovers
    finally:
        journal.report_recovery = old
    assert len(reports) == (1 if had_journal else 0)
    paths = ca.paths
    everything = list(root.rglob("*"))
    assert not (paths.conf / journal.JOURNAL_NAME).exists()
    leftovers = [p for p in everything if files.is_staged_name(p.name)]
    assert leftovers == [], "staged files left after recovery"
    records = ca.records()
    serials = {r.serial for r in records}
    repo_serials = {_serial_of(p.name) for p in paths.repository.iterdir()}
    assert repo_serials == serials, "repository and ca.db disagree"
    for serial in serials:
        assert len(list(paths.repository.glob(f"{serial}*"))) == 4, f"serial {serial} has not its four files"
    next_serial = store.read_hex_counter(paths.serial, minimum=1)
    assert all(int(s, 16) < next_serial for s in serials), "serial.num is not past every issued serial"
    key_files = [p for p in everything if p.is_file() and b"PRIVATE KEY" in p.read_bytes()]
    assert all(p.name.endswith("priv_key.pem") for p in key_files), key_files
    if paths.crl_der.exists() or paths.crl_pem.exists():
        from genesys_lab.authority.crl import load_crl

        der, pem = load_crl(paths.crl_der), load_crl(paths.crl_pem)
        assert der.der == pem.der, "crl.pem and crl.der differ"
        assert store.read_hex_counter(paths.crlnumber) > der.number, "crlnumber is not past the published CRL"
    # openssl ca loads it (on a copy: -gencrl advances crlnumber)
    copy = _copy(root, root.parent / f"{root.name}-openssl")
    try:
        openssl_ca(openssl, load_ca(copy), "-gencrl", "-out", "ca_conf/openssl-crl.pem")
    finally:
        shutil.rmtree(copy)
    return paths


def _state(root: Path) -> dict:
    """What a change may alter, to tell 'not at all' from 'completely'."""
    paths = store.CAPaths(root)
    renewals = paths.conf / "renewals.tsv"
    return {
        "names": sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.name != ".lock"),
        "db": paths.db.read_bytes().count(b"\n") if paths.db.exists() else None,
        "revoked": paths.db.read_bytes().count(b"\nR\t") if paths.db.exists() else None,
        "serial": paths.serial.read_text() if paths.serial.exists() else None,
        "crlnumber": paths.crlnumber.read_text() if paths.crlnumber.exists() else None,
        "renewals": renewals.read_text().count("\n") if renewals.exists() else None,
    }


def _contents(root: Path) -> dict:
    return {k: v for k, v in snapshot(root).items() if not k.endswith(".lock")}


def _follow_up(root: Path) -> None:
    """The next issue and gen-crl work and take numbers never used before."""
    ca = load_ca(root)
    expected = store.read_hex_counter(ca.paths.serial, minimum=1)
    old_crl = store.read_hex_counter(ca.paths.crlnumber)
    assert int(ca.issue("after.example.com", "after", key=_key()).serial, 16) == expected
    assert generate_crl(ca).number == old_crl


@pytest.mark.parametrize("command", list(COMMANDS))
def test_killed_at_every_step(template, tmp_path, openssl, command):
    func = COMMANDS[command]
    done = _copy(template, tmp_path / "complete")
    assert _run_child(func, done, 0) == 0
    after = _state(done)
    before, before_bytes = _state(template), _contents(template)
    outcomes = {"undone": 0, "finished": 0, "partial": 0}
    step = 1
    while True:
        root = _copy(template, tmp_path / f"n{step}")
        code = _run_child(func, root, step)
        check_invariants(root, openssl)
        state = _state(root)
        if state == before:
            assert _contents(root) == before_bytes, f"step {step}: undone, but a file changed"
            outcomes["undone"] += 1
        elif state == after:
            outcomes["finished"] += 1
        else:
            # create-certs is one transaction per certificate: a prefix of the rows is issued
            assert command == "create-certs", f"step {step}: half a change survived: {state}"
            assert state["db"] == before["db"] + 1 and state["serial"] != before["serial"]
            outcomes["partial"] += 1
        _follow_up(root)
        shutil.rmtree(root)
        if code == 0:  # the command ran to its end: every step has been a fault point
            break
        step += 1
    assert step > 8 and outcomes["undone"] and outcomes["finished"], outcomes
    if command == "create-certs":
        assert outcomes["partial"], outcomes


def test_killed_create_ca_at_every_step(tmp_path, openssl):
    step = 1
    while True:
        root = tmp_path / f"n{step}"
        root.mkdir()
        code = _run_child(_create_ca, root, step)
        paths = store.CAPaths(root)
        try:
            check_invariants(root, openssl)
        except Exception as exc:  # no CA at all is the other allowed outcome: create-ca then works
            assert "no CA in" in str(exc), f"step {step}: {exc}"
            assert not paths.cert.exists() and not paths.key.exists()
            assert [p for p in root.rglob("*") if p.is_file() and p.name != ".lock"] == []
            create_ca(root, "Again", key=_key())
            check_invariants(root, openssl)
        if code == 0:
            break
        step += 1
    assert step > 8


def test_recovery_prints_one_line_saying_what_happened(template, tmp_path, capsys):
    finished_at = None
    for step in range(1, 200):
        root = _copy(template, tmp_path / f"n{step}")
        if _run_child(_issue, root, step) == 0:
            break
        capsys.readouterr()
        had_journal = (root / "ca_conf" / journal.JOURNAL_NAME).exists()
        load_ca(root)
        err = capsys.readouterr().err
        if not had_journal:  # killed before the first journal write: nothing to say, nothing to do
            assert err == ""
            continue
        assert err.count("\n") == 1 and "recovered" in err
        if "finished the interrupted change 'issue 05 (new.example.com)'" in err:
            finished_at = finished_at or step
        elif "stopped before it staged anything" not in err:
            assert "undid the interrupted change 'issue 05 (new.example.com)'" in err
            assert finished_at is None, "an undo after a finish: the commit point moved back"
    assert finished_at


def test_openssl_ca_ignores_the_journal(template, tmp_path, openssl):
    """A journal and staged files left by a kill before recovery: openssl ca runs as if they were not there."""
    for step in range(30, 200):
        root = _copy(template, tmp_path / f"n{step}")
        _run_child(_issue, root, step)
        if (root / "ca_conf" / journal.JOURNAL_NAME).exists() and any(
            files.is_staged_name(p.name) for p in (root / "ca_conf" / "repository").iterdir()
        ):
            break
    else:
        pytest.fail("no fault step left a journal with staged repository files")
    ca_dir = store.CAPaths(root)
    proc = openssl_ca(openssl, type("CA", (), {"paths": ca_dir})(), "-gencrl", "-out", "ca_conf/o.pem")
    assert proc.returncode == 0
    assert openssl_ca(openssl, type("CA", (), {"paths": ca_dir})(), "-status", "02", check=False).stderr.count("=V")


def _loop_forever(root: Path) -> None:
    """The child of the kill -9 loop: issue, revoke, gen-crl and renew until it is killed."""
    ca = load_ca(root)
    rng = random.Random(os.getpid())
    while True:
        action = rng.choice(("issue", "revoke", "crl", "renew"))
        valid = [r.serial for r in ca.records() if r.status == "V"]
        if action == "issue" or len(valid) < 2:
            ca.issue(f"h{rng.randrange(10**6)}.example.com", "h", key=_key())
        elif action == "revoke":
            revoke(ca, rng.choice(valid))
        elif action == "crl":
            generate_crl(ca)
        else:
            done = replacements(ca)
            candidates = [s for s in valid if s not in done]
            if candidates:
                renew(ca, rng.choice(candidates), revoke_old=rng.random() < 0.5)


def test_real_kill_9_at_random_instants(template, tmp_path, openssl):
    """60 runs killed with SIGKILL at a random moment (bounded to about 40 s in all)."""
    root = _copy(template, tmp_path / "ca")
    rng = random.Random(1234)
    deadline = time.monotonic() + 40
    runs = in_transaction = 0
    while runs < 60 and time.monotonic() < deadline:
        _key()
        pid = os.fork()
        if pid == 0:
            try:
                log = os.open(tmp_path / "loop.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.dup2(log, 1)
                os.dup2(log, 2)
                _loop_forever(root)
            except BaseException:
                import traceback

                traceback.print_exc()
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.0, 0.25))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status), f"the loop child failed:\n{(tmp_path / 'loop.log').read_text()}"
        in_transaction += (root / "ca_conf" / journal.JOURNAL_NAME).exists()
        check_invariants(root, openssl)
        runs += 1
    print(f"{runs} kills, {in_transaction} inside a transaction")
    assert runs >= 20
    assert in_transaction >= 3, "too few kills landed inside a transaction to prove anything"
    assert len(load_ca(root).records()) > 4


# -------------------------------------------------------------- signals


def _slow_cli(root: Path, pause: str, *args: str) -> subprocess.Popen:
    """The real command line, paused inside each transaction (``pause``: "staged:0.3") so that a signal lands there."""
    env = dict(os.environ, GENESYS_LAB_TEST_PAUSE=pause)
    return subprocess.Popen(
        [sys.executable, "-m", "genesys_lab.cli", *args, "--ca-dir", str(root)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(predicate, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "timed out waiting for the command to reach the point under test"
        time.sleep(0.02)


def _journal_says(root: Path, word: str) -> bool:
    try:
        return word in (root / "ca_conf" / journal.JOURNAL_NAME).read_text()
    except OSError:
        return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_before_the_commit_undoes_the_change(template, tmp_path, signum):
    root = _copy(template, tmp_path / "ca")
    before = _contents(root)
    proc = _slow_cli(root, "staged:0.3", "create-cert", "--host", "sig.example.com", "--cn", "sig", "--key-size", "1024")
    _wait_for(lambda: _journal_says(root, "stage"))
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum, err
    assert err.strip().splitlines()[-1] == (
        f"genesys-lab: interrupted by {signal.Signals(signum).name}: nothing was changed (a change in progress was undone)"
    )
    assert _contents(root) == before


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_after_the_commit_finishes_the_change(template, tmp_path, signum):
    root = _copy(template, tmp_path / "ca")
    proc = _slow_cli(root, "committed:0.5", "create-cert", "--host", "sig.example.com", "--cn", "sig", "--key-size", "1024")
    _wait_for(lambda: _journal_says(root, "commit"))
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum, err
    assert f"interrupted by {signal.Signals(signum).name}: completed before it: issue 05 (sig.example.com)" in err
    assert not (root / "ca_conf" / journal.JOURNAL_NAME).exists()
    assert load_ca(root).record("05").subject.endswith("/CN=sig")
    assert len(list((root / "ca_conf" / "repository").glob("05*"))) == 4


def test_ctrl_c_in_create_certs_says_exactly_what_was_issued(template, tmp_path, openssl):
    root = _copy(template, tmp_path / "ca")
    rows = "".join(f"host{i}.example.com,host{i},1024\n" for i in range(6))
    (tmp_path / "inv.csv").write_text("host,cn,key_size\n" + rows)
    proc = _slow_cli(root, "staged:0.1", "create-certs", str(tmp_path / "inv.csv"))
    _wait_for(lambda: (root / "ca_conf" / "ca.db").read_text().count("/CN=host1\n") == 1)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    issued = [r for r in load_ca(root).records() if "/CN=host" in r.subject]
    assert 2 <= len(issued) < 6
    listed = "; ".join(f"issue {r.serial} (host{i}.example.com)" for i, r in enumerate(issued))
    assert err.strip().splitlines()[-1] == (
        f"genesys-lab: interrupted by SIGINT: completed before it: {listed}; nothing else was changed (a change in progress was undone)"
    )
    assert "nothing was changed" not in err
    check_invariants(root, openssl)


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_key_workers_die_with_a_killed_parent(template, tmp_path):
    root = _copy(template, tmp_path / "ca")
    rows = "".join(f"big{i}.example.com,big{i},8192\n" for i in range(4))  # tens of seconds each
    (tmp_path / "inv.csv").write_text("host,cn,key_size\n" + rows)
    proc = _slow_cli(root, "", "create-certs", str(tmp_path / "inv.csv"))
    _wait_for(lambda: len(_children(proc.pid)) >= 2)
    time.sleep(0.3)  # the workers are generating keys now
    workers = _children(proc.pid)
    proc.kill()
    proc.communicate(timeout=30)
    _wait_for(lambda: not any(_alive(w) for w in workers), timeout=3)
