"""Exercises of 09_installing_on_unix_and_java: a Java PEM bundle, repairing a careless install, the AIX library variable.

Every answer is judged by the lab's own core: the bundle and the repaired
folder by ``check_install`` (as the current account, the one the notebook
runs as), the variable by ``pack.library_path_lines``, the guide's table.
"""

from __future__ import annotations

import os
from pathlib import Path

from genesys_lab.exercises.core import Outcome, Question, Wrong

APP_HOST, APP_CN = "psdk01.lab.example.com", "psdk01"
BUNDLE_DIR, CARELESS_DIR = "q1_java_pem", "q2_careless"


def _account() -> str:
    return str(os.geteuid())


def _app_serial(workdir: Path) -> str:
    """The serial of psdk01's certificate in the CA of ``work``, issued once if the notebook has not yet."""
    from genesys_lab.exercises.core import ensure_ca

    ca = ensure_ca(workdir)  # the notebook's CA, or a small one when its cells were not run
    for record in ca.records():
        if record.status == "V" and record.host == APP_CN and record.days_left > 0:
            return record.serial
    return ca.issue(APP_HOST, APP_CN).serial


def _report_problems(report) -> list[str]:
    return [f"{row.check}: {row.reason}" + (f" (fix: {row.fix})" if row.fix else "") for row in report.failures]


class JavaPemBundle(Question):
    NOTEBOOK, NUMBER, TITLE = "09", 1, "a bundle for a Java application that reads files"
    OUTPUTS = (BUNDLE_DIR,)  # what an answer makes: reset() removes it
    PROMPT = (
        f"The PSDK application on `{APP_HOST}` reads its certificate from files. Make its bundle from the CA in "
        f'`work` into the folder `work / "{BUNDLE_DIR}"`, with the key in the form Java reads, named as the guide '
        "names it.\n\nCheck the folder (or what `deploy` returned): `q1.check(answer)`."
    )
    HINT = (
        "deploy(ca, serial, platform, out) writes a bundle; the guide's Java section wants the key converted to "
        "PKCS#8 as <serial>_<host>_priv_key_NEW.pem. Which platform is that? q1.serial() is psdk01's serial."
    )
    SOLUTION = f'''\
from genesys_lab import deploy, load_ca

ca = load_ca(work)
serial = next(r.serial for r in ca.records() if r.host == "{APP_CN}" and r.status == "V")
answer = deploy(ca, serial, "java-pem", work / "{BUNDLE_DIR}")
'''

    def prepare(self) -> None:
        _app_serial(self.workdir)  # psdk01's certificate exists once the question is asked

    def serial(self) -> str:
        return _app_serial(self.workdir)

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.install.bundle import Bundle
        from genesys_lab.install.checker import check_install

        folder = answer.directory if isinstance(answer, Bundle) else answer
        if not isinstance(folder, (str, Path)) or not Path(folder).is_dir():
            raise Wrong(f"expected the bundle's folder (or what deploy returned), got {folder!r}")
        folder = Path(folder)
        serial = self.serial()
        key = folder / f"{serial}_{APP_CN}_priv_key_NEW.pem"
        if not key.is_file():
            found = sorted(p.name for p in folder.iterdir())
            raise Wrong(
                f"there is no {key.name} in {folder.name} (it holds {', '.join(found) or 'nothing'}): a Java PEM bundle has it"
            )
        report = check_install(folder, "java-pem", _account(), host=APP_HOST)
        if not report.ok:
            return Outcome(False, "; ".join(_report_problems(report)))
        return Outcome(True, f"{key.name} is PKCS#8, matches the certificate, and only its owner reads it: Java can load it")


class RepairCareless(Question):
    NOTEBOOK, NUMBER, TITLE = "09", 2, "repair a careless installation"
    PROMPT = (
        f'`q2.prepare()` copies a UNIX bundle into `work / "{CARELESS_DIR}"` the careless way. Run the checker on it '
        "(platform unix, your own account: `str(os.geteuid())`), apply the fixes it prints, and check again.\n\n"
        "Check the folder: `q2.check(folder)`."
    )
    HINT = "check_install(folder, 'unix', account).fixes() lists the commands; sh(command) runs one in the notebook."
    SOLUTION = f'''\
import os, subprocess
from genesys_lab import check_install

folder = work / "{CARELESS_DIR}"
for fix in check_install(folder, "unix", str(os.geteuid())).fixes():
    subprocess.run(fix, shell=True, check=True)
answer = folder
'''

    def prepare(self) -> Path:
        from genesys_lab.exercises.core import ensure_ca
        from genesys_lab.install.bundle import deploy

        folder = self.workdir / CARELESS_DIR
        if not folder.exists():
            serial = _app_serial(self.workdir)
            deploy(ensure_ca(self.workdir), serial, "unix", folder)
            os.chmod(folder / f"{serial}_{APP_CN}_priv_key.pem", 0o644)  # the careless copy: readable by all
        return folder

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.install.checker import check_install

        folder = Path(answer) if isinstance(answer, (str, Path)) else None
        if folder is None or not folder.is_dir():
            raise Wrong(f"expected the folder work / {CARELESS_DIR!r}, got {answer!r}")
        report = check_install(folder, "unix", _account())
        if not report.ok:
            return Outcome(False, "still failing: " + "; ".join(_report_problems(report)))
        return Outcome(True, "every check passes: the certificates are readable, the key only by its owner")


class AixVariable(Question):
    NOTEBOOK, NUMBER, TITLE = "09", 3, "the library path on AIX"
    PROMPT = (
        "After installing the Security Pack on an AIX host, which environment variable must name the Security Pack "
        'libraries? Answer with its name: `q3.check("...")`.'
    )
    HINT = "The guide has a table with one variable per operating system; install_pack(..., os_name='aix') prints it."
    SOLUTION = """\
from genesys_lab.install.pack import library_path_lines

answer = library_path_lines("aix", "/opt/sp")[0].split("=", 1)[0]
"""

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.install.pack import library_path_lines

        if not isinstance(answer, str):
            raise Wrong(f"answer with the variable's name as text, got {type(answer).__name__}")
        given = answer.strip().lstrip("$")
        wanted = library_path_lines("aix", "/x")[0].split("=", 1)[0]
        if given == wanted:
            return Outcome(True, f"{wanted}: AIX's loader reads LIBPATH (Linux LD_LIBRARY_PATH, Solaris also LD_LIBRARY_PATH_64)")
        for os_name in ("linux", "solaris"):
            if given in [line.split("=", 1)[0] for line in library_path_lines(os_name, "/x")]:
                return Outcome(False, f"{given} is what {os_name.capitalize()} uses; AIX has its own variable")
        return Outcome(False, f"{given!r} is not in the guide's table of library path variables")


def questions(workdir, **params) -> tuple[Question, ...]:
    return (JavaPemBundle(workdir, **params), RepairCareless(workdir, **params), AixVariable(workdir, **params))
