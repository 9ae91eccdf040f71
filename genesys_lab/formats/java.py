"""Certificates for Java (PSDK) applications: a truststore made with keytool, and the host .pfx as keystore.

A Java application that uses a key store instead of PEM files needs two:
a truststore holding the CA certificate (made with ``keytool -importcert``,
the command the guide shows as ``keytool -import``), and a keystore with its
own key and certificate. Since Java 9 the default keystore type is PKCS12,
so the host's ``<SERIAL>_<host>_cert.pfx`` already is that keystore.

keytool's store password is passed through the environment
(``-storepass:env``), never as an argument visible to ``ps``.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from genesys_lab.errors import GenesysLabError, PasswordError, UsageError
from genesys_lab.formats.convert import check_output, load_certificate, place

DEFAULT_ALIAS = "genesys-ca"
PASSWORD_VARIABLE = "TRUSTSTORE_PASSWORD"
#: keytool refuses store passwords shorter than this ("at least 6 characters").
MIN_STORE_PASSWORD = 6


@dataclass(frozen=True)
class Truststore:
    """The keytool command for a truststore, and whether genesys_lab ran it."""

    path: Path
    command: tuple[str, ...]
    created: bool

    @property
    def command_line(self) -> str:
        return " ".join(shlex.quote(a) for a in self.command)


def truststore_command(
    ca_cert, truststore, *, alias: str = DEFAULT_ALIAS, storetype: str = "PKCS12", keytool: str = "keytool"
) -> tuple[str, ...]:
    """The exact keytool command that imports the CA certificate into a truststore."""
    storetype = _storetype(storetype)
    return (
        keytool,
        "-importcert",
        "-noprompt",
        "-trustcacerts",
        "-alias",
        alias,
        "-file",
        str(ca_cert),
        "-keystore",
        str(truststore),
        "-storetype",
        storetype,
        "-storepass:env",
        PASSWORD_VARIABLE,
    )


def _storetype(value: str) -> str:
    text = str(value).upper()
    if text not in ("PKCS12", "JKS"):
        raise UsageError(f"store type {value!r} is not PKCS12 (Java 9+ default) or JKS")
    return text


def create_truststore(
    ca_cert,
    truststore,
    password: str,
    *,
    alias: str = DEFAULT_ALIAS,
    storetype: str = "PKCS12",
    overwrite: bool = False,
    keytool: str | None = None,
) -> Truststore:
    """Run keytool -importcert when keytool is installed; otherwise return the command to run.

    keytool writes into a temporary file beside the target, which is then
    renamed into place, so a failure never leaves a half-made store and an
    existing store is never extended by accident.
    """
    truststore = check_output(truststore, overwrite=overwrite)
    load_certificate(ca_cert)  # a clear error now, not keytool's later
    if len(password) < MIN_STORE_PASSWORD:
        raise PasswordError(f"keytool needs a store password of at least {MIN_STORE_PASSWORD} characters: nothing was written")
    tool = keytool or shutil.which("keytool")
    if tool is None:
        return Truststore(truststore, truststore_command(ca_cert, truststore, alias=alias, storetype=storetype), False)
    from genesys_lab.files import staged_name

    tmp = staged_name(truststore)  # random: a PID-named file collides in containers, where every run is PID 1
    try:
        _run_keytool(truststore_command(ca_cert, tmp, alias=alias, storetype=storetype, keytool=tool), password)
        os.chmod(tmp, 0o644)  # keytool's file follows the umask (0666 under umask 000); a truststore is public
        place(tmp, truststore, overwrite=overwrite)
    except OSError as exc:
        raise GenesysLabError(f"could not write {truststore}: {exc.strerror or exc}; nothing was written") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    command = truststore_command(ca_cert, truststore, alias=alias, storetype=storetype)
    return Truststore(truststore, command, True)


def _run_keytool(command, password: str) -> None:
    env = dict(os.environ, **{PASSWORD_VARIABLE: password})
    proc = subprocess.run(list(command), env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        message = (proc.stdout + proc.stderr).strip().splitlines()
        raise GenesysLabError(f"keytool failed: {message[-1] if message else 'exit ' + str(proc.returncode)}")


def keystore_properties(keystore, truststore=None, *, truststore_type: str = "PKCS12") -> tuple[str, ...]:
    """The JSSE system properties that make a Java application use the host .pfx as its keystore.

    The .pfx's password is empty (Security Pack default), so keyStorePassword is empty too.
    """
    props = [f"-Djavax.net.ssl.keyStore={keystore}", "-Djavax.net.ssl.keyStoreType=PKCS12", "-Djavax.net.ssl.keyStorePassword="]
    if truststore is not None:
        props += [
            f"-Djavax.net.ssl.trustStore={truststore}",
            f"-Djavax.net.ssl.trustStoreType={_storetype(truststore_type)}",
            "-Djavax.net.ssl.trustStorePassword=<truststore password>",
        ]
    return tuple(props)
