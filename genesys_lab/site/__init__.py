"""A site's own procedure: inventory -> certificates, bundles, Genesys options, rotation plan, runbook.

``run_procedure(SiteSettings(...))`` does the work and ``write_runbook(proc)`` writes the documents;
notebooks/11_site_procedure.ipynb and ``genesys-lab runbook`` call exactly these.
"""
