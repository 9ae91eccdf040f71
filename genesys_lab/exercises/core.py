"""The logic of an exercise: a question, how an answer is checked, a hint and a solution.

Why checking is kept apart from display (the learntools model): a check is a
plain function from an answer to an ``Outcome``, so the test suite can prove
that every solution passes and that wrong answers fail, without a notebook
and without parsing printed text. ``display.py`` is the only place that
prints; the notebooks use its thin ``Exercise`` wrapper.

Every check asks the lab's own core (``describe``, ``load_ca``, ``verify``,
``lint``, ``identify``, ``load_crl``, ``describe_pkcs12``) whether an answer
is right: an exercise never judges a certificate with cryptography of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from genesys_lab.errors import GenesysLabError


@dataclass(frozen=True)
class Outcome:
    """The verdict on one answer: ``ok`` and one line that says why (what is wrong, and the fix)."""

    ok: bool
    message: str


@dataclass(frozen=True)
class Attempt:
    """An answer together with the keyword arguments its check needs (a .pfx and its password).

    ``Question.solve`` returns one; ``Question.check`` accepts it in place of
    the bare answer. ``options`` stays out of the repr: it may hold a password.
    """

    answer: object
    options: Mapping[str, object] = field(default_factory=dict, repr=False)


class Wrong(Exception):
    """Raised inside a check to end it with a failed Outcome carrying this message."""


def verdict(problems: list[str], success: str) -> Outcome:
    """A failed Outcome listing every problem found, or the success message when there are none."""
    if problems:
        return Outcome(False, "; ".join(problems))
    return Outcome(True, success)


class Question:
    """One exercise of one notebook, bound to the folder the learner works in (``work``).

    A subclass sets ``NUMBER``, ``TITLE``, ``PROMPT``, ``HINT`` and
    ``SOLUTION`` and implements ``_check``. ``SOLUTION`` is Python that a
    learner could paste into the notebook: it may use ``work`` (the working
    folder) and must set ``answer`` (and ``options``, a dict of keyword
    arguments for the check, when the check needs more than the answer).
    ``solve()`` runs exactly that text, so a test that checks what ``solve()``
    returns proves the solution that ``solution()`` shows. Texts are
    ``str.format`` templates over ``params`` (e.g. a serial).
    """

    NOTEBOOK = ""
    NUMBER = 0
    TITLE = ""
    PROMPT = ""
    HINT = ""
    SOLUTION = ""

    def __init__(self, workdir: Path | str, **params):
        self.workdir = Path(workdir)
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.workdir)!r})"

    @property
    def label(self) -> str:
        """How the exercise is named in the notebook: ``Exercise 02.1 (A CA for two years)``."""
        return f"Exercise {self.NOTEBOOK}.{self.NUMBER} ({self.TITLE})"

    def prompt(self) -> str:
        return self.PROMPT.format(**self.params)

    def hint(self) -> str:
        return self.HINT.format(**self.params)

    def solution(self) -> str:
        """One way to answer, as Python source (the same text ``solve`` runs)."""
        return self.SOLUTION.format(**self.params)

    def prepare(self) -> Path | None:
        """Create the starting material the question talks about (if any); safe to call twice."""
        return None

    def solve(self) -> Attempt:
        """Perform the solution for real in ``workdir`` and return its answer, ready for ``check``."""
        self.prepare()
        namespace: dict = {"work": self.workdir}
        # Only this module's own SOLUTION texts are run: never text from a learner or a file.
        exec(compile(self.solution(), f"<solution of {self.label}>", "exec"), namespace)
        return Attempt(namespace["answer"], namespace.get("options", {}))

    def check(self, answer, **options) -> Outcome:
        """Judge an answer; never prints, never raises for a wrong answer (the Outcome says what is wrong)."""
        if isinstance(answer, Attempt):
            options = {**answer.options, **options}
            answer = answer.answer
        try:
            return self._check(answer, **options)
        except Wrong as wrong:
            return Outcome(False, str(wrong))
        except GenesysLabError as error:
            return Outcome(False, str(error))

    def _check(self, answer, **options) -> Outcome:
        raise NotImplementedError


# -- turning what a learner passes into what a check needs -------------------------


def as_ca(answer):
    """A CertificateAuthority from a CA folder, a CertificateAuthority, or what create_ca returned."""
    from genesys_lab.authority.ca import CertificateAuthority, CreatedCA, load_ca

    if isinstance(answer, CreatedCA):
        return answer.ca
    if isinstance(answer, CertificateAuthority):
        return answer
    if isinstance(answer, (str, Path)):
        return load_ca(answer)
    raise Wrong(f"expected the CA's folder (or what create_ca returned), got {_kind(answer)}")


def as_certificate(answer, ca):
    """A certificate from what ``issue()`` returned, a ca.db record, a serial of ``ca``, a file or an object.

    Everything but the serial goes through the one reader (``course.anatomy.resolve`` ->
    ``x509.read.read_certificate``); an answer that is no certificate at all is Wrong.
    """
    from genesys_lab.authority.store import looks_like_serial
    from genesys_lab.course.anatomy import resolve
    from genesys_lab.errors import UsageError

    if isinstance(answer, str) and looks_like_serial(answer) and not Path(answer).is_file():
        return ca.load_certificate(answer)
    wrong = Wrong(f"expected what issue() returned, a serial such as '05', or a certificate file; got {_kind(answer)}")
    if isinstance(answer, (int, float, bool)) or answer is None:
        raise wrong
    try:
        return resolve(answer)
    except UsageError:
        raise wrong from None


def as_path(answer, what: str) -> Path:
    """A file's path from a path, a string, or a result object with a ``path`` (convert_key's answer)."""
    path = getattr(answer, "path", answer)
    if not isinstance(path, (str, Path)):
        raise Wrong(f"expected the path of the {what}, got {_kind(answer)}")
    path = Path(path)
    if not path.is_file():
        raise Wrong(f"there is no file {path.name} in {path.parent}: give the path of the {what} you wrote")
    return path


def as_crl(answer):
    """A CrlInfo from what generate_crl returned or from a CRL file."""
    from genesys_lab.authority.crl import CrlInfo, load_crl

    if isinstance(answer, CrlInfo):
        return answer
    if isinstance(answer, (str, Path)):
        return load_crl(answer)
    raise Wrong(f"expected the CRL (what generate_crl returned, or ca_conf/crl.pem), got {_kind(answer)}")


def issued_by(certificate, ca) -> str | None:
    """Why the certificate is not the CA's own issue (chain check, then ca.db), or None when it is."""
    from genesys_lab.checks.verify import Status, verify

    chain = verify(certificate, ca=ca).check("chain signature")
    if chain.status is not Status.PASS:
        return f"it was not issued by the CA in {ca.paths.root.name or ca.paths.root}: {chain.reason}"
    number = certificate.serial_number
    try:
        record = ca.record(number)
    except GenesysLabError:
        return f"serial {number:X} is not in the CA's ca.db: issue it with the CA's issue() (create_cert.sh)"
    if record.status != "V":
        return f"ca.db lists serial {record.serial} with status {record.status}, not V (valid): issue a new one"
    return None


def _kind(value) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"
