"""Certificates for Java (PSDK) applications: a truststore made with keytool, and the host .pfx as keystore.

A Java application that uses a key store instead of PEM files needs two:
a truststore holding the CA certificate, made with the guide's form
``keytool -import -alias x -file y -keystore z`` (run as ``-importcert``,
the current name of ``-import``; JDK 17 accepts both), and a keystore with
its own key and certificate chain. Since Java 9 the default keystore type is
PKCS12, so the host's ``<SERIAL>_<host>_cert.pfx`` already is one; a keystore
protected by a password of the site's choosing is made from it with
``keytool -importkeystore`` (Oracle, "keytool" in the JDK 17 Tools Reference,
https://docs.oracle.com/en/java/javase/17/docs/specs/man/keytool.html).

keytool's store passwords are passed through the environment
(``-storepass:env``, ``-srcstorepass:env``, ``-deststorepass:env``), never
as arguments visible to ``ps``.
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
#: the variables -importkeystore reads its two passwords from
SOURCE_PASSWORD_VARIABLE = "SOURCE_STORE_PASSWORD"
KEYSTORE_PASSWORD_VARIABLE = "KEYSTORE_PASSWORD"
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
    """The exact keytool command that imports the CA certificate into a truststore.

    ``-importcert`` is the current name of the guide's ``-import`` (keytool
    still accepts both); the options are the guide's ``-alias x -file y
    -keystore z`` plus the store type and the password from the environment.
    """
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
    tmp = truststore.with_name(f".{truststore.name}.{os.getpid()}.tmp")
    try:
        _run_keytool(truststore_command(ca_cert, tmp, alias=alias, storetype=storetype, keytool=tool), password)
        place(tmp, truststore, overwrite=overwrite)
    except OSError as exc:
        raise GenesysLabError(f"could not write {truststore}: {exc.strerror or exc}; nothing was written") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    command = truststore_command(ca_cert, truststore, alias=alias, storetype=storetype)
    return Truststore(truststore, command, True)


def _run_keytool(command, password: str, **more_passwords: str) -> None:
    env = dict(os.environ, **{PASSWORD_VARIABLE: password}, **more_passwords)
    proc = subprocess.run(list(command), env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        message = (proc.stdout + proc.stderr).strip().splitlines()
        raise GenesysLabError(f"keytool failed: {message[-1] if message else 'exit ' + str(proc.returncode)}")


@dataclass(frozen=True)
class Keystore:
    """The keytool -importkeystore command for a host keystore, and whether genesys_lab ran it."""

    path: Path
    command: tuple[str, ...]
    created: bool

    @property
    def command_line(self) -> str:
        return " ".join(shlex.quote(a) for a in self.command)


def keystore_command(source_pfx, keystore, *, keytool: str = "keytool") -> tuple[str, ...]:
    """keytool -importkeystore from the host .pfx into a PKCS12 keystore with the site's password.

    Both passwords come from the environment: the source's (empty for the
    Security Pack's .pfx) and the new store's.
    """
    return (
        keytool,
        "-importkeystore",
        "-noprompt",
        "-srckeystore",
        str(source_pfx),
        "-srcstoretype",
        "PKCS12",
        "-srcstorepass:env",
        SOURCE_PASSWORD_VARIABLE,
        "-destkeystore",
        str(keystore),
        "-deststoretype",
        "PKCS12",
        "-deststorepass:env",
        KEYSTORE_PASSWORD_VARIABLE,
    )


def create_keystore(
    source_pfx, keystore, password: str, *, source_password: str = "", overwrite: bool = False, keytool: str | None = None
) -> Keystore:
    """Run keytool -importkeystore when keytool is installed; otherwise return the command to run.

    PKCS12 keeps one password for the store and its key, so ``password``
    protects both (keytool says so when -destkeypass differs). The source
    is read first with the lab's PKCS#12 reader, so a wrong source password
    or a .pfx without a key is refused in one line before keytool runs.
    """
    from genesys_lab.files import read_user_file
    from genesys_lab.formats.pkcs12 import read_pkcs12

    keystore = check_output(keystore, overwrite=overwrite)
    contents = read_pkcs12(read_user_file(source_pfx, "PKCS#12 file"), source_password)
    if contents.key is None:
        raise GenesysLabError(f"{source_pfx} holds no private key: a keystore needs the host's <SERIAL>_<host>_cert.pfx")
    if len(password) < MIN_STORE_PASSWORD:
        raise PasswordError(f"keytool needs a store password of at least {MIN_STORE_PASSWORD} characters: nothing was written")
    tool = keytool or shutil.which("keytool")
    if tool is None:
        return Keystore(keystore, keystore_command(source_pfx, keystore), False)
    tmp = keystore.with_name(f".{keystore.name}.{os.getpid()}.tmp")
    try:
        _run_keytool(
            keystore_command(source_pfx, tmp, keytool=tool),
            "",
            **{SOURCE_PASSWORD_VARIABLE: source_password, KEYSTORE_PASSWORD_VARIABLE: password},
        )
        place(tmp, keystore, overwrite=overwrite)
    except OSError as exc:
        raise GenesysLabError(f"could not write {keystore}: {exc.strerror or exc}; nothing was written") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return Keystore(keystore, keystore_command(source_pfx, keystore), True)


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
