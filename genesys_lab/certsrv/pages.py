"""HTML of the web enrollment pages: titles and order as Windows' pages, every value escaped.

The page titles, the choices on each page and the fields of the advanced
request form follow Windows' web enrollment pages as the guide walks them
(Welcome > Request a Certificate > Advanced Certificate Request > the form >
Certificate Pending / Certificate Issued > Install this certificate >
Certificate Installed; View the status of a pending certificate request;
Download a CA certificate, certificate chain, or CRL). The URL paths and the
wording inside the pages are the lab's own. This module only renders; the
decisions are made by ``enroll`` and ``browser``.
"""

from __future__ import annotations

from html import escape

from genesys_lab.certsrv.templates import SubjectSource, Template

HASHES = ("sha1", "sha256", "sha384", "sha512")
STYLE = """
body{font-family:Tahoma,Verdana,sans-serif;font-size:14px;margin:0;background:#fff;color:#000}
header{background:#336699;color:#fff;padding:6px 12px;font-weight:bold}
header a{color:#fff;float:right;font-weight:normal}
main{padding:8px 16px;max-width:60em}
h1{font-size:18px;color:#336699}
.error{border:1px solid #c00;background:#fee;padding:6px;margin:8px 0}
.note{color:#555;font-size:12px}
table.rows td,table.rows th{border-bottom:1px solid #ccc;padding:2px 8px;text-align:left}
fieldset{margin:8px 0} label{margin-right:12px}
"""


def page(title: str, body: str, *, ca_name: str, base: str, errors=(), status: int = 200) -> tuple[int, str]:
    messages = "".join(f'<div class="error" role="alert">{escape(e)}</div>' for e in errors)
    html = (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f'<header>Certificate Services (lab) &mdash; {escape(ca_name)}<a href="{escape(base)}" id=home>Home</a></header>'
        f"<main><h1 id=title>{escape(title)}</h1>{messages}{body}</main></body></html>"
    )
    return status, html


def _form(action: str, csrf: str, inner: str, *, form_id: str) -> str:
    return (
        f'<form method=post action="{escape(action)}" id="{form_id}">'
        f'<input type=hidden name=csrf value="{escape(csrf)}">{inner}</form>'
    )


def welcome(base: str, ca_name: str) -> str:
    return (
        f"<p>Use this site to request a certificate from <b>{escape(ca_name)}</b>, the lab's CA. "
        "The certificate identifies a Genesys host or user to the other side of a TLS connection.</p>"
        "<p>Select a task:</p><ul>"
        f'<li><a id=request href="{base}request">Request a certificate</a></li>'
        f'<li><a id=status href="{base}status">View the status of a pending certificate request</a></li>'
        f'<li><a id=download href="{base}download">Download a CA certificate, certificate chain, or CRL</a></li></ul>'
    )


def request_choice(base: str) -> str:
    return (
        "<p>Select the certificate type:</p><ul>"
        f'<li><a id=user href="{base}form?template=User">User Certificate</a></li></ul>'
        f'<p>Or, submit an <a id=advanced href="{base}advanced">advanced certificate request</a>.</p>'
    )


def advanced_choice(base: str) -> str:
    return (
        "<p>The policy of the CA determines the types of certificates you can request.</p><ul>"
        f'<li><a id=create href="{base}form">Create and submit a request to this CA</a></li>'
        f'<li><a id=base64 href="{base}base64">Submit a certificate request by using a base-64-encoded '
        "PKCS #10 file</a> (made on the host itself, e.g. by <code>openssl req</code>)</li></ul>"
    )


def _template_select(templates: list[Template], chosen: str | None) -> str:
    options = ['<option value="">(choose a template)</option>']
    for t in templates:
        sel = " selected" if chosen and t.name.lower() == chosen.lower() else ""
        options.append(f'<option value="{escape(t.name)}"{sel}>{escape(t.display_name)} ({escape(t.name)})</option>')
    rows = "".join(
        f"<tr><td>{escape(t.name)}</td><td>{escape(', '.join(t.application_policies))}</td>"
        f"<td>{t.min_key_size}..{t.max_key_size}</td><td>{escape(t.subject.display)}</td>"
        f"<td>{'yes' if t.manager_approval else 'no'}</td><td>{'yes' if t.exportable else 'no'}</td></tr>"
        for t in templates
    )
    return (
        f"<fieldset><legend>Certificate Template</legend><select name=template id=template>{''.join(options)}</select>"
        '<table class="rows note"><tr><th>template</th><th>application policies</th><th>key size</th>'
        f"<th>subject name</th><th>CA manager approval</th><th>key exportable</th></tr>{rows}</table></fieldset>"
    )


