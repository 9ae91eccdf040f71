"""Exercises of 08_windows_certificate_services: the template for a Genesys server; a GUI certificate through the pages.

Both are judged by the lab's own core: the first by ``template_fit`` (the
guide's role rules) and the template's own attributes, the second by the
request database, ``describe`` and ``verify`` on the certificate the CA in
``work`` issued.
"""

from __future__ import annotations

from pathlib import Path

from genesys_lab.exercises.core import Outcome, Question, Wrong, issued_by, verdict

GUI_HOST = "desk07.lab.example.com"
BROWSER_FQDN = "desk01.lab.example.com"


class ServerTemplate(Question):
    NOTEBOOK, NUMBER, TITLE = "08", 1, "the template for a Genesys server"
    PROMPT = (
        "Config Server on `cfg01.lab.example.com` needs a certificate from the Windows CA, requested on an "
        "administrator's desktop and then moved to the Genesys host. Which template of the CA in `work` "
        "fits, without waiting for a CA manager?\n\n"
        'Answer with the template\'s name: `q1.check("...")`.'
    )
    HINT = (
        "A Genesys server is a TLS server and a TLS client of other servers; the certificate names the host you "
        "type, not the desktop; and the key has to leave the desktop. template_fit(t) and the template's "
        "subject, exportable and manager_approval attributes tell you each."
    )
    SOLUTION = """\
from genesys_lab import all_templates, template_fit

answer = next(
    t.name
    for t in all_templates(work).values()
    if "server" in template_fit(t).roles and t.exportable and t.subject.value == "request" and not t.manager_approval
)
"""

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.certsrv.fit import template_fit
        from genesys_lab.certsrv.templates import SubjectSource, get_template

        if not isinstance(answer, str):
            raise Wrong(f"answer with a template's name as text, such as 'WebServer', not a {type(answer).__name__}")
        template = get_template(answer, self.workdir if (self.workdir / "ca_conf").is_dir() else None)
        fit = template_fit(template)
        problems = []
        if "server" not in fit.roles:
            problems.append(f"{fit.verdict}: " + "; ".join(f.message for f in fit.findings if f.severity == "error"))
        if template.subject is SubjectSource.DIRECTORY:
            problems.append(f"{template.name} writes the requesting desktop's name into the certificate, not cfg01's")
        if not template.exportable:
            problems.append(f"{template.name} does not let the private key be exported, so it cannot be moved to cfg01")
        if template.manager_approval:
            problems.append(f"{template.name} needs CA certificate manager approval: the request would wait as pending")
        return verdict(
            problems, f"{template.name}: serverAuth and clientAuth, subject from the request, exportable key, issued at once"
        )


class GuiThroughThePages(Question):
    NOTEBOOK, NUMBER, TITLE = "08", 2, "a GUI certificate through the pages"
    PROMPT = (
        f"Workspace Desktop on `{GUI_HOST}` needs a certificate. Request it through the web enrollment pages "
        f"of the CA in `work` (the browser's machine is `work / 'desk01'`, FQDN `{BROWSER_FQDN}`) with a "
        "template that fits a GUI application and puts the host's name in the SAN.\n\n"
        "Answer with the Request Id the CA gave: `q2.check(3)`."
    )
    HINT = (
        "EnrollmentSite(work, work / 'desk01', fqdn=...) is the site; SiteClient(site).request_certificate(template, "
        "name) walks Welcome > Request a Certificate > Advanced > the form > Submit and returns the result page; "
        "page.field('request-id') is the id. A GUI application only connects out."
    )
    SOLUTION = f"""\
from genesys_lab import EnrollmentSite, SiteClient

site = EnrollmentSite(work, work / "desk01", fqdn="{BROWSER_FQDN}")
page = SiteClient(site).request_certificate("GenesysGUI", "{GUI_HOST}")
answer = int(page.field("request-id"))
"""

    def prepare(self) -> Path:
        """The CA the pages enroll with, when the notebook above has not made one."""
        from genesys_lab.exercises.core import ensure_ca

        return ensure_ca(self.workdir).paths.root

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.authority.ca import load_ca
        from genesys_lab.certsrv import enroll
        from genesys_lab.x509.describe import describe

        if isinstance(answer, bool) or not isinstance(answer, (int, str)):
            raise Wrong(f"answer with the Request Id, a number such as 3, not a {type(answer).__name__}")
        ca = load_ca(self.workdir)
        record = enroll.find(ca, answer)
        if record.status.value != "issued":
            raise Wrong(f"request {record.id} is {record.status.value}: use a template that needs no approval, or have it issued")
        cert = enroll.certificate_of(ca, record)
        problem = issued_by(cert, ca)
        if problem:
            raise Wrong(problem)
        info = describe(cert)
        problems = []
        if "clientAuth" not in info.extended_key_usage:
            problems.append(
                f"template {record.template} gives {', '.join(info.extended_key_usage) or 'no EKU'}: a GUI application needs clientAuth"
            )
        if "serverAuth" in info.extended_key_usage:
            problems.append(f"template {record.template} also gives serverAuth: a GUI certificate carries clientAuth only")
        if GUI_HOST not in info.san_dns:
            problems.append(f"the SAN holds {', '.join(info.san_dns) or 'nothing'}, not {GUI_HOST}: type it as the Name")
        return verdict(problems, f"request {record.id}: certificate {record.serial} for {GUI_HOST} with clientAuth only")


def questions(workdir, **params) -> tuple[Question, ...]:
    return (ServerTemplate(workdir, **params), GuiThroughThePages(workdir, **params))
