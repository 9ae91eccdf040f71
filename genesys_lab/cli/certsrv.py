"""Certificate Services: templates, create-request, sign-request, requests list|issue|deny, certsrv (the web site)."""

from __future__ import annotations

import sys
from pathlib import Path

from genesys_lab.cli import output
from genesys_lab.cli.ca import add_ca_dir


def register(sub) -> None:
    p = sub.add_parser("templates", help="certificate templates: list, show, lint (which Genesys role), init (site file)")
    p.add_argument("action", choices=["list", "show", "lint", "init"])
    p.add_argument("name", nargs="?", help="the template (show, lint)")
    add_ca_dir(p)
    p.set_defaults(func=cmd_templates)

    p = sub.add_parser("create-request", help="a new key (0600) and a PKCS#10 request for a host")
    p.add_argument("--host", required=True, help="the host's FQDN")
    p.add_argument("--out", required=True, type=Path, help="the request file, e.g. req.csr (the key goes beside it)")
    p.add_argument("--cn", help="common name (default: the host)")
    p.add_argument("--ip", help="the host's IP address (into the SAN)")
    p.add_argument("--san-domain", action="append", default=[], help="extra DNS name (repeat)")
    p.add_argument("--san-ip", action="append", default=[], help="extra IP address (repeat)")
    p.add_argument("--key-size", default=2048, help="RSA key size (default 2048)")
    p.add_argument("--digest", default="sha256", help="hash that signs the request: sha1, sha256 (default), sha384, sha512")
    for flag, what in (
        ("--email", "E"),
        ("--org-unit", "OU"),
        ("--org", "O"),
        ("--locality", "L"),
        ("--state", "S"),
        ("--country", "C"),
    ):
        p.add_argument(flag, help=f"subject {what}")
    p.set_defaults(func=cmd_create_request)

    p = sub.add_parser("sign-request", help="submit a PKCS#10 request (openssl req's too) to the CA under a template")
    p.add_argument("request", type=Path, help="the .csr file (PEM or DER)")
    p.add_argument("--template", required=True, help="the certificate template, e.g. MutualTLS2")
    p.add_argument("--requester", help="who asks, shown in requests list (default: --requester-fqdn, else ca-manager)")
    p.add_argument("--requester-fqdn", help="the requesting machine's FQDN (templates that build the subject from the directory)")
    add_ca_dir(p)
    p.set_defaults(func=cmd_sign_request)

    p = sub.add_parser("requests", help="the CA manager's Pending Requests: list, issue ID, deny ID")
    p.add_argument("action", choices=["list", "issue", "deny"])
    p.add_argument("id", nargs="?", help="the Request Id (issue, deny)")
    p.add_argument("--status", choices=["pending", "issued", "denied"], help="list only these")
    add_ca_dir(p)
    p.set_defaults(func=cmd_requests)

    p = sub.add_parser("certsrv", help="serve the web enrollment pages on 127.0.0.1 (Ctrl-C stops)")
    add_ca_dir(p)
    p.add_argument("--machine", required=True, type=Path, help="the browser's simulated Windows machine (folder)")
    p.add_argument("--fqdn", help="the browser machine's DNS name (default: <machine>.lab.example)")
    p.add_argument("--port", default=0, help="port (default 0: a free one)")
    p.add_argument("--base-url", default="/", help="prefix of every link, e.g. /proxy/8123/ behind jupyter-server-proxy")
    p.set_defaults(func=cmd_certsrv)


def _need(args, what: str):
    from genesys_lab.errors import UsageError

    if not args.name and what == "name":
        raise UsageError(f"templates {args.action} needs a template name, e.g. templates {args.action} MutualTLS2")


def cmd_templates(args) -> int:
    from genesys_lab.certsrv import templates

    if args.action == "init":
        print(f"wrote {templates.write_example_site_file(args.ca_dir)}: edit it to define the site's templates")
        return 0
    if args.action == "list":
        rows = [
            [
                t.name,
                t.display_name,
                ", ".join(t.ekus),
                t.subject.value,
                "yes" if t.manager_approval else "no",
                "yes" if t.exportable else "no",
                t.source,
            ]
            for t in templates.all_templates(args.ca_dir).values()
        ]
        output.table(rows, ["template", "display name", "EKU", "subject", "approval", "exportable", "from"])
        return 0
    _need(args, "name")
    template = templates.get_template(args.name, args.ca_dir)
    if args.action == "show":
        show_template(template)
        return 0
    return print_template_fit(template)


