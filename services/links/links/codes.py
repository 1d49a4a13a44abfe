"""Short codes: generated ones are 7 characters of base62; custom ones follow a pattern."""

from __future__ import annotations

import re
import secrets
import string

ALPHABET = string.ascii_letters + string.digits
GENERATED_LENGTH = 7
CUSTOM_PATTERN = re.compile(r"^[A-Za-z0-9_-]{3,32}$")


def generate() -> str:
    """A random code: 62**7 (3.5e12) possibilities, so collisions are rare and retried."""
    return "".join(secrets.choice(ALPHABET) for _ in range(GENERATED_LENGTH))


def is_valid(code: str) -> bool:
    """True for a code links accepts from a client (fullmatch: see ``snipkit.keys.CODE``)."""
    return bool(CUSTOM_PATTERN.fullmatch(code))
