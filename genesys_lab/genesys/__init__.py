"""Genesys TLS options: a site's configuration as data, generated options, a validator, handshakes.

The room on top of ``checks/`` and ``authority/``: it turns the Genesys
configuration objects that carry TLS parameters (Host, Application, Port,
Connection) into plain data, and checks them with the lab's own certificate
tools. Every option and rule comes from the Genesys documentation listed in
``SOURCES.md`` (beside this file); where the documentation read is silent,
the module that relies on it says so.

- ``options``: the documented options, where each may be set, their values.
- ``model``: hosts, applications, ports, connections; ``effective_options``.
- ``sitefile``: the TOML site file an administrator keeps in version control.
- ``generate``: the options for one certificate, as typed into Configuration Manager / GAX.
- ``validate``: the site checked against its certificates (``genesys-lab genesys-check``).
- ``handshake``: a real TLS handshake on 127.0.0.1 from two ends' effective options.
"""
