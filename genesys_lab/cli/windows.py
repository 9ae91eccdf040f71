"""``genesys-lab windows ...``: the simulated Windows machine (genesys_lab.windows) from the command line.

Each command prints what a site would run on real Windows (PowerShell and
certutil). Passwords come from genesys_lab.formats.passwords (prompt,
standard input, env:VAR, file:PATH); never from the command line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from genesys_lab.cli import output
from genesys_lab.formats import passwords


def register(sub) -> None:
    group = sub.add_parser("windows", help="a simulated Windows machine: certificate stores, MMC's wizards, check")
    cmds = group.add_subparsers(dest="windows_command", metavar="COMMAND")
    cmds.required = True

    p = cmds.add_parser("new-machine", help="create a simulated Windows computer in a new folder")
    p.add_argument("folder", type=Path)
    p.add_argument("--name", required=True, help="computer name (1-15 letters, digits, hyphens), e.g. WS01")
    p.add_argument(
        "--version", default="2019", choices=["2016", "2019", "2022", "10", "11"], help="Windows version (default 2019)"
    )
    p.add_argument("--user", default="labuser", help="the interactive user whose CurrentUser stores the machine has")
    p.set_defaults(func=cmd_new_machine)

    p = cmds.add_parser("import", help="the Certificate Import Wizard: .pfx/.p12, .cer/.crt, .p7b")
    p.add_argument("file", type=Path)
    _machine(p)
    p.add_argument(
        "--store", required=True, help="LocalMachine\\My, LocalMachine\\Root, CurrentUser\\My, ... (with --auto: the location)"
    )
    p.add_argument("--auto", action="store_true", help="automatically select the store based on the type of certificate")
    p.add_argument("--exportable", action="store_true", help="mark the private key as exportable")
    pw = p.add_mutually_exclusive_group()
    pw.add_argument("--passin", metavar="SPEC", help="the .pfx password: env:VAR, file:PATH or stdin (default: prompt)")
    pw.add_argument("--no-password", action="store_true", help="the .pfx has an empty password (Security Pack files)")
    p.add_argument("--yes", action="store_true", help="confirm the security warning of a Trusted Root import")
    p.set_defaults(func=cmd_import)

    p = cmds.add_parser("list", help="the snap-in's list pane for the stores")
    _machine(p)
    p.add_argument("--store", help="one store (default: all six)")
    p.set_defaults(func=cmd_list)

    p = cmds.add_parser("show", help="the Certificate dialog: General, Details, Certification Path")
    p.add_argument("thumbprint")
    _machine(p)
    p.add_argument("--store", help="the store, when the certificate is in several")
    p.add_argument("--crl", type=Path, help="a CRL the machine knows, so a revoked certificate shows as revoked")
    p.set_defaults(func=cmd_show)

    p = cmds.add_parser("export", help="the Certificate Export Wizard")
    p.add_argument("thumbprint")
    _machine(p)
    p.add_argument("--store", help="the store, when the certificate is in several")
    p.add_argument("--out", required=True, type=Path, help="the file to write (.pfx with --with-key, else .cer)")
    p.add_argument("--with-key", action="store_true", help="Yes, export the private key (PKCS #12)")
    p.add_argument("--passout", metavar="SPEC", help="the .pfx password: env:VAR, file:PATH or stdin (default: prompt)")
    p.add_argument(
        "--encryption",
        choices=["tripledes", "aes256"],
        help="TripleDES-SHA1 or AES256-SHA256 (default: the newest the version offers)",
    )
    p.add_argument("--chain", action="store_true", help="include all certificates in the certification path if possible")
    p.add_argument("--extended-properties", action="store_true", help="export all extended properties (the friendly name)")
    p.add_argument("--delete-key", action="store_true", help="delete the private key if the export is successful")
    p.add_argument("--base64", action="store_true", help="certificate only: Base-64 encoded X.509 instead of DER")
    p.add_argument("--overwrite", action="store_true", help="replace the output file if it exists")
    p.set_defaults(func=cmd_export)

    p = cmds.add_parser("grant-key", help="Manage Private Keys: let an account read a certificate's key")
    p.add_argument("thumbprint")
    _machine(p)
    p.add_argument("--store", help="the store, when the certificate is in several")
    p.add_argument("--account", required=True, help="e.g. 'NT AUTHORITY\\NETWORK SERVICE' or LAB\\svc-genesys")
    p.set_defaults(func=cmd_grant)

    p = cmds.add_parser("check", help="will a Genesys application on this machine find, trust and use its certificate?")
    _machine(p)
    p.add_argument(
        "--app", required=True, choices=["server", "desktop"], help="server (a service, Local Computer) or desktop (a user)"
    )
    p.add_argument("--thumbprint", required=True, help="the thumbprint configured for the application (pasted as is)")
    p.add_argument("--account", help="the account it runs as (server default SYSTEM, desktop default the machine's user)")
    p.add_argument("--cdp-timeout", type=float, default=2.0, help="seconds to try the certificate's CDP (default 2)")
    p.set_defaults(func=cmd_check)


def _machine(p) -> None:
    p.add_argument("--machine", required=True, type=Path, help="the machine folder (genesys-lab windows new-machine)")
    p.add_argument("--remote", action="store_true", help="open it as 'Another computer' (read-only)")


def _load(args):
    from genesys_lab.windows.machine import load_machine

    return load_machine(args.machine, read_only=getattr(args, "remote", False))


def _equivalents(ps, cu) -> None:
    ps = [ps] if isinstance(ps, str) else list(ps)
    cu = [cu] if isinstance(cu, str) else list(cu)
    print("on real Windows:")
    for line in ps:
        print(f"  PowerShell> {line}")
    for line in cu:
        print(f"  cmd> {line}")


def cmd_new_machine(args) -> int:
    from genesys_lab.windows.machine import new_machine

    m = new_machine(args.folder, args.name, args.version, user=args.user)
    print(f"Created {m.name} ({m.version.title}, user {m.user}) in {m.folder}: six empty stores")
    return 0


def cmd_import(args) -> int:
    from genesys_lab.formats.identify import Kind, identify
    from genesys_lab.windows.importing import import_file, plan_import

    machine = _load(args)
    password = ""
    if identify(args.file).kind is Kind.PKCS12 and not args.no_password:
        password = passwords.obtain(args.passin, f"Password for {args.file.name} (Enter for none): ")
    plan = plan_import(machine, args.file, args.store, automatic=args.auto, password=password, exportable=args.exportable)
    confirm = args.yes or (plan.root_warnings and _ask_root(plan))
    result = import_file(
        machine, args.file, args.store, automatic=args.auto, password=password, exportable=args.exportable, confirm=bool(confirm)
    )
    for p in result.plan.placements:
        state = "already there" if p.already_present else "added"
        key = (
            ", with its private key" + (" (exportable)" if result.plan.exportable else " (not exportable)")
            if p.has_private_key
            else ""
        )
        print(f"{p.store}: {p.subject} {p.thumbprint} {state}{key}")
    for note in result.plan.notes:
        print(f"note: {note}")
    print(result.message)
    _equivalents(result.plan.powershell, result.plan.certutil)
    return 0


def _ask_root(plan) -> bool:
    """On a terminal, show the warning and ask; otherwise the import refuses and says to use --yes."""
    if not sys.stdin.isatty():
        return False
    for warning in plan.root_warnings:
        print(warning.text)
    return input("Do you want to install this certificate? [y/N] ").strip().lower() in ("y", "yes")


def cmd_list(args) -> int:
    from genesys_lab.windows.stores import parse_store
    from genesys_lab.windows.view import list_rows

    machine = _load(args)
    rows = list_rows(machine, args.store)
    title = f"{machine.name} ({machine.version.title})" + (" as another computer, read-only" if machine.read_only else "")
    print(f"{title}: {len(rows)} certificate(s)")
    table = [
        [
            r.store,
            r.issued_to,
            r.issued_by,
            r.expiration,
            r.purposes,
            r.friendly_name,
            "yes" if r.has_private_key else "",
            r.thumbprint,
        ]
        for r in rows
    ]
    if table:
        output.table(
            table,
            ["Store", "Issued To", "Issued By", "Expiration Date", "Intended Purposes", "Friendly Name", "Key", "Thumbprint"],
        )
    from genesys_lab.windows import commands

    stores = (
        [parse_store(args.store)]
        if args.store
        else sorted({parse_store(r.store) for r in rows}, key=str) or [parse_store("LocalMachine\\My")]
    )
    pairs = [commands.list_store(s) for s in stores]
    _equivalents([p[0] for p in pairs], [p[1] for p in pairs])
    return 0


def cmd_show(args) -> int:
    from genesys_lab.windows import commands
    from genesys_lab.windows.view import view

    machine = _load(args)
    entry = machine.find(args.thumbprint, store=args.store)
    dialog = view(machine, entry, crl=args.crl)
    print(f"Certificate {entry.thumbprint} in {entry.store} on {machine.name}")
    print("\n[General]")
    for name, value in dialog.general:
        print(f"  {name}: {value}")
    print("\n[Details]")
    for name, value in dialog.details:
        print(f"  {name}: {value}")
    print("\n[Certification Path]")
    for depth, element in enumerate(reversed(dialog.path.elements)):
        print(f"  {'  ' * depth}{element.subject}  ({element.store})")
    flag = f" [{dialog.path.status.flag}]" if dialog.path.status.flag else ""
    print(f"  Certificate status: {dialog.path.status.label}{flag}: {dialog.path.text}")
    if dialog.path.fix:
        print(f"  fix: {dialog.path.fix}")
    _equivalents(*commands.show(entry.store_name, entry.thumbprint))
    return 0


def cmd_export(args) -> int:
    from genesys_lab.windows.exporting import export, export_options

    machine = _load(args)
    entry = machine.find(args.thumbprint, store=args.store)
    password = None
    if args.with_key:
        options = export_options(machine, entry)
        if options.can_export_key:  # refusals come from export() itself, before any prompt
            password = passwords.obtain(args.passout, f"Password for {args.out.name}: ", confirm=True)
    result = export(
        machine,
        entry,
        args.out,
        with_key=args.with_key,
        password=password,
        include_chain=args.chain,
        extended_properties=args.extended_properties,
        delete_key=args.delete_key,
        encryption=args.encryption,
        base64=args.base64,
        overwrite=args.overwrite,
    )
    extra = f", {result.encryption}" if result.encryption else ""
    print(f"Exported {entry.thumbprint} as {result.format} ({result.certificates} certificate(s){extra}) to {result.path}")
    if result.key_deleted:
        print(f"The private key was deleted from {entry.store} on {machine.name}.")
    print("The export was successful.")
    _equivalents(result.powershell, result.certutil)
    return 0


def cmd_grant(args) -> int:
    from genesys_lab.windows import commands

    machine = _load(args)
    entry = machine.find(args.thumbprint, store=args.store)
    updated = machine.grant_key_access(entry, args.account)
    print(f"{args.account} may now read the key of {entry.thumbprint} (readers: {', '.join(updated.key_readers)})")
    _equivalents(commands.grant_key_read(entry.store_name, entry.thumbprint, args.account), [])
    return 0


def cmd_check(args) -> int:
    from genesys_lab.windows.check import check_application

    machine = _load(args)
    report = check_application(machine, args.app, args.thumbprint, account=args.account, cdp_timeout=args.cdp_timeout)
    print(f"{args.app} application on {machine.name}, running as {report.account}, thumbprint {report.thumbprint}")
    output.table([[c.name, c.status.value.upper(), c.reason] for c in report.checks], ["check", "status", "reason"])
    todo = [c for c in report.checks if c.fix and c.status.value in ("fail", "warn")]
    if todo:
        print("\nwhat to do:")
        for c in todo:
            print(f"  {c.name}: {c.fix}")
            if c.powershell:
                print(f"    PowerShell> {c.powershell}")
            if c.certutil:
                print(f"    cmd> {c.certutil}")
    print(
        "\nverdict: "
        + ("the application will find, trust and use its certificate" if report.ok else "it will NOT work as configured")
    )
    return 0 if report.ok else 1
