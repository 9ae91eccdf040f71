"""HandshakePlayground: a real TLS handshake between two of the CA's certificates, with switches to break it.

The handshake is ``tls.handshake`` (Python's ssl, i.e. OpenSSL, on
127.0.0.1), so the messages shown are OpenSSL's own, as a Genesys log would
show them. The widget only chooses the certificates and switches, and turns
OpenSSL's message into "what to change".
"""

from __future__ import annotations

from html import escape

import ipywidgets as W

from genesys_lab.authority.ca import CertificateAuthority, load_ca
from genesys_lab.errors import GenesysLabError
from genesys_lab.widgets.inspector import error_html
from genesys_lab.widgets.progress import Busy
from genesys_lab.widgets.static import StaticFallback

# (text in OpenSSL's message, which side refused or None for either, what to change)
ADVICE = (
    (
        "Hostname mismatch",
        None,
        "connect with a name the server certificate's SAN lists, or re-issue it with that "
        "name (-host or -SANDomain). Switching host name checking off hides the error and lets anyone with a "
        "certificate from this CA impersonate the server.",
    ),
    ("IP address mismatch", None, "connect with an IP the SAN lists, or re-issue with -IP / -SANip."),
    (
        "unsuitable certificate purpose",
        "client",
        "the server certificate lacks serverAuth (a GUI certificate?): issue server certificates with the server profile.",
    ),
    (
        "unsuitable certificate purpose",
        "server",
        "the client certificate lacks clientAuth: re-issue it with the server or gui profile, which both include clientAuth.",
    ),
    (
        "certificate revoked",
        None,
        "the peer's certificate is revoked: issue a new one (genesys-lab renew) and "
        "install it; that the handshake fails is CRL checking working as intended.",
    ),
    ("certificate has expired", None, "renew the certificate and install the new files before expiry."),
    ("CRL has expired", None, "publish a fresh CRL (Generate CRL / genesys-lab gen-crl) and distribute it."),
    (
        "unable to get certificate CRL",
        None,
        "CRL checking is on but there is no CRL: generate one "
        "(Generate CRL in the dashboard, or genesys-lab gen-crl), or switch CRL checking off.",
    ),
    (
        "peer did not return a certificate",
        None,
        "mutual TLS is on and the client sent no certificate: pick a client certificate, or switch mutual TLS off.",
    ),
    ("unable to get local issuer", None, "the peer does not trust this CA: install ca_conf/ca_cert.pem as its trusted CA."),
    ("self-signed certificate", None, "the peer does not trust this CA: install ca_conf/ca_cert.pem as its trusted CA."),
)


def advice(result, *, revoked: tuple[str, ...] = (), crl_checked: bool = True) -> str:
    """What to change, from the refusing side's OpenSSL message (tls.HandshakeResult).

    ``revoked`` names the serials in this handshake that ca.db lists as revoked: with
    CRL checking off a revoked certificate still passes, which is no reason for "nothing".
    """
    if result.ok and revoked and not crl_checked:
        return (
            f"certificate {', '.join(revoked)} is revoked in ca.db, but CRL checking is off, so nobody looked: "
            "turn CRL checking on and the handshake fails (publish the CRL first)."
        )
    if result.ok:
        return "nothing: both sides accepted the handshake."
    reason = result.reason or ""
    for text, side, fix in ADVICE:
        if text.lower() in reason.lower() and side in (None, result.refused_by):
            return fix
    return "read the refusing side's OpenSSL message above; verify the certificate with genesys-lab verify."


