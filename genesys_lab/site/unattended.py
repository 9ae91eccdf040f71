"""``genesys-lab runbook``: run notebooks/11_site_procedure.ipynb unattended with papermill.

The command and the notebook are one procedure: papermill injects the command's values into the
notebook's ``parameters`` cell and runs it top to bottom (papermill's documented
``execute_notebook(input, output, parameters=...)``); the executed copy is kept in the output folder
as the record of the run. A keystore password never becomes a parameter (parameters are written
into that copy): it reaches the kernel through an environment variable, and the notebook reads it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from genesys_lab.errors import GenesysLabError, UsageError

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "11_site_procedure.ipynb"
PASSWORD_VARIABLE = "GENESYS_LAB_SITE_KEYSTORE_PASSWORD"
EXECUTED = "site_procedure.ipynb"


def run_site_notebook(
    inventory: Path,
    out: Path,
    *,
    site: str,
    ca_dir: Path | None = None,
    ca_cn: str | None = None,
    days: int = 365,
    renewal_lead_days: int = 30,
    crl_url: str | None = None,
    keystore_password: str | None = None,
    revoke: bool = False,
    pdf: bool = True,
    progress: bool = True,
) -> Path:
    """Run the site procedure notebook for ``inventory`` into ``out``; return the HTML runbook's path."""
    from genesys_lab.site.inventory import read_site_inventory
    from genesys_lab.site.procedure import SiteSettings

    if not NOTEBOOK.exists():
        raise UsageError(
            f"{NOTEBOOK} is missing: run genesys-lab runbook from a checkout of the lab (it runs the course's notebook)"
        )
    inventory, out = Path(inventory).resolve(), Path(out).resolve()
    read_site_inventory(inventory)  # every problem reported before a kernel starts or a file is written
    SiteSettings(site, inventory, out, days=days, renewal_lead_days=renewal_lead_days)  # the same checks as the notebook's
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file: name a folder for the runbook")
    out.mkdir(parents=True, exist_ok=True)
    parameters = {
        "site_name": site,
        "inventory": str(inventory),
        "ca_dir": str(Path(ca_dir).resolve()) if ca_dir else None,
        "days": days,
        "renewal_lead_days": renewal_lead_days,
        "crl_url": crl_url,
        "out": str(out),
        "revoke": revoke,
        "make_pdf": pdf,
        "keystore_password_env": PASSWORD_VARIABLE if keystore_password else None,
    }
    if ca_cn:
        parameters["ca_cn"] = ca_cn
    _execute(parameters, out / EXECUTED, keystore_password, progress)
    return out / "runbook.html"


def _execute(parameters: dict, executed: Path, password: str | None, progress: bool) -> None:
    import papermill
    from papermill.exceptions import PapermillExecutionError

    saved = os.environ.get(PASSWORD_VARIABLE)
    if password:
        os.environ[PASSWORD_VARIABLE] = password  # the kernel inherits it; it is never written anywhere
    try:
        with tempfile.TemporaryDirectory() as cwd:
            papermill.execute_notebook(
                str(NOTEBOOK),
                str(executed),
                parameters=parameters,
                cwd=cwd,
                kernel_name="python3",
                progress_bar=progress,
                log_output=False,
            )
    except PapermillExecutionError as exc:
        raise GenesysLabError(
            f"the site procedure stopped: {exc.ename}: {exc.evalue} (the executed notebook is {executed})"
        ) from None
    finally:
        if saved is None:
            os.environ.pop(PASSWORD_VARIABLE, None)
        else:
            os.environ[PASSWORD_VARIABLE] = saved
