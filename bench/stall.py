"""How long hostile but small requests take, and how long /healthz waits meanwhile.

    .venv/bin/python -m bench.stall [--app-dir DIR]

Against the registry from DIR (default: this checkout) with the demo catalog: a fragment bomb
(fragment Fi spreads F(i+1) twice) at k = 19, 20 and 40, and a fan-out through nested lists
(models > trainedOn > trainedModels > trainedOn > trainedModels, through the resolvers). For
each: the request's status, code and seconds, and the slowest /healthz answered while it ran.
"""

from __future__ import annotations

import argparse
import contextlib
import threading
import time
from pathlib import Path

import httpx

from bench.soak import served

FAN_OUT = """{ models(limit: 100) { items @include(if: true) { trainedOn { trainedModels {
  trainedOn { trainedModels { id } } } } } } }"""


def bomb(k: int) -> str:
    fragments = " ".join(f"fragment F{i} on Model {{ ...F{i + 1} ...F{i + 1} }}" for i in range(k))
    return (
        '{ model(id: "model-biophys-microglia") { ...F0 } } '
        f"{fragments} fragment F{k} on Model {{ id }}"
    )


def probe(client: httpx.Client, query: str) -> str:
    """Send ``query`` while another thread polls /healthz; describe both."""
    slowest = 0.0
    done = threading.Event()
    base = str(client.base_url)

    def poll() -> None:
        nonlocal slowest
        with httpx.Client(base_url=base, timeout=60) as other:
            while not done.is_set():
                started = time.perf_counter()
                with contextlib.suppress(httpx.TimeoutException):
                    other.get("/healthz")
                slowest = max(slowest, time.perf_counter() - started)
                time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    started = time.perf_counter()
    try:
        r = client.post("/graphql", json={"query": query}, timeout=60)
    except httpx.TimeoutException:
        return f"no answer within 60 s; /healthz <= {slowest:.2f} s so far"
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        poller.join()
    try:
        codes = {e["extensions"]["code"] for e in r.json().get("errors", [])} or {"data"}
    except ValueError:
        codes = {"not JSON"}
    return (
        f"{r.status_code} {','.join(sorted(codes))} in {elapsed:.2f} s; /healthz <= {slowest:.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=Path(__file__).resolve().parent.parent)
    app_dir = parser.parse_args().app_dir.resolve()
    # The fan-out first: a bomb the server cannot refuse keeps it busy after the client left.
    with served(app_dir) as (client, _):
        print(app_dir)
        print(f"  fan-out through nested lists: {probe(client, FAN_OUT)}")
        for k in (19, 20, 40):
            print(f"  fragment bomb k={k}: {probe(client, bomb(k))}")


if __name__ == "__main__":
    main()
