"""Reading a scheme file (TOML) into a `Scheme`, checked against the schema as it is read.

Every mistake is refused with a `SchemeError` naming the file, the key (e.g.
`criteria[2].min`) and the reason, so a committee writing its own scheme knows what to fix.
"""

from __future__ import annotations

import tomllib
from typing import Any

from .evidence import DOMAINS, EXCLUSION_KEYS, GRADES
from .facts import FACTS, SchemeError
from .results import LABELS
from .schemes import ORDER_FIGURES, Scheme, Target
from .sources import SEED_FILES
from .vocabulary import KINDS, OPERATORS, Bound, Check, Item, Ratio

COMMON = {"key", "kind", "source", "zh", "en", "label", "domains"}
CHECK_KEYS = {"fact", "per", "equals", "includes", "when", *OPERATORS}
ALLOWED = {
    "vote_share": {"figure", "count_probationary", "min", "more_than"},
    "complaints": {"rate_max", "any_verified", "rate_source", "any_source"},
    "grade": {"within"},
    "number": CHECK_KEYS | {"checks", "missing"},
    "flag": {"fact", "expected", "missing"},
    "rank": {"fact", "within", "missing"},
    "exclusions": {"keys", "clauses"},
    "founded": {"years"},
    "weak": set(),
    "weak_last_year": set(),
    "social": {"exempt_domains"},
}
FACT_KIND = {"number": "int", "flag": "bool", "rank": "int"}