class HandshakePlayground(StaticFallback, W.VBox):
    """Pick the server and client certificate, switch mutual TLS / CRL / host name checks, and run."""

    def __init__(self, ca: CertificateAuthority | str, **kwargs):
        self.ca = ca if isinstance(ca, CertificateAuthority) else load_ca(ca)
        self.server = W.Dropdown(description="Server cert:", layout=W.Layout(width="460px"))
        self.client = W.Dropdown(description="Client cert:", layout=W.Layout(width="460px"))
        self.hostname = W.Text(description="Connect to:", layout=W.Layout(width="460px"))
        wide = W.Layout(width="520px")
        self.mutual = W.Checkbox(
            value=False, description="mutual TLS (server requires a client certificate)", indent=False, layout=wide
        )
        self.crl_check = W.Checkbox(
            value=False, description="CRL checking (both sides, ca_conf/crl.pem)", indent=False, layout=wide
        )
        self.hostname_check = W.Checkbox(value=True, description="host name checking (client)", indent=False, layout=wide)
        # ipywidgets reads a None value as "nothing selected", so "no client" and "no pin" are "" here
        self.version = W.Dropdown(
            options=[("highest both support", ""), ("TLS 1.2", "1.2"), ("TLS 1.3", "1.3")], value="", description="TLS:"
        )
        self.run_button = W.Button(description="Run handshake", button_style="primary", icon="play")
        self.busy = Busy()
        self.output = W.HTML()
        self.result = None
        for widget in (self.server, self.client, self.hostname, self.version):
            widget.style = {"description_width": "90px"}
        self.server.observe(lambda _c: self._server_changed(), names="value")
        self.run_button.on_click(lambda _b: self.run())
        super().__init__(
            [
                W.HTML("<b>Handshake playground</b>: a real TLS handshake on 127.0.0.1"),
                self.server,
                self.client,
                self.hostname,
                W.VBox([self.mutual, self.crl_check, self.hostname_check]),
                self.version,
                W.HBox([self.run_button, self.busy]),
                self.output,
            ],
            **kwargs,
        )
        self.add_class("genesys-playground")
        self.refresh()

    def refresh(self) -> None:
        """Offer every certificate of the CA that still has its key file (a handshake needs the key)."""
        options = []
        for rec in self.ca.records():
            if rec.host and any(p.name.endswith("_priv_key.pem") for p in rec.files):
                status = {"V": "valid", "R": "revoked", "E": "expired"}[rec.status]
                options.append((f"{rec.serial} {rec.host} ({status})", rec.serial))
        keep = self.server.value
        self.server.options = options
        serials = [serial for _label, serial in options]
        if serials:
            self.server.value = keep if keep in serials else serials[0]
        self.client.options = [("none", "")] + options
        self.client.value = ""

    def _server_changed(self) -> None:
        from genesys_lab.checks.tls import credentials, first_dns_name

        if self.server.value is None:
            return
        try:
            self.hostname.value = first_dns_name(credentials(self.ca, self.server.value).cert) or ""
        except GenesysLabError as exc:
            self.output.value = error_html(str(exc))

    def run(self):
        """One real handshake with the current choices; the outcome of both sides is shown and kept in ``result``."""
        from genesys_lab.checks.tls import handshake_with_ca

        if self.server.value is None:
            self.output.value = error_html("the CA has no certificate with a key file: issue one first")
            return None
        try:
            with self.busy.running("handshaking"):
                result = handshake_with_ca(
                    self.ca,
                    self.server.value,
                    self.client.value or None,
                    hostname=self.hostname.value.strip() or None,
                    crl=self.crl_check.value,
                    tls_version=self.version.value or None,
                    mutual=self.mutual.value,
                    check_hostname=self.hostname_check.value,
                )
        except GenesysLabError as exc:
            self.output.value = error_html(f"no handshake: {exc}")
            return None
        self.result = result
        revoked = tuple(
            serial for serial in (self.server.value, self.client.value) if serial and self.ca.record(serial).status == "R"
        )
        self.output.value = outcome_html(
            result, hostname_checked=self.hostname_check.value, revoked=revoked, crl_checked=self.crl_check.value
        )
        return result

    def static_html(self) -> str:
        """The choices and the last result, for a reader without a kernel."""
        choices = [
            ("Server certificate", self._label(self.server)),
            ("Client certificate", self._label(self.client)),
            ("Connect to", self.hostname.value or "-"),
            ("Mutual TLS", "on" if self.mutual.value else "off"),
            ("CRL checking", "on" if self.crl_check.value else "off"),
            ("Host name checking", "on" if self.hostname_check.value else "off"),
            ("TLS version", self._label(self.version)),
        ]
        rows = "".join(f"<tr><td><b>{escape(k)}</b></td><td>{escape(str(v))}</td></tr>" for k, v in choices)
        result = self.output.value or "<i>no handshake run yet</i>"
        return f"<b>Handshake playground</b><table>{rows}</table>{result}"

    @staticmethod
    def _label(dropdown) -> str:
        return next((label for label, value in dropdown.options if value == dropdown.value), "-") if dropdown.options else "-"

    def __repr__(self) -> str:
        return f"HandshakePlayground({len(self.server.options)} certificates)"


def outcome_html(result, *, hostname_checked: bool = True, revoked: tuple[str, ...] = (), crl_checked: bool = True) -> str:
    """The verdict, both sides' messages, and what to change.

    The messages are OpenSSL's words as Python's ssl module reports them: a
    Genesys Java (PSDK) application logs JSSE's words for the same failure, a
    Windows application SChannel's, so the labels say whose words they are.
    """
    colour = "#2e7d32" if result.ok else "#c62828"
    rows = [
        ("Verdict", f'<b style="color:{colour}">{escape(result.summary())}</b>'),
        ("Server says (OpenSSL, via Python ssl)", escape(str(result.server))),
        ("Client says (OpenSSL, via Python ssl)", escape(str(result.client))),
        ("What to change", escape(advice(result, revoked=revoked, crl_checked=crl_checked))),
    ]
    if result.ok and not hostname_checked:
        rows.append(("Note", "host name checking is off: any certificate from this CA would have been accepted"))
    cells = "".join(
        f'<tr><td style="padding:2px 10px 2px 0;vertical-align:top"><b>{k}</b></td><td style="padding:2px 0">{v}</td></tr>'
        for k, v in rows
    )
    return f'<table class="genesys-handshake">{cells}</table>'
