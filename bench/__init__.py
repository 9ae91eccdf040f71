"""Benchmarks: genesys_lab against the OpenSSL command line doing the same job, in the same run."""