def request_form(base: str, csrf: str, templates: list[Template], values: dict) -> str:
    def val(name: str, default: str = "") -> str:
        return escape(str(values.get(name, default)))

    def text(name: str, label: str, *, size: int = 40) -> str:
        return f'<label>{label} <input name={name} id={name} size={size} value="{val(name)}"></label><br>'

    chosen = values.get("template")
    identifying = (
        "<fieldset><legend>Identifying Information</legend>"
        '<p class=note>Used when the template says "Supply in the request"; a template that builds the subject '
        "from the directory uses this machine's name instead.</p>"
        + text("name", "Name (FQDN):")
        + text("san", "Other DNS names (comma-separated):")
        + text("email", "E-Mail:")
        + text("org", "Company:")
        + text("org_unit", "Department:")
        + text("locality", "City:")
        + text("state", "State:")
        + text("country", "Country/Region:", size=2)
        + "</fieldset>"
    )
    automatic = values.get("container_mode", "auto") != "user"
    exportable = "checked" if values.get("exportable") else ""
    keys = (
        "<fieldset><legend>Key Options</legend>"
        "<label><input type=radio name=keyset value=new checked id=keyset_new> Create new key set</label><br>"
        f'<label>Key Size: <input name=key_size id=key_size size=6 value="{val("key_size", "2048")}"></label>'
        "<span class=note> within the template's limits (table above)</span><br>"
        f"<label><input type=radio name=container_mode value=auto id=container_auto {'checked' if automatic else ''}> "
        "Automatic key container name</label>"
        f"<label><input type=radio name=container_mode value=user id=container_user {'' if automatic else 'checked'}> "
        "User specified key container name</label> "
        f'<input name=container id=container size=30 value="{val("container")}"><br>'
        f"<label><input type=checkbox name=exportable value=1 id=exportable {exportable}> Mark keys as exportable</label>"
        "<p class=note>The key pair is made on the browser's machine, as Windows' enrollment control does; "
        "the CA only ever receives the request.</p></fieldset>"
    )
    hashes = "".join(
        f'<option value="{h}"{" selected" if values.get("hash", "sha256") == h else ""}>{h}</option>' for h in HASHES
    )
    extra = (
        "<fieldset><legend>Additional Options</legend>"
        f"<label>Hash Algorithm: <select name=hash id=hash>{hashes}</select></label><br>"
        f'<label>Friendly Name: <input name=friendly_name id=friendly_name size=40 value="{val("friendly_name")}"></label>'
        "</fieldset><input type=submit id=submit value=Submit>"
    )
    return _form(f"{base}submit", csrf, _template_select(templates, chosen) + identifying + keys + extra, form_id="request-form")


def base64_form(base: str, csrf: str, templates: list[Template], values: dict) -> str:
    inner = (
        "<p>Paste a Base64 PKCS #10 certificate request (for example <code>openssl req -new ... -out req.csr</code> "
        "made on the Genesys host, whose key stays there).</p>"
        f"<textarea name=csr id=csr rows=12 cols=70>{escape(values.get('csr', ''))}</textarea>"
        + _template_select(templates, values.get("template"))
        + "<input type=submit id=submit value=Submit>"
    )
    return _form(f"{base}submit-base64", csrf, inner, form_id="base64-form")


def decisions_table(decisions) -> str:
    rows = "".join(f"<tr><td>{escape(d.field)}</td><td>{escape(d.value)}</td><td>{escape(d.source)}</td></tr>" for d in decisions)
    return f"<table class=rows id=decisions><tr><th>field</th><th>value</th><th>decided by</th></tr>{rows}</table>"


