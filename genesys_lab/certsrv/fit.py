"""Which Genesys role a certificate template fits (``genesys-lab lint --template NAME``).

The guide's recommended properties: a Genesys server application is a TLS
server and a TLS client of other servers, so its certificate needs
serverAuth and clientAuth; a GUI application only connects out and needs
clientAuth. It also warns that templates must be configured for server and
GUI applications, and that the certificate and key are exported when they
are made on another computer than the Genesys host (so the key must be
exportable), and asks for the host's FQDN in the request (so the subject
must come from the request, not from the requesting machine's directory
entry). Key sizes under 2048 bits are below the guide's recommendation.
"""

from __future__ import annotations

from dataclasses import dataclass

from genesys_lab.certsrv.templates import SubjectSource, Template


@dataclass(frozen=True)
class TemplateFinding:
    severity: str  # "error", "warning", "info"
    message: str


@dataclass(frozen=True)
class TemplateFit:
    template: Template
    roles: tuple[str, ...]  # "server", "gui"
    findings: tuple[TemplateFinding, ...]

    @property
    def verdict(self) -> str:
        if "server" in self.roles:
            return f"{self.template.name} fits Genesys server applications (and GUI applications)"
        if "gui" in self.roles:
            return f"{self.template.name} fits Genesys GUI applications only, not servers"
        return f"{self.template.name} fits no Genesys role"


def template_fit(template: Template) -> TemplateFit:
    ekus = set(template.ekus)
    roles = []
    findings = []
    if {"serverAuth", "clientAuth"} <= ekus:
        roles += ["server", "gui"]
    elif "clientAuth" in ekus:
        roles.append("gui")
        findings.append(
            TemplateFinding("error", "no serverAuth: a Genesys server with this certificate cannot accept TLS connections")
        )
    elif "serverAuth" in ekus:
        findings.append(
            TemplateFinding(
                "error",
                "serverAuth without clientAuth: a Genesys server also connects to other servers as a TLS client, "
                "and mutual TLS refuses a client certificate without clientAuth",
            )
        )
    else:
        findings.append(TemplateFinding("error", "neither serverAuth nor clientAuth: no TLS use at all"))
    if template.subject is SubjectSource.DIRECTORY:
        findings.append(
            TemplateFinding(
                "warning",
                "the subject is built from the requesting machine's directory entry: the certificate names the machine "
                "that asked, not the Genesys host you type; use a template with 'Supply in the request'",
            )
        )
    if not template.exportable:
        findings.append(
            TemplateFinding(
                "warning",
                "the private key cannot be exported: a certificate requested on another computer cannot be moved to the Genesys host",
            )
        )
    if template.min_key_size < 2048:
        findings.append(TemplateFinding("warning", f"minimum key size {template.min_key_size} is below the guide's 2048 bits"))
    if template.manager_approval:
        findings.append(TemplateFinding("info", "requests wait as pending until a CA manager issues them"))
    return TemplateFit(template, tuple(roles), tuple(findings))
