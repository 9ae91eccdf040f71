"""The simulated Windows machine's refusals: each one line naming the bad value and the fix."""

from __future__ import annotations

from genesys_lab.errors import CertificateNotFoundError, GenesysLabError, UsageError


class MachineError(GenesysLabError):
    """A folder is not a simulated machine, or its files are damaged."""


class NotInStoreError(CertificateNotFoundError):
    """No certificate in the machine's stores has that thumbprint."""


class AmbiguousThumbprintError(UsageError):
    """The thumbprint is in several stores: name the store."""


class WizardRefusal(GenesysLabError):
    """The import or export wizard would stop here (or Windows would refuse)."""


class ConfirmationRequired(WizardRefusal):
    """Windows asks before it trusts a new root: confirm (``confirm=True``, ``--yes``) to go on."""
