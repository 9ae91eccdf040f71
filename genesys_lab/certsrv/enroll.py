"""The CA's side of enrollment: what a certificate gets from the request and what from the template; submit, issue, deny.

Rules simulated (each from Microsoft's documentation):

- Subject: a template that says "Supply in the request"
  (SubjectNameEnrolleeSupplies) takes the subject and the SAN from the
  request; one that says "Build from this Active Directory information"
  writes the requester's directory name instead (SubjectNameRequireDNS: the
  DNS name of the requesting computer) and ignores what the request asked.
  X509CertificateTemplateSubjectNameFlag,
  https://learn.microsoft.com/en-us/windows/desktop/api/certenroll/ne-certenroll-x509certificatetemplatesubjectnameflag
- Extensions, key usage, validity come from the template, never from the request.
- "CA certificate manager approval" (CT_FLAG_PEND_ALL_REQUESTS): the CA
  answers "pending" and issues only when a CA manager approves. [MS-WCCE]
  3.2.2.6.2.1.4.5.6,
  https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wcce/9cc7ba15-fcbc-48b3-8a3b-121faef3d5ef
- Deny: only a pending request can be denied; otherwise the CA fails the
  call. [MS-CSRA] 3.1.4.1.4 ICertAdminD::DenyRequest,
  https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-csra/4180857e-c770-4256-877e-1d67b9e3bb6a
- Issue (the console's All Tasks > Issue, ICertAdmin::ResubmitRequest): the
  request must be pending.
  https://learn.microsoft.com/en-us/windows/win32/api/certadm/nf-certadm-icertadmin-resubmitrequest

Where Microsoft is silent, the lab's choice is said in place: a request
without a SAN gets none (the CA adds nothing the request did not ask for),
and the certificate is signed with the CA's own digest from ca.conf, not
with the hash the request was signed with.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from genesys_lab.authority import store
from genesys_lab.certsrv import database
from genesys_lab.certsrv.database import Disposition, RequestRecord
from genesys_lab.certsrv.pkcs10 import RequestInfo, check_fqdn, load_request
from genesys_lab.certsrv.templates import EKU_OIDS, SubjectSource, Template, get_template
from genesys_lab.errors import GenesysLabError, UsageError


class RequestStateError(GenesysLabError):
    """A request is not in the state the action needs (issue twice, deny an issued one)."""


@dataclass(frozen=True)
class Decision:
    """One line of "what the certificate gets": the field, its value, and who decided it."""

    field: str
    value: str
    source: str  # "request", "template", "CA", "directory"


@dataclass(frozen=True)
class Plan:
    """What the CA will sign for a request under a template, before anything is written."""

    template: Template
    request: RequestInfo = field(repr=False)
    subject: object = field(repr=False)  # cryptography Name
    host: str
    dns: tuple[str, ...]
    ips: tuple[str, ...]
    days: int
    digest: str
    decisions: tuple[Decision, ...]
    warnings: tuple[str, ...] = ()

    def extensions(self) -> list:
        """(extension, critical) pairs: as the template says (the CA adds SKI, AKI and its CDP)."""
        import ipaddress

        from cryptography import x509
        from cryptography.x509.oid import ObjectIdentifier

        from genesys_lab.x509.profiles import _key_usage

        usage = {
            "digitalSignature": "digital_signature",
            "keyEncipherment": "key_encipherment",
            "nonRepudiation": "content_commitment",
            "dataEncipherment": "data_encipherment",
            "keyAgreement": "key_agreement",
        }
        names = [x509.DNSName(d) for d in self.dns] + [x509.IPAddress(ipaddress.ip_address(a)) for a in self.ips]
        ext = [
            (x509.BasicConstraints(ca=False, path_length=None), False),
            (_key_usage(**{usage[k]: True for k in self.template.key_usage}), True),
            (x509.ExtendedKeyUsage([ObjectIdentifier(EKU_OIDS[e]) for e in self.template.ekus]), False),
        ]
        if names:
            ext.append((x509.SubjectAlternativeName(names), False))
        if self.template.cdp_urls:
            points = [
                x509.DistributionPoint([x509.UniformResourceIdentifier(u)], None, None, None) for u in self.template.cdp_urls
            ]
            ext.append((x509.CRLDistributionPoints(points), False))
        if self.template.aia_urls:
            access = [
                x509.AccessDescription(x509.AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(u))
                for u in self.template.aia_urls
            ]
            ext.append((x509.AuthorityInformationAccess(access), False))
        return ext


def plan(ca, request: RequestInfo, template: Template, *, requester_fqdn: str | None = None) -> Plan:
    """Decide every field of the certificate; refuses (changing nothing) what the template does not allow."""
    from cryptography import x509

    from genesys_lab.authority.crl import config_digest

    template.check_key_size(request.key_size)
    decisions = [Decision("public key", f"RSA {request.key_size} bits", "request")]
    warnings = []
    if template.subject is SubjectSource.REQUEST:
        names = request.san_dns or ((request.common_name,) if request.common_name else ())
        if not names:
            raise UsageError("the request has neither a CN nor a DNS name in its SAN: give the host's FQDN as its Name")
        dns = tuple(check_fqdn(n, option="requested DNS name") for n in names) if request.san_dns else ()
        if not request.san_dns:
            check_fqdn(request.common_name or "", option="requested CN")
            warnings.append(
                "the request has no SAN, so the certificate has none: TLS clients that follow RFC 6125 will refuse it"
            )
        subject, ips, host = request.subject, request.san_ips, names[0]
        decisions.append(Decision("subject", request.subject_text, "request"))
        decisions.append(Decision("SAN", ", ".join([*dns, *ips]) or "(none requested)", "request"))
    else:
        if not requester_fqdn:
            raise UsageError(
                f"template {template.name} builds the subject from the directory: the requester's machine name is needed (--requester-fqdn)"
            )
        host = check_fqdn(requester_fqdn, option="requester")
        subject = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, host)])
        dns, ips = (host,), ()
        decisions.append(Decision("subject", f"CN={host}", "directory"))
        decisions.append(Decision("SAN", host, "directory"))
        if request.subject_text or request.san_dns:
            decisions.append(
                Decision("ignored from the request", request.subject_text or ", ".join(request.san_dns), "directory")
            )
    days = min(template.validity_days, max((ca.certificate.not_valid_after_utc - database.now()).days, 1))
    digest = config_digest(ca.paths.config).value
    decisions += [
        Decision("extended key usage", ", ".join(template.application_policies), "template"),
        Decision("key usage", ", ".join(template.key_usage), "template"),
        Decision(
            "validity", f"{days} days" + ("" if days == template.validity_days else " (cut to the CA's own end)"), "template"
        ),
        Decision("signature digest", digest, "CA"),
        Decision(
            "CRL distribution point",
            ", ".join(template.cdp_urls) or (ca.crl_url or "(none)"),
            "template" if template.cdp_urls else "CA",
        ),
    ]
    return Plan(template, request, subject, host, dns, tuple(ips), days, digest, tuple(decisions), tuple(warnings))


@dataclass(frozen=True)
class Submission:
    """The CA's answer to a request: pending with its id, or issued with the certificate."""

    record: RequestRecord
    plan: Plan
    certificate: object = field(default=None, repr=False)

    @property
    def request_id(self) -> int:
        return self.record.id

    @property
    def status(self) -> Disposition:
        return self.record.status


