"""Whether a higher or a lower value of a metric is better: one rule for the whole registry.

The direction of a metric name is its declaration (``declareMetric``, one per name for the
whole registry); a name nobody declared is lower-is-better when it holds an error-like token
(split on ``_``, ``-``, ``.`` and spaces: rmse, loss, aic...), else higher-is-better. A
direction a model was registered with is kept as it was given, but decides nothing: where it
disagrees with the registry, the model carries a METRIC_DIRECTION_CONFLICT warning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.errors import InvalidInput


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Decided(StrEnum):
    """How the registry's direction of a name was decided."""

    DECLARED = "declared"
    INFERRED = "inferred"


HIGHER = Direction.HIGHER
LOWER = Direction.LOWER
CONFLICT = "METRIC_DIRECTION_CONFLICT"
MAX_NAME = 100  # as a metric name at registration (app.validation)
MAX_DESCRIPTION = 2000

_SEPARATORS = r"[_\-. ]+"
_LOWER_TOKENS = ("rmse", "mae", "mse", "loss", "aic", "bic", "error", "err", "nll")


def inferred(name: str) -> Direction:
    """The direction a name alone suggests."""
    tokens = re.split(_SEPARATORS, name.lower())
    return LOWER if set(_LOWER_TOKENS).intersection(tokens) else HIGHER


def direction(name: str, declared: Mapping[str, str]) -> str:
    """The registry's direction of ``name``: its declaration in ``declared`` (name to
    direction), else the one inferred from the name."""
    if name in declared:
        return declared[name]
    return inferred(name)


def decided(name: str, declared: Mapping[str, str]) -> Decided:
    return Decided.DECLARED if name in declared else Decided.INFERRED


def inferred_sql(name: str) -> str:
    """SQL of the direction inferred from metric name ``name`` (an expression): 'LOWER' or
    'HIGHER', as GraphQL's MetricDirection writes them."""
    tokens = ", ".join(f"'{t}'" for t in _LOWER_TOKENS)
    return (
        f"(case when exists (select 1 from regexp_split_to_table(lower({name}), "
        f"'{_SEPARATORS}') as tok(w) where tok.w in ({tokens})) "
        "then 'LOWER' else 'HIGHER' end)"
    )


@dataclass(frozen=True)
class Conflict:
    """A model's own direction of a metric that the registry's direction contradicts."""

    metric: str
    declared: str  # the model's, as registered
    registry: str
    decided: Decided

    @property
    def message(self) -> str:
        how = "declared" if self.decided is Decided.DECLARED else "inferred from its name"
        return (
            f"{self.metric} was registered as {self.declared}-is-better; the registry's "
            f"direction ({how}) is {self.registry}, and decides compare, gates and sorting"
        )


def conflicts(own: Mapping[str, str], declared: Mapping[str, str]) -> list[Conflict]:
    """The model's own directions (``own``) that disagree with the registry's, by name."""
    return [
        Conflict(name, given, direction(name, declared), decided(name, declared))
        for name, given in sorted(own.items())
        if given != direction(name, declared)
    ]


def check_declaration(name: str, description: str) -> None:
    """Refuse a declaration the table could not hold, naming the argument."""
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"metric names are 1-{MAX_NAME} characters", field="name")
    if "\x00" in name:
        raise InvalidInput("metric names must not contain NUL characters", field="name")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"description is longer than {MAX_DESCRIPTION} characters", field="description"
        )
    if "\x00" in description:
        raise InvalidInput("description must not contain NUL characters", field="description")
