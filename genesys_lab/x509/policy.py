"""The guide's numbers in one place: key sizes the lab accepts and recommends.

The Genesys Security Deployment Guide ("What You Need": recommended
certificate properties) asks for RSA keys of 2048 bits or more; the lab
still issues 1024-bit keys for demonstrations (with a warning) and refuses
what no consumer would load. Imports nothing, so the command lines can show
these numbers in their help without loading the core.
"""

MIN_KEY_SIZE = 1024
RECOMMENDED_KEY_SIZE = 2048
MAX_KEY_SIZE = 16384