def show_template(t) -> None:
    output.table(
        [
            ["name", t.name],
            ["display name", t.display_name],
            ["application policies", ", ".join(t.application_policies)],
            ["key usage", ", ".join(t.key_usage)],
            ["key size", f"{t.min_key_size}..{t.max_key_size}"],
            ["validity / renewal", f"{t.validity_days} / {t.renewal_days} days"],
            ["subject name", t.subject.display],
            ["CA certificate manager approval", "yes" if t.manager_approval else "no"],
            ["allow private key to be exported", "yes" if t.exportable else "no"],
            ["CDP / AIA", ", ".join(t.cdp_urls + t.aia_urls) or "(the CA's)"],
            ["from", t.source],
        ],
        ["attribute", "value"],
    )
    if t.note:
        print(f"\nnote: {t.note}")


def print_template_fit(template) -> int:
    """``lint --template`` and ``templates lint``: the verdict, then one line per finding; exit 1 on an error."""
    from genesys_lab.certsrv.fit import template_fit

    fit = template_fit(template)
    print(fit.verdict)
    for finding in fit.findings:
        print(f"  {finding.severity.upper()}: {finding.message}")
    return 1 if any(f.severity == "error" for f in fit.findings) else 0


def cmd_create_request(args) -> int:
    from genesys_lab.certsrv.pkcs10 import create_request

    made = create_request(
        args.out,
        args.host,
        key_size=args.key_size,
        cn=args.cn,
        ip=args.ip,
        san_domains=args.san_domain,
        san_ips=args.san_ip,
        digest=args.digest,
        email=args.email,
        org_unit=args.org_unit,
        org=args.org,
        locality=args.locality,
        state=args.state,
        country=args.country,
    )
    print(
        f"wrote {made.request_file} (request for {made.info.subject_text}, SAN {', '.join(made.info.san_dns + made.info.san_ips)})"
    )
    print(f"wrote {made.key_file} (the new private key, mode 0600: it stays on this host)")
    return 0


def cmd_sign_request(args) -> int:
    from genesys_lab.authority.ca import load_ca
    from genesys_lab.certsrv import enroll
    from genesys_lab.files import read_user_file

    ca = load_ca(args.ca_dir)
    data = read_user_file(args.request, "request file")
    requester = args.requester or args.requester_fqdn or "ca-manager"
    result = enroll.submit(
        ca, data, args.template, requester=requester, requester_fqdn=args.requester_fqdn, source=str(args.request)
    )
    output.warn(result.plan.warnings)
    print(f"Request {result.request_id} ({args.request}) under template {result.plan.template.name}:")
    output.table([[d.field, d.value, d.source] for d in result.plan.decisions], ["field", "value", "decided by"])
    if result.certificate is None:
        print(f"\nRequest {result.request_id} is pending: the template needs CA certificate manager approval")
        print(f"  approve: genesys-lab requests issue {result.request_id} --ca-dir {args.ca_dir}")
        return 0
    print(f"\nIssued certificate {result.record.serial}: {ca.paths.repository / f'{result.record.serial}.pem'}")
    return 0


def cmd_requests(args) -> int:
    from genesys_lab.authority.ca import load_ca
    from genesys_lab.certsrv import enroll
    from genesys_lab.errors import UsageError

    ca = load_ca(args.ca_dir)
    if args.action == "list":
        rows = [
            [str(r.id), r.status.value, r.template, r.requester, r.subject, f"{r.submitted:%Y-%m-%d %H:%M}", r.serial or ""]
            for r in enroll.list_requests(ca, status=args.status)
        ]
        output.table(rows, ["id", "status", "template", "requester", "subject", "submitted (UTC)", "serial"])
        return 0
    if args.id is None:
        raise UsageError(f"requests {args.action} needs a Request Id, e.g. requests {args.action} 3")
    if args.action == "issue":
        result = enroll.issue_request(ca, args.id)
        print(f"Issued request {result.request_id} as certificate {result.record.serial} ({result.record.subject})")
        return 0
    record = enroll.deny_request(ca, args.id)
    print(f"Denied request {record.id} ({record.subject})")
    return 0


def cmd_certsrv(args) -> int:
    from genesys_lab.certsrv.web import CertsrvServer, EnrollmentSite

    server = CertsrvServer(EnrollmentSite(args.ca_dir, args.machine, base_url=args.base_url, fqdn=args.fqdn), args.port)
    print(f"Certificate Services for {server.site.ca_name}: {server.url}  (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.close()
    return 0
