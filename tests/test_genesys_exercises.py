"""Exercises of notebook 10: every solution passes, typical wrong answers fail with the reason."""

from __future__ import annotations

import pytest

from genesys_lab.exercises import questions
from genesys_lab.exercises.core import Attempt


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("ex10")  # the questions make their own CA in work/ex10


def test_solutions_pass(work):
    for q in questions("10", work):
        outcome = q.check(q.solve())
        assert outcome.ok, (q.label, outcome.message)


def test_q1_wrong_answers(work):
    q1, _ = questions("10", work)
    q1.prepare()
    assert q1.check("certificate-key").ok
    wrong = q1.check("certficate-key")
    assert not wrong.ok and "Genesys ignores it" in wrong.message
    assert "does not ask for 'tls'" in q1.check("tls").message
    assert not q1.check(42).ok and not q1.check(...).ok


def test_q2_wrong_answers(work):
    _, q2 = questions("10", work)
    q2.prepare()
    off = q2.check(("port confserv:secure", "tls-mutual", "0"))
    assert not off.ok and "mutual TLS off" in off.message
    still = q2.check(("application psdkapp", "cipher-list", "HIGH"))
    assert not still.ok and "still fails" in still.message and "sec-protocol" in still.message
    assert q2.check(("port confserv:secure", "sec-protocol", None)).ok  # the other end's fix works too
    assert not q2.check(("nowhere", "tls", "1")).ok  # one line, no traceback
    assert not q2.check("sec-protocol").ok
    assert isinstance(q2.solve(), Attempt)


def test_prepare_twice_reuses_the_exercise_ca(work):
    q1, q2 = questions("10", work)
    before = sorted(p.name for p in (work / "ex10" / "ca_conf" / "repository").iterdir())
    q1.prepare(), q2.prepare()
    assert sorted(p.name for p in (work / "ex10" / "ca_conf" / "repository").iterdir()) == before
