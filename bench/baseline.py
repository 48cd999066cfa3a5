"""BENCH_BASELINE: another revision of the registry, run beside ours as the target "baseline".

The revision is checked out with `git worktree add --detach` into
bench/.work/baseline/<12-digit sha>, and reused while that worktree stays clean at that commit;
the current checkout is never touched. targets.start_ours starts it exactly like ours, from its
own directory and with that directory first on PYTHONPATH, so its `app` package is imported.
The virtualenv is shared: every requirement the baseline declares (pyproject.toml) must be
declared here exactly so, and the baseline must not bring migrations the shared catalog has not
been generated with.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from app.db.migrate import migration_files
from bench.targets import ROOT, python_path
from bench.workloads import Workload

MIGRATIONS = Path("app") / "db" / "migrations"


@dataclass(frozen=True)
class Revision:
    rev: str  # as given in BENCH_BASELINE
    sha: str
    subject: str
    path: Path
    # Migrations this checkout applied to the catalog that the baseline does not have.
    ours_only_migrations: tuple[str, ...]

    @property
    def short(self) -> str:
        return self.sha[:12]


def _git(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench: git {' '.join(args)} failed in {cwd}:\n{done.stderr.strip()}")
    return done.stdout.strip()


def _resolve(rev: str) -> str:
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: BENCH_BASELINE={rev} is not a commit of {ROOT}")
    return done.stdout.strip()


def _pins(text: str) -> set[str]:
    """Every requirement a pyproject.toml declares, runtime and extras alike."""
    project = tomllib.loads(text).get("project", {})
    every = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        every += extra
    return {" ".join(r.split()) for r in every}


def _same_dependencies(rev: str, sha: str) -> None:
    """The baseline runs in this checkout's virtualenv: each requirement it declares must be
    declared here exactly so (this checkout may add packages the baseline never imports)."""
    ours = _pins((ROOT / "pyproject.toml").read_text())
    theirs = _pins(_git("show", f"{sha}:pyproject.toml"))
    missing = sorted(theirs - ours)
    if missing:
        raise SystemExit(
            f"bench: BENCH_BASELINE={rev} ({sha[:12]}) declares requirements this checkout does "
            "not, and it would run in this checkout's virtualenv with other ones; pick a "
            f"baseline whose requirements this checkout keeps: {', '.join(missing)}"
        )


def _migrations(rev: str, path: Path) -> tuple[str, ...]:
    """Names of our migrations the baseline lacks; stops if it has one we do not."""
    ours = {p.name: p.read_bytes() for p in migration_files()}
    theirs = {
        p.name: p.read_bytes()
        for p in sorted((path / MIGRATIONS).glob("[0-9][0-9][0-9][0-9]_*.sql"))
    }
    foreign = sorted(name for name, text in theirs.items() if ours.get(name) != text)
    if foreign:
        raise SystemExit(
            f"bench: BENCH_BASELINE={rev} has migrations this checkout lacks or wrote "
            f"differently ({', '.join(foreign)}); started on the shared catalog it would apply "
            "them there. Compare against a revision whose migrations are a subset of ours."
        )
    return tuple(sorted(set(ours) - set(theirs)))


def _worktree(sha: str, path: Path) -> None:
    """A clean detached worktree at ``sha`` in ``path``: reused, or added."""
    if path.exists():
        # Inside this checkout, git in a directory that is no worktree answers for this one.
        top = _git("rev-parse", "--show-toplevel", cwd=path)
        if Path(top).resolve() == path.resolve():
            head = _git("rev-parse", "HEAD", cwd=path)
            dirty = _git("status", "--porcelain", "--untracked-files=no", cwd=path)
            if head == sha and not dirty:
                return
        raise SystemExit(
            f"bench: {path} exists but is not a clean worktree at {sha[:12]}; "
            f"remove it (git worktree remove --force {path}, or rm -r if git does not know it) "
            "and run again"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    # --force only lets git reuse the name of a worktree whose directory was deleted by hand.
    _git("worktree", "add", "--detach", "--force", str(path), sha)


def checkout(rev: str, work: Path) -> Revision:
    """Check ``rev`` out under work/baseline/ and check it can run in our virtualenv."""
    sha = _resolve(rev)
    _same_dependencies(rev, sha)
    path = work / "baseline" / sha[:12]
    _worktree(sha, path)
    ours_only = _migrations(rev, path)
    imported = subprocess.run(
        [sys.executable, "-c", "import app; print(app.__file__)"],
        cwd=path,
        env={**os.environ, **python_path(path)},
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not imported or not Path(imported).resolve().is_relative_to(path.resolve()):
        raise SystemExit(f"bench: the baseline imports app from {imported!r}, not from {path}")
    subject = _git("log", "-1", "--format=%s", sha)
    return Revision(rev, sha, subject, path, ours_only)


def add_requests(chosen: list[Workload]) -> None:
    """The baseline asks what ours asks (or the request a workload gives it, the same question
    in the words of an older schema), and its answers are read the same way."""
    for w in chosen:
        if "ours" in w.requests:
            w.requests.setdefault("baseline", w.requests["ours"])
            w.adapters["baseline"] = w.adapters["ours"]
