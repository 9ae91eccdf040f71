"""The course map: every notebook, what the learner does in it, and its exercises.

One table that notebook 00's map, ``progress()`` and ``genesys-lab progress``
all read, so they cannot disagree on what the course holds. ``exercises`` is
the number of questions ``genesys_lab.exercises.for_notebook(NN, ...)``
returns; a test compares the two (a notebook whose exercises are still being
written says 0 until they exist).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notebook:
    number: str
    name: str  # the file's stem: 03_issue_host_certificates
    does: str  # what the learner does, in one line
    guide: str  # the part of the Security Deployment Guide it follows
    exercises: int = 0

    @property
    def file(self) -> str:
        return f"{self.name}.ipynb"

    def question_ids(self) -> tuple[str, ...]:
        return tuple(f"{self.number}.{i}" for i in range(1, self.exercises + 1))


COURSE: tuple[Notebook, ...] = (
    Notebook("00", "00_welcome", "what the lab is, check the environment, how the notebooks work, this map", ""),
    Notebook(
        "01",
        "01_certificate_anatomy",
        "read the parts of a certificate with the inspector; compare a good one with flawed ones",
        "what a certificate must contain",
    ),
    Notebook(
        "02",
        "02_create_the_ca",
        "create the CA with create_ca.sh and with the API, then read every file in ca_conf/",
        "generating certificates: the CA",
        2,
    ),
    Notebook(
        "03",
        "03_issue_host_certificates",
        "issue server and GUI certificates (SAN, EKU), with the command and the form; ca.db and serial.num",
        "generating certificates: create_cert.sh",
        2,
    ),
    Notebook(
        "04",
        "04_key_and_file_formats",
        "PKCS#1, PKCS#8 and PKCS#12, convert_priv_key.sh, and which consumer opens which file",
        "converting keys for Java, Windows and UNIX",
        2,
    ),
    Notebook(
        "05",
        "05_revocation_and_crls",
        "revoke certificates, publish and read a CRL, serve it at its distribution point, the dashboard",
        "certificate revocation lists",
        2,
    ),
    Notebook(
        "06",
        "06_verification_and_tls",
        "verify certificates check by check, lint them, run real TLS handshakes that pass and fail",
        "what a TLS connection checks",
        2,
    ),
    Notebook(
        "07",
        "07_installing_on_windows",
        "import the .pfx files into (simulated) Windows certificate stores with MMC's wizards; thumbprints, mistakes, export",
        "installing certificates on Windows",
        3,
    ),
    Notebook(
        "08",
        "08_windows_certificate_services",
        "request, approve and install certificates through (simulated) Certificate Services web enrollment",
        "Windows Certificate Services",
        2,
    ),
    Notebook(
        "09",
        "09_installing_on_unix_and_java",
        "install certificates and keys on UNIX hosts and for Java applications, check the result, Java handshakes",
        "installing certificates on UNIX and for Java",
        3,
    ),
    Notebook(
        "10",
        "10_configuring_genesys_tls",
        "generate and validate the Genesys TLS options of a site, then run handshakes driven by them",
        "configuring TLS in Genesys",
        2,
    ),
    Notebook(
        "11",
        "11_site_procedure",
        "turn a site's inventory into certificates, bundles, options, a rotation plan and a runbook",
        "the whole chapter, as one procedure",
    ),
    Notebook(
        "12",
        "12_capstone",
        "a small site carried out alone and graded part by part",
        "the whole chapter",
        1,
    ),
)

BY_NUMBER = {nb.number: nb for nb in COURSE}


def notebook(number: str) -> Notebook:
    """The catalogue entry of notebook ``NN`` (``"03"``, ``"3"`` or ``"03_issue_host_certificates"``)."""
    from genesys_lab.errors import UsageError

    text = str(number).strip()
    key = text.split("_", 1)[0].zfill(2) if text[:1].isdigit() else text
    if key not in BY_NUMBER:
        raise UsageError(f"there is no notebook {number!r}: use a number from 00 to {COURSE[-1].number}")
    return BY_NUMBER[key]
