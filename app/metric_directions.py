"""Whether a higher or a lower value of a metric is better: the rule, in Python and in SQL.

A direction declared with the model wins; otherwise a name with an error-like token (split
on ``_``, ``-``, ``.`` and spaces: rmse, loss, aic...) is lower-is-better, any other higher.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


HIGHER = Direction.HIGHER
LOWER = Direction.LOWER

_SEPARATORS = r"[_\-. ]+"
_LOWER_TOKENS = ("rmse", "mae", "mse", "loss", "aic", "bic", "error", "err", "nll")


def direction(name: str, declared: dict[str, str]) -> str:
    """The declared direction of ``name``, else one inferred from its name."""
    if name in declared:
        return declared[name]
    tokens = re.split(_SEPARATORS, name.lower())
    return LOWER if set(_LOWER_TOKENS).intersection(tokens) else HIGHER


def inferred_sql(name: str) -> str:
    """SQL of the direction inferred from metric name ``name`` (an expression): 'LOWER' or
    'HIGHER', as GraphQL's MetricDirection writes them."""
    tokens = ", ".join(f"'{t}'" for t in _LOWER_TOKENS)
    return (
        f"(case when exists (select 1 from regexp_split_to_table(lower({name}), "
        f"'{_SEPARATORS}') as tok(w) where tok.w in ({tokens})) "
        "then 'LOWER' else 'HIGHER' end)"
    )


def direction_sql(declared: str, name: str) -> str:
    """SQL of ``direction``: ``declared`` is a jsonb of name to direction, ``name`` the name."""
    return (
        f"(case when {declared} ? {name} then upper({declared} ->> {name}) "
        f"else {inferred_sql(name)} end)"
    )
