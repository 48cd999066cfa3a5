"""The expected answer of compareModels' models and metric rows, read from the tables: an
implementation of the metric rule of its own (verdicts, intervals, exact and relative deltas,
the baseline), so a bug the fast path and the resolvers share still fails."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal

from tests.reference_reads import Json, Reference

Expect = Callable[[Reference], Awaitable[Json]]

COMPARED = [
    "model-celltype-classifier",
    "model-celltype-classifier-v2",
    " model-celltype-classifier-v4",
    "model-gwas-susie-finemap-v1",
    "odd-model",
    "model-hh-interneuron-v1",
]


def _exact(v: float) -> Decimal:
    return Decimal(repr(float(v)))


def compare_with(baseline: str | None) -> Expect:
    async def expect(ref: Reference) -> Json:
        return await compare(ref, baseline)

    return expect


COMPARE_FIELDS = """__typename baselineModelId models { id qualityScore provenance { complete } }
  metrics { name better verdict bestModelIds leaderModelIds overlappingModelIds reportedCount
    cells { modelId value stderr lower upper delta relativeDelta best withinUncertainty capped
            baseline } }"""
COMPARE = "query($ids: [ID!]!) { compareModels(ids: $ids) { " + COMPARE_FIELDS + " } }"
COMPARE_FROM = (
    "query($ids: [ID!]!, $b: ID) { compareModels(ids: $ids, baseline: $b) { "
    + COMPARE_FIELDS
    + " } }"
)


async def compare(ref: Reference, baseline: str | None = None) -> Json:
    ids: list[str] = []
    for raw in COMPARED:  # surrounding spaces ignored, lineage ids mean the latest, no repeats
        vid = await ref.resolve(raw.strip())
        assert vid is not None
        if vid not in ids:
            ids.append(vid)
    rows = [await ref.row(i) for i in ids]
    base = 0
    if baseline is not None:  # the latest of that lineage if compared, else its first compared
        latest = await ref.resolve(baseline)
        lineage = [i for i, r in enumerate(rows) if r["lineage_id"] == baseline]
        base = ids.index(latest) if latest in ids else lineage[0]
    models = [
        {
            "id": r["id"],
            "qualityScore": r["quality_score"],
            "provenance": {"complete": not r["provenance_warnings"]},
        }
        for r in rows
    ]
    rows_json = []
    for name in sorted({n for r in rows for n in r["evaluation_metrics"]}):
        # The registry's declaration, else read from the name (a pure rule of its own).
        better = await ref.better(name)
        values = [r["evaluation_metrics"].get(name) for r in rows]
        spans = [
            r["metric_intervals"].get(name, {"lower": v, "upper": v})
            for r, v in zip(rows, values, strict=True)
        ]
        present = [i for i, v in enumerate(values) if v is not None]
        target = (max if better == "HIGHER" else min)(values[i] for i in present)
        leaders = [i for i in present if values[i] == target]
        near = [
            i
            for i in present
            if i not in leaders
            and any(
                spans[i]["lower"] <= spans[j]["upper"] and spans[j]["lower"] <= spans[i]["upper"]
                for j in leaders
            )
        ]
        verdict = "TOO_FEW_VALUES" if len(present) < 2 else "WITHIN_UNCERTAINTY" if near else "BEST"
        b = values[base]
        cells = []
        for i, (mid, v, r) in enumerate(zip(ids, values, rows, strict=True)):
            iv = r["metric_intervals"].get(name, {})
            d = None if v is None or b is None else _exact(v) - _exact(b)
            cells.append(
                {
                    "modelId": mid,
                    "value": v,
                    "stderr": iv.get("stderr"),
                    "lower": iv.get("lower"),
                    "upper": iv.get("upper"),
                    "delta": None if d is None else float(d),
                    "relativeDelta": None
                    if d is None or b == 0
                    else float(f"{float(d * 100 / abs(_exact(b))):.6g}"),
                    "best": verdict == "BEST" and i in leaders,
                    "withinUncertainty": verdict == "WITHIN_UNCERTAINTY" and i in leaders + near,
                    "capped": bool(r["provenance_warnings"]),
                    "baseline": i == base,
                }
            )
        rows_json.append(
            {
                "name": name,
                "better": better,
                "verdict": verdict,
                "bestModelIds": [ids[i] for i in leaders] if verdict == "BEST" else [],
                "leaderModelIds": [ids[i] for i in leaders],
                "overlappingModelIds": [ids[i] for i in sorted(leaders + near)]
                if verdict == "WITHIN_UNCERTAINTY"
                else [],
                "reportedCount": len(present),
                "cells": cells,
            }
        )
    return {
        "compareModels": {
            "__typename": "ModelComparison",
            "baselineModelId": ids[base],
            "models": models,
            "metrics": rows_json,
        }
    }
