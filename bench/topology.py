"""`make bench-topology`: the same reads direct, through PgBouncer, and through a replica.

One generated catalog on a real primary with a streaming replica (pg_basebackup -R) and
PgBouncer in transaction mode in front of the primary (tests/replication.py starts them).
Five registries (`python -m app serve`, pools of 10), each answering the same (a) and (b):

- direct: DATABASE_URL is the primary; prepared statements cached (the default);
- direct-role: the same with DATABASE_DIRECT_URL set too, so the session settings
  (plan_cache_mode above all) come from the role's defaults, not the startup packet, as
  behind PgBouncer: the generic plans must keep their gain;
- direct-nocache: the same with DB_STATEMENT_CACHE_SIZE=0, so every statement is parsed
  and planned again: what PgBouncer 1.18 forces, without PgBouncer's hop;
- pgbouncer: DATABASE_URL is PgBouncer, DATABASE_DIRECT_URL the primary, cache off;
- replica: DATABASE_URL the primary, DATABASE_REPLICA_URLS the replica: reads go there.

Settings: BENCH_TOPOLOGY_SIZE (1000), BENCH_ROUNDS (2), BENCH_DURATION (3 s per run),
BENCH_CONCURRENCY (1,32), BENCH_SEED (8). Writes bench/results/TOPOLOGY.md and prints it.
"""

from __future__ import annotations

import asyncio
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import psutil

from bench import generate, measure, targets
from bench.database import BENCH_DIR, cpu_seconds
from bench.targets import Target
from bench.workloads import Request, Workload, pick_params, workloads
from tests.replication import Topology

WORK = BENCH_DIR / ".work"
KEYS = ("a", "b")
TARGETS = ("direct", "direct-role", "direct-nocache", "pgbouncer", "replica")


@dataclass
class Rows:
    """Every wrk run by (workload, concurrency, target)."""

    runs: dict[tuple[str, int, str], list[measure.Run]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)


def _env_list(name: str, default: str) -> list[str]:
    return [x.strip() for x in os.environ.get(name, default).split(",") if x.strip()]


def _postmaster(pgdata: Path) -> psutil.Process:
    return psutil.Process(int((pgdata / "postmaster.pid").read_text().split()[0]))


class Databases:
    """CPU seconds of both PostgreSQL servers and PgBouncer: the database side of a request."""

    def __init__(self, topology: Topology) -> None:
        self.servers = [_postmaster(topology.primary.pgdata), _postmaster(topology.replica.pgdata)]
        assert topology.bouncer.process is not None
        self.bouncer = psutil.Process(topology.bouncer.process.pid)

    def cpu_seconds(self) -> float:
        t = self.bouncer.cpu_times()
        return sum(cpu_seconds(p) for p in self.servers) + t.user + t.system


async def _fill(topology: Topology, size: int, seed: int) -> list[Workload]:
    dsn = topology.primary.dsn(topology.database)
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        counts = await generate.fill(conn, size, seed, tagged=True)
        print(f"[db] generated {counts} in {time.perf_counter() - started:.1f}s", flush=True)
        params = await pick_params(conn)
        written = await conn.fetchval("select pg_current_wal_lsn()")
    finally:
        await conn.close()
    replica = await asyncpg.connect(topology.replica.dsn(topology.database))
    try:
        for _ in range(1200):  # two minutes
            if await replica.fetchval("select pg_last_wal_replay_lsn()") >= written:
                break
            await asyncio.sleep(0.1)
        else:
            raise SystemExit("bench: the replica did not replay the catalog")
    finally:
        await replica.close()
    return [w for w in workloads(params) if w.key in KEYS]


def _start(topology: Topology, logs: Path) -> list[Target]:
    primary = topology.primary.dsn(topology.database)
    bouncer = topology.bouncer.dsn(topology.database)
    replica = topology.replica.dsn(topology.database)
    return [
        targets.start_ours(primary, logs, "direct"),
        targets.start_ours(primary, logs, "direct-role", settings={"DATABASE_DIRECT_URL": primary}),
        targets.start_ours(
            primary, logs, "direct-nocache", settings={"DB_STATEMENT_CACHE_SIZE": "0"}
        ),
        targets.start_ours(
            bouncer,
            logs,
            "pgbouncer",
            settings={"DATABASE_DIRECT_URL": primary, "DB_STATEMENT_CACHE_SIZE": "0"},
        ),
        targets.start_ours(primary, logs, "replica", settings={"DATABASE_REPLICA_URLS": replica}),
    ]


