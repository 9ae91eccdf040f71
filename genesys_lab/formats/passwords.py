"""Where the command lines get passwords from: never from the command line itself.

A password typed as an argument lands in the shell history and in ``ps``
output for every user of the machine, so the lab follows OpenSSL's
``-passin``/``-passout`` conventions without the ``pass:`` form:

* ``env:VAR``  the value of an environment variable;
* ``file:PATH`` the first line of a file;
* ``stdin``    the next line of standard input;
* no spec      an interactive prompt on a terminal (``getpass``, twice for
  a new password so a typo does not lock the key away), otherwise the next
  line of standard input, so ``echo secret | convert_priv_key.sh ... -encrypt``
  works in scripts. When a command needs two passwords from a pipe, the
  input password is the first line and the new one the second.

These are the only functions that touch the terminal; the library API
(convert, pkcs12, java) takes passwords as plain arguments.
"""

from __future__ import annotations

import getpass as _getpass
import os
import sys
from pathlib import Path

from genesys_lab.errors import PasswordError, UsageError

#: OpenSSL refuses shorter pass phrases when it encrypts a PEM key
#: ("must be at least 4 characters"); we apply the same floor.
MIN_NEW_PASSWORD = 4


class PasswordRequired(PasswordError):
    """The input is protected and no password was given: the caller may ask for one and retry."""


def from_spec(spec: str, *, environ=None, stdin=None) -> str:
    """Resolve an OpenSSL-style password source (``env:VAR``, ``file:PATH``, ``stdin``)."""
    environ = os.environ if environ is None else environ
    kind, sep, value = spec.partition(":")
    if spec == "stdin":
        return _line_from_stdin(stdin, "a password")
    if kind == "env" and sep and value:
        if value not in environ:
            raise PasswordError(f"environment variable {value} is not set: export it, or use file:PATH")
        return environ[value]
    if kind == "file" and sep and value:
        try:
            text = Path(value).read_text(encoding="utf-8")
        except OSError as exc:
            raise PasswordError(f"cannot read the password file {value}: {exc.strerror}") from None
        return text.splitlines()[0] if text else ""
    if kind == "pass":
        raise UsageError(
            "pass:PASSWORD would show the password in the shell history and to `ps`: use env:VAR, file:PATH or stdin instead"
        )
    # Nothing of what was typed is echoed, not even the part before a colon:
    # a password typed where its source belongs ("Secret:x") would land in
    # the terminal's scrollback, logs and CI output.
    raise UsageError(
        "the password source is not env:VAR, file:PATH or stdin (what was typed is not shown: it may be the password)"
    )


def ask(prompt: str, *, confirm: bool = False, stdin=None, getpass=None) -> str:
    """Ask on a terminal (twice when ``confirm``), else read the next line of standard input."""
    stdin = sys.stdin if stdin is None else stdin
    getpass = _getpass.getpass if getpass is None else getpass
    if not _is_terminal(stdin):
        return _line_from_stdin(stdin, f"a password ({prompt.strip().rstrip(':')})")
    first = getpass(prompt)
    if confirm and getpass("Verifying - " + prompt) != first:
        raise PasswordError("the two passwords typed do not match: nothing was written, run the command again")
    return first


def obtain(spec: str | None, prompt: str, *, confirm: bool = False, stdin=None, getpass=None, environ=None) -> str:
    """A password from ``spec`` when given, otherwise from :func:`ask`."""
    if spec:
        return from_spec(spec, environ=environ, stdin=stdin)
    return ask(prompt, confirm=confirm, stdin=stdin, getpass=getpass)


def piped_line(stdin=None) -> str | None:
    """The next line of standard input when it is a pipe or a file (``echo pw | ...``), else None.

    For outputs whose password may be empty by default (the Security Pack's
    .pfx): a piped line is used as the password, a terminal or /dev/null
    means "no password given", and so does an empty pipe.
    """
    import stat

    stdin = sys.stdin if stdin is None else stdin
    try:
        mode = os.fstat(stdin.fileno()).st_mode
    except (AttributeError, ValueError, OSError):  # replaced by a test harness or closed: not a pipe
        return None
    if not (stat.S_ISFIFO(mode) or stat.S_ISREG(mode)):
        return None
    line = stdin.readline()
    return line.rstrip("\r\n") if line else None


def check_new(password: str, *, allow_empty: bool = False) -> str:
    """Refuse a new password that protects nothing, the way ``openssl`` refuses short pass phrases."""
    if password == "" and allow_empty:
        return password
    if len(password) < MIN_NEW_PASSWORD:
        raise PasswordError(
            f"the new password must have at least {MIN_NEW_PASSWORD} characters "
            "(OpenSSL refuses shorter ones): nothing was written"
        )
    return password


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _line_from_stdin(stdin, what: str) -> str:
    stdin = sys.stdin if stdin is None else stdin
    line = stdin.readline()
    if not line:
        raise PasswordError(
            f"{what} was expected on standard input, which is empty: "
            "type it on a terminal, pipe it in, or use env:VAR / file:PATH"
        )
    return line.rstrip("\r\n")
