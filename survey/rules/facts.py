"""The reviewer's facts (facts.toml): what each one is, its type, its wording and its range."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from .evidence import GRADES

FACT_TYPES = ("int", "bool", "date", "grade", "set", "text")


class SchemeError(ValueError):
    """A scheme or facts file that does not follow the schema: names the file, key and reason."""

    def __init__(self, file: str, key: str, reason: str) -> None:
        super().__init__(f"{file}: {key}: {reason}")
        self.file, self.key, self.reason = file, key, reason


@dataclass(frozen=True)
class Fact:
    name: str
    type: str
    zh: str
    en: str
    column: bool = False
    low: int = 0
    high: int | None = None
    choices: tuple[str, ...] = ()

    def wording(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


def _fact(file: str, name: str, table: Any) -> Fact:
    where = f"{name}"
    if not isinstance(table, dict):
        raise SchemeError(file, where, "each fact is a table")
    unknown = set(table) - {"type", "zh", "en", "column", "max", "min", "choices"}
    if unknown:
        raise SchemeError(file, f"{where}.{sorted(unknown)[0]}", "unknown key")
    kind = table.get("type")
    if kind not in FACT_TYPES:
        raise SchemeError(file, f"{where}.type", f"one of {', '.join(FACT_TYPES)}")
    for text in ("zh", "en"):
        if not isinstance(table.get(text), str) or not table[text].strip():
            raise SchemeError(file, f"{where}.{text}", "a wording is required")
    if kind in ("int", "text") and not isinstance(table.get("max"), int):
        raise SchemeError(file, f"{where}.max", "a number or text fact needs its maximum")
    choices = tuple(table.get("choices", ()))
    if kind == "set" and not choices:
        raise SchemeError(file, f"{where}.choices", "a set fact lists its choices")
    if kind == "grade":
        choices = GRADES
    return Fact(
        name,
        kind,
        table["zh"],
        table["en"],
        bool(table.get("column", False)),
        int(table.get("min", 0)),
        table.get("max"),
        choices,
    )


def load_facts(text: str, file: str = "facts.toml") -> dict[str, Fact]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(file, "(file)", f"not valid TOML: {exc}") from None
    return {name: _fact(file, name, table) for name, table in data.items()}


FACTS: dict[str, Fact] = load_facts(
    files("survey.rules").joinpath("facts.toml").read_text(encoding="utf-8")
)
COLUMN_FACTS = tuple(name for name, fact in FACTS.items() if fact.column)
"""Facts kept in their own columns of the assessment; the rest live in its `facts` JSON."""
