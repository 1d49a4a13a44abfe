"""Short codes: generated ones are 7 characters people can read back without a doubt;
custom ones follow a pattern."""

from __future__ import annotations

import re
import secrets
import string

#: Letters and digits, less those read as one another in many fonts: 0 O o, 1 l I.
LOOK_ALIKES = "0Oo1lI"
ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in LOOK_ALIKES)
GENERATED_LENGTH = 7
CUSTOM_PATTERN = re.compile(r"^[A-Za-z0-9_-]{3,32}$")


def generate() -> str:
    """A random code: 56**7 (1.7e12) possibilities, so collisions are rare and retried."""
    return "".join(secrets.choice(ALPHABET) for _ in range(GENERATED_LENGTH))


def is_valid(code: str) -> bool:
    """True for a code links accepts from a client (fullmatch: see ``snipkit.keys.CODE``)."""
    return bool(CUSTOM_PATTERN.fullmatch(code))