def submit(
    ca,
    csr: bytes,
    template_name: str | None,
    *,
    requester: str,
    requester_fqdn: str | None = None,
    source: str = "request",
) -> Submission:
    """Submit a PKCS#10 request: checked whole first; then recorded and, unless approval is needed, issued.

    Everything is validated before the lock is taken, so a refused request
    leaves the CA folder as it was.
    """
    info = load_request(csr, source=source)
    template = get_template(template_name, ca.paths.root)
    decided = plan(ca, info, template, requester_fqdn=requester_fqdn)
    requester = _check_requester(requester)
    record = RequestRecord(0, requester, template.name, Disposition.PENDING, database.now(), info.subject_text, info.pem.decode())
    with store.locked(ca.paths), store.transaction() as tx:
        # One write of the request database per transaction: the row goes in
        # with its final state (pending, or issued with the serial just signed).
        if template.manager_approval:
            record = replace(record, message="Taken under submission: waiting for a CA certificate manager")
            return Submission(database.add(tx, ca.paths, record), decided)
        signed = _sign(ca, decided)
        record = replace(record, status=Disposition.ISSUED, resolved=database.now(), serial=signed.serial, message="Issued")
        record = database.add(tx, ca.paths, record)
    return Submission(record, decided, signed.certificate)


def _check_requester(requester: str) -> str:
    text = str(requester).strip()
    if not text or len(text) > 128 or any(ord(c) < 32 for c in text):
        raise UsageError("requester must be a short name on one line, e.g. the machine's name")
    return text


