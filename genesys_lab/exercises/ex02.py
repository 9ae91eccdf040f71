"""Exercises of 02_create_the_ca: a CA with the site's own choices, and the one secret file."""

from __future__ import annotations

from pathlib import Path

from genesys_lab.authority.store import CAPaths
from genesys_lab.exercises.core import Outcome, Question, Wrong, as_ca, verdict

CA_DAYS = 730
COUNTRY = "US"
ORG = "Example Contact Center"


class CreateCA(Question):
    NOTEBOOK, NUMBER, TITLE = "02", 1, "a CA for two years"
    OUTPUTS = ("exercise_ca",)
    PROMPT = (
        'Your site wants its CA to last two years. In a new, empty folder `work / "exercise_ca"`, '
        f"create a CA that is valid for **{CA_DAYS} days**, with the country `{COUNTRY}` and the "
        f"organisation `{ORG}` in its subject. The CA's name (CN) is up to you.\n\n"
        "Check it with `q1.check(folder)`, or pass what `create_ca` returned. To start again, "
        "`q1.reset()` removes `exercise_ca`."
    )
    HINT = (
        "create_ca(folder, name, ...) takes the validity as days=, and the subject fields as "
        "country= and org=; create_ca.sh calls them -time, -C and -O. The folder must exist first."
    )
    SOLUTION = f'''\
from genesys_lab import create_ca

folder = work / "exercise_ca"
folder.mkdir()
answer = create_ca(folder, "Example Contact Center CA", days={CA_DAYS},
                   org="{ORG}", country="{COUNTRY}")
# The same from a terminal, in that folder:
#   create_ca.sh -CN "Example Contact Center CA" -time {CA_DAYS} -O "{ORG}" -C {COUNTRY}
'''

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.x509.describe import describe

        ca = as_ca(answer)
        info = describe(ca.paths.cert)
        subject = dict(info.subject)
        days = (info.not_after - info.not_before).days
        problems = []
        if not info.is_ca:
            problems.append("ca_cert.pem is not a CA certificate (basicConstraints CA:FALSE): create the CA with create_ca")
        if days != CA_DAYS:
            problems.append(f"the CA is valid for {days} days, not {CA_DAYS}: pass days={CA_DAYS} (create_ca.sh -time {CA_DAYS})")
        problems += _field_problems(subject, "C", "country", COUNTRY, "-C")
        problems += _field_problems(subject, "O", "organisation", ORG, "-O")
        if info.key_size < 2048:
            problems.append(f"the CA key has {info.key_size} bits: the guide recommends 2048 or more (keep the default key size)")
        name = info.common_name or "the CA"
        return verdict(problems, f"{name} is a CA (CA:TRUE) valid for {days} days, with C={COUNTRY} and O={ORG}")


def _field_problems(subject: dict, key: str, what: str, wanted: str, option: str) -> list[str]:
    value = subject.get(key)
    if value == wanted:
        return []
    keyword = "country" if key == "C" else "org"
    if value is None:
        return [f'the subject has no {what} ({key}): pass {keyword}={wanted!r} ({option} "{wanted}")']
    return [f'the subject\'s {what} is {value!r}, not {wanted!r}: pass {keyword}={wanted!r} ({option} "{wanted}")']


def _why_not_secret() -> dict[str, str]:
    """Every other file of ca_conf/ and why it need not be hidden, named as the core names them."""
    p = CAPaths(Path("."))
    bookkeeping = "holds no secret, though only the CA administrator should change it"
    return {
        p.cert.name: "is the CA certificate: it is public, every host gets a copy so that it trusts the CA",
        p.pfx.name: "holds only the CA certificate, no key, for Windows and Java trust stores: it is public",
        p.config.name: "is the openssl ca configuration: it names files and defaults, no secret",
        p.db.name: "is the CA's database of issued certificates: it " + bookkeeping,
        p.db_attr.name: "is a setting of the database: it " + bookkeeping,
        p.serial.name: "is the next serial number: it " + bookkeeping,
        p.crlnumber.name: "is the next CRL number: it " + bookkeeping,
        p.crl_pem.name: "is the published revocation list: public by design",
        p.crl_der.name: "is the published revocation list: public by design",
        p.repository.name: "is the folder of issued certificates, not a file",
    }


class SecretFile(Question):
    NOTEBOOK, NUMBER, TITLE = "02", 2, "the CA's secret"
    PROMPT = (
        "Which file in `ca_conf/` must be readable **only by the CA administrator**? Whoever can read "
        "it can sign certificates that every host at the site trusts.\n\n"
        'Answer with its file name as text: `q2.check("...")`.'
    )
    HINT = (
        "Look at the permissions that show_files() printed in section 3: one file is read-only for "
        "its owner (-r--------), and the rest of the course never prints what is inside it."
    )
    SOLUTION = """\
answer = "ca_priv_key.pem"   # the CA's private key: it signs every certificate and every CRL
"""

    def _check(self, answer, **options) -> Outcome:
        if not isinstance(answer, (str, Path)):
            raise Wrong(f"answer with the file name as text, such as 'serial.num', not a {type(answer).__name__}")
        name = Path(str(answer).strip()).name
        secret = CAPaths(Path(".")).key.name
        if name == secret:
            return Outcome(True, f"{secret} is the CA's private key; create_ca makes it read-only for its owner (0400)")
        others = _why_not_secret()
        if name in others:
            return Outcome(False, f"{name} {others[name]}; look for the file with the CA's key")
        return Outcome(False, f"{name!r} is not a file of ca_conf/: compare with the files that show_files() listed")


def questions(workdir, **params) -> tuple[Question, ...]:
    return (CreateCA(workdir, **params), SecretFile(workdir, **params))
