"""How a leaf's value is read and checked, by the kind of its field. Raise InvalidInput.

``coerce`` turns what a surface received (a string, a number, a Decimal from the text
language, a datetime or enum from GraphQL) into the one canonical value a ``Leaf`` holds:

| kind | canonical value |
|---|---|
| FAMILY | ``app.domain.Family`` |
| TEXT, REF, ALIAS | ``str`` (UTF-8 without NUL; refs and aliases in app.ids syntax) |
| NUMBER | finite ``float`` |
| INTEGER | ``int`` within PostgreSQL's bigint |
| DATETIME | ``datetime`` in UTC (ISO-8601 text without a time zone is taken as UTC) |
| BOOLEAN | ``bool`` |
| WARNING_CODE | ``app.domain.WarningCode`` |

``IS NOT NULL`` (Op.PRESENT) carries no value: None.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import TypeVar

from app import ids
from app.domain import Family, WarningCode
from app.errors import InvalidInput
from app.search.fields import BAD_FILTER, Field, Kind, Op, encodable

Value = str | int | float | bool | datetime | Family | WarningCode

E = TypeVar("E", bound=Enum)

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1

EXPECTED: dict[Kind, str] = {
    Kind.FAMILY: "a quoted family: " + ", ".join(repr(f.value) for f in Family),
    Kind.TEXT: "a quoted text",
    Kind.NUMBER: "a number",
    Kind.INTEGER: "an integer",
    Kind.DATETIME: "a quoted ISO-8601 date-time such as '2026-01-31' or '2026-01-31T12:00:00Z'",
    Kind.BOOLEAN: "true or false",
    Kind.REF: "a quoted version id, lineage id or lineage@alias",
    Kind.WARNING_CODE: "a quoted warning code: " + ", ".join(repr(w.value) for w in WarningCode),
    Kind.ALIAS: "a quoted alias name (lower-case letters, digits, '-' or '_')",
}


def _refuse(field: Field, got: str) -> InvalidInput:
    return InvalidInput(
        f"{field_name(field)} takes {EXPECTED[field.spec.kind]}; got {got}", code=BAD_FILTER
    )


def field_name(field: Field) -> str:
    """The field as an error message quotes it."""
    if field.param is None:
        return repr(field.spec.name)
    return repr(f"{field.spec.name}.{field.param}")


def _shown(raw: object) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, str):
        return repr(raw if len(raw) <= 60 else raw[:60] + "...")
    if isinstance(raw, Enum):
        return repr(raw.value)
    if isinstance(raw, Decimal):
        return f"{raw:g}"
    return str(raw)


def coerce(field: Field, op: Op, raw: object) -> Value | None:
    """The canonical value of ``raw`` for ``field`` compared by ``op``."""
    if op not in field.spec.ops:
        allowed = ", ".join(o.value for o in field.spec.ops)
        raise InvalidInput(
            f"{field_name(field)} does not take {op.value}; it takes {allowed}", code=BAD_FILTER
        )
    if op is Op.PRESENT:
        if raw is not None:
            raise InvalidInput("IS NOT NULL takes no value", code=BAD_FILTER)
        return None
    return _READERS[field.spec.kind](field, raw)


def check(field: Field, op: Op, value: object) -> None:
    """Refuse ``value`` unless it is already the canonical value for ``field`` and ``op``."""
    canonical = coerce(field, op, value)
    utc = not isinstance(value, datetime) or value.tzinfo is UTC
    if type(canonical) is not type(value) or canonical != value or not utc:
        raise InvalidInput(
            f"{field_name(field)}: {_shown(value)} is not a canonical value; build leaves "
            "through app.search.tree.leaf",
            code=BAD_FILTER,
        )


def _text(field: Field, raw: object) -> str:
    if not isinstance(raw, str):
        raise _refuse(field, _shown(raw))
    if not encodable(raw):
        raise InvalidInput(
            f"{field_name(field)}: text must not contain NUL or unpaired surrogates",
            code=BAD_FILTER,
        )
    limit = field.spec.max_length
    if limit and len(raw) > limit:
        raise InvalidInput(
            f"{field_name(field)} compares with at most {limit} characters; got {len(raw)}",
            code=BAD_FILTER,
        )
    return raw


def _enum(kind: type[E], field: Field, raw: object) -> E:
    if isinstance(raw, kind):
        return raw
    if isinstance(raw, str):
        for member in kind:
            if member.value == raw:
                return member
    raise _refuse(field, _shown(raw))


def _family(field: Field, raw: object) -> Family:
    return _enum(Family, field, raw)


def _warning(field: Field, raw: object) -> WarningCode:
    return _enum(WarningCode, field, raw)


def _number(field: Field, raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        raise _refuse(field, _shown(raw))
    if isinstance(raw, Decimal) and not raw.is_finite():
        raise _refuse(field, _shown(raw))
    value = float(raw)
    if not math.isfinite(value):
        raise InvalidInput(
            f"{field_name(field)}: {_shown(raw)} is beyond the range of a double",
            code=BAD_FILTER,
        )
    return value


def _integer(field: Field, raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        raise _refuse(field, _shown(raw))
    number = raw if isinstance(raw, Decimal) else Decimal(raw) if math.isfinite(raw) else None
    # Range first: a Decimal like 1e999999 must never become a Python int.
    if number is None or not number.is_finite() or not BIGINT_MIN <= number <= BIGINT_MAX:
        raise InvalidInput(
            f"{field_name(field)}: {_shown(raw)} is not an integer within "
            f"[{BIGINT_MIN}, {BIGINT_MAX}]",
            code=BAD_FILTER,
        )
    if number != number.to_integral_value():
        raise _refuse(field, _shown(raw))
    return int(number)


def _datetime(field: Field, raw: object) -> datetime:
    if isinstance(raw, datetime):
        moment = raw
    elif isinstance(raw, str):
        try:
            moment = datetime.fromisoformat(raw)
        except ValueError:
            raise _refuse(field, _shown(raw)) from None
    else:
        raise _refuse(field, _shown(raw))
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(
            f"{field_name(field)}: {_shown(raw)} is outside the years 1 to 9999 in UTC",
            code=BAD_FILTER,
        ) from None


def _boolean(field: Field, raw: object) -> bool:
    if not isinstance(raw, bool):
        raise _refuse(field, _shown(raw))
    return raw


def _ref(field: Field, raw: object) -> str:
    if not isinstance(raw, str) or not ids.possible_ref(raw):
        raise _refuse(field, _shown(raw))
    return raw


def _alias(field: Field, raw: object) -> str:
    if not isinstance(raw, str) or ids.ALIAS.fullmatch(raw) is None:
        raise _refuse(field, _shown(raw))
    if ids.RESERVED_ALIAS.fullmatch(raw):
        raise InvalidInput(
            f"{raw!r} is a reserved name, not an alias (for the latest version: latest = true)",
            code=BAD_FILTER,
        )
    return raw


_READERS: dict[Kind, Callable[[Field, object], Value]] = {
    Kind.FAMILY: _family,
    Kind.TEXT: _text,
    Kind.NUMBER: _number,
    Kind.INTEGER: _integer,
    Kind.DATETIME: _datetime,
    Kind.BOOLEAN: _boolean,
    Kind.REF: _ref,
    Kind.WARNING_CODE: _warning,
    Kind.ALIAS: _alias,
}
