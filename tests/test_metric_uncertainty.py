"""Metrics registered with their uncertainty: stored as intervals, read on both paths, and
refused with a clear error when malformed; deltas are exact decimals."""

from __future__ import annotations

import pytest

from app import metric_values
from app.errors import InvalidInput
from tests.factories import make_model
from tests.http import running_app

METRICS = (
    '{ model(id: "m") { evaluationMetrics { name value better stderr lower upper } '
    "evaluationMetricsJson } }"
)


async def test_a_model_keeps_each_metric_as_registered_with_its_interval(db, pg_dsn, conn):
    await make_model(
        conn,
        "m",
        evaluation_metrics={
            "auc": 0.91,
            "rmse": {"value": 0.023, "stderr": 0.002},
            "r2": {"value": 0.8, "lower": 0.75, "upper": 0.84},
            "n": {"value": 3},
        },
    )
    expected = {
        "model": {
            "evaluationMetrics": [
                {"name": "auc", "value": 0.91, "better": "HIGHER", "stderr": None,
                 "lower": None, "upper": None},
                {"name": "n", "value": 3.0, "better": "HIGHER", "stderr": None,
                 "lower": None, "upper": None},
                {"name": "r2", "value": 0.8, "better": "HIGHER", "stderr": None,
                 "lower": 0.75, "upper": 0.84},
                # 0.023 -/+ 1.96 x 0.002, in decimal: no float noise in the bounds
                {"name": "rmse", "value": 0.023, "better": "LOWER", "stderr": 0.002,
                 "lower": 0.01908, "upper": 0.02692},
            ],
            # The point values are what filters, sorts and the JSON view read.
            "evaluationMetricsJson": {"auc": 0.91, "n": 3, "r2": 0.8, "rmse": 0.023},
        }
    }  # fmt: skip
    for fast in ("1", "0"):
        async with running_app(pg_dsn, {"REGISTRY_FAST_PATH": fast}) as api:
            api.sql.reset()
            assert await api.data(METRICS) == expected
            if fast == "1":
                assert len(api.sql.statements) == 1


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ({"value": 0.1, "stderr": -1}, "stderr of at least 0"),
        ({"value": 0.1, "stderr": "big"}, "stderr of at least 0"),
        ({"value": 0.5, "lower": 0.6, "upper": 0.9}, "lower <= value <= upper"),
        ({"value": 0.5, "lower": 0.1}, "must be a finite number, {value, stderr}"),
        ({"value": 0.5, "stderr": 0.1, "lower": 0.1, "upper": 0.9}, "must be a finite number"),
        ({"stderr": 0.1}, "must be a finite number"),
        ({"value": True}, "needs a finite number as its value"),
        ({"value": None}, "needs a finite number as its value"),
        ("0.5", "must be a finite number"),
        ([0.5], "must be a finite number"),
    ],
)
async def test_a_malformed_uncertainty_is_refused_and_nothing_is_stored(conn, raw, why):
    with pytest.raises(InvalidInput, match="metric 'x' ") as refused:
        await make_model(conn, "m", evaluation_metrics={"x": raw})
    assert why in str(refused.value)
    assert refused.value.code == "BAD_USER_INPUT"
    assert refused.value.details == {"field": "evaluationMetrics"}
    assert await conn.fetchval("select count(*) from artifacts") == 0


def test_deltas_are_exact_in_decimal_and_relative_ones_need_a_baseline():
    assert 0.854 - 0.823 != 0.031  # what float arithmetic gives
    assert metric_values.delta(0.854, 0.823) == 0.031
    assert metric_values.delta(71.7, 100) == -28.3
    assert metric_values.delta(None, 1.0) is None
    assert metric_values.delta(1.0, None) is None
    assert metric_values.relative_delta(0.854, 0.823) == 3.76671
    assert metric_values.relative_delta(71.7, 100) == -28.3
    assert metric_values.relative_delta(-1.5, -2.0) == 25.0  # of the baseline's magnitude
    assert metric_values.relative_delta(1.0, 0) is None
    assert metric_values.relative_delta(0, 1.0) == -100.0
