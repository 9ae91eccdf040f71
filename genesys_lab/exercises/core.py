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
    attempted: bool = True


#: What a stored exercise cell holds until the learner replaces it (``answer = ...``).
PLACEHOLDERS = (Ellipsis, None)


def not_attempted(question: Question) -> Outcome:
    """The verdict on a placeholder: not a failure of the learner's, but what to do next.

    learntools (Kaggle's exercise checker) tells "not attempted" apart from
    "incorrect" so that a notebook run from the top with no answers says
    what is left to do instead of a row of crosses; this does the same.
    """
    var = f"q{question.NUMBER}"
    return Outcome(
        False,
        f"not attempted yet: replace the ... in `answer = ...` with your answer and run the cell again "
        f"({var}.hint() gives a hint, {var}.solution() shows one way)",
        attempted=False,
    )


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
    #: what a learner's answer creates in ``work`` (relative paths); ``reset()`` removes them
    OUTPUTS: tuple[str, ...] = ()

    def __init__(self, workdir: Path | str, **params):
        self.workdir = Path(workdir)
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.workdir)!r})"

    @property
    def id(self) -> str:
        """The question's id in progress records and the course map: ``02.1``."""
        return f"{self.NOTEBOOK}.{self.NUMBER}"

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
        """Create the starting material the question talks about (if any); safe to call twice.

        A question never relies on what an earlier run of its notebook left behind:
        ``prepare`` builds whatever is missing (a CA in ``work``, the certificate
        the question is about) and keeps what is there.
        """
        return None

    def reset(self) -> Path | None:
        """Start the question again from a clean state: remove what an answer made, then ``prepare``."""
        from genesys_lab.course.lab import remove

        for name in self.OUTPUTS:
            remove(self.workdir / name)
        self._reset()
        return self.prepare()

    def _reset(self) -> None:
        """What else a clean state needs (e.g. a new certificate in place of a revoked one)."""

    def solve(self) -> Attempt:
        """Perform the solution for real in ``workdir`` and return its answer, ready for ``check``."""
        self.prepare()
        # A solution may call its own question (``q1.prepare()``), as the notebook cell would.
        namespace: dict = {"work": self.workdir, f"q{self.NUMBER}": self}
        # Only this module's own SOLUTION texts are run: never text from a learner or a file.
        exec(compile(self.solution(), f"<solution of {self.label}>", "exec"), namespace)
        return Attempt(namespace["answer"], namespace.get("options", {}))

    def check(self, answer, **options) -> Outcome:
        """Judge an answer; never prints, never raises for a wrong answer (the Outcome says what is wrong)."""
        if isinstance(answer, Attempt):
            options = {**answer.options, **options}
            answer = answer.answer
        if any(answer is placeholder for placeholder in PLACEHOLDERS):
            return not_attempted(self)
        try:
            return self._check(answer, **options)
        except Wrong as wrong:
            return Outcome(False, str(wrong))
        except GenesysLabError as error:
            return Outcome(False, str(error))

    def _check(self, answer, **options) -> Outcome:
        raise NotImplementedError


# -- turning what a learner passes into what a check needs -------------------------


def ensure_ca(workdir: Path):
    """The CA in ``work``; when the notebook has not made one (yet), a small one for the exercise.

    So an exercise can be attempted even when the cells above it were not run.
    """
    from genesys_lab.authority.ca import create_ca, load_ca
    from genesys_lab.authority.store import CAPaths

    if CAPaths(Path(workdir)).cert.exists():
        return load_ca(workdir)
    Path(workdir).mkdir(parents=True, exist_ok=True)
    return create_ca(workdir, "Exercise CA", org="Example Contact Center", country="US").ca


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
