"""Exercises of 06_verification_and_tls: name the check that refuses a certificate; a GUI certificate that lint passes.

The first question's certificate is made by ``prepare()`` with the lab's
demonstration samples (``genesys_lab.course.samples``); the answer is judged by
what ``verify`` itself reports for it, so the question and the verifier
cannot disagree. The second is judged by ``lint`` for the gui role.
"""

from __future__ import annotations

from pathlib import Path

from genesys_lab.exercises.core import Outcome, Question, Wrong, as_certificate, ensure_ca, issued_by, verdict

MYSTERY_FILE = "mystery.pem"
MYSTERY_HOST, MYSTERY_CN = "stat01.lab.example.com", "stat01"
GUI_HOST, GUI_CN = "sup01.lab.example.com", "sup01"


class FailingCheck(Question):
    NOTEBOOK, NUMBER, TITLE = "06", 1, "why the clients refuse Stat Server"
    OUTPUTS = (MYSTERY_FILE,)
    PROMPT = (
        f"`q1.prepare()` writes `{MYSTERY_FILE}` into `work`: the certificate that Stat Server on "
        f"`{MYSTERY_HOST}` presents, issued by the CA in `work`. Its clients refuse it. Verify it as a "
        f"server certificate for `{MYSTERY_HOST}` and find the check that fails.\n\n"
        'Answer with the check\'s name as `verify()` writes it: `q1.check("...")`.'
    )
    HINT = (
        'verify(path, ca=..., purpose="server", hostname=...) returns the checks in order; '
        "result.failures holds the ones whose status is fail, and each has a name."
    )
    SOLUTION = f'''\
from genesys_lab import load_ca, verify

result = verify(work / "{MYSTERY_FILE}", ca=load_ca(work), purpose="server", hostname="{MYSTERY_HOST}")
answer = result.failures[0].name
'''

    def prepare(self) -> Path:
        """Write the refused certificate (expired ten days ago) once; it is public, so mode 0644."""
        from genesys_lab.course.anatomy import anatomy
        from genesys_lab.course.samples import expired
        from genesys_lab.formats.convert import write_output

        path = self.workdir / MYSTERY_FILE
        if not path.exists():
            demo = expired(ensure_ca(self.workdir), MYSTERY_HOST, MYSTERY_CN)
            write_output(path, anatomy(demo.certificate).pem.encode("ascii"), secret=False)
        return path

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.authority.ca import load_ca
        from genesys_lab.checks.verify import verify

        if not isinstance(answer, str):
            raise Wrong(f"answer with the name of a check as text, such as 'host name', not a {type(answer).__name__}")
        path = self.workdir / MYSTERY_FILE
        if not path.is_file():
            raise Wrong(f"there is no {MYSTERY_FILE} in the working folder yet: run q1.prepare() first")
        result = verify(path, ca=load_ca(self.workdir), purpose="server", hostname=MYSTERY_HOST)
        given = " ".join(answer.split()).lower()
        by_name = {c.name.lower(): c for c in result.checks}
        check = by_name.get(given)
        if check is None:
            return Outcome(False, f"{answer!r} is not one of verify()'s checks: {', '.join(c.name for c in result.checks)}")
        if check not in result.failures:
            return Outcome(
                False,
                f"the {check.name!r} check says {check.status.value} for this certificate: look for the row whose status is fail",
            )
        return Outcome(True, f"{check.name} fails: {check.reason}. Remedy: {check.remedy}")


class LintCleanGui(Question):
    NOTEBOOK, NUMBER, TITLE = "06", 2, "a GUI certificate with nothing to lint"
    PROMPT = (
        f"The supervisor desktop on `{GUI_HOST}` (CN `{GUI_CN}`) needs a certificate. Issue one from the CA "
        f'in `work` that `lint(certificate, role="gui", host="{GUI_HOST}")` passes without a single '
        "finding.\n\n"
        "Check what `issue()` returned: `q2.check(issued)`."
    )
    HINT = (
        "lint() holds a certificate to the guide's recommendations for its role: key size, digest, time "
        "left, CN and SAN, and the EKU of a GUI application (the guide requires clientAuth; the lab also "
        "asks that it be the only one). The defaults of issue() meet all but one of them."
    )
    SOLUTION = f'''\
from genesys_lab import load_ca

answer = load_ca(work).issue("{GUI_HOST}", "{GUI_CN}", profile="gui")
# The same command, in the CA folder: create_cert.sh -host {GUI_HOST} -CN {GUI_CN} -profile gui
'''

    def prepare(self):
        return ensure_ca(self.workdir).paths.root

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.authority.ca import load_ca
        from genesys_lab.checks.lint import lint
        from genesys_lab.x509.describe import describe

        ca = load_ca(self.workdir)
        cert = as_certificate(answer, ca)
        problem = issued_by(cert, ca)
        if problem:
            raise Wrong(problem)
        findings = lint(cert, role="gui", host=GUI_HOST)
        problems = [f"{f.rule} ({f.severity.value}): {f.message}; {f.remedy}" for f in findings]
        if "serverAuth" in describe(cert).extended_key_usage:
            # lint's eku-role rule asks only for clientAuth (the guide's rule); "clientAuth only" is the lab's advice.
            problems.append(
                "the extended key usage includes serverAuth, so it could stand for a server: the guide "
                "requires clientAuth for a GUI certificate, and the lab recommends clientAuth only "
                "(profile='gui', -profile gui)"
            )
        return verdict(
            problems,
            f"lint finds nothing for the gui role: {GUI_HOST} in the SAN, clientAuth only, "
            "a strong key and digest, and time enough left",
        )


def questions(workdir, **params) -> tuple[Question, ...]:
    return (FailingCheck(workdir, **params), LintCleanGui(workdir, **params))