def _for_every(w: Workload, running: list[Target]) -> Workload:
    """``w`` as ours asks it, under each target's name (they are all the registry)."""
    ours, adapter = w.requests["ours"], w.adapters["ours"]
    return Workload(
        w.key,
        w.title,
        {t.name: ours for t in running},
        {t.name: adapter for t in running},
    )


def _replica_answered(t: Target) -> float:
    text = measure.ask(t, Request("GET", "/metrics")).text
    for line in text.splitlines():
        if line.startswith("db_reads_total{") and 'target="primary"' not in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def run() -> Rows:
    size = int(os.environ.get("BENCH_TOPOLOGY_SIZE") or 1000)
    seed = int(os.environ.get("BENCH_SEED") or 8)
    rounds = int(os.environ.get("BENCH_ROUNDS") or 2)
    duration = int(os.environ.get("BENCH_DURATION") or 3)
    concurrency = [int(c) for c in _env_list("BENCH_CONCURRENCY", "1,32")]
    rows = Rows()
    topology = Topology.start(f"bench_topology_{size}")
    try:
        chosen = asyncio.run(_fill(topology, size, seed))
        databases = Databases(topology)
        running = _start(topology, WORK / "logs" / "topology")
        try:
            for t in running:
                targets.wait_ready(t)
            every = [_for_every(w, running) for w in chosen]
            for w in every:
                measure.check_same(w, running)
                rows.titles[w.key] = w.title
            replica = next(t for t in running if t.name == "replica")
            if _replica_answered(replica) == 0:
                raise SystemExit("bench: the replica target answered no read from the replica")
            for r in range(rounds):
                for w in every:
                    for c in concurrency:
                        # Each run starts with another target than the last.
                        turn = (r + c) % len(running)
                        for t in running[turn:] + running[:turn]:
                            done = measure.wrk(t, w, c, duration, databases.cpu_seconds)
                            rows.runs.setdefault((w.key, c, t.name), []).append(done)
                            print(_line(w.key, c, t.name, done), flush=True)
        finally:
            for t in running:
                targets.stop(t)
    finally:
        topology.stop()
    return rows


def _cpu_ms(run: measure.Run) -> tuple[float, float]:
    n = max(run.requests, 1)
    return 1000 * run.server_cpu_s / n, 1000 * run.db_cpu_s / n


def _line(key: str, c: int, name: str, run: measure.Run) -> str:
    app, db = _cpu_ms(run)
    return (
        f"  ({key}) c={c:<2} {name:<15} {run.rps:8.1f} req/s  p50 {run.p50_ms:7.2f} ms"
        f"  app {app:5.2f} ms/req  db+bouncer {db:5.2f} ms/req"
        + (f"  ERRORS {run.errors}" if run.errors else "")
    )


def _best(runs: list[measure.Run]) -> measure.Run:
    return max(runs, key=lambda r: r.rps)


def render(rows: Rows) -> str:
    """The report: per workload and concurrency, each target's best round and its ratio."""
    lines = [
        "# Reads direct, through PgBouncer, through a replica",
        "",
        f"`make bench-topology` on {platform.node()} ({os.cpu_count()} cores), "
        f"size {os.environ.get('BENCH_TOPOLOGY_SIZE') or 1000}; best of the rounds. CPU per "
        "request: the registry's process, and PostgreSQL (both servers) plus PgBouncer.",
        "",
        "| workload | c | target | req/s | vs direct | p50 ms | app CPU ms/req"
        " | db+bouncer CPU ms/req | errors |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    order = {name: i for i, name in enumerate(TARGETS)}
    for (key, c, name), runs in sorted(
        rows.runs.items(), key=lambda kv: (*kv[0][:2], order[kv[0][2]])
    ):
        best = _best(runs)
        direct = _best(rows.runs[(key, c, "direct")])
        app, db = _cpu_ms(best)
        lines.append(
            f"| ({key}) {rows.titles[key]} | {c} | {name} | {best.rps:.0f} |"
            f" {best.rps / direct.rps:.2f} | {best.p50_ms:.2f} | {app:.2f} | {db:.2f} |"
            f" {sum(r.errors for r in runs)} |"
        )
    return "\n".join(lines) + "\n"


def main() -> int:
    rows = run()
    text = render(rows)
    out = BENCH_DIR / "results" / "TOPOLOGY.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
