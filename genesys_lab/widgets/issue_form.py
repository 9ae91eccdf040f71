"""IssueForm: create_cert.sh as a form, checked as the learner types, with the command line it stands for.

Each field is checked by the core's own validator (names.validate_hostname,
validate_ip, Subject, keys.check_key_size, ca.check_days, Digest/Profile.parse),
so the form refuses exactly what ``create_cert.sh`` refuses, with the same
message. Issuing calls ``CertificateAuthority.issue``, the function behind
the command.
"""

from __future__ import annotations

import shlex
from html import escape

import ipywidgets as W

from genesys_lab.authority.ca import CertificateAuthority, check_days, load_ca
from genesys_lab.authority.request import DEFAULT_HOST_DAYS, FIELDS, REQUIRED, SUBJECT_KEYS, HostRequest, Naming
from genesys_lab.errors import GenesysLabError
from genesys_lab.widgets.inspector import CertificateInspector, error_html, ok_html
from genesys_lab.widgets.progress import Busy
from genesys_lab.widgets.static import StaticFallback
from genesys_lab.x509 import keys
from genesys_lab.x509.describe import readable_name
from genesys_lab.x509.names import Subject, split_list, validate_hostname, validate_ip
from genesys_lab.x509.profiles import Digest, Profile

# The fields are create_cert.sh's, declared once in authority.request.FIELDS.
_CHOICES = {
    "profile": [("server (serverAuth + clientAuth)", "server"), ("gui (clientAuth)", "gui")],
    "key_size": [("1024 (demo only)", "1024"), ("2048", "2048"), ("3072", "3072"), ("4096", "4096")],
    "digest": [(d.value + (" (not recommended)" if d is Digest.SHA1 else ""), d.value) for d in Digest],
}
# (form name, create_cert.sh option, label, placeholder)
TEXT_FIELDS = [(f.name, f.script, f.label, f.example) for f in FIELDS if f.name not in _CHOICES]
# (form name, create_cert.sh option, label, choices, default)
CHOICE_FIELDS = [(f.name, f.script, f.label, _CHOICES[f.name], f.default) for f in FIELDS if f.name in _CHOICES]
OPTIONS = {f.name: f.script for f in FIELDS}
DEFAULTS = {f.name: f.default for f in FIELDS if f.default}
_SUBJECT_KEYS = SUBJECT_KEYS


def _check_list(value: str, check) -> None:
    for item in split_list(value):
        check(item)


def check_field(name: str, value: str) -> str | None:
    """Raise the core's error for a bad value; return a warning (or None) for an acceptable one."""
    value = value or ""
    if name == "host":
        validate_hostname(value)
    elif name == "cn":
        Subject(CN=value)
    elif name == "ip" and value.strip():
        validate_ip(value)
    elif name == "san_domains":
        _check_list(value, lambda d: validate_hostname(d, option="-SANDomain item", wildcard=True))
    elif name == "san_ips":
        _check_list(value, lambda a: validate_ip(a, option="-SANip item"))
    elif name == "days":
        check_days(value)
    elif name == "key_size":
        return keys.key_size_warning(keys.check_key_size(value))
    elif name == "digest":
        Digest.parse(value)
    elif name == "profile":
        Profile.parse(value)
    elif name in _SUBJECT_KEYS and value.strip():
        Subject(CN="x", **{_SUBJECT_KEYS[name]: value})
    return None


def command_line(values: dict[str, str]) -> str:
    """The create_cert.sh command that does what the form does; options left at their default are omitted."""
    parts = ["create_cert.sh"]
    order = ["host", "cn", "ip", "san_domains", "san_ips", "profile", "key_size", "digest", "days", *SUBJECT_KEYS]
    for name in order:
        value = (values.get(name) or "").strip()
        if not value or DEFAULTS.get(name) == value:
            continue
        parts += [OPTIONS[name], shlex.quote(value)]
    return " ".join(parts)


