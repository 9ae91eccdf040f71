"""The notebooks' exercises: every solution passes its check, wrong answers fail and say why.

Each solution is performed for real (``Question.solve`` runs the very text
that ``solution()`` shows) in a temporary folder; wrong answers are made
with the public API the way a learner would get them wrong. Checks are pure:
they print nothing, and only the notebook wrapper (``display.Exercise``) does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import make_ca, run_tool

from genesys_lab import create_ca, load_ca
from genesys_lab.authority.crl import generate_crl
from genesys_lab.authority.revoke import revoke
from genesys_lab.course.tracking import attempts, progress
from genesys_lab.errors import UsageError
from genesys_lab.exercises import NOTEBOOKS, for_notebook, questions
from genesys_lab.exercises.core import Attempt, Outcome
from genesys_lab.exercises.display import Exercise, ShownOutcome, render
from genesys_lab.formats.convert import convert_key, export_pkcs12

ALL = [(nb, i) for nb in NOTEBOOKS for i in range(len(questions(nb, ".")))]
IDS = [f"{nb}.{i + 1}" for nb, i in ALL]
NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"


def _workdir(notebook: str, root: Path) -> Path:
    """What the notebook has when its exercises start: nothing (02), a CA (03, 06), a CA with certificate 01."""
    if notebook != "02":
        ca = make_ca(root, "Exercise Test CA")
        if notebook in ("04", "05"):
            ca.issue("host01.lab.example.com", "host01", key_size=1024)
    return root


def _quiet_check(capsys, question, answer, **options) -> Outcome:
    capsys.readouterr()
    outcome = question.check(answer, **options)
    assert capsys.readouterr() == ("", ""), "a check printed something: display belongs to display.Exercise"
    assert isinstance(outcome, Outcome)
    return outcome


def _fails(capsys, question, answer, *expected, **options) -> Outcome:
    outcome = _quiet_check(capsys, question, answer, **options)
    assert not outcome.ok, f"{question.label} accepted a wrong answer: {outcome.message}"
    for text in expected:
        assert text in outcome.message, f"{question.label}: {outcome.message!r} does not say {text!r}"
    return outcome


# -- every question: the solution passes, the texts exist ------------------------------


@pytest.mark.parametrize("notebook, index", ALL, ids=IDS)
def test_every_solution_passes_its_check(notebook, index, tmp_path, capsys):
    question = questions(notebook, _workdir(notebook, tmp_path))[index]
    attempt = question.solve()
    assert isinstance(attempt, Attempt)
    outcome = _quiet_check(capsys, question, attempt)
    assert outcome.ok, f"{question.label}: the solution fails its own check: {outcome.message}"
    assert outcome.message


def test_openssl_agrees_with_the_checked_solutions(tmp_path, openssl):
    """The checks and the solutions could agree on something wrong: OpenSSL judges the results too."""
    ca_dir, pfx_dir, crl_dir = (tmp_path / name for name in ("ca", "pfx", "crl"))
    for folder in (ca_dir, pfx_dir, crl_dir):
        folder.mkdir()
    made = questions("02", ca_dir)[0].solve().answer
    dates = run_tool(openssl, "x509", "-in", made.ca.paths.cert, "-noout", "-startdate", "-enddate").stdout
    start, end = (dt.datetime.strptime(line.split("=", 1)[1], "%b %d %H:%M:%S %Y GMT") for line in dates.splitlines())
    assert (end - start).days == 730

    attempt = questions("04", _workdir("04", pfx_dir))[1].solve()
    proc = run_tool(
        openssl, "pkcs12", "-info", "-noout", "-in", attempt.answer, "-passin", "stdin", input=attempt.options["password"] + "\n"
    )
    info = proc.stdout + proc.stderr
    assert "MAC: sha1" in info and "pbeWithSHA1And3-KeyTripleDES-CBC" in info and "AES" not in info

    crl = _q05(load_ca(_workdir("05", crl_dir))).solve().answer
    text = run_tool(openssl, "crl", "-in", crl.path, "-noout", "-text").stdout
    assert re.search(
        r"Serial Number: 01\s+Revocation Date: .*\s+CRL entry extensions:\s+X509v3 CRL Reason Code:\s+Key Compromise", text
    )


@pytest.mark.parametrize("notebook, index", ALL, ids=IDS)
def test_every_question_has_prompt_hint_and_a_solution_that_is_python(notebook, index):
    question = questions(notebook, "work")[index]
    assert notebook == question.NOTEBOOK and index + 1 == question.NUMBER
    for text in (question.prompt(), question.hint(), question.solution(), question.TITLE):
        assert text.strip()
    assert f"q{index + 1}.check(" in question.prompt(), "the prompt says how to check"
    compile(question.solution(), question.label, "exec")
    assert re.search(r"^answer = ", question.solution(), re.MULTILINE), "a solution sets `answer`"


@pytest.mark.parametrize("notebook, index", ALL, ids=IDS)
def test_answers_of_the_wrong_kind_fail_without_a_traceback(notebook, index, tmp_path, capsys):
    question = questions(notebook, _workdir(notebook, tmp_path))[index]
    for answer in (None, 3.5, b"not a certificate", {"answer": 1}, tmp_path / "missing.pem"):
        _fails(capsys, question, answer)


@pytest.mark.parametrize("notebook, index", ALL, ids=IDS)
def test_the_placeholder_is_not_attempted_and_says_what_to_do(notebook, index, tmp_path, capsys):
    question = questions(notebook, tmp_path)[index]
    for placeholder in (..., None, Attempt(...)):
        outcome = _quiet_check(capsys, question, placeholder)
        assert not outcome.ok and not outcome.attempted
        assert outcome.message.startswith("not attempted yet: replace the ... in `answer = ...`")
        assert f"q{index + 1}.hint()" in outcome.message and f"q{index + 1}.solution()" in outcome.message
    assert list(tmp_path.iterdir()) == [], "checking a placeholder changes nothing"


@pytest.mark.parametrize("notebook, index", ALL, ids=IDS)
def test_every_solution_passes_from_an_empty_folder(notebook, index, tmp_path, capsys):
    """prepare() builds what the question needs: nothing is left over from a run of the notebook."""
    question = questions(notebook, tmp_path)[index]
    assert _quiet_check(capsys, question, question.solve()).ok


@pytest.mark.parametrize("notebook, index", ALL, ids=IDS)
def test_reset_lets_the_solution_pass_a_second_time(notebook, index, tmp_path, capsys):
    question = questions(notebook, _workdir(notebook, tmp_path))[index]
    assert _quiet_check(capsys, question, question.solve()).ok
    question.reset()
    for name in question.OUTPUTS:
        assert not (tmp_path / name).exists() or name == "mystery.pem", f"reset() left {name}"
    assert _quiet_check(capsys, question, question.solve()).ok, "the question cannot be attempted again after reset()"


def test_without_reset_a_second_create_ca_is_refused(tmp_path, capsys):
    q1 = questions("02", tmp_path)[0]
    q1.solve()
    with pytest.raises(FileExistsError):
        q1.solve()
    q1.reset()
    assert not (tmp_path / "exercise_ca").exists()


def test_unknown_notebook_is_refused():
    with pytest.raises(UsageError, match="has no exercises"):
        questions("01", ".")


# -- 02: create the CA ------------------------------------------------------------------


def test_02_ca_with_the_defaults_fails_with_what_to_change(tmp_path, capsys):
    q1 = questions("02", tmp_path)[0]
    made = create_ca(tmp_path, "Lab CA", key_size=1024)
    _fails(
        capsys,
        q1,
        made,
        "valid for 365 days, not 730",
        "days=730",
        "the subject has no country (C)",
        "no organisation (O)",
        "1024 bits",
    )
    _fails(capsys, q1, 42, "expected the CA's folder")
    (tmp_path / "empty").mkdir()
    _fails(capsys, q1, tmp_path / "empty", "no CA in")


def test_02_wrong_organisation_is_named(tmp_path, capsys):
    q1 = questions("02", tmp_path)[0]
    made = create_ca(tmp_path, "Lab CA", key_size=1024, days=730, country="US", org="Genesys")
    outcome = _fails(capsys, q1, made.ca, "the subject's organisation is 'Genesys', not 'Example Contact Center'")
    assert "days" not in outcome.message and "country" not in outcome.message


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("ca_cert.pem", "public"),
        ("ca_conf/ca_cert.pfx", "no key"),
        ("serial.num", "no secret"),
        ("crl.pem", "public by design"),
        ("secret.txt", "is not a file of ca_conf/"),
        (7, "as text"),
    ],
)
def test_02_secret_file_wrong_answers(answer, expected, capsys):
    _fails(capsys, questions("02", ".")[1], answer, expected)


def test_02_secret_file_accepts_the_path_too(capsys):
    assert _quiet_check(capsys, questions("02", ".")[1], " ca_conf/ca_priv_key.pem ").ok


# -- 03: host certificates --------------------------------------------------------------


@pytest.fixture
def ca03(tmp_path):
    return make_ca(tmp_path, "Exercise Test CA")


def test_03_server_certificate_missing_ip_alias_and_server_eku(ca03, capsys):
    q1 = questions("03", ca03.paths.root)[0]
    issued = ca03.issue("cfg01.lab.example.com", "cfg01", profile="gui", key_size=1024)
    _fails(capsys, q1, issued, "the SAN lacks 10.10.0.11", "the SAN lacks config.lab.example.com", "lacks serverAuth")
    _fails(capsys, q1, issued.serial, "the SAN lacks 10.10.0.11")
    _fails(capsys, q1, issued.cert_file, "the SAN lacks 10.10.0.11")


def test_03_certificate_of_another_ca_is_refused(ca03, tmp_path_factory, capsys):
    other = make_ca(tmp_path_factory.mktemp("other"), "Other CA")
    stranger = other.issue(
        "cfg01.lab.example.com", "cfg01", ip="10.10.0.11", san_domains=["config.lab.example.com"], key_size=1024
    )
    _fails(capsys, questions("03", ca03.paths.root)[0], stranger, "was not issued by the CA")
    _fails(capsys, questions("03", ca03.paths.root)[0], "0A", "serial 0A is not in")


def test_03_gui_certificate_with_server_profile_fails(ca03, capsys):
    q2 = questions("03", ca03.paths.root)[1]
    issued = ca03.issue("agent07.lab.example.com", "agent07", key_size=1024)
    _fails(capsys, q2, issued, "includes serverAuth", "profile='gui'")
    revoke(ca03, issued.serial, "superseded")
    _fails(capsys, q2, issued, "status R, not V")


# -- 04: key and file formats -----------------------------------------------------------


@pytest.fixture
def ca04(tmp_path):
    ca = make_ca(tmp_path, "Exercise Test CA")
    ca.issue("host01.lab.example.com", "host01", key_size=1024)
    return ca


def _key_file(ca, serial="01") -> Path:
    return next(p for p in ca.record(serial).files if p.name.endswith("_priv_key.pem"))


def test_04_java_key_wrong_format_wrong_key_and_open_mode(ca04, capsys):
    work = ca04.paths.root
    q1 = questions("04", work)[0]
    _fails(capsys, q1, _key_file(ca04), "PKCS#1", "PKCS8EncodedKeySpec")
    _fails(capsys, q1, work / "nothing.pem", "there is no file nothing.pem")
    other = ca04.issue("host02.lab.example.com", "host02", key_size=1024)
    wrong = convert_key(other.key_file, work / "other_pkcs8.pem")
    _fails(capsys, q1, wrong, "not the key of certificate 01")
    right = convert_key(_key_file(ca04), work / "right_pkcs8.pem").path
    right.chmod(0o644)
    _fails(capsys, q1, right, "has mode 0644")
    encrypted = convert_key(_key_file(ca04), work / "encrypted.pem", new_password="Test-pass-1")
    _fails(capsys, q1, encrypted, "encrypted PKCS#8")
    _fails(capsys, q1, ca04.record("01").cert_file, "not a private key")


def test_04_pfx_from_create_cert_opens_on_windows_2016_but_has_no_password(ca04, capsys):
    q2 = questions("04", ca04.paths.root)[1]
    pfx = next(p for p in ca04.record("01").files if p.suffix == ".pfx")
    outcome = _fails(capsys, q2, pfx, "empty password")
    assert "Windows Server 2016 cannot import" not in outcome.message, "create_cert.sh's .pfx is in the legacy encoding"


def test_04_password_protected_pfx_in_the_modern_encoding_is_refused_for_windows_2016(ca04, capsys):
    work = ca04.paths.root
    record = ca04.record("01")
    modern = export_pkcs12(
        record.cert_file, _key_file(ca04), work / "modern.pfx", chain=[ca04.paths.cert], password="Test-pass-2"
    )
    _fails(capsys, questions("04", work)[1], modern, "Windows Server 2016 cannot import it", password="Test-pass-2")


def test_04_pfx_wrong_password_missing_ca_and_other_certificate(ca04, capsys):
    work = ca04.paths.root
    q2 = questions("04", work)[1]
    record = ca04.record("01")
    legacy = export_pkcs12(record.cert_file, _key_file(ca04), work / "no_chain.pfx", password="Test-pass-2", compat="legacy")
    _fails(capsys, q2, legacy, "that password does not open no_chain.pfx", password="other")
    _fails(capsys, q2, legacy, "an empty password does not open")
    _fails(capsys, q2, legacy, "the CA certificate is missing", password="Test-pass-2")
    other = ca04.issue("host02.lab.example.com", "host02", key_size=1024)
    wrong = export_pkcs12(
        other.cert_file, other.key_file, work / "other.pfx", chain=[ca04.paths.cert], password="Test-pass-2", compat="legacy"
    )
    _fails(capsys, q2, wrong, "its certificate is host02, not certificate 01", password="Test-pass-2")
    _fails(capsys, q2, record.cert_file, "not a PKCS#12")


def test_04_the_serial_is_a_parameter(ca04, capsys):
    ca04.issue("host02.lab.example.com", "host02", key_size=1024)
    q1 = questions("04", ca04.paths.root, serial="02")[0]
    assert "`02`" in q1.prompt()
    _fails(capsys, q1, convert_key(_key_file(ca04, "01"), ca04.paths.root / "k1.pem"), "not the key of certificate 02")
    assert _quiet_check(capsys, q1, q1.solve()).ok


# -- 05: revocation ---------------------------------------------------------------------


def _q05(ca, index=0):
    return questions("05", ca.paths.root, host="host01.lab.example.com", cn="host01")[index]


def test_05_revocation_not_published_or_with_the_wrong_reason(ca04, capsys):
    q1 = _q05(ca04)
    assert q1.prepare() == "01", "prepare() finds the host's certificate and issues none"
    early = generate_crl(ca04)
    _fails(capsys, q1, early, "ca.db still lists 01 as valid")
    revoke(ca04, "01", "keyCompromise")
    _fails(capsys, q1, early, "the CRL does not list 01", "publish a new CRL")
    _fails(capsys, q1, 3, "expected the CRL")
    assert _quiet_check(capsys, q1, ca04.paths.crl_der).ok is False
    assert _quiet_check(capsys, q1, generate_crl(ca04).path).ok


def test_05_wrong_reason_is_named_and_reset_gives_a_new_certificate(ca04, capsys):
    q1 = _q05(ca04)
    revoke(ca04, "01", "superseded")
    _fails(capsys, q1, generate_crl(ca04), "with the reason superseded", "keyCompromise", "q1.reset()")
    assert q1.reset() == "02" and ca04.record("02").status == "V"
    _fails(capsys, q1, generate_crl(ca04), "ca.db still lists 02 as valid")
    assert _quiet_check(capsys, q1, q1.solve()).ok
    assert q1.reset() == "03", "after a revocation, each reset issues the host a valid certificate"


def test_05_prepare_issues_the_certificate_in_a_fresh_folder(tmp_path, capsys):
    q1 = questions("05", tmp_path)[0]
    _fails(capsys, q1, tmp_path / "crl.pem", "no CA in")
    serial = q1.prepare()
    assert load_ca(tmp_path).record(serial).host == "app01" and q1.prepare() == serial


def test_05_crl_of_another_ca_is_refused(ca04, tmp_path_factory, capsys):
    other = make_ca(tmp_path_factory.mktemp("other"), "Other CA")
    revoke(ca04, "01", "keyCompromise")
    _fails(capsys, _q05(ca04), generate_crl(other), "not signed by the CA")


def test_05_crl_with_the_default_days_or_stale(ca04, capsys):
    q2 = _q05(ca04, 1)
    _fails(capsys, q2, generate_crl(ca04), "current for 30 days, not 14", "days=14")
    fortnight = generate_crl(ca04, days=14)
    revoke(ca04, "01", "cessationOfOperation")
    _fails(capsys, q2, fortnight, "does not list 01")


# -- 06: verification and lint ----------------------------------------------------------


@pytest.fixture
def ca06(tmp_path):
    return make_ca(tmp_path, "Exercise Test CA")


def test_06_failing_check_wrong_names(ca06, capsys):
    q1 = questions("06", ca06.paths.root)[0]
    _fails(capsys, q1, "validity", "run q1.prepare() first")
    path = q1.prepare()
    assert path.name == "mystery.pem" and q1.prepare() == path, "prepare() is safe to call twice"
    _fails(capsys, q1, "host name", "the 'host name' check says pass")
    _fails(capsys, q1, "the date", "is not one of verify()'s checks", "chain signature")
    _fails(capsys, q1, ["validity"], "as text")
    assert _quiet_check(capsys, q1, "  Validity ").ok


def test_06_lint_findings_are_reported(ca06, capsys):
    q2 = questions("06", ca06.paths.root)[1]
    _fails(capsys, q2, ca06.issue("sup01.lab.example.com", "sup01", key_size=2048), "includes serverAuth")
    _fails(capsys, q2, ca06.issue("sup01.lab.example.com", "sup01", profile="gui", key_size=1024), "rsa-key-size")
    _fails(capsys, q2, ca06.issue("sup02.lab.example.com", "sup01", profile="gui"), "host-in-san")


# -- display: only the notebook wrapper prints -------------------------------------------


def test_the_notebook_wrapper_prints_a_verdict_and_returns_it(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("GENESYS_LAB_WORKSPACE", str(tmp_path))
    q2 = for_notebook("02", ".")[1]
    assert isinstance(q2, Exercise)
    right = q2.check("ca_priv_key.pem")
    out = capsys.readouterr().out
    assert right.ok and out.startswith("✔ Exercise 02.2 (the CA's secret): ca_priv_key.pem is the CA's private key")
    wrong = q2.check("ca.conf")
    assert not wrong.ok and capsys.readouterr().out.startswith("✘ Exercise 02.2")
    assert isinstance(wrong, ShownOutcome) and wrong._ipython_display_() is None
    assert render(Outcome(False, "why"), "Q") == "✘ Q: why"
    todo = q2.check(...)
    assert capsys.readouterr().out.startswith("… Exercise 02.2 (the CA's secret): not attempted yet")
    assert not todo.attempted
    recorded = [(a.question, a.passed) for a in attempts(tmp_path)]
    assert recorded == [("02.2", True), ("02.2", False)], "attempts are recorded, the placeholder is not"


def test_the_wrapper_records_in_the_workspace_of_the_scratch_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("GENESYS_LAB_WORKSPACE", raising=False)
    work = tmp_path / "scratch" / "02_create_the_ca"
    work.mkdir(parents=True)
    for_notebook("02", work)[1].check("ca_priv_key.pem")
    assert (tmp_path / "progress.sqlite").is_file() and not (work / "progress.sqlite").exists()
    assert [nb.passed for nb in progress(tmp_path) if nb.number == "02"] == [1]


def test_the_notebook_wrapper_shows_question_hint_and_solution(capsys):
    q1 = for_notebook("03", "work")[0]
    assert "cfg01.lab.example.com" in q1._repr_markdown_() and "Exercise 03.1" in repr(q1)
    q1.hint()
    assert capsys.readouterr().out.startswith("Hint for Exercise 03.1")
    q1.solution()
    assert 'ca.issue("cfg01.lab.example.com"' in capsys.readouterr().out


def test_importing_the_exercises_stays_light():
    code = (
        "import sys, genesys_lab.exercises as e; [e.questions(n, '.') for n in e.NOTEBOOKS]; "
        "print(sorted(m for m in ('pandas', 'ipywidgets', 'IPython') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -- the notebooks carry their exercises, unanswered ------------------------------------

PLACEHOLDER = "answer = ...  # your answer here"


def _notebook(number: str) -> dict:
    path = next(NOTEBOOK_DIR.glob(f"{number}_*.ipynb"))
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("number", NOTEBOOKS)
def test_each_notebook_has_an_exercises_section_before_its_summary(number):
    nb = _notebook(number)
    headings = [
        line
        for c in nb["cells"]
        if c["cell_type"] == "markdown"
        for line in "".join(c["source"]).splitlines()
        if line.startswith("## ")
    ]
    assert "## Exercises" in headings, f"{number}: no '## Exercises' section"
    assert headings.index("## Exercises") < headings.index("## Summary")
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    assert any(f'for_notebook("{number}", work)' in src for src in code)
    assert not any(".solve()" in src for src in code), f"{number}: a stored cell solves an exercise"
    outputs = "".join("".join(o.get("text", "")) for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", []))
    for n in range(1, len(questions(number, ".")) + 1):
        assert any(src.startswith(PLACEHOLDER) and f"q{n}.check(answer" in src for src in code), (
            f"{number}.{n} has no placeholder"
        )
        assert f"… Exercise {number}.{n} " in outputs and "not attempted yet" in outputs
    assert "✔ Exercise" not in outputs and "✘" not in outputs