class _Reader:
    """Typed access to one table of the file, each refusal naming `file` and the key path."""

    def __init__(self, file: str, path: str, table: Any) -> None:
        if not isinstance(table, dict):
            raise SchemeError(file, path or "(file)", "expected a table")
        self.file, self.path, self.table = file, path, table

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, reason: str) -> SchemeError:
        return SchemeError(self.file, self.where(key), reason)

    def only(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                raise self.fail(key, "unknown key")

    def get(self, key: str, kind: type, default: Any = ..., *, required: bool = True) -> Any:
        if key not in self.table:
            if default is not ... or not required:
                return None if default is ... else default
            raise self.fail(key, "required")
        value = self.table[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(key, "must be a whole number")
        if not isinstance(value, kind):
            raise self.fail(key, f"must be a {kind.__name__}")
        return value

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.get(key, str, required=required)
        if value is not None and not value.strip():
            raise self.fail(key, "must not be empty")
        return value

    def strings(self, key: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
        values = self.get(key, list, [])
        for value in values:
            if not isinstance(value, str) or (allowed is not None and value not in allowed):
                known = f"; known: {', '.join(allowed)}" if allowed else ""
                raise self.fail(key, f"{value!r} is not allowed{known}")
        return tuple(values)

    def ratio(self, key: str, *, required: bool = True) -> Ratio | None:
        """An integer (n) or an integer pair [n, d], never a float."""
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(key, "required")
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value, 1]
        if (
            not isinstance(value, list)
            or len(value) != 2
            or any(isinstance(n, bool) or not isinstance(n, int) for n in value)
        ):
            raise self.fail(key, "a bound is a whole number or [numerator, denominator]")
        try:
            return Ratio(*value)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None

    def source(self, key: str = "source", *, required: bool = True) -> str | None:
        value = self.text(key, required=required)
        if value is not None and (value[:3] not in SEED_FILES or value[3:4] != " "):
            raise self.fail(key, "a source starts with a seed number (000-004) and a space")
        return value


def _fact_named(reader: _Reader, key: str, name: Any, wanted: str) -> str:
    fact = FACTS.get(name) if isinstance(name, str) else None
    if fact is None:
        raise reader.fail(key, f"unknown fact {name!r}; facts are listed in facts.toml")
    if fact.type != wanted:
        raise reader.fail(key, f"fact {name!r} is {fact.type}, not {wanted}")
    return name


def _check(reader: _Reader, wanted: str = "int") -> Check:
    """A check from a table holding `fact` and its bound(s), `equals` or `includes`."""
    reader.only(CHECK_KEYS)
    if "includes" in reader.table:
        name = _fact_named(reader, "fact", reader.table.get("fact"), "set")
        includes = reader.strings("includes", FACTS[name].choices)
        return Check(name, includes=includes, when=_when(reader))
    name = _fact_named(reader, "fact", reader.table.get("fact"), wanted)
    per = reader.table.get("per")
    if per is not None:
        per = _fact_named(reader, "per", per, "int")
    bounds = tuple(
        Bound(op, reader.ratio(op)) for op in OPERATORS if op in reader.table
    )  # ratio() never returns None here: the key is present
    if wanted == "int" and not bounds:
        raise reader.fail("fact", f"a number check needs a bound: {', '.join(OPERATORS)}")
    return Check(name, per=per, bounds=bounds, when=_when(reader))


def _when(reader: _Reader) -> Check | None:
    if "when" not in reader.table:
        return None
    inner = _Reader(reader.file, reader.where("when"), reader.table["when"])
    return _check(inner)


def _checks(reader: _Reader, kind: str) -> tuple[Check, ...]:
    if kind == "flag":
        name = _fact_named(reader, "fact", reader.table.get("fact"), "bool")
        return (Check(name, equals=reader.get("expected", bool, True)),)
    if kind == "rank":
        name = _fact_named(reader, "fact", reader.table.get("fact"), "int")
        within = reader.get("within", int)
        if within < 1:
            raise reader.fail("within", "a rank bound is at least 1")
        return (Check(name, bounds=(Bound("max", Ratio(within, 1)),)),)
    if "checks" not in reader.table:
        return (_check(_Reader(reader.file, reader.path, _without(reader.table))),)
    listed = reader.get("checks", list)
    if not listed:
        raise reader.fail("checks", "list at least one check")
    return tuple(
        _check(_Reader(reader.file, reader.where(f"checks[{i}]"), table))
        for i, table in enumerate(listed)
    )


def _without(table: dict) -> dict:
    return {key: value for key, value in table.items() if key in CHECK_KEYS}


def _specific(reader: _Reader, kind: str) -> dict[str, Any]:
    """The kind's own fields, checked."""
    if kind == "vote_share":
        figure = reader.get("figure", str)
        if figure not in ("excellent", "attendance"):
            raise reader.fail("figure", "excellent or attendance")
        ops = [op for op in ("min", "more_than") if op in reader.table]
        if len(ops) != 1:
            raise reader.fail("min", "give exactly one bound: min or more_than")
        return {
            "figure": figure,
            "bound": Bound(ops[0], reader.ratio(ops[0])),
            "count_probationary": reader.get("count_probationary", bool, True),
        }
    if kind == "complaints":
        fields = {
            "rate_max": reader.ratio("rate_max", required=False),
            "any_verified": reader.get("any_verified", bool, False),
            "rate_source": reader.source("rate_source", required=False),
            "any_source": reader.source("any_source", required=False),
        }
        if fields["rate_max"] is None and not fields["any_verified"]:
            raise reader.fail("rate_max", "give rate_max, any_verified = true, or both")
        return fields
    if kind == "grade":
        within = reader.strings("within", GRADES)
        if not within:
            raise reader.fail("within", "list the passing grades")
        return {"within": within}
    if kind in FACT_KIND:
        missing = reader.get("missing", str, "pending")
        if missing not in ("pending", "not_applicable"):
            raise reader.fail("missing", "pending or not_applicable")
        return {"checks": _checks(reader, kind), "missing": missing}
    if kind == "exclusions":
        keys = reader.strings("keys", EXCLUSION_KEYS) or EXCLUSION_KEYS
        clauses = _Reader(reader.file, reader.where("clauses"), reader.get("clauses", dict, {}))
        for key in clauses.table:
            if key not in keys:
                raise clauses.fail(
                    key, f"not an exclusion of this scheme; known: {', '.join(keys)}"
                )
            clauses.source(key)
        return {"keys": keys, "clauses": dict(clauses.table)}
    if kind == "founded":
        years = reader.get("years", int, 1)
        if years < 1:
            raise reader.fail("years", "at least 1")
        return {"years": years}
    if kind == "social":
        return {"exempt_domains": frozenset(reader.strings("exempt_domains", DOMAINS))}
    return {}


def _item(file: str, index: int, table: Any) -> Item:
    reader = _Reader(file, f"criteria[{index}]", table)
    kind = reader.get("kind", str)
    if kind not in KINDS:
        raise reader.fail("kind", f"{kind!r} is not a kind; kinds: {', '.join(KINDS)}")
    reader.only(COMMON | ALLOWED[kind])
    key = reader.text("key")
    label = reader.text("label", required=False) or LABELS.get(key)
    if label is None:
        raise reader.fail("label", "a criterion of its own needs a short label")
    return KINDS[kind](
        key=key,
        kind=kind,
        source=reader.source(),
        zh=reader.text("zh"),
        en=reader.text("en"),
        label=label,
        domains=frozenset(reader.strings("domains", DOMAINS)),
        **_specific(reader, kind),
    )


def _targets(file: str, listed: Any) -> tuple[Target, ...]:
    if not isinstance(listed, list):
        raise SchemeError(file, "targets", "a list of [[targets]] tables")
    found = []
    for index, table in enumerate(listed):
        reader = _Reader(file, f"targets[{index}]", table)
        reader.only({"year", "share", "count", "by", "source"})
        share, count = reader.ratio("share", required=False), reader.get("count", int, None)
        if (share is None) == (count is None):
            raise reader.fail("share", "give a share or a count, not both")
        found.append(
            Target(
                reader.get("year", int),
                share,
                reader.source(),
                count,
                reader.text("by", required=False),
            )
        )
    if [t.year for t in found] != sorted(t.year for t in found):
        raise SchemeError(file, "targets", "list targets in ascending years")
    return tuple(found)


def _recommendation(file: str, table: Any) -> dict[str, Any]:
    reader = _Reader(file, "recommendation", table)
    reader.only({"order", "source", "cap", "cap_source"})
    order = reader.strings("order", ORDER_FIGURES)
    return {
        "order": order or ("excellent_share", "verified_share", "score"),
        "order_source": reader.source(),
        "recommendation_cap": reader.ratio("cap", required=False),
        "recommendation_source": reader.source("cap_source", required=False),
    }


def load_scheme(text: str, file: str) -> Scheme:
    """A Scheme from the text of `file`; raises SchemeError naming the file, key and reason."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemeError(file, "(file)", f"not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise SchemeError(file, "(file)", "arrays or tables nested too deeply") from None
    top = _Reader(file, "", data)
    top.only({"key", "title", "source", "criteria", "targets", "recommendation", "absent"})
    listed = top.get("criteria", list)
    items = tuple(_item(file, index, table) for index, table in enumerate(listed))
    keys = [item.key for item in items]
    for index, key in enumerate(keys):
        if key in keys[:index]:
            raise SchemeError(file, f"criteria[{index}].key", f"{key!r} is listed twice")
    absent = top.get("absent", dict, {})
    absent_reader = _Reader(file, "absent", absent)
    for key in absent:
        absent_reader.source(key)
    return Scheme(
        key=top.text("key"),
        title=top.text("title"),
        source=top.source(),
        file=file,
        criteria=items,
        targets=_targets(file, data.get("targets", [])),
        absent=dict(absent),
        **_recommendation(file, top.get("recommendation", dict)),
    )
