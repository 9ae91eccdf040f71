"""Exercises of 03_issue_host_certificates: a server certificate with an IP and an alias, a GUI certificate.

Both are checked against the CA in the learner's working folder: the
certificate must be that CA's issue (signature and ca.db), and carry the SAN
and extended key usage the question asks for.
"""

from __future__ import annotations

from genesys_lab.exercises.core import Outcome, Question, as_certificate, ensure_ca, issued_by, verdict

SERVER_HOST, SERVER_CN = "cfg01.lab.example.com", "cfg01"
SERVER_IP, SERVER_ALIAS = "10.10.0.11", "config.lab.example.com"
GUI_HOST, GUI_CN = "agent07.lab.example.com", "agent07"


class _HostQuestion(Question):
    """Both questions issue from the CA in ``work``; issuing again never breaks a second attempt."""

    def prepare(self):
        return ensure_ca(self.workdir).paths.root


def _certificate(question: Question, answer):
    """(CertificateInfo, CA) of the certificate an answer names; Wrong when it is not this CA's issue."""
    from genesys_lab.authority.ca import load_ca
    from genesys_lab.exercises.core import Wrong
    from genesys_lab.x509.describe import describe

    ca = load_ca(question.workdir)
    cert = as_certificate(answer, ca)
    problem = issued_by(cert, ca)
    if problem:
        raise Wrong(problem)
    return describe(cert), ca


def _san_problems(info, host: str, cn: str) -> list[str]:
    problems = []
    if host not in info.san_dns:
        problems.append(f"the SAN lacks {host}: pass it as the host, the first argument of issue() (-host {host})")
    if info.common_name != cn:
        problems.append(f"the CN is {info.common_name!r}, not {cn!r}: pass {cn!r} as the second argument (-CN {cn})")
    return problems


class ServerCertificate(_HostQuestion):
    NOTEBOOK, NUMBER, TITLE = "03", 1, "Configuration Server's certificate"
    PROMPT = (
        f"Configuration Server runs on `{SERVER_HOST}`. Some applications reach it by its IP address "
        f"`{SERVER_IP}`, others by the alias `{SERVER_ALIAS}`. Issue its certificate from the CA in "
        f"`work`, with the CN `{SERVER_CN}`, so that all three ways of connecting pass the client's "
        "host check, and so that Configuration Server can use it both to accept connections and to "
        "open them.\n\n"
        'Check what `issue()` returned: `q1.check(issued)` (a serial such as `"05"` works too).'
    )
    HINT = (
        "load_ca(work).issue(host, cn, ...) puts the host name into the SAN; ip= adds an IP address and "
        "san_domains=[...] extra names (create_cert.sh: -IP and -SANDomain). The default profile is the "
        "one for server applications."
    )
    SOLUTION = f'''\
from genesys_lab import load_ca

ca = load_ca(work)
answer = ca.issue("{SERVER_HOST}", "{SERVER_CN}", ip="{SERVER_IP}",
                  san_domains=["{SERVER_ALIAS}"])
# The same command, run in the CA folder:
#   create_cert.sh -host {SERVER_HOST} -CN {SERVER_CN} -IP {SERVER_IP} -SANDomain {SERVER_ALIAS}
'''

    def _check(self, answer, **options) -> Outcome:
        info, ca = _certificate(self, answer)
        problems = _san_problems(info, SERVER_HOST, SERVER_CN)
        if SERVER_ALIAS not in info.san_dns:
            problems.append(
                f"the SAN lacks {SERVER_ALIAS}: add it with san_domains=[{SERVER_ALIAS!r}] (-SANDomain {SERVER_ALIAS})"
            )
        if SERVER_IP not in info.san_ip:
            problems.append(f"the SAN lacks {SERVER_IP}: pass ip={SERVER_IP!r} (-IP {SERVER_IP})")
        for usage, role in (("serverAuth", "accept connections"), ("clientAuth", "open connections to other servers")):
            if usage not in info.extended_key_usage:
                problems.append(
                    f"the extended key usage lacks {usage}, which a Genesys server needs to {role}: "
                    "use the server profile (the default)"
                )
        return verdict(
            problems,
            f"serial {info.serial}: SAN {', '.join(info.san_dns + info.san_ip)}; "
            f"EKU serverAuth and clientAuth; issued by {_ca_name(ca)}",
        )


class GuiCertificate(_HostQuestion):
    NOTEBOOK, NUMBER, TITLE = "03", 2, "a desktop certificate"
    PROMPT = (
        f"An agent desktop on `{GUI_HOST}` (CN `{GUI_CN}`) connects to Genesys servers with TLS and "
        "never accepts connections. Issue its certificate from the CA in `work` so that it cannot be "
        "used to pose as a server.\n\n"
        "Check what `issue()` returned: `q2.check(issued)`."
    )
    HINT = (
        "The guide has two kinds of host certificate. The one for GUI applications has a different "
        "extended key usage; issue() chooses it with profile= (create_cert.sh: -profile)."
    )
    SOLUTION = f'''\
from genesys_lab import load_ca

answer = load_ca(work).issue("{GUI_HOST}", "{GUI_CN}", profile="gui")
# The same command: create_cert.sh -host {GUI_HOST} -CN {GUI_CN} -profile gui
'''

    def _check(self, answer, **options) -> Outcome:
        info, ca = _certificate(self, answer)
        problems = _san_problems(info, GUI_HOST, GUI_CN)
        eku = info.extended_key_usage
        if "serverAuth" in eku:
            problems.append(
                "the extended key usage includes serverAuth, so the certificate could stand for a server "
                "(the guide requires clientAuth; the lab recommends clientAuth only): "
                "issue it with profile='gui' (-profile gui)"
            )
        if "clientAuth" not in eku:
            problems.append(
                "the extended key usage lacks clientAuth, so the desktop cannot present it when it connects: "
                "issue it with profile='gui' (-profile gui)"
            )
        return verdict(problems, f"serial {info.serial}: EKU {', '.join(eku)} only, for {GUI_HOST}; issued by {_ca_name(ca)}")


def _ca_name(ca) -> str:
    from genesys_lab.x509.describe import describe

    return describe(ca.paths.cert).common_name or "the CA"


def questions(workdir, **params) -> tuple[Question, ...]:
    return (ServerCertificate(workdir, **params), GuiCertificate(workdir, **params))