def issued(base: str, csrf: str, record, *, installable: bool, decisions=(), warnings=()) -> str:
    notes = "".join(f"<p class=note>{escape(w)}</p>" for w in warnings)
    install = (
        _form(
            f"{base}install",
            csrf,
            f'<input type=hidden name=ReqID value="{record.id}"><input type=submit id=install value="Install this certificate">',
            form_id="install-form",
        )
        if installable
        else "<p>The key of this request is not in this browser: download the certificate and install it where the key is.</p>"
    )
    return (
        f"<p>The CA issued the certificate you requested. Request Id: <b id=request-id>{record.id}</b>, "
        f"serial <b id=serial>{escape(record.serial or '')}</b>.</p>"
        + install
        + f'<p>Download: <a id=cert-der href="{base}cert?ReqID={record.id}&amp;Enc=DER">DER encoded</a> | '
        f'<a id=cert-b64 href="{base}cert?ReqID={record.id}&amp;Enc=b64">Base 64 encoded</a></p>'
        + (decisions_table(decisions) if decisions else "")
        + notes
    )


def pending(record, *, decisions=()) -> str:
    return (
        "<p>The CA received your request and keeps it pending: template "
        f"{escape(record.template)} needs CA certificate manager approval before a certificate is issued.</p>"
        f"<p>Your Request Id is <b id=request-id>{record.id}</b>.</p>"
        "<p>Once the CA manager has issued it, open <i>View the status of a pending certificate request</i> "
        "on this site to retrieve and install it.</p>" + (decisions_table(decisions) if decisions else "")
    )


def denied(record) -> str:
    return f"<p>Request <b id=request-id>{record.id}</b> was denied by the CA manager: {escape(record.message)}.</p>"


def installed(entry, machine: str) -> str:
    return (
        f"<p>The certificate is now installed, with its private key, in <b>CurrentUser\\My</b> of machine "
        f"<b>{escape(machine)}</b>.</p><table class=rows id=installed>"
        f"<tr><td>thumbprint</td><td id=thumbprint>{escape(entry.thumbprint)}</td></tr>"
        f"<tr><td>friendly name</td><td>{escape(entry.friendly_name)}</td></tr>"
        f"<tr><td>private key</td><td>{'yes' if entry.has_private_key else 'no'}</td></tr>"
        f"<tr><td>exportable</td><td id=exportable>{'yes' if entry.exportable else 'no'}</td></tr></table>"
    )


def status_list(base: str, records) -> str:
    if not records:
        return "<p>There are no certificate requests from this browser.</p>"
    rows = "".join(
        f'<tr><td><a id="req-{r.id}" href="{base}status?ReqID={r.id}">{r.id}</a></td><td>{escape(r.template)}</td>'
        f"<td>{escape(r.subject)}</td><td>{r.submitted:%Y-%m-%d %H:%M} UTC</td><td>{escape(r.status.value)}</td></tr>"
        for r in records
    )
    return (
        "<p>Select the certificate request you want to view:</p><table class=rows id=requests>"
        f"<tr><th>Request Id</th><th>template</th><th>subject</th><th>submitted</th><th>status</th></tr>{rows}</table>"
    )


def still_pending(record) -> str:
    return (
        f"<p>Your certificate request <b id=request-id>{record.id}</b> is still pending: the CA manager has not issued it yet. "
        "Check again later.</p>"
    )


def download(base: str, has_crl: bool) -> str:
    crl = (
        f'<a id=crl href="{base}crl.crl?Enc=DER">Download latest base CRL</a>'
        if has_crl
        else "No CRL is published yet (the CA manager runs <code>genesys-lab gen-crl</code>)."
    )
    return (
        "<p>To trust certificates issued by this CA, install its certificate (or the chain) in Trusted Root "
        "Certification Authorities.</p><ul>"
        f'<li>CA certificate: <a id=ca-der href="{base}ca.cer?Enc=DER">DER</a> | '
        f'<a id=ca-b64 href="{base}ca.cer?Enc=b64">Base 64</a></li>'
        f'<li><a id=chain href="{base}chain.p7b">Download CA certificate chain</a></li>'
        f"<li>{crl}</li></ul>"
    )


def subject_note(template: Template) -> str:
    if template.subject is SubjectSource.DIRECTORY:
        return f"Template {template.name} builds the subject from this machine's directory entry."
    return ""
