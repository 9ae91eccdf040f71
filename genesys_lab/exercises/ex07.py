"""Exercises of 07_installing_on_windows: a thumbprint as Windows stores it, a server application that
finds its certificate, and a .pfx that a Windows Server 2016 host can import.

Every answer is judged by the simulated machine's own core: ``windows.thumbprints.normalize``,
``windows.check.check_application`` and the import wizard's reading of a .pfx on Windows Server
2016 (``windows.importing.read_import_file``), so the questions and the lab cannot disagree.
The CA is the one in ``work``; ``prepare()`` issues the host certificates and makes the machines.
"""

from __future__ import annotations

from pathlib import Path

from genesys_lab.exercises.core import Outcome, Question, Wrong

WS_FOLDER, WS_HOST, WS_CN = "ex07-ws07", "ws07.lab.example.com", "ws07"
APP_FOLDER, APP_HOST, APP_CN = "ex07-app07", "app07.lab.example.com", "app07"
SERVICE_ACCOUNT = "LAB\\svc-genesys"


def _host_files(workdir: Path, host: str, cn: str):
    """The valid certificate the CA in ``workdir`` issued for ``cn`` (issued now if there is none)."""
    from genesys_lab.exercises.core import ensure_ca

    ca = ensure_ca(workdir)  # the notebook's CA, or a small one when its cells were not run
    for record in ca.records():
        if record.status == "V" and record.host == cn:
            pfx = next(p for p in record.files if p.name.endswith("_cert.pfx"))
            return ca, ca.load_certificate(record.serial), pfx
    issued = ca.issue(host, cn)
    return ca, issued.certificate, issued.pfx_file


def _thumbprint(cert) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding

    from genesys_lab.windows.thumbprints import thumbprint

    return thumbprint(cert.public_bytes(Encoding.DER))


class ConfiguredThumbprint(Question):
    NOTEBOOK, NUMBER, TITLE = "07", 1, "the thumbprint for the application's configuration"
    PROMPT = (
        f"`q1.prepare()` makes the machine `{WS_FOLDER}` in `work` with the certificate of `{WS_HOST}` in "
        "Local Computer > Personal. The application's configuration needs its thumbprint exactly as Windows "
        "stores it (the Details tab's text pasted as is is a classic mistake).\n\n"
        'Answer with the text: `q1.check("...")`.'
    )
    HINT = (
        "load_machine(work / ...) opens the machine; entries('LocalMachine\\\\My') lists Personal, and each "
        "entry has a thumbprint. Or paste the Details tab's value through normalize_thumbprint(...).value."
    )
    SOLUTION = f'''\
from genesys_lab.windows import load_machine

machine = load_machine(work / "{WS_FOLDER}")
answer = next(e for e in machine.entries("LocalMachine\\\\My") if e.has_private_key).thumbprint
'''

    def prepare(self) -> Path:
        return _prepare_ws(self.workdir)

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.windows.thumbprints import normalize

        if not isinstance(answer, str):
            raise Wrong(f"answer with the thumbprint as text (40 hex digits), not a {type(answer).__name__}")
        folder = self.workdir / WS_FOLDER
        if not (folder / "machine.json").is_file():
            raise Wrong(f"there is no machine {WS_FOLDER} in the working folder yet: run q1.prepare() first")
        _, cert, _ = _host_files(self.workdir, WS_HOST, WS_CN)
        found = normalize(answer)
        if found.value != _thumbprint(cert):
            return Outcome(False, f"{found.value} is not the thumbprint of {WS_HOST}'s certificate: look in LocalMachine\\My")
        if found.problems:
            return Outcome(False, "the digits are right, but the text would not be found: " + "; ".join(found.problems))
        return Outcome(True, f"{found.value}: 40 upper-case hex digits, nothing else, as Windows stores it")


