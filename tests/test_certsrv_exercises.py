"""Notebook 08's exercises: every solution passes, typical wrong answers fail with the reason."""

from __future__ import annotations

import pytest

from genesys_lab import EnrollmentSite, SiteClient, create_ca
from genesys_lab.exercises import for_notebook, questions


@pytest.fixture
def work(tmp_path):
    create_ca(tmp_path, "Win Lab CA")
    return tmp_path


def test_the_solutions_pass(work):
    q1, q2 = questions("08", work)
    assert q1.check(q1.solve()).ok
    outcome = q2.check(q2.solve())
    assert outcome.ok, outcome.message
    assert len(for_notebook("08", work)) == 2


@pytest.mark.parametrize(
    "answer, reason",
    [
        ("WebServer", "serverAuth without clientAuth"),
        ("GenesysGUI", "GUI applications only"),
        ("Computer", "cannot be moved"),
        ("User", "not cfg01's"),
        ("Nope", "does not exist"),
        (7, "template's name as text"),
    ],
)
def test_wrong_templates_fail_with_the_reason(work, answer, reason):
    outcome = questions("08", work)[0].check(answer)
    assert not outcome.ok and reason in outcome.message


def test_an_approval_template_is_not_the_answer(work):
    from genesys_lab.certsrv.templates import write_example_site_file

    write_example_site_file(work)
    outcome = questions("08", work)[0].check("GenesysServerApproval")
    assert not outcome.ok and "approval" in outcome.message


@pytest.mark.parametrize(
    "template, host, reason",
    [
        ("WebServer", "desk07.lab.example.com", "needs clientAuth"),
        ("MutualTLS2", "desk07.lab.example.com", "also gives serverAuth"),
        ("GenesysGUI", "desk08.lab.example.com", "not desk07.lab.example.com"),
    ],
)
def test_wrong_gui_certificates_fail_with_the_reason(work, template, host, reason):
    site = EnrollmentSite(work, work / "desk01", fqdn="desk01.lab.example.com")
    page = SiteClient(site).request_certificate(template, host)
    outcome = questions("08", work)[1].check(int(page.field("request-id")))
    assert not outcome.ok and reason in outcome.message


def test_unknown_request_ids_fail(work):
    q2 = questions("08", work)[1]
    assert "does not exist" in q2.check(5).message
    assert "not attempted yet" in q2.check(None).message
    assert "a number such as 3" in q2.check(3.5).message
