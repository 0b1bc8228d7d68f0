"""The preset schemes, read from the data files under survey/rules/schemes/ at import.

A file with a mistake stops the import with the file, the key and the reason.
"""

from __future__ import annotations

from importlib.resources import files

from .facts import SchemeError
from .loader import load_scheme
from .schemes import Scheme


class UnknownScheme(KeyError, ValueError):
    """No scheme has that key. Both a KeyError (a lookup) and a ValueError (bad input)."""

    def __str__(self) -> str:
        return f"unknown rating scheme {self.args[0]!r}; known: {', '.join(sorted(SCHEMES))}"


def _presets() -> dict[str, Scheme]:
    found = {}
    listed = files("survey.rules").joinpath("schemes").iterdir()
    for path in sorted((p for p in listed if p.name.endswith(".toml")), key=lambda p: p.name):
        scheme = load_scheme(path.read_text(encoding="utf-8"), path.name)
        if f"{scheme.key}.toml" != path.name:
            raise SchemeError(
                path.name, "key", f"the file of scheme {scheme.key!r} is named after it"
            )
        found[scheme.key] = scheme
    return found


SCHEMES: dict[str, Scheme] = _presets()


def get_scheme(key: str) -> Scheme:
    """The preset named `key`; raises UnknownScheme (a KeyError and a ValueError)."""
    try:
        return SCHEMES[key]
    except KeyError:
        raise UnknownScheme(key) from None
