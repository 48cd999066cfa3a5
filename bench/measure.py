"""Asking, checking and timing: one request, the equivalence check, SQL counts, a wrk run."""

from __future__ import annotations

import difflib
import json
import os
import resource
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.database import BENCH_DIR
from bench.targets import Target
from bench.workloads import Request, Workload, canonical

WRK_SCRIPT = BENCH_DIR / "wrk.lua"


def ask(t: Target, req: Request) -> httpx.Response:
    return httpx.request(
        req.method,
        t.base + req.path,
        content=req.body_bytes(),
        headers={"Content-Type": "application/json"} if req.body is not None else None,
        timeout=60,
    )


def available(w: Workload, t: Target) -> str | None:
    """None when the registry ``t`` (ours or the baseline) can answer ``w``; else why not."""
    whose = "our" if t.name == "ours" else f"the {t.name}'s"
    if w.needs_field:
        r = ask(
            t,
            Request(
                "POST",
                "/graphql",
                {
                    "query": "{ __schema { queryType { name } } "
                    '__type(name: "Query") { fields { name } } }'
                },
            ),
        )
        fields = {f["name"] for f in r.json()["data"]["__type"]["fields"]}
        if w.needs_field not in fields:
            return f"{whose} schema has no Query.{w.needs_field} yet"
    if w.needs_route:
        r = ask(t, w.requests[t.name])
        if r.status_code == 404:
            return f"{whose} server answers 404 to {w.requests[t.name].path.split('?')[0]}"
    return None


def answer(t: Target, w: Workload) -> Any:
    r = ask(t, w.requests[t.name])
    if r.status_code != 200:
        raise SystemExit(f"bench: {t.name} answered {r.status_code} to {w.label}: {r.text[:500]}")
    return canonical(w.adapters[t.name](r.json()))


def check_same(w: Workload, targets: list[Target]) -> None:
    """Every pair of targets returns the same data for ``w``, or the benchmark stops."""
    answers = {t.name: answer(t, w) for t in targets if t.name in w.requests}
    names = list(answers)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if answers[a] != answers[b]:
                left = json.dumps(answers[a], indent=1, sort_keys=True).splitlines()
                right = json.dumps(answers[b], indent=1, sort_keys=True).splitlines()
                diff = "\n".join(list(difflib.unified_diff(left, right, a, b, lineterm=""))[:80])
                raise SystemExit(f"bench: {w.label}: {a} and {b} disagree\n{diff}")
    size = len(json.dumps(answers[names[0]]))
    print(f"[check] {w.label}: {' = '.join(names)} ({size} bytes canonical)", flush=True)


RESET_STATEMENTS = ("pg_advisory_unlock_all", "CLOSE ALL", "UNLISTEN", "RESET ALL")


@dataclass(frozen=True)
class SqlCount:
    statements: float
    reset: float  # of which asyncpg's connection reset after each pool release


async def sql_per_request(dsn: str, t: Target, w: Workload, n: int = 10) -> SqlCount:
    """Statements the database executed per request, from pg_stat_statements' calls."""
    for _ in range(2):
        ask(t, w.requests[t.name])
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("select bench_meta.pg_stat_statements_reset()")
        for _ in range(n):
            ask(t, w.requests[t.name])
        rows = await conn.fetch(
            """
            select query, calls from bench_meta.pg_stat_statements
            where dbid = (select oid from pg_database where datname = current_database())
              and query not like '%pg_stat_statements%'
            """
        )
    finally:
        await conn.close()
    total = sum(r["calls"] for r in rows)
    reset = sum(r["calls"] for r in rows if any(s in r["query"] for s in RESET_STATEMENTS))
    return SqlCount(total / n, reset / n)


@dataclass(frozen=True)
class Run:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    server_cpu_s: float
    db_cpu_s: float
    wrk_cpu_s: float
    # CPU that neither the target, PostgreSQL nor wrk used, as a share of the machine.
    other_load: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def _machine_busy_s() -> float:
    """CPU seconds the whole machine spent busy since boot (from /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _children_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def wrk(t: Target, w: Workload, connections: int, seconds: int, db_cpu: Callable[[], float]) -> Run:
    """One wrk run against ``t``, with the CPU its process tree and PostgreSQL used."""
    req = w.requests[t.name]
    env = dict(os.environ)
    body_file = None
    if req.body is not None:
        with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as f:
            f.write(req.body_bytes() or b"")
            body_file = Path(f.name)
        env["BENCH_BODY"] = str(body_file)
    else:
        env.pop("BENCH_BODY", None)
    cmd = [
        "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency",
        "-s", str(WRK_SCRIPT), t.base + req.path,
    ]  # fmt: skip
    server0, db0, busy0, wrk0 = t.cpu_seconds(), db_cpu(), _machine_busy_s(), _children_cpu_s()
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"bench: wrk failed: {' '.join(cmd)}\n{done.stderr}{done.stdout}")
        out = done.stdout
    finally:
        if body_file:
            body_file.unlink()
    server1, db1, busy1, wrk1 = t.cpu_seconds(), db_cpu(), _machine_busy_s(), _children_cpu_s()
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCH_JSON "))
    s = json.loads(line.removeprefix("BENCH_JSON "))
    errors = s["socket_errors"] + s["status_errors"] + s["timeouts"]
    return Run(
        # Answers with a status other than 2xx/3xx count as errors, not as requests.
        requests=s["requests"] - s["status_errors"],
        seconds=s["duration_us"] / 1e6,
        p50_ms=s["p50_us"] / 1000,
        p99_ms=s["p99_us"] / 1000,
        errors=errors,
        server_cpu_s=server1 - server0,
        db_cpu_s=db1 - db0,
        wrk_cpu_s=wrk1 - wrk0,
        other_load=max(0.0, (busy1 - busy0) - (server1 - server0) - (db1 - db0) - (wrk1 - wrk0))
        / (s["duration_us"] / 1e6 * (os.cpu_count() or 1)),
    )
