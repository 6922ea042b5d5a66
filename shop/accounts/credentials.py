"""Secrets: passwords and PINs hashed with argon2id, tokens stored only as their SHA-256, and what makes a PIN or
password too weak."""

from __future__ import annotations

import hashlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shop.errors import N_

# OWASP's recommended minimum for argon2id: 19 MiB, 2 passes. About 20 ms here.
HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
PIN_LENGTHS = range(4, 7)
MIN_PASSWORD = 10


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def hash_secret(secret: str) -> str:
    return HASHER.hash(secret)


def verify_secret(stored: str | None, secret: str) -> bool:
    if not stored or not secret:
        # Spend the same time as a real check, so nobody learns which accounts have a PIN or password.
        HASHER.hash("x")
        return False
    try:
        return HASHER.verify(stored, secret)
    except (VerificationError, InvalidHashError):
        return False


def pin_problem(pin: str) -> str | None:
    if not pin.isdigit() or len(pin) not in PIN_LENGTHS:
        return N_("A PIN has 4 to 6 digits.")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        return N_("Choose a PIN that is harder to guess than %(pin)s.")
    return None


def password_problem(password: str, username: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return N_("Use at least %(length)d characters.")
    if username and username.lower() in password.lower():
        return N_("The password must not contain the username.")
    return None
