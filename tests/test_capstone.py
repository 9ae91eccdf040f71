"""The capstone: the reference solution earns full marks, typical mistakes lose the right points."""

from __future__ import annotations

import pytest

from genesys_lab.exercises.capstone import grade
from genesys_lab.exercises.capstone_solution import solve
from genesys_lab.exercises.capstone_view import show


def _lost(work) -> dict[str, int]:
    return {i.id: i.points - i.earned for i in grade(work).items if not i.passed}


def _feedback(work, item: str) -> str:
    return " ".join(next(i for i in grade(work).items if i.id == item).feedback)


def test_nothing_done_is_not_attempted(tmp_path):
    g = grade(tmp_path)
    assert not g.attempted and g.score == 0 and g.total == 100
    assert "not attempted yet" in repr(show(g)) and "not attempted yet" in show(g)._repr_html_()


def test_the_reference_solution_earns_full_marks_and_the_course_map_counts_it(tmp_path):
    from genesys_lab.course import progress

    work = tmp_path / "scratch" / "12_capstone"
    work.mkdir(parents=True)
    show(grade(work), work)  # not attempted: nothing recorded
    solve(work)
    g = grade(work)
    assert (g.score, g.total) == (100, 100), [(i.id, i.feedback) for i in g.items if not i.passed]
    assert "Capstone: 100/100" in repr(show(g, work))
    capstone = next(nb for nb in progress(tmp_path) if nb.number == "12")
    assert (capstone.passed, capstone.total, capstone.attempted) == (1, 1, 1)


@pytest.mark.parametrize(
    ("mistake", "lost", "words"),
    [
        ({"desk_profile": "server"}, {"hosts": 3}, "desk01.example.com: a GUI certificate carries clientAuth only"),
        ({"revoke_reason": "superseded"}, {"revocation": 2}, "a leaked key is keyCompromise"),
        ({"publish_crl": False}, {"revocation": 4}, "run gen-crl after revoking"),
        ({"runbook_before_reissue": True}, {"runbook": 6}, "lacks the current thumbprint of sip01.example.com"),
    ],
)
def test_a_typical_mistake_loses_the_right_points(tmp_path, mistake, lost, words):
    solve(tmp_path, **mistake)
    assert _lost(tmp_path) == lost
    item = next(iter(lost))
    assert words in _feedback(tmp_path, item)


def test_the_ca_certificate_placed_in_personal_breaks_the_servers_chain(tmp_path):
    """The classic import mistake: the host .pfx with "place all certificates in Personal"."""
    solve(tmp_path, server_pfx_store="LocalMachine\\My")
    lost = _lost(tmp_path)
    assert lost.pop("windows") == 4
    assert "chain" in _feedback(tmp_path, "windows")
    assert set(lost) <= {"genesys"}  # the site file still names the right thumbprint; only the chain is broken
