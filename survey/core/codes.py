"""Short codes in Crockford base32, typed leniently by people (e.g. ``7KD2-QX9M``)."""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LENIENT = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def display(code: str, group: int = 4) -> str:
    """``7KD2QX9M`` -> ``7KD2-QX9M``."""
    return "-".join(code[i : i + group] for i in range(0, len(code), group))


def normalise(typed: str, length: int = 8) -> str | None:
    """The canonical code for what a person typed, or None when it cannot be one.

    Case, spaces and dashes are ignored; O reads as 0, I and L as 1 (Crockford's rule).
    U is not in the alphabet; it is read as V, the letter it is most often mistaken for.
    """
    cleaned = "".join(typed.split()).replace("-", "").replace("_", "").upper()
    cleaned = cleaned.translate(_LENIENT)
    if len(cleaned) != length or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned
