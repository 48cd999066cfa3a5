"""The servers under test, started on free ports of 127.0.0.1 against one database.

- ours: the registry as in production, `python -m app serve` with DATABASE_URL and the
  app's per-request log line off (ACCESS_LOG=0), or with BENCH_OURS=factory
  `uvicorn --factory app.asgi:create --no-access-log`;
- baseline (with BENCH_BASELINE): another revision's registry, started exactly like ours from
  its worktree (bench/baseline.py);
- postgraphile: PostGraphile v4 from bench/postgraphile/package-lock.json, in
  bench/.work/node, with the flags issue 8 names;
- floor: bench/floor.py under uvicorn with the access log off;
- variants of ours (`ours_*`, bench/variants.py): ours with other settings.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from bench.database import BENCH_DIR, node_dsn

ROOT = BENCH_DIR.parent
POOL_SIZE = "10"  # the registry's DB_POOL_MAX default; PostGraphile and the floor get the same
# Targets that are a revision of the registry, answering /readyz.
REGISTRIES = ("ours", "baseline")
POSTGRAPHILE_FLAGS = ["--simple-collections", "both", "--dynamic-json", "--disable-query-log"]


@dataclass
class Target:
    name: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def processes(self) -> list[psutil.Process]:
        p = psutil.Process(self.proc.pid)
        return [p, *p.children(recursive=True)]

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in self.processes():
            try:
                t = p.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
        return total

    def rss_mb(self) -> float:
        return sum(p.memory_info().rss for p in self.processes()) / 2**20

    def peak_rss_mb(self) -> float:
        """VmHWM: the resident set's high-water mark, summed over the process tree."""
        total = 0
        for p in self.processes():
            for line in Path(f"/proc/{p.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) * 1024
        return total / 2**20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def install_postgraphile(work: Path) -> Path:
    """npm ci the pinned PostGraphile into bench/.work/node (once per lockfile)."""
    node_dir = work / "node"
    cli = node_dir / "node_modules" / "postgraphile" / "cli.js"
    lock = BENCH_DIR / "postgraphile" / "package-lock.json"
    installed = node_dir / "package-lock.json"
    if cli.exists() and installed.exists() and installed.read_bytes() == lock.read_bytes():
        return cli
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            raise SystemExit(f"bench: {tool} is needed for PostGraphile (Node 20)")
    node_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(BENCH_DIR / "postgraphile" / "package.json", node_dir / "package.json")
    shutil.copy(lock, installed)
    print("[node] npm ci postgraphile (pinned in bench/postgraphile)", flush=True)
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=node_dir, check=True
    )
    return cli


def _spawn(
    name: str, cmd: list[str], env: dict[str, str], logs: Path, port: int, cwd: Path = ROOT
) -> Target:
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=cwd, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    return Target(name, port, proc, log)


def python_path(root: Path) -> dict[str, str]:
    """PYTHONPATH that imports `app` from ``root`` when it is another checkout."""
    # First, ahead of the virtualenv's editable install, which points at this checkout.
    if root.resolve() == ROOT.resolve():
        return {}
    rest = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": os.pathsep.join([str(root), *([rest] if rest else [])])}


def start_ours(
    dsn: str,
    logs: Path,
    name: str = "ours",
    root: Path = ROOT,
    settings: dict[str, str] | None = None,
) -> Target:
    """Start the registry of the checkout in ``root``: this one, or the baseline's.

    ``settings``: more of its environment (bench/topology.py: replicas, PgBouncer).
    """
    port = free_port()
    env = {
        "DATABASE_URL": dsn,
        "REGISTRY_DEMO_DATA": "0",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DB_POOL_MAX": POOL_SIZE,
        # The app's one log line per request (ACCESS_LOG, default on); off like PostGraphile's
        # --disable-query-log unless BENCH_ACCESS_LOG=1.
        "ACCESS_LOG": os.environ.get("BENCH_ACCESS_LOG", "0"),
        **python_path(root),
        **(settings or {}),
    }
    if os.environ.get("BENCH_OURS") == "factory":
        cmd = [
            sys.executable, "-m", "uvicorn", "app.asgi:create", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
    else:
        cmd = [sys.executable, "-m", "app", "serve"]
    return _spawn(name, cmd, env, logs, port, cwd=root)


def start_floor(dsn: str, logs: Path) -> Target:
    port = free_port()
    cmd = [
        sys.executable, "-m", "uvicorn", "bench.floor:app",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    return _spawn("floor", cmd, {"BENCH_DSN": dsn}, logs, port)


def start_postgraphile(cli: Path, dsn: str, logs: Path) -> Target:
    port = free_port()
    cmd = [
        "node", str(cli), "--connection", node_dsn(dsn), "--schema", "public,bench_pg",
        "--host", "127.0.0.1", "--port", str(port), "--max-pool-size", POOL_SIZE,
        *POSTGRAPHILE_FLAGS,
    ]  # fmt: skip
    return _spawn("postgraphile", cmd, {"NODE_ENV": "production"}, logs, port)


def wait_ready(t: Target, timeout: float = 60.0) -> None:
    """Until the server answers: /readyz, /healthz, or a trivial GraphQL query."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if t.proc.poll() is not None:
            raise SystemExit(f"bench: {t.name} exited early; see {t.log}:\n{t.log.read_text()}")
        try:
            if t.name == "postgraphile":
                r = httpx.post(f"{t.base}/graphql", json={"query": "{__typename}"}, timeout=2)
            else:
                registry = t.name in REGISTRIES or t.name.startswith("ours_")
                path = "readyz" if registry else "healthz"
                r = httpx.get(f"{t.base}/{path}", timeout=2)
            if r.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"bench: {t.name} not ready after {timeout:.0f}s; see {t.log}")


def stop(t: Target) -> None:
    if t.proc.poll() is None:
        t.proc.send_signal(signal.SIGTERM)
        try:
            t.proc.wait(15)
        except subprocess.TimeoutExpired:
            t.proc.kill()
            t.proc.wait()
