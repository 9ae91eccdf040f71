"""Notebook 07's exercises: each typical wrong answer fails and says why (the solutions pass in test_exercises)."""

from __future__ import annotations

import pytest

from genesys_lab import create_ca
from genesys_lab.exercises import questions
from genesys_lab.windows import load_machine
from genesys_lab.windows.exporting import export
from genesys_lab.windows.importing import import_file


@pytest.fixture
def work(tmp_path):
    create_ca(tmp_path, "Exercise 07 CA", key_size=1024)
    return tmp_path


def _fails(question, answer, text, **options):
    outcome = question.check(answer, **options)
    assert not outcome.ok and text in outcome.message, outcome.message


def test_q1_thumbprint_as_pasted_fails(work):
    q1 = questions("07", work)[0]
    _fails(q1, "00" * 20, "run q1.prepare()")
    q1.prepare()
    right = q1.solve().answer
    _fails(q1, " ".join(right[i : i + 2] for i in range(0, 40, 2)).lower(), "digits are right")
    _fails(q1, "\u200e" + right, "U+200E")
    _fails(q1, "AB" * 20, "is not the thumbprint")
    _fails(q1, "12345", "40")
    assert q1.check(right).ok


def test_q2_each_missing_step_is_named(work):
    q2 = questions("07", work)[1]
    folder = q2.prepare()
    _fails(q2, folder, "store")
    machine = load_machine(folder)
    ca_pfx = work / "ca_conf" / "ca_cert.pfx"
    host_pfx = next((work / "ca_conf" / "repository").glob("*_app07_cert.pfx"))
    import_file(machine, host_pfx, "LocalMachine\\My")
    _fails(q2, machine, "chain")
    import_file(machine, ca_pfx, "LocalMachine\\Root", confirm=True)
    _fails(q2, machine, "Manage Private Keys")
    machine.grant_key_access(machine.find(next(e.thumbprint for e in machine.entries() if e.has_private_key)), "LAB\\svc-genesys")
    assert q2.check(str(folder)).ok


def test_q3_aes_or_certificate_only_or_wrong_password_fail(work):
    q3 = questions("07", work)[2]
    machine = load_machine(q3.prepare())
    entry = next(e for e in machine.entries("LocalMachine\\My") if e.has_private_key)
    aes = export(machine, entry, work / "aes.pfx", with_key=True, password="Secret-1", encryption="aes256")
    _fails(q3, aes, "Windows Server 2016 refuses", password="Secret-1")
    legacy = export(machine, entry, work / "ok.pfx", with_key=True, password="Secret-1", encryption="tripledes")
    _fails(q3, legacy, "does not open with the password", password="wrong")
    _fails(q3, legacy.path, "give the password too")
    cer = export(machine, entry, work / "only.cer")
    _fails(q3, cer.path, "with its private key", password="x")
    assert q3.check(legacy, password="Secret-1").ok
