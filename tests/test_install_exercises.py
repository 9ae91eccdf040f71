"""Exercises of notebook 09: every solution passes, typical wrong answers fail with the reason."""

from __future__ import annotations

import os

import pytest

from genesys_lab import create_ca, deploy
from genesys_lab.exercises import questions


@pytest.fixture
def work(tmp_path):
    create_ca(tmp_path, "Exercise 09 CA", key_size=1024)
    return tmp_path


def test_every_solution_passes(work):
    for question in questions("09", work):
        outcome = question.check(question.solve())
        assert outcome.ok, (question.label, outcome.message)


def test_q1_wrong_platform_and_wrong_answers(work):
    q1 = questions("09", work)[0]
    q1.prepare()
    from genesys_lab import load_ca

    unix = deploy(load_ca(work), q1.serial(), "unix", work / "q1_java_pem")
    outcome = q1.check(unix)
    assert not outcome.ok and "_priv_key_NEW.pem" in outcome.message
    assert not q1.check(...).ok and "folder" in q1.check(42).message
    assert not q1.check(work / "nowhere").ok


def test_q1_a_key_others_can_read_fails(work):
    q1 = questions("09", work)[0]
    bundle = q1.solve().answer
    os.chmod(bundle.path(f"{q1.serial()}_psdk01_priv_key_NEW.pem"), 0o644)
    outcome = q1.check(bundle)
    assert not outcome.ok and "every account on the host can read it" in outcome.message and "chmod 600" in outcome.message


def test_q2_unrepaired_folder_fails_then_passes(work):
    q2 = questions("09", work)[1]
    folder = q2.prepare()
    assert q2.prepare() == folder  # safe to call twice
    outcome = q2.check(folder)
    assert not outcome.ok and "still failing" in outcome.message and "chmod 600" in outcome.message
    assert not q2.check(...).ok
    assert q2.check(q2.solve()).ok


@pytest.mark.parametrize(
    "answer, ok, text",
    [("LIBPATH", True, "LIBPATH"), ("$LIBPATH", True, "AIX"), ("LD_LIBRARY_PATH", False, "Linux"),
     ("LD_LIBRARY_PATH_64", False, "Solaris"), ("PATH", False, "not in the guide's table"), (3, False, "as text")],
)  # fmt: skip
def test_q3_library_variable(work, answer, ok, text):
    q3 = questions("09", work)[2]
    outcome = q3.check(answer)
    assert outcome.ok is ok and text in outcome.message
