"""Installing the lab's Security Pack into a folder, as the guide's ``sh install.sh`` does.

``install.sh`` (guide, "Installing Genesys Security Pack") asks for the host
name and the full path of the folder, puts the libraries, ``create_ca.sh``
and ``create_cert.sh`` there with a ``README.version`` file, and says it
succeeded; then the library path variable is set for the OS (AIX
``LIBPATH``, Linux ``LD_LIBRARY_PATH``, Solaris ``LD_LIBRARY_PATH`` and/or
``LD_LIBRARY_PATH_64``) and ``chown -R`` gives the folder to the
applications' account.

The lab's pack installs the three scripts (``convert_priv_key.sh`` too) as
small shell files that run this Python with this copy of genesys_lab, so
they work from that folder with a clean PATH. It has no shared libraries
of its own (it uses the OpenSSL that Python and cryptography are linked
with, recorded in README.version), so the library path line is printed
for practice and changes nothing for the lab.

The note on LCA is not in the guide's chapter: it follows from how UNIX
passes environment variables, from a parent process to the children it
starts (execve(2)): an application started by LCA gets LCA's environment,
so LCA must be restarted after the variable is set for it to take effect.
"""

from __future__ import annotations

import enum
import os
import platform as _platform
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.errors import GenesysLabError, UsageError
from genesys_lab.x509.profiles import parse_choice

SCRIPTS = {
    "create_ca.sh": "create_ca_main",
    "create_cert.sh": "create_cert_main",
    "convert_priv_key.sh": "convert_priv_key_main",
}
README = "README.version"
SCRIPT_MODE, README_MODE, FOLDER_MODE = 0o755, 0o644, 0o755


class UnixOS(enum.Enum):
    LINUX = "linux"
    AIX = "aix"
    SOLARIS = "solaris"

    @classmethod
    def parse(cls, value) -> UnixOS:
        return parse_choice(cls, value, words="is not an OS the Security Pack installs on: use linux, aix or solaris")

    @classmethod
    def detect(cls) -> UnixOS:
        """platform.system() is "Linux", "AIX" or "SunOS" (Solaris); anything else counts as Linux for practice."""
        return {"AIX": cls.AIX, "SunOS": cls.SOLARIS}.get(_platform.system(), cls.LINUX)


def library_path_lines(os_name, folder) -> tuple[str, ...]:
    """The guide's table, as Bourne shell lines (``VAR=...; export VAR`` works in every /bin/sh)."""
    kind = UnixOS.parse(os_name)
    path = shlex.quote(str(folder))
    names = {
        UnixOS.LINUX: ["LD_LIBRARY_PATH"],
        UnixOS.AIX: ["LIBPATH"],
        UnixOS.SOLARIS: ["LD_LIBRARY_PATH", "LD_LIBRARY_PATH_64"],
    }[kind]
    return tuple(f"{name}={path}${{{name}:+:${name}}}; export {name}" for name in names)


def chown_line(folder, account: str | None = None) -> str:
    """The guide's ``chown <account name> -R <path>``, in POSIX order (``-R`` first).

    The guide puts ``-R`` after the account, which only GNU chown accepts (it permutes options);
    AIX's and Solaris's chown, which this command also serves, read it as a file name. The account
    is quoted, so nothing typed as an account can become a second command.
    """
    who = shlex.quote(account) if account else "<account name>"
    return f"sudo chown -R {who} {shlex.quote(str(folder))}"


LCA_NOTE = (
    "If the applications are started by LCA, restart LCA after setting the variable: "
    "a process passes its environment to the processes it starts, so they only see it through a restarted LCA."
)


@dataclass(frozen=True)
class PackInstall:
    folder: Path
    host: str
    os: UnixOS
    scripts: tuple[Path, ...]
    readme: Path
    library_path: tuple[str, ...]
    chown: str
    lca_note: str = LCA_NOTE

    def summary(self) -> str:
        lines = [f"The Security Pack for {self.host} was installed successfully in {self.folder}:"]
        lines += [f"  {p.name}" for p in (*self.scripts, self.readme)]
        lines += ["", f"Set the library path ({self.os.value}):", *[f"  {line}" for line in self.library_path]]
        lines += ["", "Give the folder to the account the Genesys applications run as:", f"  {self.chown}", "", self.lca_note]
        return "\n".join(lines)


def script_text(entry: str, prog: str) -> str:
    """A POSIX sh wrapper: absolute interpreter, this package's folder first on sys.path, the guide's program name."""
    package_root = str(Path(__file__).resolve().parents[2])
    code = f"import sys; sys.path.insert(0, {package_root!r}); from genesys_lab.cli.scripts import {entry}; sys.exit({entry}())"
    return f'#!/bin/sh\n# {prog}: genesys_lab Security Pack script (same options as the guide shows)\nexec {shlex.quote(sys.executable)} -c {shlex.quote(code)} "$@"\n'


def install_pack(host: str, folder, os_name=None, *, account: str | None = None, force: bool = False) -> PackInstall:
    """Install the scripts and README.version into ``folder``; refuse a non-empty folder unless ``force``."""
    from genesys_lab.authority import store
    from genesys_lab.install.version import version_report
    from genesys_lab.x509.names import validate_hostname

    name = validate_hostname(str(host).strip(), option="--host")
    kind = UnixOS.parse(os_name) if os_name is not None else UnixOS.detect()
    target = Path(folder).expanduser()
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} is a file, not a folder: give the folder to install the Security Pack in")
    if not target.parent.is_dir():
        raise UsageError(f"folder {target.parent} does not exist: create it first (mkdir -p {target.parent})")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise UsageError(f"{target} is not empty: install into a new or empty folder, or ask to install over it (--force)")
    target = target.resolve()
    report = version_report()
    readme = f"Installed for host {name} ({kind.value}) in {target}\n\n" + report.text()
    files = [(target / prog, script_text(entry, prog).encode(), SCRIPT_MODE) for prog, entry in SCRIPTS.items()]
    files.append((target / README, readme.encode(), README_MODE))
    made = not target.exists()
    try:
        if made:
            os.mkdir(target, FOLDER_MODE)
            os.chmod(target, FOLDER_MODE)
        with store.transaction() as tx:
            for path, data, mode in files:
                if path.exists():
                    tx.replace(path, data, mode)
                else:
                    tx.create(path, data, mode)  # the transaction gives the exact mode whatever the umask
    except OSError as exc:
        if made:
            import shutil

            shutil.rmtree(target, ignore_errors=True)
        raise GenesysLabError(f"could not install in {target}: {exc.strerror or exc}; nothing was left there") from None
    return PackInstall(
        target,
        name,
        kind,
        tuple(p for p, _, _ in files[:-1]),
        target / README,
        library_path_lines(kind, target),
        chown_line(target, account),
    )
