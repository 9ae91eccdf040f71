"""convert_priv_key.sh, convert-key, pkcs12 export|info, identify, convert-cert, java-truststore.

Parsing and printing only: the work is done by genesys_lab.formats.convert,
genesys_lab.formats.identify, genesys_lab.formats.pkcs12 and genesys_lab.formats.java; passwords
come from genesys_lab.formats.passwords (prompt, standard input, env:VAR, file:PATH).
"""

from __future__ import annotations

import sys

from genesys_lab.errors import PasswordError, UsageError
from genesys_lab.formats import passwords

SCRIPT_USAGE = "convert_priv_key.sh -in INPUTFILE -out OUTFILE [-informat pfx|pkcs8|pkcs12|rsa] [-outformat pkcs8|rsa] [-encrypt]"


# -- password helpers ----------------------------------------------------------


def _with_input_password(work, spec: str | None, what: str):
    """Call ``work(password)`` with None first; ask only if the input turns out to be protected."""
    if spec:
        return work(passwords.from_spec(spec))
    try:
        return work(None)
    except passwords.PasswordRequired:
        return work(passwords.ask(f"Enter pass phrase for {what}: "))


def _key_password(source, informat, spec: str | None) -> str | None:
    """The password that opens the input key (None when it needs none), asked only if needed.

    The input is proved readable before a new password is asked for, so a
    wrong input password never costs the user two prompts first.
    """
    from genesys_lab.formats.convert import load_key

    def attempt(password):
        load_key(source, informat, password)
        return password

    return _with_input_password(attempt, spec, source)


def _new_password(spec: str | None, what: str, *, allow_empty: bool = False) -> str:
    password = passwords.obtain(spec, f"Enter new pass phrase for {what}: ", confirm=True)
    return passwords.check_new(password, allow_empty=allow_empty)


# -- convert_priv_key.sh -------------------------------------------------------


def convert_priv_key_script(argv=None) -> int:
    """The guide's convert_priv_key.sh, with exactly its options."""
    from genesys_lab.cli.main import _Parser, run

    p = _Parser(
        prog="convert_priv_key.sh",
        usage=SCRIPT_USAGE,
        allow_abbrev=False,
        description="Convert a private key, e.g. to PKCS#8 for Java PSDK applications.",
    )
    p.add_argument("-in", dest="input", required=True, metavar="INPUTFILE", help="input private key file")
    p.add_argument("-out", dest="output", required=True, metavar="OUTFILE", help="output private key file")
    p.add_argument("-informat", default="rsa", metavar="pfx|pkcs8|pkcs12|rsa", help="input format (default rsa)")
    p.add_argument("-outformat", default="pkcs8", metavar="pkcs8|rsa", help="output format (default pkcs8)")
    p.add_argument("-encrypt", action="store_true", help="encrypt the output; the password is asked for")
    args = p.parse_args(argv)
    return run(
        lambda a: _convert(a.input, a.output, a.informat, a.outformat, a.encrypt, None, None, False), args, "convert_priv_key.sh"
    )


def _convert(source, out, informat, outformat, encrypt, passin, passout, overwrite) -> int:
    from genesys_lab.formats.convert import KeyFormat, check_output, convert_key

    informat = KeyFormat.parse(informat) if informat != "auto" else None
    outformat = KeyFormat.parse(outformat, "-outformat")
    check_output(out, overwrite=overwrite)  # refuse before asking for any password
    key_password = _key_password(source, informat, passin)
    new = _new_password(passout, out) if encrypt else None
    result = convert_key(
        source, out, informat=informat, outformat=outformat, password=key_password, new_password=new, overwrite=overwrite
    )
    print(result.describe())
    return 0


# -- genesys-lab subcommands ---------------------------------------------------------


