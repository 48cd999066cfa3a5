"""Whether a higher or a lower value of a metric is better. No I/O."""

from __future__ import annotations

import re

HIGHER = "higher"
LOWER = "lower"

# Error-like names: a token of the metric name (split on _, -, ., space) that is one of these.
_LOWER_TOKENS = frozenset({"rmse", "mae", "mse", "loss", "aic", "bic", "error", "err", "nll"})


def direction(name: str, declared: dict[str, str]) -> str:
    """The declared direction of ``name``, else one inferred from its name."""
    if name in declared:
        return declared[name]
    tokens = re.split(r"[_\-. ]+", name.lower())
    return LOWER if _LOWER_TOKENS.intersection(tokens) else HIGHER
