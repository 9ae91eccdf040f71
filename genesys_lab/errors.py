"""One exception family for the whole lab.

Every message names the value that was wrong and says how to fix it, so the
command line can print it as a single line (exit 1, or 2 for usage errors)
and a notebook learner can act on it without reading a traceback.
"""


class GenesysLabError(Exception):
    """Base class: something the user can fix; the message says what and how."""


class UsageError(GenesysLabError):
    """A bad option or value given by the user (the CLI exits 2)."""


class InvalidNameError(UsageError):
    """A host name, subject field, e-mail or IP address that cannot be used."""


class CAExistsError(GenesysLabError):
    """A CA already lives in the directory; creating another would destroy it."""


class CANotFoundError(GenesysLabError):
    """No CA in the directory: run create_ca.sh (or genesys-lab create-ca) first."""


class CADatabaseError(GenesysLabError):
    """ca.db, serial.num or crlnumber is damaged; the message names file and line."""


class CertificateNotFoundError(GenesysLabError):
    """No certificate with that serial (or at that path)."""


class FormatError(GenesysLabError):
    """A file is not in the format expected; the message says what it really is."""


class PasswordError(GenesysLabError):
    """A password is wrong, missing or was refused."""


class RevocationError(GenesysLabError):
    """A certificate cannot be revoked (already revoked, unknown serial, bad reason)."""