def _sign(ca, decided: Plan):
    return ca.sign_public_key(
        decided.request.public_key,
        decided.subject,
        extensions=decided.extensions(),
        days=decided.days,
        digest=decided.digest,
        host=decided.host,
    )


def _mark(tx, ca, record: RequestRecord, status: Disposition, message: str, serial: str | None = None) -> RequestRecord:
    resolved = None if status is Disposition.PENDING else database.now()
    record = replace(record, status=status, resolved=resolved, serial=serial, message=message)
    database.update(tx, ca.paths, record)
    return record


def find(ca, request_id, *, requester: str | None = None) -> RequestRecord:
    """The request with this id; with ``requester``, only if that requester made it (the status page's rule)."""
    number = parse_request_id(request_id)
    for record in database.read_requests(ca.paths):
        if record.id == number:
            if requester is not None and record.requester != requester:
                raise RequestStateError(
                    f"request {number} was not made from this browser: open the status page on the machine that made it"
                )
            return record
    raise RequestStateError(f"request {number} does not exist: list the requests with 'genesys-lab requests list'")


def parse_request_id(value) -> int:
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9 or int(text) < 1:
        raise UsageError(f"request id {text[:20]!r} is not a request number: use the Request Id the CA gave, e.g. 3")
    return int(text)


def issue_request(ca, request_id, *, requester_fqdn: str | None = None) -> Submission:
    """All Tasks > Issue on a pending request: sign it now, in one transaction with its database row."""
    with store.locked(ca.paths), store.transaction() as tx:
        record = _pending(ca, request_id, "issue")
        template = get_template(record.template, ca.paths.root)
        if template.subject is SubjectSource.DIRECTORY and requester_fqdn is None:
            requester_fqdn = record.requester
        decided = plan(
            ca, load_request(record.csr.encode(), source=f"request {record.id}"), template, requester_fqdn=requester_fqdn
        )
        signed = _sign(ca, decided)
        record = _mark(tx, ca, record, Disposition.ISSUED, "Issued by the CA manager", serial=signed.serial)
    return Submission(record, decided, signed.certificate)


def deny_request(ca, request_id) -> RequestRecord:
    """All Tasks > Deny on a pending request."""
    with store.locked(ca.paths), store.transaction() as tx:
        record = _pending(ca, request_id, "deny")
        return _mark(tx, ca, record, Disposition.DENIED, "Denied by the CA manager")


def _pending(ca, request_id, action: str) -> RequestRecord:
    record = find(ca, request_id)
    if record.status is not Disposition.PENDING:
        done = f"issued (serial {record.serial})" if record.status is Disposition.ISSUED else "denied"
        raise RequestStateError(f"request {record.id} is already {done}: only a pending request can be {action}d")
    return record


def list_requests(ca, *, status: str | None = None, requester: str | None = None) -> list[RequestRecord]:
    rows = database.read_requests(ca.paths)
    if status is not None:
        wanted = Disposition(status)
        rows = [r for r in rows if r.status is wanted]
    if requester is not None:
        rows = [r for r in rows if r.requester == requester]
    return rows


def certificate_of(ca, record: RequestRecord):
    """The issued certificate of a request, read from the repository by its serial."""
    if record.status is not Disposition.ISSUED or record.serial is None:
        raise RequestStateError(f"request {record.id} is {record.status.value}: there is no certificate to retrieve yet")
    return ca.load_certificate(record.serial)
