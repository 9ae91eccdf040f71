"""The learner's side of the course: progress records, the course map's numbers, the workspace, a trainer's table."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from genesys_lab.cli.main import main
from genesys_lab.course import COURSE, collect_progress, make_workspace, progress, reset_notebook
from genesys_lab.course.tracking import FILE_NAME, ProgressError, attempts, record
from genesys_lab.course.workspace import WorkspaceError
from genesys_lab.exercises import NOTEBOOKS, questions

ROOT = Path(__file__).resolve().parent.parent


def test_the_catalogue_counts_the_exercises_that_exist():
    counted = {nb.number: nb.exercises for nb in COURSE if nb.exercises}
    assert counted.pop("12") == 1  # the capstone: one graded brief (exercises.capstone), not Question objects
    assert counted == {n: len(questions(n, ".")) for n in NOTEBOOKS}, "catalog.COURSE and genesys_lab.exercises disagree"
    assert [nb.number for nb in COURSE] == [f"{i:02d}" for i in range(13)]
    for nb in COURSE:
        if (ROOT / "notebooks" / nb.file).exists():
            assert nb.does, nb.name


def test_progress_counts_a_question_passed_once_it_passed(tmp_path):
    record(tmp_path, "03.1", False)
    record(tmp_path, "03.1", True)
    record(tmp_path, "03.1", False)  # a later wrong attempt does not take the pass away
    record(tmp_path, "03.2", False)
    nb03 = next(nb for nb in progress(tmp_path) if nb.number == "03")
    assert (nb03.passed, nb03.total, nb03.attempted, nb03.done) == (1, 2, 2, False)
    rows = sqlite3.connect(tmp_path / FILE_NAME).execute("SELECT question, passed, at FROM attempts").fetchall()
    assert [r[:2] for r in rows] == [("03.1", 0), ("03.1", 1), ("03.1", 0), ("03.2", 0)]
    assert all(dt.datetime.fromisoformat(r[2]).tzinfo is not None for r in rows), "when, with its time zone"


def test_no_progress_file_means_nothing_done(tmp_path):
    assert attempts(tmp_path) == [] and sum(nb.passed for nb in progress(tmp_path)) == 0
    assert not (tmp_path / FILE_NAME).exists(), "reading creates nothing"


def test_records_from_parallel_kernels_are_all_kept(tmp_path):
    code = (
        "import sys; from genesys_lab.course.tracking import record\n"
        "for i in range(40): record(sys.argv[1], f'0{2 + i % 5}.1', i % 2 == 0)\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)]) for _ in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    assert len(attempts(tmp_path)) == 120


def test_a_file_that_is_not_a_progress_file_is_refused(tmp_path):
    (tmp_path / FILE_NAME).write_text("not sqlite at all, just text " * 20)
    with pytest.raises(ProgressError, match="is not a progress file"):
        attempts(tmp_path)


def test_a_trainer_collects_a_class_into_one_table(tmp_path):
    for learner, answers in {"alice": [("02.1", True), ("02.2", False), ("02.2", True)], "bob": [("05.1", False)]}.items():
        (tmp_path / learner).mkdir()
        for question, passed in answers:
            record(tmp_path / learner, question, passed)
    renamed = tmp_path / "carol.sqlite"
    (tmp_path / "x").mkdir()
    record(tmp_path / "x", "06.2", True)
    (tmp_path / "x" / FILE_NAME).rename(renamed)
    table = collect_progress([tmp_path / "alice" / FILE_NAME, tmp_path / "bob", renamed])
    assert list(table.columns) == ["learner", "notebook", "question", "attempts", "passed", "last_attempt"]
    got = {(r.learner, r.question): (r.attempts, r.passed) for r in table.itertuples()}
    assert got == {
        ("alice", "02.1"): (1, True),
        ("alice", "02.2"): (2, True),
        ("bob", "05.1"): (1, False),
        ("carol", "06.2"): (1, True),
    }
    assert table.groupby("learner")["passed"].sum().to_dict() == {"alice": 2, "bob": 0, "carol": 1}
    named = collect_progress({"Dana": tmp_path / "bob"})
    assert list(named["learner"]) == ["Dana"]


def test_cli_progress_and_collect(tmp_path, capsys):
    record(tmp_path, "04.2", True)
    assert main(["progress", "--workspace", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    total = sum(nb.exercises for nb in COURSE)
    assert re.search(r"04_key_and_file_formats +1 of 2 passed", out) and re.search(rf"all notebooks +1 of {total} passed", out)
    csv = tmp_path / "class.csv"
    assert main(["course", "collect", str(tmp_path / FILE_NAME), "--csv", str(csv)]) == 0
    assert "04.2" in capsys.readouterr().out and csv.read_text().splitlines()[0].startswith("learner,notebook,question")


# -- the workspace -----------------------------------------------------------------------


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name in ("00_welcome.ipynb", "03_issue_host_certificates.ipynb", "sanitize.cfg"):
        (folder / name).write_text(json.dumps({"original": name}))
    (folder / "scratch").mkdir()  # never copied: scratch folders are made by the notebooks
    return folder


def test_workspace_is_made_once_and_never_overwritten(tmp_path, source):
    ws = tmp_path / "workspace"
    first = make_workspace(ws, source=source)
    assert first.created and set(first.copied) == {"00_welcome.ipynb", "03_issue_host_certificates.ipynb", "sanitize.cfg"}
    assert not (ws / "scratch").exists()
    (ws / "03_issue_host_certificates.ipynb").write_text("the learner's notes")
    (source / "07_windows_stores.ipynb").write_text("{}")  # a notebook added to the course later
    second = make_workspace(ws, source=source)
    assert not second.created and second.copied == ("07_windows_stores.ipynb",)
    assert (ws / "03_issue_host_certificates.ipynb").read_text() == "the learner's notes"
    with pytest.raises(Exception, match="is the folder of the original notebooks"):
        make_workspace(source, source=source)


def test_reset_restores_one_notebook_and_keeps_the_old_copy(tmp_path, source):
    ws = tmp_path / "workspace"
    make_workspace(ws, source=source)
    (ws / "03_issue_host_certificates.ipynb").write_text("the learner's notes")
    (ws / "00_welcome.ipynb").write_text("untouched notes")
    (ws / "scratch" / "03_issue_host_certificates").mkdir(parents=True)
    target = reset_notebook("3", ws, source=source)
    assert json.loads(target.read_text()) == {"original": "03_issue_host_certificates.ipynb"}
    kept = list((ws / ".before-reset").iterdir())
    assert len(kept) == 1 and kept[0].read_text() == "the learner's notes"
    assert (ws / "00_welcome.ipynb").read_text() == "untouched notes" and not (ws / "scratch" / target.stem).exists()
    with pytest.raises(WorkspaceError, match="is not in"):
        reset_notebook("05", ws, source=source)
    with pytest.raises(WorkspaceError, match="there is no workspace"):
        reset_notebook("03", tmp_path / "nowhere", source=source)


def test_cli_course_workspace_and_reset(tmp_path, monkeypatch, capsys):
    ws = tmp_path / "ws"
    monkeypatch.setenv("GENESYS_LAB_WORKSPACE", str(ws))
    assert main(["course", "workspace"]) == 0
    originals = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(p.name for p in ws.glob("*.ipynb")) == originals
    (ws / originals[2]).write_text("mine")
    assert main(["course", "reset", originals[2][:2]]) == 0
    assert (ws / originals[2]).read_bytes() == (ROOT / "notebooks" / originals[2]).read_bytes()
    assert main(["course", "reset", "42"]) == 2
    assert "there is no notebook '42'" in capsys.readouterr().err


def test_make_lab_opens_the_workspace_and_make_test_the_originals():
    dry = subprocess.run(["make", "-n", "-W", "pyproject.toml", "lab", "test"], cwd=ROOT, capture_output=True, text=True)
    lines = [line for line in dry.stdout.splitlines() if "jupyter lab" in line or "pytest" in line or "course workspace" in line]
    assert any("genesys-lab course workspace --dir workspace" in line for line in lines), dry.stdout
    assert any("jupyter lab --notebook-dir=workspace" in line for line in lines)
    assert any("pytest tests notebooks" in line for line in lines), "make test runs the tracked notebooks"
    ignored = subprocess.run(["git", "check-ignore", "-q", "workspace/01_certificate_anatomy.ipynb"], cwd=ROOT)
    assert ignored.returncode == 0, "the workspace is git-ignored"


def test_a_hand_edited_progress_file_is_one_line_not_a_traceback(tmp_path):
    """A trainer collects learners' files: a row with a bad time is refused naming the file and row."""
    record(tmp_path, "03.1", True)
    db = sqlite3.connect(tmp_path / FILE_NAME)
    db.execute("INSERT INTO attempts (question, passed, at) VALUES ('03.2', 1, 'yesterday')")
    db.commit()
    db.close()
    with pytest.raises(ProgressError, match=r"row 2: the time 'yesterday' is not an ISO date"):
        attempts(tmp_path)