class ServerApplication(Question):
    NOTEBOOK, NUMBER, TITLE = "07", 2, "a server application that finds, trusts and uses its certificate"
    PROMPT = (
        f"`q2.prepare()` makes an empty machine `{APP_FOLDER}` in `work` and has the CA issue a certificate "
        f"for `{APP_HOST}`. A Genesys server application runs there as a service under the account "
        f"`{SERVICE_ACCOUNT}`. Install what it needs so that "
        f'`check_application(machine, "server", <thumbprint>, account="{SERVICE_ACCOUNT}")` finds no failure.\n\n'
        "Check the machine: `q2.check(machine)` (the Machine, or its folder)."
    )
    HINT = (
        "Three steps, as the guide and the check say: the CA into LocalMachine\\\\Root (confirm the warning), the "
        "host's .pfx (empty password) into LocalMachine\\\\My, and Manage Private Keys for the service account "
        "(machine.grant_key_access)."
    )
    SOLUTION = f'''\
from genesys_lab import load_ca
from genesys_lab.windows import load_machine
from genesys_lab.windows.importing import import_file

ca = load_ca(work)
machine = load_machine(work / "{APP_FOLDER}")
import_file(machine, ca.paths.pfx, "LocalMachine\\\\Root", confirm=True)
pfx = next(p for r in ca.records() if r.host == "{APP_CN}" for p in r.files if p.name.endswith("_cert.pfx"))
host = next(e for e in import_file(machine, pfx, "LocalMachine\\\\My").entries if e.has_private_key)
machine.grant_key_access(host, {SERVICE_ACCOUNT!r})
answer = machine
'''

    def prepare(self) -> Path:
        from genesys_lab.windows.machine import new_machine

        _host_files(self.workdir, APP_HOST, APP_CN)
        folder = self.workdir / APP_FOLDER
        if not (folder / "machine.json").exists():
            new_machine(folder, APP_CN.upper(), version="2019")
        return folder

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.windows.check import check_application
        from genesys_lab.windows.machine import Machine, load_machine

        if isinstance(answer, Machine):
            machine = answer.reload()
        elif isinstance(answer, (str, Path)):
            machine = load_machine(answer)
        else:
            raise Wrong(f"answer with the Machine (or its folder), not a {type(answer).__name__}")
        _, cert, _ = _host_files(self.workdir, APP_HOST, APP_CN)
        report = check_application(machine, "server", _thumbprint(cert), account=SERVICE_ACCOUNT, cdp_timeout=1.0)
        failed = [c for c in report.checks if c.status.value == "fail"]
        if failed:
            return Outcome(False, "; ".join(f"{c.name}: {c.reason} (fix: {c.fix})" for c in failed[:2]))
        return Outcome(
            True, f"{SERVICE_ACCOUNT} finds {APP_HOST}'s certificate in LocalMachine\\My, reads its key, and trusts its chain"
        )


class PfxForServer2016(Question):
    NOTEBOOK, NUMBER, TITLE = "07", 3, "a .pfx that Windows Server 2016 imports"
    PROMPT = (
        f"The certificate of `{WS_HOST}` must move from the machine `{WS_FOLDER}` (made by `q1.prepare()`) to a "
        "Windows Server 2016 host. Export it with its private key, protected by a password of your choice, so "
        "that Server 2016's import wizard opens it.\n\n"
        'Check the file with its password: `q3.check(path, password="...")`.'
    )
    HINT = (
        "export(machine, entry, path, with_key=True, password=...) writes the .pfx; Windows Server 2016 cannot "
        "read AES256-SHA256, so choose the other encryption the wizard offers."
    )
    SOLUTION = f'''\
from genesys_lab.windows import load_machine
from genesys_lab.windows.exporting import export

machine = load_machine(work / "{WS_FOLDER}")
entry = next(e for e in machine.entries("LocalMachine\\\\My") if e.has_private_key)
options = {{{{"password": "Move-It-2016"}}}}
answer = export(machine, entry, work / "ws07-for-2016.pfx", with_key=True, encryption="tripledes",
                overwrite=True, **options).path
'''

    def prepare(self) -> Path:
        return _prepare_ws(self.workdir)

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.windows.importing import read_import_file
        from genesys_lab.windows.versions import WindowsVersion

        path = getattr(answer, "path", answer)
        if not isinstance(path, (str, Path)) or not Path(path).is_file():
            raise Wrong("answer with the path of the .pfx you exported (what export() returned, or its .path)")
        password = options.get("password")
        if not isinstance(password, str):
            raise Wrong('give the password too: q3.check(path, password="...")')
        found = read_import_file(Path(path), password, windows=WindowsVersion.SERVER_2016)
        _, cert, _ = _host_files(self.workdir, WS_HOST, WS_CN)
        if found.key is None or found.key_certificate != cert:
            return Outcome(
                False, f"the file does not carry {WS_HOST}'s certificate with its private key: export with with_key=True"
            )
        return Outcome(True, f"Windows Server 2016 opens it ({found.encryption.split(',')[0]}) and finds the key of {WS_HOST}")


def _prepare_ws(workdir: Path) -> Path:
    """The machine of questions 1 and 3: ws07's certificate in Personal, its key exportable, the CA trusted."""
    from genesys_lab.windows.machine import Addition, new_machine
    from genesys_lab.x509.keys import load_private_key

    folder = workdir / WS_FOLDER
    if (folder / "machine.json").exists():
        return folder
    ca, cert, pfx = _host_files(workdir, WS_HOST, WS_CN)
    key_file = next(p for p in pfx.parent.glob(f"*_{WS_CN}_priv_key.pem") if p.name.startswith(pfx.name.split("_")[0]))
    key = load_private_key(key_file.read_bytes(), source=str(key_file))
    machine = new_machine(folder, WS_CN.upper(), version="2019")
    machine.add_certificates(
        [
            Addition("LocalMachine\\Root", ca.certificate),
            Addition("LocalMachine\\My", cert, key, exportable=True, friendly_name=WS_HOST),
        ]
    )
    return folder


def questions(workdir, **params) -> tuple[Question, ...]:
    return (ConfiguredThumbprint(workdir, **params), ServerApplication(workdir, **params), PfxForServer2016(workdir, **params))