def register(sub) -> None:
    p = sub.add_parser("convert-key", help="convert a private key: PKCS#1 (rsa), PKCS#8, from a .pfx (convert_priv_key.sh)")
    p.add_argument("input", help="key file: PKCS#1, PKCS#8 (plain or encrypted) or a .pfx/.p12")
    p.add_argument("--out", required=True, help="output key file (created with mode 0600)")
    p.add_argument("--informat", default="auto", choices=["auto", "rsa", "pkcs8", "pkcs12", "pfx"], help="default: recognise it")
    p.add_argument("--outformat", default="pkcs8", choices=["pkcs8", "rsa"], help="pkcs8 (default, for Java) or rsa (PKCS#1)")
    p.add_argument(
        "--encrypt", action="store_true", help="encrypt the output (PKCS#8 PBES2 AES-256, or traditional AES-256 for rsa)"
    )
    _password_options(p)
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    p.set_defaults(
        func=lambda a: _convert(
            a.input, a.out, a.informat, a.outformat, a.encrypt or bool(a.passout), a.passin, a.passout, a.overwrite
        )
    )

    _register_pkcs12(sub)

    p = sub.add_parser("identify", help="say what a file is (certificate, CSR, CRL, key, PKCS#12; PEM or DER)")
    p.add_argument("file")
    p.add_argument("--key", help="also say whether this key file matches the certificate in FILE")
    p.add_argument("--passin", metavar="env:VAR|file:PATH|stdin", help="password of an encrypted --key")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_identify)

    p = sub.add_parser("convert-cert", help="certificates and CRLs between PEM and DER; a chain file (host then CA)")
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="certificate or CRL; with several: host certificate, then CA(s)")
    p.add_argument("--out", required=True)
    p.add_argument("--to", choices=["pem", "der", "chain"], help="default: the other encoding; chain when several inputs")
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    p.set_defaults(func=cmd_convert_cert)

    p = sub.add_parser("java-truststore", help="a Java truststore with the CA certificate (keytool -importcert)")
    p.add_argument("ca_cert", metavar="CA_CERT", help="the CA certificate, e.g. ca_conf/ca_cert.pem")
    p.add_argument("--out", required=True, help="truststore file, e.g. truststore.p12")
    p.add_argument("--alias", default="genesys-ca")
    p.add_argument("--storetype", default="PKCS12", choices=["PKCS12", "JKS"])
    p.add_argument("--storepass", metavar="env:VAR|file:PATH|stdin", help="store password source (default: ask)")
    p.add_argument("--print-command", action="store_true", help="only show the keytool command")
    p.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    p.set_defaults(func=cmd_java_truststore)


def _password_options(p) -> None:
    p.add_argument("--passin", metavar="env:VAR|file:PATH|stdin", help="password of a protected input (default: ask if needed)")
    p.add_argument("--passout", metavar="env:VAR|file:PATH|stdin", help="password for the output (implies --encrypt)")


def _register_pkcs12(sub) -> None:
    p = sub.add_parser("pkcs12", help="build or inspect a .pfx (PKCS#12)")
    inner = p.add_subparsers(dest="pkcs12_command", metavar="export|info", parser_class=type(p))
    inner.required = True
    e = inner.add_parser("export", help="a .pfx from a certificate, its key and the CA chain")
    e.add_argument("cert", metavar="CERT")
    e.add_argument("--key", required=True, help="the certificate's private key")
    e.add_argument("--chain", action="append", default=[], metavar="CA_CERT", help="CA certificate(s) to include")
    e.add_argument(
        "--compat",
        default="modern",
        choices=["modern", "legacy"],
        help="modern: AES-256 + SHA-256 MAC; legacy: 3DES + SHA-1 MAC (Windows Server 2016 and older, old Java)",
    )
    e.add_argument("--name", help="friendly name (default: the host name, as create_cert.sh does)")
    e.add_argument("--out", required=True, help="the .pfx to write (mode 0600)")
    group = e.add_mutually_exclusive_group()
    group.add_argument(
        "--password-prompt",
        action="store_true",
        help="ask for a password (default: a line piped to standard input, else empty, as the Security Pack)",
    )
    group.add_argument("--passout", metavar="env:VAR|file:PATH|stdin", help="take the password from here")
    e.add_argument("--passin", metavar="env:VAR|file:PATH|stdin", help="password of an encrypted --key")
    e.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    e.set_defaults(func=cmd_pkcs12_export)
    i = inner.add_parser("info", help="bags, encryption, MAC, and which consumers open the file")
    i.add_argument("file")
    i.add_argument("--passin", metavar="env:VAR|file:PATH|stdin", help="password (default: empty, then ask)")
    i.set_defaults(func=cmd_pkcs12_info)


