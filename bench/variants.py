"""Ours deployed another way: the same registry and catalog, started with other settings and
asked exactly ours' requests, so the report can say what the deployment alone changes.

BENCH_VARIANTS picks them (default `ours_2w`; empty for none), BENCH_VARIANT_WORKLOADS the
workloads they run (default `a,b`: the flat list and the nested provenance).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bench import targets
from bench.measure import Run
from bench.results import Results, ratio, summarise
from bench.targets import Target
from bench.workloads import Workload


@dataclass(frozen=True)
class Variant:
    name: str
    label: str
    env: dict[str, str]
    what: str


VARIANTS = {
    v.name: v
    for v in (
        Variant(
            "ours_2w",
            "ours, 2 workers",
            {"REGISTRY_WORKERS": "2"},
            "`REGISTRY_WORKERS=2`: two processes on one port, each with its own pool of "
            f"{targets.POOL_SIZE}",
        ),
    )
}


def _env_list(name: str, default: str) -> list[str]:
    return [s.strip() for s in os.environ.get(name, default).split(",") if s.strip()]


def chosen() -> list[Variant]:
    names = _env_list("BENCH_VARIANTS", "ours_2w")
    unknown = sorted(set(names) - VARIANTS.keys())
    if unknown:
        raise SystemExit(f"bench: unknown BENCH_VARIANTS {unknown}; known: {sorted(VARIANTS)}")
    return [VARIANTS[n] for n in names]


def start(variants: list[Variant], dsn: str, logs: Path) -> list[Target]:
    return [targets.start_ours(dsn, logs, v.name, settings=v.env) for v in variants]


def add_requests(variants: list[Variant], chosen_workloads: list[Workload]) -> None:
    """Each variant asks what ours asks, in the workloads it runs."""
    keys = set(_env_list("BENCH_VARIANT_WORKLOADS", "a,b"))
    for w in chosen_workloads:
        if w.key in keys and "ours" in w.requests:
            for v in variants:
                w.requests[v.name] = w.requests["ours"]
                w.adapters[v.name] = w.adapters["ours"]


def section(r: Results) -> list[str]:
    """Each variant against ours: throughput, and where each request's CPU goes."""
    rows = []
    for (size, key, c, name), runs in sorted(r.runs.items()):
        if name not in VARIANTS or (size, key, c, "ours") not in r.runs:
            continue
        ours_runs = r.runs[(size, key, c, "ours")]
        o, v = summarise(ours_runs), summarise(runs)
        by_round = " ".join(ratio(b.rps, a.rps) for a, b in zip(ours_runs, runs, strict=False))

        def per_req(rs: list[Run], part: str) -> float:
            done = sum(x.requests for x in rs)
            return 1000.0 * sum(float(getattr(x, part)) for x in rs) / max(done, 1)

        cells = []
        for rs in (ours_runs, runs):
            app, db, load = (per_req(rs, p) for p in ("server_cpu_s", "db_cpu_s", "wrk_cpu_s"))
            cells.append(f"{app:.2f} / {db:.2f} / {load:.2f}")
        app_x = ratio(per_req(runs, "server_cpu_s"), per_req(ours_runs, "server_cpu_s"))
        rows.append(
            f"| {size:,} | {r.workloads[key].label} | {c} | {VARIANTS[name].label} "
            f"| {o.rps:.0f} | {v.rps:.0f} | {ratio(v.rps, o.rps)} | {by_round} "
            f"| {cells[0]} | {cells[1]} | {app_x} |"
        )
    if not rows:
        return []
    return [
        "## Ours deployed another way (variant / ours)",
        "",
        "The same registry on the same catalog, asked the same requests, in the same rounds. "
        "x above 1: the variant serves more. CPU ms per request, split as app / PostgreSQL / "
        "load generator (wrk): the three share this machine's cores, so a second worker gains "
        "only what the others leave idle; the figure that carries to a bigger machine is the "
        "app's CPU per request (app x: below or near 1, a worker costs no more per request). "
        + " ".join(f"{v.label}: {v.what}." for v in VARIANTS.values()),
        "",
        "| size | workload | c | variant | ours req/s | variant req/s | x | x by round "
        "| ours CPU ms/req app / PG / wrk | variant CPU ms/req app / PG / wrk | app x |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]
