"""Exercises of 04_key_and_file_formats: a PKCS#8 key for Java, a password-protected .pfx that Windows Server 2016 imports.

Both are about one certificate of the CA in the working folder (serial 01
unless the notebook says otherwise). What a file is comes from ``identify``
(its bytes, never its name); which key fits which certificate from
``key_matches`` and ``keys.matches``; who opens a .pfx from ``describe_pkcs12``.
"""

from __future__ import annotations

from genesys_lab.exercises.core import Outcome, Question, Wrong, as_path, ensure_ca, verdict

SERIAL = "01"  # the certificate the exercises are about, unless the notebook says otherwise
PFX_NAME = "windows2016.pfx"
KEY_NAME = "java_priv_key.pem"


def _target(question: Question):
    """(CA, ca.db record, certificate file) of the certificate the question is about."""
    from genesys_lab.authority.ca import load_ca

    ca = load_ca(question.workdir)
    record = ca.record(question.params["serial"])
    return ca, record, ca.paths.repository / f"{record.serial}.pem"


class _FormatQuestion(Question):
    def prepare(self):
        """The CA in ``work`` and, in a CA that has issued nothing yet, certificate 01 to work on."""
        ca = ensure_ca(self.workdir)
        if not ca.records():
            ca.issue("host01.lab.example.com", "host01")
        return ca.paths.root


_WRONG_KIND = {
    "RSA_KEY": "is a PKCS#1 RSA private key, which Java's PKCS8EncodedKeySpec cannot read: convert it to PKCS#8 "
    "(the default -outformat of convert_priv_key.sh, outformat='pkcs8')",
    "ENCRYPTED_PKCS8_KEY": "is an encrypted PKCS#8 key, but this application reads its key file without a password: "
    "convert again without -encrypt",
    "ENCRYPTED_RSA_KEY": "is an encrypted PKCS#1 key: Java reads neither the format nor the encryption; convert it "
    "to unencrypted PKCS#8",
    "PKCS12": "is a .pfx, not a key file: take the key out with convert_priv_key.sh -informat pfx",
}


class JavaKey(_FormatQuestion):
    NOTEBOOK, NUMBER, TITLE = "04", 1, "a key for a Java PSDK application"
    OUTPUTS = (KEY_NAME,)
    PROMPT = (
        "A Java PSDK application on the host of certificate `{serial}` reads its private key from a PEM "
        "file, and the JDK reads keys only in one format. Write the key of certificate `{serial}` in that "
        f"format, unencrypted, to a new file in `work` (for example `{KEY_NAME}`).\n\n"
        "Check the new file: `q1.check(path)` (what `convert_key` returned works too)."
    )
    HINT = (
        "The key is ca_conf/repository/{serial}_<host>_priv_key.pem. The guide's convert_priv_key.sh "
        "(or convert_key() in Python) converts it; its default output format is the one Java wants."
    )
    SOLUTION = f'''\
from genesys_lab import convert_key, load_ca

record = load_ca(work).record("{{serial}}")
key_file = next(p for p in record.files if p.name.endswith("_priv_key.pem"))
answer = convert_key(key_file, work / "{KEY_NAME}", outformat="pkcs8")
# The guide's command, run in the CA folder:
#   convert_priv_key.sh -in ca_conf/repository/{{serial}}_<host>_priv_key.pem -out {KEY_NAME}
'''

    def _check(self, answer, **options) -> Outcome:
        from genesys_lab.formats.convert import key_matches
        from genesys_lab.formats.identify import Kind, identify

        path = as_path(answer, "converted key")
        found = identify(path)
        if found.kind is not Kind.PKCS8_KEY:
            raise Wrong(f"{path.name} {_WRONG_KIND.get(found.kind.name, f'is {found.summary()}, not a private key')}")
        _ca, record, cert_file = _target(self)
        problems = []
        if not key_matches(cert_file, path):
            problems.append(
                f"{path.name} is a PKCS#8 key, but not the key of certificate {record.serial} ({record.subject}): "
                f"convert ca_conf/repository/{record.serial}_<host>_priv_key.pem"
            )
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            problems.append(
                f"{path.name} has mode {mode:04o}, so other users can read the key: a key file must be 0600 "
                "(convert_key and convert_priv_key.sh create it so)"
            )
        return verdict(
            problems,
            f"{path.name} is an unencrypted PKCS#8 key ({found.items[0].detail}) that belongs to "
            f"certificate {record.serial}, mode {mode:04o}",
        )


