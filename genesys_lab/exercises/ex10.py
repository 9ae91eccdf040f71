"""Exercises of 10_configuring_genesys_tls: name the option genesys-check asks for; fix a failing handshake.

Both are judged by the lab's own core: the first by what ``check_site``
reports for the prepared site file (so question and validator cannot
disagree), the second by running the real handshake of the changed site
(``what_if``) and by the port still demanding client certificates.
"""

from __future__ import annotations

from pathlib import Path

from genesys_lab.exercises.core import Outcome, Question, Wrong

SITE_Q1, SITE_Q2 = "site_q1.toml", "site_q2.toml"
CONN = "psdkapp -> confserv:secure"

_Q1 = """\
[hosts."sip01.lab.example.com"]
os = "unix"
options = {{ trusted-ca = "ex10/ca_conf/ca_cert.pem" }}

[applications.sipserver]
kind = "server"
host = "sip01.lab.example.com"
options = {{ certificate = "{cert}", certficate-key = "{key}" }}

[applications.sipserver.ports.tls]
number = 5061
options = {{ tls = "1" }}
"""

_Q2 = """\
[hosts."cfg01.lab.example.com"]
os = "unix"
options = {{ trusted-ca = "ex10/ca_conf/ca_cert.pem" }}

[hosts."psdk01.lab.example.com"]
os = "unix"
options = {{ trusted-ca = "ex10/ca_conf/ca_cert.pem" }}

[applications.confserv]
kind = "server"
host = "cfg01.lab.example.com"
options = {{ certificate = "{cfg_cert}", certificate-key = "{cfg_key}" }}

[applications.confserv.ports.secure]
number = 2021
options = {{ tls = "1", tls-mutual = "1", sec-protocol = "TLSv13" }}

[applications.psdkapp]
kind = "java"
host = "psdk01.lab.example.com"
options = {{ certificate = "{psdk_cert}", certificate-key = "{psdk_key}" }}

[[connections]]
client = "psdkapp"
server = "confserv"
port = "secure"
options = {{ sec-protocol = "TLSv12" }}
"""


LAB = "ex10"  # the exercises' own small CA inside work: independent of what the notebook made
_HOSTS = {"cfg01": "cfg01.lab.example.com", "sip01": "sip01.lab.example.com", "psdk01": "psdk01.lab.example.com"}


def _files(workdir: Path, cn: str) -> tuple[str, str]:
    """(certificate, key) of the exercise CA's certificate for ``cn``, relative to ``work``; issued on first use."""
    from genesys_lab.authority.ca import create_ca, load_ca

    folder = workdir / LAB
    if not (folder / "ca_conf" / "ca_cert.pem").exists():
        folder.mkdir(exist_ok=True)
        create_ca(folder, "Exercise 10 CA")
    ca = load_ca(folder)
    host = _HOSTS[cn]
    record = next((r for r in reversed(ca.records()) if r.host == cn and r.status == "V"), None)
    serial = record.serial if record else ca.issue(host, cn).serial
    base = f"{LAB}/ca_conf/repository/{serial}_{cn}"
    return f"{base}_cert.pem", f"{base}_priv_key.pem"


def _write(path: Path, text: str) -> None:
    from genesys_lab.formats.convert import write_output

    write_output(path, text.encode("utf-8"), secret=False)


class MissingOption(Question):
    NOTEBOOK, NUMBER, TITLE = "10", 1, "the option SIP Server is missing"
    PROMPT = (
        f"`q1.prepare()` writes `{SITE_Q1}` into `work`: SIP Server's secure port on a UNIX host. "
        "`genesys-lab genesys-check` reports errors for it. Which option, spelt as Genesys expects it, "
        'must the application get so that its port works? Answer with the name: `q1.check("...")`.'
    )
    HINT = "Run check_site(load_site(work / 'site_q1.toml')) and read the findings: one is a name Genesys ignores."
    SOLUTION = f'''\
from genesys_lab import check_site, load_site

findings = check_site(load_site(work / "{SITE_Q1}"))
answer = next(f.option for f in findings if f.rule.startswith("no-"))
'''

    def prepare(self) -> Path:
        path = self.workdir / SITE_Q1
        if not path.exists():
            cert, key = _files(self.workdir, "sip01")
            _write(path, _Q1.format(cert=cert, key=key))
        return path

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.genesys.sitefile import load_site
        from genesys_lab.genesys.validate import check_site

        if not isinstance(answer, str):
            raise Wrong(f"answer with an option name as text, such as 'tls', not {type(answer).__name__}")
        findings = check_site(load_site(self.prepare()))
        missing = {f.option for f in findings if f.rule.startswith("no-")}
        misspelt = {f.option for f in findings if f.rule == "unknown-option"}
        if answer.strip() in missing:
            return Outcome(
                True, f"{answer.strip()} is what the port needs; the file spells it {sorted(misspelt)[0]}, which Genesys ignores"
            )
        if answer.strip() in misspelt:
            raise Wrong(f"{answer.strip()} is the name in the file, and Genesys ignores it: give the name as documented")
        raise Wrong(f"genesys-check does not ask for {answer.strip()!r}: read the findings that start with 'no-'")


class FixTheHandshake(Question):
    NOTEBOOK, NUMBER, TITLE = "10", 2, "a Java application that cannot connect"
    PROMPT = (
        f"`q2.prepare()` writes `{SITE_Q2}`: the Java PSDK application connects to Configuration Server's "
        f"mutual-TLS port, and the handshake `{CONN}` fails. Find the option that causes it and answer with "
        "one change, `(object, option, value)` as `with_option` takes it (value `None` removes the option), "
        "that makes the handshake succeed while the port still demands client certificates: "
        '`q2.check(("...", "...", None))`.'
    )
    HINT = (
        "handshake_connection(load_site(work / 'site_q2.toml'), '" + CONN + "').summary() names the option and where it was read."
    )
    SOLUTION = f'''\
from genesys_lab import handshake_connection, load_site

result = handshake_connection(load_site(work / "{SITE_Q2}"), "{CONN}")
answer = (result.cause.object, result.cause.option, None)
'''

    def prepare(self) -> Path:
        path = self.workdir / SITE_Q2
        if not path.exists():
            cfg_cert, cfg_key = _files(self.workdir, "cfg01")
            psdk_cert, psdk_key = _files(self.workdir, "psdk01")
            text = _Q2.format(cfg_cert=cfg_cert, cfg_key=cfg_key, psdk_cert=psdk_cert, psdk_key=psdk_key)
            _write(path, text)
        return path

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.genesys.handshake import what_if
        from genesys_lab.genesys.sitefile import load_site

        if not (isinstance(answer, tuple) and len(answer) == 3 and all(isinstance(a, (str, type(None))) for a in answer)):
            raise Wrong("answer with a tuple (object, option, value), e.g. ('port confserv:secure', 'cipher-list', None)")
        obj, option, value = answer
        if obj is None or option is None:
            raise Wrong("name the object and the option, e.g. ('port confserv:secure', 'cipher-list', None)")
        site = load_site(self.prepare())
        from genesys_lab.genesys.handshake import with_option

        changed = with_option(site, obj, option, value)
        if not changed.port("confserv", "secure").mutual:
            raise Wrong("that switches mutual TLS off: the port must keep tls-mutual=1")
        result = what_if(site, CONN, obj, option, value)
        if not result.ok:
            raise Wrong(f"the handshake still fails: {result.summary()}")
        return Outcome(True, f"{result.result.version} agreed: {result.summary()}")


def questions(workdir, **params) -> tuple:
    return (MissingOption(workdir, **params), FixTheHandshake(workdir, **params))
