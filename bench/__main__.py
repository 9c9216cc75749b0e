"""`make bench`: every benchmark beside its anchor, in one run; results in bench/results/."""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
SUITES = (
    "policy",
    "ledger",
    "ingest",
    "http",
    "access_report",
    "reminders",
    "flood",
    "simulations",
    "conversations",
    "correspondence",
    "offers",
    "privacy_centre",
)
# Run only when named: the same read driven in-process, a profile of lawful's own work with no
# HTTP server in the way, never a comparison (see `http` for that).
NAMED_ONLY = ("api",)


def main(argv: list[str]) -> int:
    chosen = argv or list(SUITES)
    unknown = [name for name in chosen if name not in SUITES + NAMED_ONLY]
    if unknown:
        known = ", ".join(SUITES + NAMED_ONLY)
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {known}")
        return 2
    RESULTS.mkdir(exist_ok=True)
    summary: dict[str, object] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    for name in chosen:
        module = importlib.import_module(f"bench.{name}")
        print(f"\n=== {name} ===", flush=True)
        summary[name] = module.run()
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    print(f"\nresults written to {RESULTS}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
