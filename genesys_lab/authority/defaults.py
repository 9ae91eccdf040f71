"""The CA's default lifetimes, in a module that imports nothing.

The command lines show them in their help texts; keeping them here lets
``genesys-lab --help`` and every command register its options without
importing the CA, the CRL writer or cryptography (issue 9, section 5).
"""

#: create_ca.sh's default validity of the CA certificate (the Security Pack's scripts: 365 days)
DEFAULT_CA_DAYS = 365
#: create_cert.sh's default validity of a host certificate
DEFAULT_HOST_DAYS = 100
#: days from thisUpdate to nextUpdate of a CRL (ca.conf's default_crl_days)
DEFAULT_CRL_DAYS = 30
