"""RSA keys: generate, read whatever the Security Pack or OpenSSL wrote, write PKCS#1.

The Security Pack writes traditional "BEGIN RSA PRIVATE KEY" (PKCS#1) files;
OpenSSL 3's ``req -keyout`` writes "BEGIN PRIVATE KEY" (PKCS#8). Both load.
"""

from __future__ import annotations

from pathlib import Path

from genesys_lab.errors import FormatError, PasswordError, UsageError
from genesys_lab.x509.policy import MAX_KEY_SIZE, MIN_KEY_SIZE, RECOMMENDED_KEY_SIZE

__all__ = ["MAX_KEY_SIZE", "MIN_KEY_SIZE", "RECOMMENDED_KEY_SIZE"]


def check_key_size(value) -> int:
    """Accept 1024..16384 bits; under 2048 works for demonstration but the guide asks for 2048+."""
    try:
        bits = int(str(value).strip())
    except ValueError:
        raise UsageError(f"key size {value!r} is not a number: use 2048 (the default) or 3072, 4096") from None
    if bits < MIN_KEY_SIZE or bits > MAX_KEY_SIZE:
        raise UsageError(f"key size {bits} is outside {MIN_KEY_SIZE}..{MAX_KEY_SIZE} bits: use 2048 or more")
    return bits


def key_size_warning(bits: int) -> str | None:
    if bits < RECOMMENDED_KEY_SIZE:
        return f"key size {bits} is below the guide's recommended 2048 bits: fine for a demonstration, not for production"
    return None


def generate_rsa_key(bits: int = RECOMMENDED_KEY_SIZE):
    """A new RSA key with public exponent 65537 (what ``openssl genrsa`` uses)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def generate_rsa_keys(sizes: list[int], workers: int | None = None):
    """Yield new RSA keys for ``sizes`` in order, made on every core.

    Key generation is CPU-bound and releases nothing to threads, so a
    process pool is what uses the other cores; keys come back as PKCS#8 DER
    through the pool's pipe (local to this machine, never written to disk).
    With one key, or one core, no pool is started.
    """
    import os

    workers = workers or os.cpu_count() or 1
    if len(sizes) < 2 or workers < 2:
        yield from (generate_rsa_key(bits) for bits in sizes)
        return
    from concurrent.futures import ProcessPoolExecutor

    from cryptography.hazmat.primitives import serialization

    pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_setup, initargs=(os.getpid(),))
    try:
        for der in pool.map(_new_key_der, sizes, chunksize=1):
            # Made a moment ago by our own worker: skip cryptography's RSA
            # consistency check, which re-tests p and q for primality and
            # would cost the parent as much as the generation saved.
            yield serialization.load_der_private_key(der, password=None, unsafe_skip_rsa_key_validation=True)
    except BaseException:
        _stop_workers(pool)  # Ctrl-C, or the consumer stopped: do not wait for keys nobody will use
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _worker_setup(parent: int) -> None:
    """A key worker ignores Ctrl-C (the parent decides) and dies with its parent, even after kill -9.

    PR_SET_PDEATHSIG (Linux prctl(2)) makes the kernel send SIGKILL to the
    worker when the parent dies; without it a killed parent leaves workers
    generating keys for nobody.
    """
    import signal
    import sys

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes
        import os

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)


def _stop_workers(pool) -> None:
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()


def _new_key_der(bits: int) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return generate_rsa_key(bits).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def pkcs1_pem(key) -> bytes:
    """Traditional "BEGIN RSA PRIVATE KEY" PEM, unencrypted, as the Security Pack writes host keys."""
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )


def load_private_key(data: bytes, *, password: str | None = None, source: str = "key", check: bool = True):
    """Load a PEM or DER private key (PKCS#1 or PKCS#8, plain or encrypted).

    ``check=False`` skips cryptography's RSA consistency check (a primality
    test of p and q, tens of milliseconds) for a key whose match with a known
    certificate the caller verifies instead, such as the CA key on every command.
    """
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization

    pw = password.encode() if password else None
    loader = serialization.load_pem_private_key if b"-----BEGIN" in data else serialization.load_der_private_key
    try:
        return loader(data, password=pw, unsafe_skip_rsa_key_validation=not check)
    except TypeError:
        if pw is None:
            raise PasswordError(f"{source} is encrypted: give its password") from None
        raise PasswordError(f"{source} is not encrypted: leave the password out") from None
    except ValueError as exc:
        if (pw is not None and "encrypt" in str(exc).lower()) or "bad decrypt" in str(exc).lower():
            raise PasswordError(f"{source}: wrong password") from None
        raise FormatError(f"{source} is not a private key this lab can read (PKCS#1 or PKCS#8, PEM or DER)") from None
    except UnsupportedAlgorithm as exc:
        raise FormatError(
            f"{source}: Python's cryptography cannot read this key ({exc}); OpenSSL may (openssl pkey -in FILE -noout -text), "
            "but a Genesys application needs an RSA key: issue a new one"
        ) from None


def load_private_key_file(path: Path, password: str | None = None, *, check: bool = True):
    path = Path(path)
    from genesys_lab.files import read_user_file

    data = read_user_file(path, "key file")
    return load_private_key(data, password=password, source=str(path), check=check)


def matches(private_key, certificate) -> bool:
    """Whether a private key belongs to a certificate: their public keys are the same."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    def spki(public_key):
        return public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)

    return spki(private_key.public_key()) == spki(certificate.public_key())
