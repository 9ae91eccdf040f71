"""deploy, check-install, install-pack, version: installing certificates on hosts and the Security Pack.

Parsing and printing only: the work is done by genesys_lab.install (bundle,
checker, pack, version); passwords come from genesys_lab.formats.passwords.
"""

from __future__ import annotations

import json
import sys

from genesys_lab.cli.ca import add_ca_dir
from genesys_lab.cli.output import table
from genesys_lab.errors import UsageError
from genesys_lab.formats import passwords

PLATFORMS = "unix|java-pem|java-keystore|windows"


def register(sub) -> None:
    p = sub.add_parser("deploy", help="the files one host receives, with modes, a manifest and the install steps")
    p.add_argument("serial", metavar="SERIAL", help="serial of the host's certificate (genesys-lab list)")
    p.add_argument("--platform", required=True, metavar=PLATFORMS)
    p.add_argument("--out", required=True, metavar="DIR", help="a new (or empty) folder for the bundle")
    p.add_argument("--owner", metavar="ACCOUNT", help="user name or uid to own the files (root only)")
    p.add_argument("--group", metavar="GROUP", help="group of the applications' accounts: the key becomes 0640")
    p.add_argument("--storepass", metavar="env:VAR|file:PATH|stdin", help="java-keystore: keystore password (default: ask)")
    p.add_argument("--trustpass", metavar="env:VAR|file:PATH|stdin", help="java-keystore: truststore password (default: ask)")
    p.add_argument("--overwrite", action="store_true", help="write into a folder that already holds files")
    p.add_argument("--json", action="store_true", help="the manifest as JSON")
    add_ca_dir(p)
    p.set_defaults(func=cmd_deploy)

    p = sub.add_parser("check-install", help="check an installed folder as the application's account sees it")
    p.add_argument("directory", metavar="DIR")
    p.add_argument("--platform", required=True, metavar="unix|java-pem|java-keystore")
    p.add_argument("--account", required=True, help="user name or uid the Genesys applications run as")
    p.add_argument("--group", help="group shared by the applications' accounts (and the one a bare uid runs with)")
    p.add_argument("--host", metavar="FQDN", help="the host name the certificate must carry in its SAN")
    p.add_argument("--ca", metavar="CA_CERT", help="CA certificate to verify against (default: DIR/ca_cert.pem)")
    p.add_argument("--storepass", metavar="env:VAR|file:PATH|stdin", help="java-keystore: keystore password (default: ask)")
    p.add_argument("--trustpass", metavar="env:VAR|file:PATH|stdin", help="java-keystore: truststore password (default: ask)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check_install)

    p = sub.add_parser("install-pack", help="install the Security Pack scripts and README.version (as install.sh)")
    p.add_argument("--host", help="host name (asked when not given)")
    p.add_argument("--dir", help="full path of the folder to install in (asked when not given)")
    p.add_argument("--os", help="linux, aix or solaris (default: this machine's)")
    p.add_argument("--account", help="account for the chown -R line")
    p.add_argument("--force", action="store_true", help="install into a folder that is not empty")
    p.set_defaults(func=cmd_install_pack)

    p = sub.add_parser("version", help="the lab's version; --report prints README.version for a support case")
    p.add_argument("--report", action="store_true")
    p.set_defaults(func=cmd_version)


def _password(spec, prompt: str, *, confirm: bool) -> str:
    return passwords.obtain(spec, prompt, confirm=confirm)


def cmd_deploy(args) -> int:
    from genesys_lab.authority.ca import load_ca
    from genesys_lab.install.bundle import Platform, check_target, deploy

    kind = Platform.parse(args.platform)
    ca = load_ca(args.ca_dir)
    check_target(args.out, args.overwrite)
    storepass = trustpass = None
    if kind is Platform.JAVA_KEYSTORE:
        storepass = _password(args.storepass, "Enter keystore password: ", confirm=True)
        trustpass = _password(args.trustpass, "Enter truststore password: ", confirm=True)
    bundle = deploy(
        ca, args.serial, kind, args.out, owner=args.owner, group=args.group, storepass=storepass, trustpass=trustpass, overwrite=args.overwrite
    )
    if args.json:
        print(json.dumps({"directory": str(bundle.directory), "platform": kind.value, "files": bundle.to_rows()}, indent=2))
        return 0
    print(f"wrote the {kind.value} bundle of {bundle.serial} ({bundle.host}) in {bundle.directory}")
    table([[f.name, f.mode_text, f.sha256[:16], f.purpose] for f in bundle.files], ["file", "mode", "sha256", "purpose"])
    if not bundle.keytool_ran:
        print("keytool is not installed here: the steps show the keytool commands to run on the Java host", file=sys.stderr)
    print("\nInstall steps (also in INSTALL.txt):")
    print(bundle.steps_text(), end="")
    return 0


def cmd_check_install(args) -> int:
    from genesys_lab.install.bundle import Platform
    from genesys_lab.install.checker import check_install

    kind = Platform.parse(args.platform)
    storepass = trustpass = None
    if kind is Platform.JAVA_KEYSTORE:
        storepass = _password(args.storepass, "Enter keystore password: ", confirm=False)
        trustpass = _password(args.trustpass, "Enter truststore password: ", confirm=False)
    report = check_install(
        args.directory, kind, args.account, group=args.group, host=args.host, ca=args.ca, storepass=storepass, trustpass=trustpass
    )
    if args.json:
        print(json.dumps({"directory": str(report.directory), "ok": report.ok, "checks": report.to_rows()}, indent=2))
    else:
        table([[r.verdict.value, r.check, r.reason] for r in report.rows], ["verdict", "check", "why"])
        fixes = report.fixes()
        if fixes:
            print("\nTo fix:")
            for fix in fixes:
                print(f"  {fix}")
    return 0 if report.ok else 1


def _ask(value, prompt: str, option: str) -> str:
    """install.sh asks for what it was not given; without a terminal or a line on stdin, say which option to pass."""
    if value:
        return value
    if sys.stdin.isatty():
        sys.stderr.write(prompt)
        sys.stderr.flush()
    line = sys.stdin.readline().strip()
    if not line:
        raise UsageError(f"no {option[2:]} was given: pass {option}, or type it when asked")
    return line


def cmd_install_pack(args) -> int:
    from genesys_lab.install.pack import install_pack

    host = _ask(args.host, "Host name of this computer: ", "--host")
    folder = _ask(args.dir, "Full path of the folder to install the Security Pack in: ", "--dir")
    print(install_pack(host, folder, args.os, account=args.account, force=args.force).summary())
    return 0


def cmd_version(args) -> int:
    from genesys_lab.install.version import version_report

    if args.report:
        print(version_report().text(), end="")
    else:
        from genesys_lab import __version__

        print(f"genesys-lab {__version__}")
    return 0
