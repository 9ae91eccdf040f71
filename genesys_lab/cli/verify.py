"""verify and lint: parse the options, call genesys_lab.checks.verify / genesys_lab.checks.lint, print a table."""

from __future__ import annotations

from pathlib import Path

from genesys_lab.authority.store import looks_like_serial
from genesys_lab.cli import output
from genesys_lab.errors import UsageError


def register(sub) -> None:
    p = sub.add_parser("verify", help="verify a certificate like openssl verify, explaining every check")
    p.add_argument("certificate", help="the certificate file (or a serial such as 02 with --ca-dir)")
    anchor = p.add_mutually_exclusive_group()
    anchor.add_argument("--ca-dir", type=Path, help="trust this CA directory's ca_cert.pem and use its current CRL")
    anchor.add_argument(
        "--ca", action="append", type=Path, help="trust this CA certificate or bundle file (repeat for several CAs; -CAfile)"
    )
    p.add_argument(
        "--untrusted",
        action="append",
        default=[],
        type=Path,
        help="intermediate CA certificates, one file or a bundle (repeat; -untrusted)",
    )
    p.add_argument("--chain", action="append", default=[], type=Path, help="the same as --untrusted")
    p.add_argument(
        "--partial-chain",
        action="store_true",
        help="accept a trusted certificate that is not self-signed as anchor (-partial_chain)",
    )
    p.add_argument("--x509-strict", action="store_true", help="apply RFC 5280's stricter profile checks (-x509_strict)")
    p.add_argument("--verify-depth", type=int, metavar="N", help="allow at most N intermediate CAs (-verify_depth)")
    p.add_argument("--purpose", choices=["server", "client", "gui"], help="check the certificate for this use")
    p.add_argument("--hostname", help="check this host name against the SAN")
    p.add_argument("--ip", help="check this IP address against the SAN")
    p.add_argument("--email", help="check this email address against the SAN or subject (-verify_email)")
    crl = p.add_mutually_exclusive_group()
    crl.add_argument("--crl", type=Path, help="check revocation with this CRL file (PEM or DER)")
    crl.add_argument("--crl-from-cdp", action="store_true", help="fetch the CRL from the certificate's distribution point")
    crl.add_argument("--no-crl", action="store_true", help="do not check revocation, even with --ca-dir")
    p.add_argument("--require-crl", action="store_true", help="fail when no CRL is available (openssl -crl_check)")
    p.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for the CDP (default 5)")
    p.add_argument("--at", help="verify at this time: 2027-03-01, 2027-03-01T12:00 or +120d")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("lint", help="check certificates against the guide's recommended properties")
    p.add_argument(
        "certificates",
        nargs="*",
        metavar="CERT",
        help="certificate files (or serials with --ca-dir); none with --ca-dir = the whole CA",
    )
    p.add_argument("--role", choices=["server", "gui", "ca"], help="the role to lint for (default: guessed from CA flag and EKU)")
    p.add_argument("--host", help="also require this host name or IP in the SAN")
    p.add_argument("--ca-dir", type=Path, help="the CA directory")
    p.add_argument("--include-revoked", action="store_true", help="with a whole CA: lint revoked certificates too")
    p.add_argument("--template", help="lint a Certificate Services template instead: which Genesys role it fits")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_lint)


def _has_ca(directory: Path) -> bool:
    return (directory / "ca_conf" / "ca_cert.pem").is_file()


def _certificate(text: str, ca):
    """A file, or with a CA a serial such as 02 (what the repository's file names show)."""
    path = Path(text)
    if path.exists() or ca is None or not looks_like_serial(text):
        return path
    return ca.load_certificate(text)


def cmd_verify(args) -> int:
    from genesys_lab.authority.ca import load_ca
    from genesys_lab.checks.verify import current_crl, parse_moment, verify

    ca = load_ca(args.ca_dir) if args.ca_dir else None
    if ca is None and args.ca is None and _has_ca(Path(".")):
        ca = load_ca(".")
    crl = args.crl
    if crl is None and ca is not None and not (args.no_crl or args.crl_from_cdp):
        crl = current_crl(ca)
    result = verify(
        _certificate(args.certificate, ca),
        ca=ca or args.ca,
        chain=args.chain,
        untrusted=args.untrusted,
        purpose=args.purpose,
        hostname=args.hostname,
        ip=args.ip,
        email=args.email,
        crl=crl,
        crl_from_cdp=args.crl_from_cdp,
        timeout=args.timeout,
        require_crl=args.require_crl,
        at=parse_moment(args.at) if args.at else None,
        partial_chain=args.partial_chain,
        x509_strict=args.x509_strict,
        verify_depth=args.verify_depth,
    )
    if args.json:
        print(result.to_json())
    else:
        _print_verification(result, crl)
    return 0 if result.valid else 1


def _print_verification(result, crl) -> None:
    print(f"Verifying {result.subject!r} at {result.at:%Y-%m-%d %H:%M} UTC" + (f" with CRL {crl}" if crl else ""))
    output.table([[c.name, c.status.value.upper(), c.reason] for c in result.checks], ["check", "status", "reason"])
    todo = [c for c in result.checks if c.remedy and c.status.value in ("fail", "warn")]
    if todo:
        print("\nwhat to do:")
        for c in todo:
            print(f"  {c.name}: {c.remedy}")
    if result.valid:
        extra = f" ({len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''})" if result.warnings else ""
        print(f"\nverdict: VALID{extra}")
    else:
        print(f"\nverdict: NOT VALID ({', '.join(c.name for c in result.failures)} failed)")


def cmd_lint(args) -> int:
    from genesys_lab.authority.ca import load_ca
    from genesys_lab.checks.lint import guess_role, lint, lint_ca, records_for
    from genesys_lab.checks.verify import label
    from genesys_lab.x509.describe import load_certificate

    if args.template:
        from genesys_lab.certsrv.templates import get_template
        from genesys_lab.cli.certsrv import print_template_fit

        return print_template_fit(get_template(args.template, args.ca_dir))
    ca_dir = args.ca_dir
    if ca_dir is None and not args.certificates:
        if not _has_ca(Path(".")):
            raise UsageError("give certificate files to lint, or --ca-dir DIR to lint a whole CA")
        ca_dir = Path(".")
    ca = load_ca(ca_dir) if ca_dir is not None else None
    if not args.certificates:
        rows = lint_ca(ca, include_revoked=args.include_revoked)
    else:
        rows = []
        for text in args.certificates:
            cert = load_certificate(_certificate(text, ca))
            role = guess_role(cert, args.role)
            rows += records_for(lint(cert, role, host=args.host), serial=text, host=label(cert), role=role.value)
    _print_lint(rows, args.json)
    return 1 if any(r.severity == "error" for r in rows) else 0


def _print_lint(rows, as_json: bool) -> None:
    import json
    from dataclasses import asdict

    if as_json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
        return
    output.table(
        [[r.serial, r.host, r.role, r.severity.upper(), r.rule, r.message] for r in rows],
        ["certificate", "host", "role", "severity", "rule", "message"],
    )
    remedies = sorted({(r.rule, r.remedy) for r in rows if r.remedy})
    if remedies:
        print("\nhow to fix:")
        for rule, remedy in remedies:
            print(f"  {rule}: {remedy}")
    errors = sum(r.severity == "error" for r in rows)
    print(f"\n{errors} error{'s' if errors != 1 else ''}, {sum(r.severity == 'warning' for r in rows)} warning(s)")
