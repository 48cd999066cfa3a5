"""Issue 16's targets for the search workloads, judged on one run, and their plans.

- (g) and (i): ours serves at least FLOOR_AT_LEAST of the floor's req/s, at every size;
- each of (g), (h), (i): a request at the largest size costs less than GROWTH_BELOW times one
  at the smallest (time per request, 1 / req/s, at the same concurrency);
- (h): the deep page costs at most DEEP_WITHIN times the first page (h0) of the same list.

Every ratio pairs runs of one benchmark run, so the machine's state is shared by both sides.
CPU per request (the server's and PostgreSQL's) is shown beside each: it moves less with
other load than req/s does.
"""

from __future__ import annotations

from bench.plans import Plan
from bench.results import Results, Summary, summarise

FLOOR_AT_LEAST = 0.7
GROWTH_BELOW = 2.0
DEEP_WITHIN = 1.5
SEARCH = ("g", "h", "h0", "i")
PLAN_NOISE_MS = 0.5  # as in bench/report.py: shorter plans' ratios are timer noise


def _mark(ok: bool) -> str:
    return "ok" if ok else "**missed**"


def _summary(r: Results, size: int, key: str, c: int, target: str = "ours") -> Summary | None:
    runs = r.runs.get((size, key, c, target))
    return summarise(runs) if runs else None


def _load(*runs: Summary | None) -> str:
    """The mean 'other load' of the runs a ratio pairs: other sessions on the machine."""
    found = [r.other_load for r in runs if r is not None]
    return f"{100 * sum(found) / len(found):.0f}%" if found else "n/a"


def _cost(a: Summary, b: Summary) -> str:
    """Time per request of ``a`` over ``b``, with the CPU ratio."""
    return f"{b.rps / a.rps:.2f} (CPU {a.cpu_ms / b.cpu_ms:.2f})"


def targets_table(r: Results) -> list[str]:
    """One line per target, size (or pair of sizes) and concurrency."""
    sizes = sorted({s for (s, k, _, _) in r.runs if k in SEARCH})
    if not sizes:
        return []
    concurrency = sorted({c for (_, k, c, _) in r.runs if k in SEARCH})
    lines = [
        "| target | c | measured: ours x (CPU x) | floor's own x | wanted | | other load |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in concurrency:
        for key in ("g", "i"):
            for size in sizes:
                ours, floor = _summary(r, size, key, c), _summary(r, size, key, c, "floor")
                if ours and floor:
                    x = ours.rps / floor.rps
                    lines.append(
                        f"| ({key}) req/s x floor at {size:,} | {c} | {x:.2f} "
                        f"(CPU {ours.cpu_ms / floor.cpu_ms:.2f}) | | >= {FLOOR_AT_LEAST} "
                        f"| {_mark(x >= FLOOR_AT_LEAST)} | {_load(ours, floor)} |"
                    )
        for size in sizes:
            deep, first = _summary(r, size, "h", c), _summary(r, size, "h0", c)
            if deep and first:
                fd, ff = _summary(r, size, "h", c, "floor"), _summary(r, size, "h0", c, "floor")
                own = _cost(fd, ff) if fd and ff else "n/a"
                lines.append(
                    f"| (h) deep page / first page, time per request, at {size:,} | {c} "
                    f"| {_cost(deep, first)} | {own} | <= {DEEP_WITHIN} "
                    f"| {_mark(first.rps / deep.rps <= DEEP_WITHIN)} | {_load(deep, first)} |"
                )
        small, big = sizes[0], sizes[-1]
        if small == big:
            continue
        for key in ("g", "h", "i"):
            a, b = _summary(r, big, key, c), _summary(r, small, key, c)
            if a and b:
                fa, fb = _summary(r, big, key, c, "floor"), _summary(r, small, key, c, "floor")
                own = _cost(fa, fb) if fa and fb else "n/a"
                lines.append(
                    f"| ({key}) time per request at {big:,} / at {small:,} | {c} | {_cost(a, b)} "
                    f"| {own} | < {GROWTH_BELOW} | {_mark(b.rps / a.rps < GROWTH_BELOW)} "
                    f"| {_load(a, b)} |"
                )
    return lines


def plan_table(r: Results) -> list[str]:
    """Ours' statement for each search workload at the smallest and largest size."""
    sizes = sorted(r.search_plans)
    if not sizes:
        return []
    small, big = sizes[0], sizes[-1]
    lines = [
        f"| workload | {small:,} ms | {big:,} ms | x | plan at {big:,} "
        "| seq scan of artifacts/links/model_metrics/tags |",
        "|---|---|---|---|---|---|",
    ]
    for key, p in r.search_plans[big].items():
        base = r.search_plans[small].get(key)
        if not isinstance(p, Plan) or not isinstance(base, Plan):
            lines.append(f"| ({key}) | | | | {p if isinstance(p, str) else base} | |")
            continue
        x = f"{p.ms / base.ms:.2f}" if base.ms else "n/a"
        if p.ms >= 2 * base.ms and p.ms >= PLAN_NOISE_MS:
            x = f"**{x}**"
        seq = ", ".join(p.seq_scans) or "none"
        if base.seq_scans:
            seq += f" (at {small:,}: {', '.join(base.seq_scans)})"
        lines.append(
            f"| ({key}) | {base.ms:.2f} | {p.ms:.2f} | {x} | `{p.shape}` "
            f"| {'**' + seq + '**' if p.seq_scans else seq} |"
        )
    return lines


def plan_texts(r: Results) -> list[str]:
    out = []
    for size, found in sorted(r.search_plans.items()):
        for key, p in found.items():
            if isinstance(p, Plan):
                head = f"== {size:,} models: ({key}), ours' statement ({p.ms:.2f} ms)"
                out.append(f"{head}\n{p.text}\n")
    return out


def section(r: Results) -> list[str]:
    table = targets_table(r)
    if not table and not r.search_plans:
        return []
    return [
        "## Search targets (issue 16: (g), (h), (i))",
        "",
        "'ours x': ours' req/s over the floor's, or ours' time per request (1 / req/s) of one "
        "workload or size over another's; '(CPU x)': the same ratio of CPU ms per request "
        "(the server's and PostgreSQL's). 'floor's own x': the floor's ratio for the same "
        "pair, what the data alone asks. 'other load': the mean share of the machine other "
        "sessions used during the paired runs.",
        "",
        *table,
        "",
        "### Ours' statements for (g), (h), (i) (compiled from the requests sent; the pool's "
        "generic plans, best of 3)",
        "",
        *plan_table(r),
        "",
    ]
