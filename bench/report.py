"""The results' Markdown: tables, machine description, plans, notes."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench import search_report, search_workloads, variants
from bench.database import BENCH_DIR
from bench.measure import Run
from bench.results import Results, cpu_ms, summarise
from bench.results import by_round as _by_round
from bench.results import ratio as _ratio

LABEL = {
    "ours": "ours",
    "baseline": "baseline",
    **{v.name: v.label for v in variants.VARIANTS.values()},
    "postgraphile": "PostGraphile",
    "floor": "floor",
}
# A target's RSS "grows" when its last round is this much above its first.
GROWTH_MB = 5.0
GROWTH_SHARE = 0.05


def _size(n: int) -> str:
    return f"{n:,}"


def _cmd(*args: str) -> str:
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=10)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def machine(r: Results) -> list[str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    pkg = BENCH_DIR / ".work" / "node" / "node_modules" / "postgraphile" / "package.json"
    postgraphile = json.loads(pkg.read_text())["version"] if pkg.exists() else "unknown"
    libs = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in ("uvicorn", "starlette", "strawberry-graphql", "graphql-core", "asyncpg")
    )
    commit = _cmd("git", "-C", str(BENCH_DIR.parent), "describe", "--always", "--dirty")
    return [
        f"- Machine: {os.cpu_count()} CPUs ({cpu}), {mem_kb / 2**20:.1f} GiB memory, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()} ({libs}); Node {_cmd('node', '--version')}, "
        f"PostGraphile {postgraphile}; PostgreSQL {r.postgres_version}; "
        f"{_cmd('wrk', '-v').split(' Copyright')[0]}",
        f"- Commit {commit}; run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"wall time {r.wall_s / 60:.1f} min (all of `make bench`: install, generation, runs); "
        f"load average before {r.load_before[0]:.1f}, after {r.load_after[0]:.1f}",
        *_baseline_header(r),
        f"- Settings: {json.dumps(r.settings)}",
    ]


def _baseline_header(r: Results) -> list[str]:
    b = r.baseline
    if b is None:
        return []
    where = b.path.relative_to(BENCH_DIR.parent)
    lines = [f"- Baseline `{b.short}` {b.subject} (BENCH_BASELINE={b.rev}), run from {where}"]
    if b.ours_only_migrations:
        lines[0] += "; it runs on a catalog with migrations it does not have: " + ", ".join(
            b.ours_only_migrations
        )
    return lines


# Issue 8's throughput targets: ours against PostGraphile for these workloads, and against the
# floor for every workload.
PG_TARGET = {"a": 1.0, "b": 1.0, "c": 1.0}
FLOOR_TARGET = 0.7
RSS_LIMIT_MB = 300
# Plans faster than this at the large size are not flagged: their ratios are timer noise.
PLAN_NOISE_MS = 0.5


def _goal(ratio: float | None, wanted: float | None) -> str:
    if ratio is None or wanted is None:
        return ""
    return " ok" if ratio >= wanted else " **below**"


def _runs(r: Results) -> list[tuple[tuple[int, str, int, str], list[Run]]]:
    """Runs by size, workload, concurrency, then ours, PostGraphile, floor."""
    order = list(LABEL)
    return sorted(r.runs.items(), key=lambda kv: (*kv[0][:3], order.index(kv[0][3])))


def _summary_table(r: Results) -> list[str]:
    lines = [
        "| size | workload | c | ours req/s | x PostGraphile | x floor | x floor by round "
        "| ours CPU ms/req | CPU x PostGraphile | CPU x floor |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (size, key, c, name), runs in _runs(r):
        if name != "ours":
            continue
        ours = summarise(runs)
        other = {
            t: summarise(r.runs[(size, key, c, t)])
            for t in ("postgraphile", "floor")
            if (size, key, c, t) in r.runs
        }
        pg, fl = other.get("postgraphile"), other.get("floor")
        vs_pg = ours.rps / pg.rps if pg and pg.rps else None
        vs_fl = ours.rps / fl.rps if fl and fl.rps else None
        lines.append(
            f"| {_size(size)} | {r.workloads[key].label} | {c} | {ours.rps:.0f} "
            f"| {_ratio(ours.rps, pg.rps if pg else None)}{_goal(vs_pg, PG_TARGET.get(key))} "
            f"| {_ratio(ours.rps, fl.rps if fl else None)}{_goal(vs_fl, FLOOR_TARGET)} "
            f"| {_by_round(runs, r.runs.get((size, key, c, 'floor')))} "
            f"| {ours.cpu_ms:.2f} "
            f"| {_ratio(ours.cpu_ms, pg.cpu_ms if pg else None)} "
            f"| {_ratio(ours.cpu_ms, fl.cpu_ms if fl else None)} |"
        )
    return lines


def _full_table(r: Results) -> list[str]:
    lines = [
        "| size | workload | c | target | req/s | p50 ms | p99 ms | CPU ms/req (db part) "
        "| req/s x PostGraphile | req/s x floor | errors | other load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (size, key, c, name), runs in _runs(r):
        s = summarise(runs)
        pg = r.runs.get((size, key, c, "postgraphile"))
        fl = r.runs.get((size, key, c, "floor"))
        lines.append(
            f"| {_size(size)} | ({key}) | {c} | {LABEL[name]} | {s.rps:.1f} | {s.p50_ms:.1f} "
            f"| {s.p99_ms:.1f} | {s.cpu_ms:.2f} ({s.db_cpu_ms:.2f}) "
            f"| {_ratio(s.rps, summarise(pg).rps) if pg else 'n/a'} "
            f"| {_ratio(s.rps, summarise(fl).rps) if fl else 'n/a'} "
            f"| {s.errors} | {100 * s.other_load:.0f}% |"
        )
    return lines


def _sql_cell(r: Results, size: int, key: str, t: str) -> str:
    c = r.sql.get((size, key, t))
    return "n/a" if c is None else f"{c.statements:.1f} ({c.reset:.1f} reset)"


def _sql_table(r: Results) -> list[str]:
    if not r.stats:
        return ["pg_stat_statements is not loaded on this server: no counts."]
    names = [t for t in LABEL if t != "baseline" or r.baseline]
    lines = [
        "| size | workload | " + " | ".join(LABEL[t] for t in names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for size, key in sorted({(s, k) for (s, k, _) in r.sql}):
        cells = " | ".join(_sql_cell(r, size, key, t) for t in names)
        lines.append(f"| {_size(size)} | {r.workloads[key].label} | {cells} |")
    return lines


def _baseline_tables(r: Results) -> list[str]:
    """Ours against the baseline: throughput, CPU, SQL and memory, ours / baseline."""
    lines = [
        "| size | workload | c | ours req/s | baseline req/s | x | x by round | ours CPU ms/req "
        "| baseline CPU ms/req | CPU x | CPU x by round | SQL/req ours, baseline |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (size, key, c, name), runs in _runs(r):
        base = r.runs.get((size, key, c, "baseline"))
        if name != "ours" or not base:
            continue
        o, b = summarise(runs), summarise(base)
        sql = [r.sql.get((size, key, t)) for t in ("ours", "baseline")]
        lines.append(
            f"| {_size(size)} | {r.workloads[key].label} | {c} | {o.rps:.0f} | {b.rps:.0f} "
            f"| {_ratio(o.rps, b.rps)} | {_by_round(runs, base)} "
            f"| {o.cpu_ms:.2f} | {b.cpu_ms:.2f} | {_ratio(o.cpu_ms, b.cpu_ms)} "
            f"| {_by_round(runs, base, cpu_ms)} "
            f"| {', '.join('n/a' if n is None else f'{n.statements:.1f}' for n in sql)} |"
        )
    lines += ["", "| size | ours peak RSS MB | baseline peak RSS MB | x |", "|---|---|---|---|"]
    for size in sorted({s for (s, t) in r.peak_rss if t == "baseline"}):
        o_mb, b_mb = r.peak_rss.get((size, "ours")), r.peak_rss[(size, "baseline")]
        lines.append(f"| {_size(size)} | {o_mb or 0:.0f} | {b_mb:.0f} | {_ratio(o_mb, b_mb)} |")
    return lines


def _memory_table(r: Results) -> list[str]:
    lines = [
        "| size | target | RSS after each round (MB) | peak RSS (VmHWM, MB) | across rounds "
        f"| under {RSS_LIMIT_MB} MB |",
        "|---|---|---|---|---|---|",
    ]
    for (size, name), values in r.rss.items():
        first, last = values[0], values[-1]
        grows = last - first > max(GROWTH_MB, GROWTH_SHARE * first)
        peak = r.peak_rss.get((size, name), 0.0)
        lines.append(
            f"| {_size(size)} | {LABEL[name]} | {', '.join(f'{v:.0f}' for v in values)} "
            f"| {peak:.0f} | {'**grows**' if grows else 'flat'} "
            f"| {'yes' if peak < RSS_LIMIT_MB else '**no**'} |"
        )
    return lines


def _plan_table(r: Results) -> list[str]:
    sizes = sorted(r.plans)
    if not sizes:
        return []
    small, big = sizes[0], sizes[-1]
    lines = [
        f"| filter | sort | {_size(small)} ms | {_size(big)} ms | x | plan at {_size(big)} "
        "| seq scan of artifacts/links |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, p in r.plans[big].items():
        base = r.plans[small].get(key)
        seq = ", ".join(p.seq_scans) or "none"
        if base and base.seq_scans:
            seq += f" (at {_size(small)}: {', '.join(base.seq_scans)})"
        ratio = _ratio(p.ms, base.ms) if base else "n/a"
        if base and p.ms >= 2 * base.ms and p.ms >= PLAN_NOISE_MS:
            ratio = f"**{ratio}**"
        lines.append(
            f"| {key[0]} | {key[1]} | {f'{base.ms:.2f}' if base else 'n/a'} | {p.ms:.2f} "
            f"| {ratio} | `{p.shape}` | {'**' + seq + '**' if p.seq_scans else seq} |"
        )
    return lines


def _notes(r: Results) -> list[str]:
    notes = [
        "- Every workload was checked before timing: each pair of targets returned the same "
        "data (canonicalised: UTC datetimes, floats to 9 digits, unordered lists sorted; "
        "PostGraphile's answers mapped to our shape by an adapter per workload).",
        "- PostGraphile reaches links through the view `bench_pg.resolved_links` "
        "(bench/database.py): a link's pinned version, or its lineage's latest when it floats. "
        "Foreign keys are declared on the view with smart comments; no function computes an "
        "answer.",
        "- Each wrk run uses 1 thread on 127.0.0.1 and lasts BENCH_DURATION seconds or longer "
        "for slow targets at concurrency 32 (about 2 requests per connection, at most 8 s). "
        "req/s counts successful answers only; 'errors' are non-2xx answers (the registry "
        "answers 503 when no pooled connection frees up within POOL_ACQUIRE_TIMEOUT_S and 504 "
        "past REQUEST_TIMEOUT_S), socket errors and wrk timeouts. req/s, p50 and p99 are "
        "medians over rounds; CPU is the target's process tree plus the PostgreSQL server's "
        "processes (from /proc), divided by the successful requests of all rounds. Ratios "
        "above 1 mean ours serves more (req/s) or costs more (CPU).",
        "- SQL per request: pg_stat_statements calls in this database over 10 sequential "
        "requests after a warm-up; 'reset' counts the statements asyncpg runs when a "
        "connection goes back to its pool (4 per release, unless the pool turns them off).",
        "- 'other load' is the CPU that neither the target, PostgreSQL nor wrk used during a "
        "run, as a share of the machine: other sessions on this shared machine. Runs with "
        "much of it are less reliable; CPU per request is the steadier measure.",
        "- The floor plans each statement once per connection (plan_cache_mode = "
        "force_generic_plan), except the lineage walk (force_custom_plan, faster for it); the "
        "registry's pool uses force_generic_plan; PostGraphile sends unnamed statements, "
        "planned every time.",
        "- Plans: a x in bold means the list costs 2x or more at the large size than at the "
        f"small one and at least {PLAN_NOISE_MS} ms (issue 8 wants less than 2x; below that "
        "time the ratio is timer noise); a seq scan in bold is one on artifacts, links, "
        "model_metrics or tags at the large size. 'count' is the total the list reports, the "
        "same for every sort. "
        "Each statement is prepared on a connection set up like the pool's and timed with "
        "EXPLAIN ANALYZE EXECUTE, so the plan is the one the registry runs (planned without "
        "its values), not one made for the values.",
    ]
    notes.append(
        "- 'ok' / '**below**' next to a ratio: issue 8's targets, ours at least 1.0x "
        "PostGraphile's req/s on (a), (b), (c) and at least 0.7x the floor's on every workload. "
        "'x floor by round' compares the two runs of each round, made a few seconds apart: "
        "their spread shows how much of a difference is the machine's."
    )
    if "e" in r.workloads:
        notes.append(
            "- (e) PostGraphile has no REST: it answers the same question (the same fields of the "
            "same 20 models, and the total) through GraphQL."
        )
    if "d" in r.workloads:
        notes.append(
            "- (d) the floor computes only the models and metrics the query selects; ours "
            "decides in app/service/compare.py how much of the whole comparison it computes."
        )
    for key, w in r.workloads.items():
        for name, why in w.not_equivalent.items():
            notes.append(f"- ({key}) {LABEL[name]}: not run, not equivalent: {why}.")
    for (size, key), why in sorted(r.skipped.items()):
        notes.append(f"- ({key}) at {_size(size)}: skipped: {why}.")
    for size, p in sorted(r.params.items()):
        notes.append(
            f"- Parameters at {_size(size)}: family {p.family}; detail {p.detail_id}; compare "
            f"{', '.join(p.compare_ids)}; busiest dataset version {p.busy_dataset_version}."
        )
    for size, s in sorted(r.search_params.items()):
        notes.append(f"- Search parameters at {_size(size)}: {search_workloads.describe(s)}.")
    return notes


def _baseline_section(r: Results) -> list[str]:
    if r.baseline is None:
        return []
    return [
        f"## Ours against the baseline `{r.baseline.short}` (ours / baseline)",
        "",
        "Both are the registry, started the same way on the same catalog and asked the same "
        "requests; every round runs them seconds apart. req/s x above 1: ours serves more. "
        "CPU x (the target's processes and PostgreSQL's, per request) below 1: ours costs "
        "less; it is the steadier measure. 'by round' pairs the two runs of each round: a "
        "difference is the code's only when those ratios sit on one side of 1, further from "
        "it than they spread. SQL/req: pg_stat_statements calls per request, ours then the "
        "baseline. Peak RSS: VmHWM of each server's process tree after that size's runs.",
        "",
        *_baseline_tables(r),
        "",
    ]


def render(r: Results) -> str:
    parts = [
        "# Benchmark: the registry, PostGraphile v4 and a hand-written floor (issue 8)",
        "",
        "Rerun with `make bench` (see bench/README.md). Absolute numbers are noisy on a "
        "shared 2-core machine; the ratios are the result.",
        "",
        *machine(r),
        "",
        *_baseline_section(r),
        "## Ours as a ratio",
        "",
        *_summary_table(r),
        "",
        *search_report.section(r),
        *variants.section(r),
        "## All targets",
        "",
        *_full_table(r),
        "",
        "## SQL statements per request",
        "",
        *_sql_table(r),
        "",
        "## Memory",
        "",
        *_memory_table(r),
        "",
        "## Model list query plans (app/repo/catalog.py, the pool's generic plans, best of 3)",
        "",
        *_plan_table(r),
        "",
        "## Notes",
        "",
        *_notes(r),
        "",
    ]
    return "\n".join(parts)


def plan_texts(r: Results) -> str:
    out = []
    for size, found in sorted(r.plans.items()):
        for (fname, sort), p in found.items():
            out.append(f"== {size:,} models: {fname}, {sort} ({p.ms:.2f} ms)\n{p.text}\n")
    return "\n".join(out + search_report.plan_texts(r))