class IssueForm(StaticFallback, W.VBox):
    """Fill in the create_cert.sh fields, read the messages, press Issue, see the certificate."""

    def __init__(self, ca: CertificateAuthority | str, *, inspector: CertificateInspector | None = None, **kwargs):
        self.ca = load_ca(ca)
        self.fields: dict[str, W.ValueWidget] = {}
        self.messages: dict[str, W.HTML] = {}
        rows = [self._row(name, W.Text(placeholder=hint), label, option) for name, option, label, hint in TEXT_FIELDS[:6]]
        rows += [
            self._row(name, W.Dropdown(options=choices, value=default), label, option)
            for name, option, label, choices, default in CHOICE_FIELDS
        ]
        subject_rows = [self._row(name, W.Text(placeholder=hint), label, option) for name, option, label, hint in TEXT_FIELDS[6:]]
        self.command = W.HTML()
        self.fields["days"].value = str(DEFAULT_HOST_DAYS)
        self.issue_button = W.Button(description="Issue", button_style="primary", icon="certificate")
        self.issue_button.on_click(lambda _b: self.issue())
        self.busy = Busy()
        self.result = W.HTML()
        self.inspector = inspector or CertificateInspector()
        self.issued = None
        subject = W.Accordion(children=[W.VBox(subject_rows)], titles=("Subject fields (optional)",))
        super().__init__(
            [
                W.HTML("<b>Issue a host certificate</b> (create_cert.sh)"),
                *rows,
                subject,
                self.command,
                W.HBox([self.issue_button, self.busy]),
                self.result,
                self.inspector,
            ],
            **kwargs,
        )
        self.add_class("genesys-issue-form")
        for name in self.fields:
            self._validate(name)
        self._update_command()

    def _row(self, name: str, widget, label: str, option: str) -> W.HBox:
        widget.description = f"{label}"
        widget.tooltip = f"create_cert.sh {option}"
        widget.style = {"description_width": "120px"}
        widget.layout = W.Layout(width="380px")
        widget.observe(lambda _change, n=name: self._changed(n), names="value")
        self.fields[name] = widget
        self.messages[name] = W.HTML()
        return W.HBox([widget, self.messages[name]])

    def static_html(self) -> str:
        """The fields as filled in, the command line they make, the last result and the certificate issued."""
        rows = "".join(
            f"<tr><td><b>{escape(str(w.description))}</b></td><td>{escape(str(w.value)) or '-'}</td></tr>"
            for w in self.fields.values()
        )
        return (
            f"<b>Issue a host certificate</b> (create_cert.sh)<table>{rows}</table>"
            f"{self.command.value}{self.result.value}{self.inspector.static_html()}"
        )

    def values(self) -> dict[str, str]:
        return {name: str(widget.value) for name, widget in self.fields.items()}

    def _changed(self, name: str) -> None:
        self._validate(name)
        self._update_command()

    def _validate(self, name: str) -> None:
        """Required fields stay quiet while still empty; everything else shows its message at once."""
        value = str(self.fields[name].value)
        if name in REQUIRED and not value.strip():
            self.messages[name].value = '<span style="color:#777">required</span>'
            return
        try:
            warning = check_field(name, value)
        except GenesysLabError as exc:
            self.messages[name].value = f'<span style="color:#c62828">{escape(str(exc))}</span>'
            return
        self.messages[name].value = (
            f'<span style="color:#ef6c00">{escape(warning)}</span>' if warning else '<span style="color:#2e7d32">&#10003;</span>'
        )

    def errors(self) -> dict[str, str]:
        """Field name -> the core's message, for every value create_cert.sh would refuse."""
        found = {}
        for name, value in self.values().items():
            try:
                check_field(name, value)
            except GenesysLabError as exc:
                found[name] = str(exc)
        return found

    def _update_command(self) -> None:
        self.command.value = f'<div>Same as: <code style="user-select:all">{escape(self.command_line())}</code></div>'

    def command_line(self) -> str:
        return command_line(self.values())

    def request_arguments(self) -> dict:
        v = self.values()
        return dict(
            ip=v["ip"].strip() or None,
            san_domains=split_list(v["san_domains"]),
            san_ips=split_list(v["san_ips"]),
            profile=v["profile"],
            key_size=v["key_size"],
            digest=v["digest"],
            days=v["days"],
            **{name: (v[name].strip() or None) for name in _SUBJECT_KEYS},
        )

    def issue(self):
        """Issue through the CA; refuse (issuing nothing) while any field is invalid."""
        errors = self.errors()
        if errors:
            names = ", ".join(OPTIONS[n] for n in errors)
            self.result.value = error_html(f"not issued: fix {names} first ({next(iter(errors.values()))})")
            return None
        v = self.values()
        try:
            request = HostRequest.from_values(
                {"host": v["host"].strip(), "cn": v["cn"].strip(), **self.request_arguments()}, naming=Naming.SCRIPT
            )
            with self.busy.running("generating the key and signing"):
                issued = self.ca.issue_request(request, naming=Naming.SCRIPT)
        except GenesysLabError as exc:
            self.result.value = error_html(f"not issued: {exc}")
            return None
        self.issued = issued
        files = ", ".join(p.name for p in issued.files)
        text = ok_html(f"issued serial {issued.serial} for {issued.host}: {files}")
        text += "".join(f'<div style="color:#ef6c00">warning: {escape(w)}</div>' for w in issued.warnings)
        self.result.value = text
        self.inspector.show(issued)
        return issued

    def __repr__(self) -> str:
        return f"IssueForm(CA {readable_name(self.ca.certificate.subject)!r})"