def cmd_pkcs12_export(args) -> int:
    from genesys_lab.formats.convert import check_output, export_pkcs12

    check_output(args.out, overwrite=args.overwrite)
    key_password = _key_password(args.key, None, args.passin)
    password = ""
    if args.password_prompt or args.passout:
        password = _new_password(args.passout, args.out, allow_empty=True)
    else:
        piped = passwords.piped_line()  # `echo pw | genesys-lab pkcs12 export ...`, as for every other command
        if piped is not None:
            password = passwords.check_new(piped, allow_empty=True)
    path = export_pkcs12(
        args.cert,
        args.key,
        args.out,
        chain=args.chain,
        password=password,
        key_password=key_password,
        compat=args.compat,
        friendly_name=args.name,
        overwrite=args.overwrite,
    )
    protection = "an empty password" if password == "" else "a password"
    print(f"wrote {path} (mode 0600, {args.compat}, {protection})")
    return 0


def cmd_pkcs12_info(args) -> int:
    from genesys_lab.formats.identify import read_source
    from genesys_lab.formats.pkcs12 import describe_pkcs12

    data, _ = read_source(args.file)

    def describe(password):
        try:
            return describe_pkcs12(data, "" if password is None else password)
        except PasswordError:
            if password is None:
                raise passwords.PasswordRequired("password needed") from None
            raise

    info = _with_input_password(describe, args.passin, args.file)
    _print_pkcs12(args.file, info)
    return 0


def _print_pkcs12(name, info) -> None:
    print(
        f"{name}: PKCS#12, password {'empty' if info.empty_password else 'set'}, "
        f"MAC {info.mac}" + (f", {info.mac_iterations} iterations" if info.mac_iterations else "")
    )
    for bag in info.bags:
        label = f"  {bag.kind:<5} {bag.subject or ''}".rstrip()
        extra = [f"friendly name {bag.friendly_name!r}"] if bag.friendly_name else []
        extra += ["Java trusted"] if bag.java_trusted_usage else []
        print(label + (f" [{', '.join(extra)}]" if extra else "") + f"; encryption: {bag.encryption}")
    print("consumers:")
    for c in info.consumers:
        print(f"  {'yes' if c.opens else 'NO ':<3}  {c.consumer}: {c.reason}")


def cmd_identify(args) -> int:
    import json

    from genesys_lab.formats.convert import key_matches
    from genesys_lab.formats.identify import Kind, identify

    found = identify(args.file)
    match = None
    if args.key:
        if found.kind is not Kind.CERTIFICATE or found.several:
            raise UsageError(f"--key needs FILE to be one certificate, but {args.file} is: {found.summary()}")
        match = _with_input_password(lambda pw: key_matches(args.file, args.key, password=pw), args.passin, args.key)
    if args.json:
        print(
            json.dumps(
                {
                    "file": found.source,
                    "summary": found.summary(),
                    "key_matches": match,
                    "items": [{"kind": i.kind.name, "encoding": i.encoding, "detail": i.detail} for i in found.items],
                },
                indent=2,
            )
        )
        return 0
    print(f"{found.source}: {found.summary()}")
    if args.key:
        print(f"{args.key}: {'matches' if match else 'does NOT match'} this certificate's public key")
    return 0 if match is not False else 1


def cmd_convert_cert(args) -> int:
    from genesys_lab.formats.convert import convert_certificate, write_chain

    if args.to == "chain" or len(args.inputs) > 1:
        if len(args.inputs) < 2:
            raise UsageError("a chain needs the host certificate and at least one CA certificate")
        path = write_chain(args.inputs[0], args.inputs[1:], args.out, overwrite=args.overwrite)
        print(f"wrote {path}: {len(args.inputs)} files, host certificate first")
        return 0
    path = convert_certificate(args.inputs[0], args.out, to=args.to, overwrite=args.overwrite)
    print(f"wrote {path}")
    return 0


def cmd_java_truststore(args) -> int:
    from genesys_lab.formats.java import create_truststore, truststore_command

    if args.print_command:
        print(" ".join(truststore_command(args.ca_cert, args.out, alias=args.alias, storetype=args.storetype)))
        return 0
    password = passwords.obtain(args.storepass, "Enter truststore password: ", confirm=True)
    store = create_truststore(
        args.ca_cert, args.out, password, alias=args.alias, storetype=args.storetype, overwrite=args.overwrite
    )
    if not store.created:
        print(
            "keytool is not installed here; nothing was written. On the Java host, with the password in "
            "$TRUSTSTORE_PASSWORD, run:",
            file=sys.stderr,
        )
        print(store.command_line)
        return 1
    print(f"wrote {store.path} ({args.storetype}, alias {args.alias}) with:\n  {store.command_line}")
    return 0
