"""create-ca, create-cert, list, inspect."""

from __future__ import annotations

from pathlib import Path

from genesys_lab.authority.defaults import DEFAULT_CA_DAYS
from genesys_lab.cli import output

# The core is imported inside each command, not here: every command module is imported to
# register its options, so a top-level import would be paid by every command (issue 9, section 5).


def load_ca(directory):
    """The CA in ``directory`` (``authority.ca.load_ca``, imported when a command needs it)."""
    from genesys_lab.authority.ca import load_ca as _load_ca

    return _load_ca(directory)


def add_ca_dir(parser) -> None:
    parser.add_argument("--ca-dir", type=Path, default=Path("."), help="the CA directory (default: current directory)")


def add_subject(parser) -> None:
    parser.add_argument("--cn", required=True, help="common name (mandatory)")
    parser.add_argument("--email", help="e-mail address (E)")
    parser.add_argument("--org-unit", help="organizational unit (OU)")
    parser.add_argument("--org", help="organization (O)")
    parser.add_argument("--locality", help="city (L)")
    parser.add_argument("--state", help="state or region (S)")
    parser.add_argument("--country", help="two-letter country code (C)")


def subject_kwargs(args) -> dict:
    return dict(
        email=args.email, org_unit=args.org_unit, org=args.org, locality=args.locality, state=args.state, country=args.country
    )


def register(sub) -> None:
    p = sub.add_parser("create-ca", help="create a CA in the Security Pack layout (create_ca.sh)")
    add_ca_dir(p)
    add_subject(p)
    p.add_argument("--key-size", default=2048, help="RSA key size in bits (default 2048)")
    p.add_argument("--digest", default="sha256", help="sha1, sha224, sha256 (default), sha384, sha512")
    p.add_argument("--days", default=DEFAULT_CA_DAYS, help=f"validity in days (default {DEFAULT_CA_DAYS})")
    p.add_argument("--crl-url", help="CRL distribution point URL that issued certificates will carry")
    p.set_defaults(func=cmd_create_ca)

    p = sub.add_parser("create-cert", help="issue a host certificate (create_cert.sh)")
    add_ca_dir(p)
    add_request_options(p)
    p.set_defaults(func=cmd_create_cert)

    p = sub.add_parser("create-certs", help="issue a site inventory from a CSV file, using every core")
    add_ca_dir(p)
    p.add_argument(
        "inventory",
        type=Path,
        help="CSV with a header: host,cn and optionally ip, san_domains, san_ips, profile, key_size, digest, days, email, org_unit, org, locality, state, country",
    )
    p.set_defaults(func=cmd_create_certs)

    p = sub.add_parser("list", help="list the CA's certificates from ca.db")
    add_ca_dir(p)
    p.add_argument("--status", choices=["V", "R", "E"], help="only certificates with this status")
    p.add_argument(
        "--expiring", type=int, metavar="DAYS", help="only valid certificates that expire within DAYS days (what to rotate soon)"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("inspect", help="describe a certificate (file, or serial in the CA)")
    p.add_argument("certificate", help="a certificate file, or a serial such as 02 with --ca-dir")
    add_ca_dir(p)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_inspect)


def _split(values) -> list[str]:
    """Repeated options, each possibly a comma-separated list as in the guide."""
    from genesys_lab.x509.names import split_list

    return [item for value in values for item in split_list(value)]


def cmd_create_ca(args) -> int:
    from genesys_lab.authority.ca import create_ca
    from genesys_lab.authority.request import Naming

    made = create_ca(
        args.ca_dir,
        args.cn,
        key_size=args.key_size,
        digest=args.digest,
        days=args.days,
        crl_url=args.crl_url,
        naming=Naming.CLI,
        **subject_kwargs(args),
    )
    output.created_ca(made)
    return 0


def add_request_options(p) -> None:
    """create_cert.sh's options as genesys-lab spells them, from the one declaration (authority.request.FIELDS).

    The lists (--san-domain, --san-ip) may be repeated, each possibly comma-separated as in the guide.
    """
    from genesys_lab.authority.fields import FIELDS, LIST_FIELDS, REQUIRED

    for field in FIELDS:
        extra: dict = {"action": "append", "default": []} if field.name in LIST_FIELDS else {"default": field.default or None}
        if field.name == "profile":
            extra["choices"] = ["server", "gui"]
        help_text = field.help + (f" (default {field.default})" if field.default and "default" not in field.help else "")
        p.add_argument(field.cli, dest=field.name, required=field.name in REQUIRED, help=help_text, **extra)


def cmd_create_cert(args) -> int:
    from genesys_lab.authority.request import FIELDS, LIST_FIELDS, HostRequest, Naming

    values = {f.name: getattr(args, f.name) for f in FIELDS}
    for name in LIST_FIELDS:
        values[name] = _split(values[name])
    request = HostRequest.from_values(values, naming=Naming.CLI)
    output.issued(load_ca(args.ca_dir).issue_request(request, naming=Naming.CLI))
    return 0


def cmd_create_certs(args) -> int:
    from genesys_lab.authority.inventory import read_inventory

    rows = read_inventory(args.inventory)
    results = load_ca(args.ca_dir).issue_many(rows, progress=output.progress)
    output.issued_many(results)
    return 0


def cmd_list(args) -> int:
    from genesys_lab.authority.renew import renewal_notes

    ca = load_ca(args.ca_dir)
    records = [r for r in ca.records() if not args.status or r.status == args.status]
    if args.expiring is not None:
        records = [r for r in records if r.status == "V" and r.days_left <= args.expiring]
    output.records(records, as_json=args.json, notes=renewal_notes(ca))
    return 0


def cmd_inspect(args) -> int:
    import json

    from genesys_lab.authority.store import looks_like_serial
    from genesys_lab.x509.describe import describe

    source = Path(args.certificate)
    if not source.exists() and looks_like_serial(args.certificate) and (args.ca_dir / "ca_conf").is_dir():
        source = load_ca(args.ca_dir).load_certificate(args.certificate)
    info = describe(source)
    if args.json:
        print(json.dumps(info.to_dict(), indent=2))
    else:
        output.info(info)
    return 0
