"""runbook: a site's inventory to its runbook, bundles, rotation plan and calendar, in one command."""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser(
        "runbook", help="run the site procedure notebook for an inventory: certificates, bundles, options, runbook"
    )
    p.add_argument("inventory", type=Path, help="the site's hosts as CSV (host,cn,platform,... one row per host)")
    p.add_argument("--out", type=Path, required=True, help="output folder (the CA goes under it unless --ca-dir names one)")
    p.add_argument("--ca-dir", type=Path, help="an existing CA folder to issue from")
    p.add_argument("--site", default="Site", help="the site's name, as the runbook's title")
    p.add_argument("--ca-cn", help="common name of a CA created for the site")
    p.add_argument("--days", type=int, default=365, help="validity of host certificates (default 365)")
    p.add_argument("--renewal-lead", type=int, default=30, help="renew this many days before expiry (default 30)")
    p.add_argument("--crl-url", help="CDP URL to put into every certificate of a new CA")
    p.add_argument("--passout", help="Java keystore password source (env:VAR, file:PATH); default: a random one per keystore")
    p.add_argument("--revoke", action="store_true", help="revoke replaced and removed certificates in this run")
    p.add_argument("--no-pdf", action="store_true", help="do not print the runbook to PDF")
    p.set_defaults(func=cmd_runbook)


def cmd_runbook(args) -> int:
    from genesys_lab.formats.passwords import from_spec
    from genesys_lab.site.unattended import run_site_notebook

    password = from_spec(args.passout) if args.passout else None
    html = run_site_notebook(
        args.inventory, args.out, site=args.site, ca_dir=args.ca_dir, ca_cn=args.ca_cn, days=args.days,
        renewal_lead_days=args.renewal_lead, crl_url=args.crl_url, keystore_password=password, revoke=args.revoke,
        pdf=not args.no_pdf,
    )  # fmt: skip
    print(f"runbook: {html}")
    for name in ("runbook.md", "runbook.pdf", "rotation.ics", "timeline.svg", "site_procedure.ipynb"):
        if (html.parent / name).exists():
            print(f"  wrote {html.parent / name}")
    print(f"  bundles in {html.parent / 'bundles'}")
    return 0
