"""Metric values as registered: a number, or a number with its uncertainty; and exact deltas.

A metric is registered as a bare number, as ``{"value": v, "stderr": s}``, or as
``{"value": v, "lower": l, "upper": u}``. The point value is stored with the other metrics
(every filter, sort and list reads those); the uncertainty is stored beside it, already as an
interval, so that every reader takes the interval as it is and none derives it again: from a
standard error it is ``value ± 1.96 stderr``, the normal 95% interval.

Arithmetic on values is decimal, from each float's shortest representation: 0.854 - 0.823
is 0.031, not 0.031000000000000028.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.errors import InvalidInput

FIELD = "evaluationMetrics"
Z95 = Decimal("1.96")
RELATIVE_DIGITS = 6  # significant digits of a relative delta (a quotient has no exact form)


@dataclass(frozen=True)
class Interval:
    """The range a metric's true value likely lies in; ``stderr`` when it was given as one."""

    lower: float
    upper: float
    stderr: float | None = None

    def overlaps(self, other: Interval) -> bool:
        return self.lower <= other.upper and other.lower <= self.upper

    def as_json(self) -> dict[str, float]:
        found = {"lower": self.lower, "upper": self.upper}
        return found if self.stderr is None else found | {"stderr": self.stderr}


@functools.lru_cache(maxsize=4096)
def exact(v: float) -> Decimal:
    """The decimal a float was written as (its shortest representation)."""
    return Decimal(repr(float(v)))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _refuse(name: str, why: str) -> InvalidInput:
    return InvalidInput(f"metric {name!r} {why}", field=FIELD)


def parse(name: str, raw: Any) -> tuple[float, Interval | None]:
    """The point value (as written: an int stays an int) and interval of one registered
    metric, or InvalidInput saying why not."""
    if _number(raw):
        return raw, None
    if not isinstance(raw, Mapping):
        raise _shape_error(name, raw)
    keys = set(raw)
    if "value" not in keys or not keys <= {"value", "stderr", "lower", "upper"}:
        raise _shape_error(name, raw)
    value = raw["value"]
    if not _number(value):
        raise _refuse(name, f"needs a finite number as its value, got {value!r}")
    if keys == {"value"}:
        return value, None
    if keys == {"value", "stderr"}:
        stderr = raw["stderr"]
        if not _number(stderr) or stderr < 0:
            raise _refuse(name, f"needs a finite stderr of at least 0, got {stderr!r}")
        v, s = exact(value), exact(stderr)
        return value, Interval(float(v - Z95 * s), float(v + Z95 * s), stderr)
    if keys == {"value", "lower", "upper"}:
        lower, upper = raw["lower"], raw["upper"]
        if not (_number(lower) and _number(upper) and lower <= value <= upper):
            raise _refuse(name, "needs finite bounds with lower <= value <= upper")
        return value, Interval(lower, upper)
    raise _shape_error(name, raw)


def _shape_error(name: str, raw: Any) -> InvalidInput:
    return _refuse(
        name,
        f"must be a finite number, {{value, stderr}} or {{value, lower, upper}}, got {_short(raw)}",
    )


def _short(raw: Any) -> str:
    text = repr(raw)
    return text if len(text) <= 80 else text[:77] + "..."


def split(metrics: Mapping[str, Any]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Registered metrics as the stored pair: point values, and intervals by name."""
    points: dict[str, float] = {}
    intervals: dict[str, dict[str, float]] = {}
    for name, raw in metrics.items():
        value, interval = parse(name, raw)
        points[name] = value
        if interval is not None:
            intervals[name] = interval.as_json()
    return points, intervals


def interval_from_json(raw: Mapping[str, Any]) -> Interval:
    return Interval(float(raw["lower"]), float(raw["upper"]), raw.get("stderr"))


def delta(value: float | None, base: float | None) -> float | None:
    """``value - base``, exact in decimal; None when either is missing."""
    if value is None or base is None:
        return None
    return float(exact(value) - exact(base))


def relative_delta(value: float | None, base: float | None) -> float | None:
    """The delta as a percentage of the baseline's magnitude; None when the baseline is 0."""
    if value is None or base is None or base == 0:
        return None
    percent = (exact(value) - exact(base)) * 100 / abs(exact(base))
    return float(round(percent, RELATIVE_DIGITS - percent.adjusted() - 1))
