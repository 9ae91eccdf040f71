"""Where passwords come from: a prompt on a terminal, else standard input, or env:/file: specs."""

from __future__ import annotations

import io

import pytest

from genesys_lab.errors import PasswordError, UsageError
from genesys_lab.formats import passwords


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def scripted_getpass(*answers):
    """A getpass that returns the answers in order and records the prompts."""
    prompts, queue = [], list(answers)

    def getpass(prompt):
        prompts.append(prompt)
        return queue.pop(0)

    getpass.prompts = prompts
    return getpass


def test_env_spec_reads_the_variable():
    assert passwords.from_spec("env:PW", environ={"PW": "s3cret!"}) == "s3cret!"


def test_env_spec_names_a_missing_variable():
    with pytest.raises(PasswordError, match="environment variable NOPE is not set"):
        passwords.from_spec("env:NOPE", environ={})


def test_file_spec_reads_only_the_first_line(tmp_path):
    (tmp_path / "pw").write_text("first line\nsecond line\n")
    assert passwords.from_spec(f"file:{tmp_path / 'pw'}") == "first line"


def test_file_spec_names_a_missing_file(tmp_path):
    with pytest.raises(PasswordError, match="cannot read the password file"):
        passwords.from_spec(f"file:{tmp_path / 'missing'}")


def test_stdin_spec_reads_the_next_line():
    stdin = io.StringIO("one\ntwo\n")
    assert passwords.from_spec("stdin", stdin=stdin) == "one"
    assert passwords.from_spec("stdin", stdin=stdin) == "two"


@pytest.mark.parametrize("spec", ["pass:hunter2", "pass:"])
def test_clear_passwords_on_the_command_line_are_refused(spec):
    with pytest.raises(UsageError, match="shell history"):
        passwords.from_spec(spec)


@pytest.mark.parametrize("spec", ["hunter2", "env:", "file:", "fd:3"])
def test_unknown_specs_are_usage_errors(spec):
    with pytest.raises(UsageError, match="is not env:VAR, file:PATH or stdin"):
        passwords.from_spec(spec)


def test_without_a_terminal_the_first_line_of_stdin_is_the_password():
    getpass = scripted_getpass()
    stdin = io.StringIO("pipe-pass\r\nnext\n")
    assert passwords.ask("Enter pass phrase: ", confirm=True, stdin=stdin, getpass=getpass) == "pipe-pass"
    assert getpass.prompts == []  # no prompt, and no confirmation line consumed
    assert stdin.readline() == "next\n"


def test_empty_stdin_is_an_error_that_says_how_to_give_the_password():
    with pytest.raises(PasswordError, match="standard input, which is empty.*env:VAR"):
        passwords.ask("Enter pass phrase: ", stdin=io.StringIO(""))


def test_an_empty_line_is_an_empty_password():
    assert passwords.ask("p: ", stdin=io.StringIO("\n")) == ""


def test_terminal_prompts_once_for_an_existing_password():
    getpass = scripted_getpass("typed")
    assert passwords.ask("Enter pass phrase for k.pem: ", stdin=FakeTerminal(), getpass=getpass) == "typed"
    assert getpass.prompts == ["Enter pass phrase for k.pem: "]


def test_terminal_asks_twice_for_a_new_password():
    getpass = scripted_getpass("new-pass", "new-pass")
    assert passwords.ask("Enter new pass phrase: ", confirm=True, stdin=FakeTerminal(), getpass=getpass) == "new-pass"
    assert getpass.prompts == ["Enter new pass phrase: ", "Verifying - Enter new pass phrase: "]


def test_a_mistyped_confirmation_is_refused():
    getpass = scripted_getpass("new-pass", "new-pasz")
    with pytest.raises(PasswordError, match="do not match"):
        passwords.ask("Enter new pass phrase: ", confirm=True, stdin=FakeTerminal(), getpass=getpass)


def test_obtain_prefers_the_spec_over_the_prompt():
    getpass = scripted_getpass()
    value = passwords.obtain("env:PW", "p: ", confirm=True, stdin=FakeTerminal(), getpass=getpass, environ={"PW": "x1234"})
    assert value == "x1234" and getpass.prompts == []


def test_new_passwords_shorter_than_openssl_accepts_are_refused():
    with pytest.raises(PasswordError, match="at least 4 characters"):
        passwords.check_new("abc")
    assert passwords.check_new("abcd") == "abcd"
    assert passwords.check_new("", allow_empty=True) == ""
    with pytest.raises(PasswordError):
        passwords.check_new("")


def test_a_mistyped_source_never_echoes_the_password():
    from genesys_lab.errors import UsageError
    from genesys_lab.formats.passwords import from_spec

    with pytest.raises(UsageError) as err:
        from_spec("Sup3rSecret!")
    assert "Sup3rSecret" not in str(err.value)
    # Not even the part before the colon: "Secret:x" is a password typed where its source belongs (issue 10).
    for typed in ("envv:Sup3rSecret", "Secret:x", "Sup3r:Secret:more"):
        with pytest.raises(UsageError) as err:
            from_spec(typed)
        assert not any(part and part in str(err.value) for part in typed.split(":") if part not in ("x",)), str(err.value)
        assert "env:VAR, file:PATH or stdin" in str(err.value)
