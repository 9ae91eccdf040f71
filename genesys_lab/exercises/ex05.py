"""Exercises of 05_revocation_and_crls: revoke a compromised certificate and publish it; a CRL for two weeks.

A revocation counts only once it is published, so both checks read the CRL
(``load_crl``) as well as ca.db (``CertificateAuthority.record``), and make
sure the CRL is signed by the CA and current.
"""

from __future__ import annotations

from genesys_lab.exercises.core import Outcome, Question, Wrong, as_crl, ensure_ca, verdict

HOST, CN = "app01.example.com", "app01"  # the host whose key leaked, unless the notebook says otherwise
CRL_DAYS = 14


def _latest(ca, host: str):
    """The newest ca.db record of ``host``'s certificate (a reissue after ``reset()`` counts), or None."""
    mine = [r for r in ca.records() if r.host == host.split(".")[0] or r.host == host]
    return max(mine, key=lambda r: int(r.serial, 16)) if mine else None


def _crl_problems(crl, ca) -> list[str]:
    """What a verifier would hold against the CRL itself."""
    problems = []
    if not crl.is_signed_by(ca.certificate):
        problems.append("the CRL is not signed by the CA in the working folder: publish it with that CA (generate_crl(ca))")
    if not crl.is_current():
        problems.append("the CRL is not current (its next update has passed): publish a new one")
    return problems


class RevokeCompromised(Question):
    NOTEBOOK, NUMBER, TITLE = "05", 1, "a key sent to the wrong person"
    PROMPT = (
        "The private key of `{host}`'s certificate was sent by e-mail to the wrong person. Revoke the "
        "certificate with the reason that says what happened, and make sure that every host can learn "
        "about it. (`q1.prepare()` prints its serial; it issues one if the CA has none for `{host}`.)\n\n"
        "Check the CRL you published: `q1.check(crl)` (what `generate_crl` returned, or `ca_conf/crl.pem`). "
        "A revocation cannot be undone: to start again, `q1.reset()` issues `{host}` a new certificate."
    )
    HINT = (
        "Two steps: revoke(ca, serial, reason) changes ca.db, and only generate_crl(ca) tells the hosts "
        "(genesys-lab revoke ... --reason ..., then genesys-lab gen-crl). Section 1 has a table of the reasons."
    )
    SOLUTION = """\
from genesys_lab import generate_crl, load_ca, revoke

ca = load_ca(work)
serial = q1.prepare()        # the serial of {host}'s certificate
revoke(ca, serial, "keyCompromise")
answer = generate_crl(ca)
# The same commands, in the CA folder (with that serial):
#   genesys-lab revoke SERIAL --reason keyCompromise
#   genesys-lab gen-crl
"""

    def prepare(self) -> str:
        """The serial of ``host``'s newest certificate; issued now when the CA has none for it."""
        ca = ensure_ca(self.workdir)
        record = _latest(ca, self.params["host"])
        if record is None:
            return ca.issue(self.params["host"], self.params["cn"]).serial
        return record.serial

    def _reset(self) -> None:
        """A clean state is a valid certificate for the host: a revoked one is replaced, never unrevoked."""
        ca = ensure_ca(self.workdir)
        record = _latest(ca, self.params["host"])
        if record is not None and record.status != "V":
            ca.issue(self.params["host"], self.params["cn"])

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.authority.ca import load_ca
        from genesys_lab.authority.revoke import Reason

        ca = load_ca(self.workdir)
        record = _latest(ca, self.params["host"])
        if record is None:
            raise Wrong(f"ca.db has no certificate for {self.params['host']}: run q1.prepare() to issue it")
        crl = as_crl(answer)
        if record.status != "R":
            raise Wrong(
                f"ca.db still lists {record.serial} as valid ({record.status}): revoke it first, "
                f"revoke(ca, {record.serial!r}, reason) or genesys-lab revoke {record.serial} --reason ..."
            )
        problems = []
        if (record.reason or "").lower() != Reason.KEY_COMPROMISE.value.lower():
            problems.append(
                f"{record.serial} was revoked with the reason {record.reason or '(none)'}: a key that "
                "someone else may have seen is a keyCompromise (a revocation cannot be undone: "
                "q1.reset() issues a new certificate to try again)"
            )
        problems += _crl_problems(crl, ca)
        entry = crl.entry(record.serial)
        if entry is None:
            problems.append(
                f"the CRL does not list {record.serial}, so no host knows it is revoked: publish a new CRL "
                "after revoking (generate_crl(ca), genesys-lab gen-crl)"
            )
        elif entry.reason != Reason.KEY_COMPROMISE.value and not problems:
            problems.append(f"the CRL lists {record.serial} with the reason {entry.reason or '(none)'}, not keyCompromise")
        return verdict(
            problems,
            f"ca.db marks {record.serial} revoked (keyCompromise), and CRL number {crl.number}, "
            "signed by the CA, lists it with that reason",
        )


class FortnightCrl(Question):
    NOTEBOOK, NUMBER, TITLE = "05", 2, "a CRL for two weeks"
    PROMPT = (
        "The hosts download the CRL once a week. So that one missed download does not make them refuse "
        f"every certificate, publish a CRL that stays current for **{CRL_DAYS} days**, and that lists every "
        "certificate revoked so far.\n\n"
        "Check the CRL you published: `q2.check(crl)`."
    )
    HINT = (
        "A CRL is current from its this update to its next update. generate_crl(ca, days=...) sets the "
        "distance between them (genesys-lab gen-crl --days ...)."
    )
    SOLUTION = f"""\
from genesys_lab import generate_crl, load_ca

answer = generate_crl(load_ca(work), days={CRL_DAYS})
# The same command, in the CA folder: genesys-lab gen-crl --days {CRL_DAYS}
"""

    def prepare(self):
        return ensure_ca(self.workdir).paths.root

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.authority.ca import load_ca

        ca = load_ca(self.workdir)
        crl = as_crl(answer)
        problems = _crl_problems(crl, ca)
        if crl.next_update is None:
            problems.append("the CRL has no next update, so nobody can tell whether it is stale: publish with generate_crl")
        else:
            days = (crl.next_update - crl.this_update).days
            if days != CRL_DAYS:
                problems.append(
                    f"the CRL is current for {days} days, not {CRL_DAYS}: publish it with days={CRL_DAYS} "
                    f"(genesys-lab gen-crl --days {CRL_DAYS})"
                )
        missing = [r.serial for r in ca.records() if r.status == "R" and not crl.is_revoked(r.serial)]
        if missing:
            problems.append(
                f"the CRL does not list {', '.join(missing)}, revoked in ca.db: it is older than the last "
                "revocation, so publish a new one"
            )
        revoked = sum(1 for r in ca.records() if r.status == "R")
        return verdict(
            problems,
            f"CRL number {crl.number} is current for {CRL_DAYS} days, signed by the CA, and lists "
            f"all {revoked} revoked certificate(s)",
        )


def questions(workdir, host: str = HOST, cn: str = CN, **params) -> tuple[Question, ...]:
    return (RevokeCompromised(workdir, host=host, cn=cn, **params), FortnightCrl(workdir, host=host, cn=cn, **params))
