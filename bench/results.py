"""What a benchmark run measured, and the medians and ratios the report is made of."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.baseline import Revision
from bench.measure import Run, SqlCount
from bench.plans import Plan
from bench.search_workloads import SearchParams
from bench.workloads import Params, Workload


@dataclass
class Results:
    settings: dict[str, Any]
    postgres_version: str = ""
    stats: bool = False
    wall_s: float = 0.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    baseline: Revision | None = None
    workloads: dict[str, Workload] = field(default_factory=dict)
    params: dict[int, Params] = field(default_factory=dict)
    search_params: dict[int, SearchParams] = field(default_factory=dict)
    skipped: dict[tuple[int, str], str] = field(default_factory=dict)
    runs: dict[tuple[int, str, int, str], list[Run]] = field(default_factory=dict)
    sql: dict[tuple[int, str, str], SqlCount | None] = field(default_factory=dict)
    rss: dict[tuple[int, str], list[float]] = field(default_factory=dict)
    peak_rss: dict[tuple[int, str], float] = field(default_factory=dict)
    plans: dict[int, dict[tuple[str, str], Plan]] = field(default_factory=dict)
    # Ours' statements for the search workloads, by workload key.
    search_plans: dict[int, dict[str, Plan | str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Summary:
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    db_cpu_ms: float
    errors: int
    requests: int
    other_load: float


def cpu_ms(run: Run) -> float:
    """CPU of the target and PostgreSQL per successful request of one run."""
    return 1000 * (run.server_cpu_s + run.db_cpu_s) / max(run.requests, 1)


def summarise(runs: list[Run]) -> Summary:
    """Medians over rounds; CPU per request over all rounds together."""
    requests = sum(r.requests for r in runs)
    return Summary(
        rps=statistics.median(r.rps for r in runs),
        p50_ms=statistics.median(r.p50_ms for r in runs),
        p99_ms=statistics.median(r.p99_ms for r in runs),
        cpu_ms=1000 * sum(r.server_cpu_s + r.db_cpu_s for r in runs) / max(requests, 1),
        db_cpu_ms=1000 * sum(r.db_cpu_s for r in runs) / max(requests, 1),
        errors=sum(r.errors for r in runs),
        requests=requests,
        other_load=statistics.mean(r.other_load for r in runs),
    )


def ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}"


def by_round(
    ours: list[Run], other: list[Run] | None, metric: Callable[[Run], float] = lambda r: r.rps
) -> str:
    """Ratios of the runs made in the same round, which share the machine's state."""
    if not other:
        return "n/a"
    return " ".join(ratio(metric(a), metric(b)) for a, b in zip(ours, other, strict=False))
