"""The install steps of a bundle, in words and in the commands that do them.

UNIX and Java steps follow the guide's "Installing Certificates on UNIX for
Native Applications" and "... for Applications with Java dependency"; the
commands are portable POSIX ``cp``/``chown``/``chmod`` (AIX's ``install`` has
other options than GNU's, so it is not used). The guide does not say which
application option names the files: that is in each application's own
documentation, and the steps say so instead of guessing an option name.

Windows steps follow the guide's MMC procedure (Computer account; the CA in
Trusted Root Certification Authorities, the host certificate in Personal;
the thumbprint for the configuration); the PowerShell line is Microsoft's
``Import-PfxCertificate`` (Microsoft Learn, "Import-PfxCertificate", pki
module, https://learn.microsoft.com/powershell/module/pki/import-pfxcertificate).

Java keystore steps use ``keytool`` with passwords from the environment and
the JSSE system properties (Oracle, "Java Secure Socket Extension (JSSE)
Reference Guide", Customizing the Default Keystores and Truststores).
"""

from __future__ import annotations

import shlex

_DEST = 'DEST=/path/to/certificates   # the local folder the applications read; any folder you choose'


def steps_for(kind, serial, host, fqdn, files, owner, group, thumbprint, keytool_ran):
    from genesys_lab.install.bundle import Platform

    if kind is Platform.WINDOWS:
        return _windows(files, thumbprint)
    if kind is Platform.JAVA_KEYSTORE:
        return _keystore(serial, host, fqdn, files, owner, group, keytool_ran)
    return _files(kind, fqdn, files, owner, group)


def _who(owner, group) -> str:
    account = str(owner) if owner is not None else "ACCOUNT"
    return f"{account}:{group}" if group is not None else account


def _check_line(platform: str, fqdn: str, owner, group) -> str:
    extra = f" --group {group}" if group is not None else ""
    return f'genesys-lab check-install "$DEST" --platform {platform} --account {owner if owner is not None else "ACCOUNT"}{extra} --host {fqdn}'


def _files(kind, fqdn, files, owner, group):
    names = [f.name for f in files]
    key = next(f for f in files if f.mode in (0o600, 0o640))
    public = [n for n in names if n != key.name]
    key_mode = f"{key.mode:o}"
    steps = [
        _dest_step(owner),
        _copy_step(names),
        _own_step(names, owner, group),
        _modes_step(public, key.name, key_mode, group),
    ]
    if kind.value == "java-pem":
        steps.append(
            _java_step(
                "Point the Java application at the PEM files: the certificate, the PKCS#8 key and ca_cert.pem. "
                "Which option names them is in the application's documentation (the guide does not name it)."
            )
        )
    steps.append(_verify_step(kind.value, fqdn, owner, group))
    return steps


def _dest_step(owner):
    from genesys_lab.install.bundle import Step

    return Step(
        "On the host, choose a local folder for the files, searchable by the applications' account.",
        (_DEST, 'mkdir -p "$DEST"', 'chmod 755 "$DEST"'),
    )


def _copy_step(names):
    from genesys_lab.install.bundle import Step

    return Step("Copy the files into that folder (the key keeps its 0600/0640 mode).", ("cp " + " ".join(names) + ' "$DEST"/',))


def _own_step(names, owner, group):
    from genesys_lab.install.bundle import Step

    targets = " ".join(f'"$DEST"/{n}' for n in names)
    return Step(
        "Give them to the account the Genesys applications run as"
        + (" and their group, so every application of the group reads them." if group is not None else "."),
        (f"chown {_who(owner, group)} {targets}",),
    )


def _modes_step(public, key_name, key_mode, group):
    from genesys_lab.install.bundle import Step

    who = "the account and its group" if group is not None else "that account"
    return Step(
        f"Certificates readable by all; the key by {who} only (the guide's warning on the private key).",
        ("chmod 644 " + " ".join(f'"$DEST"/{n}' for n in public), f'chmod {key_mode} "$DEST"/{key_name}'),
    )


def _java_step(text):
    from genesys_lab.install.bundle import Step

    return Step(text)


def _verify_step(platform, fqdn, owner, group):
    from genesys_lab.install.bundle import Step

    return Step("Check the installation as the application will see it.", (_check_line(platform, fqdn, owner, group),))


def _keystore(serial, host, fqdn, files, owner, group, keytool_ran):
    from genesys_lab.formats import java
    from genesys_lab.install.bundle import TRUSTSTORE, Step

    pfx = f"{serial}_{host}_cert.pfx"
    names = [f.name for f in files]
    steps = [_dest_step(owner)]
    if not keytool_ran:
        steps.append(
            Step(
                "keytool was not found where the bundle was made: on the Java host, with the passwords in the environment "
                "(never on the command line), make the two stores:",
                (
                    f"{java.SOURCE_PASSWORD_VARIABLE}= {java.KEYSTORE_PASSWORD_VARIABLE}=... "
                    + " ".join(shlex.quote(a) for a in java.keystore_command(pfx, f"keystore_{pfx}")),
                    f"{java.PASSWORD_VARIABLE}=... " + " ".join(shlex.quote(a) for a in java.truststore_command("ca_cert.pem", TRUSTSTORE)),
                ),
            )
        )
    steps += [
        _copy_step(names),
        _own_step(names, owner, group),
        Step(
            "Start the Java application with the JSSE properties that name the stores; "
            "give the passwords as the application's documentation says (not on a command line others can read).",
            (
                " ".join(java.keystore_properties(f"$DEST/{pfx}", f"$DEST/{TRUSTSTORE}")).replace(
                    "-Djavax.net.ssl.keyStorePassword=", "-Djavax.net.ssl.keyStorePassword=<keystore password>"
                ),
            ),
        ),
        Step(
            "Check the installation as the application will see it (passwords from the environment).",
            (_check_line("java-keystore", fqdn, owner, group) + " --storepass env:KEYSTORE_PASSWORD --trustpass env:TRUSTSTORE_PASSWORD",),
        ),
    ]
    return steps


def _windows(files, thumbprint):
    from genesys_lab.install.bundle import Step

    ca_pfx, host_pfx = files[0].name, files[1].name
    return [
        Step("Copy both .pfx files to the Windows host."),
        Step(
            "In MMC with the Certificates snap-in for the Computer account, import ca_cert.pfx into Trusted Root "
            "Certification Authorities (empty password), or in an elevated PowerShell:",
            (f"Import-PfxCertificate -FilePath .\\{ca_pfx} -CertStoreLocation Cert:\\LocalMachine\\Root",),
        ),
        Step(
            f"Import {host_pfx} (key and certificate, empty password) into Personal of the Computer account:",
            (f"Import-PfxCertificate -FilePath .\\{host_pfx} -CertStoreLocation Cert:\\LocalMachine\\My",),
        ),
        Step(f"Use the certificate's thumbprint in the security configuration: {thumbprint}"),
    ]