class LegacyPfx(_FormatQuestion):
    NOTEBOOK, NUMBER, TITLE = "04", 2, "a .pfx with a password for Windows Server 2016"
    OUTPUTS = (PFX_NAME,)
    PROMPT = (
        "The `.pfx` that create_cert.sh wrote for certificate `{serial}` has an empty password, so anyone "
        "who copies it has the key. The host runs Windows Server 2016, and the file must travel over a "
        "shared folder. Export certificate `{serial}` with its private key and the CA certificate into a "
        f"new `.pfx` in `work` (for example `{PFX_NAME}`) that is **protected by a password** and that "
        "Windows Server 2016 still imports.\n\n"
        "Check it with its password: `q2.check(path, password=...)`."
    )
    HINT = (
        "`genesys-lab pkcs12 info` (describe_pkcs12) says who opens a .pfx and why not. "
        "export_pkcs12(cert, key, out, chain=..., password=..., compat=...) writes one; with a password "
        "it uses the modern algorithms unless the compat setting asks for the ones older Windows reads."
    )
    SOLUTION = f'''\
import os
import secrets
from genesys_lab import export_pkcs12, load_ca

ca = load_ca(work)
record = ca.record("{{serial}}")
key_file = next(p for p in record.files if p.name.endswith("_priv_key.pem"))
password = os.environ.get("PFX_PASSWORD") or secrets.token_urlsafe(16)   # the site's, else a new random one
answer = export_pkcs12(record.cert_file, key_file, work / "{PFX_NAME}", chain=[ca.paths.cert],
                       password=password, compat="legacy")
options = dict(password=password)
# The same command (password from the environment variable PFX_PASSWORD), in the CA folder:
#   genesys-lab pkcs12 export ca_conf/repository/{{serial}}_<host>_cert.pem --key ca_conf/repository/{{serial}}_<host>_priv_key.pem \\
#       --chain ca_conf/ca_cert.pem --compat legacy --passout env:PFX_PASSWORD --out {PFX_NAME}
'''

    def _check(self, answer, password: str = "", **options) -> Outcome:
        from genesys_lab.errors import PasswordError
        from genesys_lab.formats.identify import Kind, identify
        from genesys_lab.formats.pkcs12 import describe_pkcs12, read_pkcs12

        path = as_path(answer, ".pfx file")
        found = identify(path)
        if found.kind is not Kind.PKCS12:
            raise Wrong(f"{path.name} is {found.summary()}, not a PKCS#12 (.pfx) file")
        data = path.read_bytes()
        try:
            info = describe_pkcs12(data, password)
            contents = read_pkcs12(data, password)
        except PasswordError:
            raise Wrong(
                f"{'an empty password' if not password else 'that password'} does not open {path.name}: "
                "pass the password you exported it with, q2.check(path, password=...)"
            ) from None
        problems = []
        if info.empty_password:
            problems.append(f"{path.name} has an empty password: anyone who copies it has the key; export it with a password")
        old_windows = next(c for c in info.consumers if c.consumer.startswith("Windows Server 2016"))
        if not old_windows.opens:
            problems.append(f"Windows Server 2016 cannot import it: {old_windows.reason}")
        problems += self._content_problems(contents)
        protection = next((b.encryption.split(",")[0] for b in info.bags if b.kind == "key"), "?")
        return verdict(
            problems,
            f"{path.name} holds the key, certificate {self.params['serial']} and the CA certificate, "
            f"protected by a password, {protection} and an {info.mac} MAC: "
            "Windows Server 2016 imports it",
        )

    def _content_problems(self, contents) -> list[str]:
        from genesys_lab.x509.describe import describe
        from genesys_lab.x509.keys import matches

        ca, record, cert_file = _target(self)
        wanted = describe(cert_file).fingerprint_sha256
        if contents.key is None or contents.cert is None:
            return ["it holds no private key: export the certificate together with its key (--key, the key argument)"]
        problems = []
        if describe(contents.cert).fingerprint_sha256 != wanted:
            problems.append(f"its certificate is {describe(contents.cert).common_name}, not certificate {record.serial}")
        elif not matches(contents.key, contents.cert):
            problems.append("the key in it does not belong to its certificate: export with the certificate's own key")
        ca_print = describe(ca.certificate).fingerprint_sha256
        if all(describe(c).fingerprint_sha256 != ca_print for c in contents.chain):
            problems.append(
                "the CA certificate is missing: add it with chain=[ca.paths.cert] (--chain ca_conf/ca_cert.pem) "
                "so that Windows can build the chain"
            )
        return problems


def questions(workdir, serial: str = SERIAL, **params) -> tuple[Question, ...]:
    return (JavaKey(workdir, serial=serial, **params), LegacyPfx(workdir, serial=serial, **params))
