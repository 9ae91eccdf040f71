"""The transaction as a reusable API: any store folder (a request database, a simulated Windows store)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from genesys_lab import files
from genesys_lab.authority import journal
from genesys_lab.errors import GenesysLabError


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    folder.mkdir(parents=True)
    (folder / "index.txt").write_text("one\n")
    return folder


def _change(folder: Path) -> None:
    with journal.transaction(folder, "add two") as tx:
        tx.create(folder / "certs" / "two.cer" if (folder / "certs").is_dir() else folder / "two.cer", b"TWO")
        tx.replace(folder / "index.txt", tx.read_bytes(folder / "index.txt") + b"two\n")
        assert tx.read_bytes(folder / "index.txt") == b"one\ntwo\n"  # the change, seen inside
        assert (folder / "index.txt").read_bytes() == b"one\n"  # the disk, until the commit


def _run_child(func, folder: Path, step: int) -> int:
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            journal.set_fault_step(step)
            func(folder)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _visible(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != journal.LOCK_NAME}


def test_a_plain_folder_survives_a_kill_at_every_step(tmp_path):
    before = {"index.txt": b"one\n"}
    after = {"index.txt": b"one\ntwo\n", "two.cer": b"TWO"}
    seen = set()
    for step in range(1, 100):
        folder = _folder(tmp_path / f"n{step}")
        code = _run_child(_change, folder, step)
        assert code in (0, journal.FAULT_EXIT)
        with journal.transaction(folder, "next"):  # opening the folder recovers it
            pass
        state = _visible(folder)
        assert state in (before, after), (step, state)
        assert not any(files.is_staged_name(p.name) for p in folder.iterdir())
        seen.add("after" if state == after else "before")
        if code == 0:
            break
    assert seen == {"before", "after"} and step > 10


def test_an_exception_undoes_everything(tmp_path):
    folder = _folder(tmp_path)
    with pytest.raises(RuntimeError), journal.transaction(folder) as tx:
        tx.create(folder / "two.cer", b"TWO")
        raise RuntimeError("disk on fire")
    assert _visible(folder) == {"index.txt": b"one\n"}


def test_nested_transactions_of_one_folder_commit_together(tmp_path):
    folder = _folder(tmp_path)
    with journal.transaction(folder, "outer") as outer:
        with journal.transaction(folder, "inner") as inner:
            assert inner is outer
            inner.create(folder / "a", b"A")
        assert not (folder / "a").exists() and journal.exists(folder / "a")
        outer.create(folder / "b", b"B")
    assert (folder / "a").read_bytes() == b"A" and (folder / "b").read_bytes() == b"B"


def test_a_transaction_without_a_folder_takes_its_first_files_folder_and_leaves_no_lock(tmp_path):
    out = tmp_path / "bundle"
    out.mkdir()
    with journal.transaction() as tx:
        tx.create(out / "a.pem", b"A", 0o600)
        tx.create(out / "b.pem", b"B")
    assert sorted(p.name for p in out.iterdir()) == ["a.pem", "b.pem"]
    assert (out / "a.pem").stat().st_mode & 0o777 == 0o600


def test_a_file_outside_the_folder_is_refused(tmp_path):
    folder = _folder(tmp_path)
    with pytest.raises(GenesysLabError, match="outside"), journal.transaction(folder) as tx:
        tx.create(tmp_path / "elsewhere", b"x")
    assert not (tmp_path / "elsewhere").exists()


def test_create_refuses_an_existing_name(tmp_path):
    folder = _folder(tmp_path)
    with pytest.raises(GenesysLabError, match="already exists"), journal.transaction(folder) as tx:
        tx.create(folder / "index.txt", b"x")
    assert (folder / "index.txt").read_text() == "one\n"


def test_a_planted_journal_cannot_move_files_outside_its_folder(tmp_path, capsys):
    folder = _folder(tmp_path)
    victim = tmp_path / "victim"
    victim.write_text("keep")
    staged = folder / ".x.0123456789ab.staged"
    staged.write_text("evil")
    (folder / journal.JOURNAL_NAME).write_text(
        '{"begin": "planted"}\n{"stage": "../victim", "tmp": ".x.0123456789ab.staged", "create": false}\n{"commit": 1}\n'
    )
    with journal.transaction(folder):
        pass
    assert victim.read_text() == "keep"
    assert "recovered" in capsys.readouterr().err


def test_staged_names_are_random_and_not_pid_based(tmp_path):
    names = {files.staged_name(tmp_path / "ca.db").name for _ in range(100)}
    assert len(names) == 100
    assert all(files.is_staged_name(n) and str(os.getpid()) not in n for n in names)


def test_a_refusal_at_commit_leaves_no_staged_file(tmp_path):
    """Someone created the name between staging and commit (a writer outside the lock): refused, nothing left."""
    folder = _folder(tmp_path)
    with pytest.raises(GenesysLabError, match="already exists"), journal.transaction(folder) as tx:
        tx.create(folder / "two.cer", b"TWO")
        (folder / "two.cer").write_bytes(b"theirs")
    assert sorted(p.name for p in folder.iterdir() if p.name != journal.LOCK_NAME) == ["index.txt", "two.cer"]
    assert (folder / "two.cer").read_bytes() == b"theirs"
