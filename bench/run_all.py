"""Run every benchmark in bench/ (each bench/*.py except this file and helpers starting with "_"), in order.

scale.py runs at 1M values here (BENCH_SCALE_SIZES overrides); `make bench-scale` measures growth to 10M.

Each script prints its own ratio against the baseline it measures in the same run. The exit code
is the worst exit code of the scripts, so `make bench` fails when one of them crashes.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def scripts() -> list[Path]:
    return [p for p in sorted(HERE.glob("*.py")) if p.name != Path(__file__).name and not p.name.startswith("_")]


def main() -> int:
    worst = 0
    for script in scripts():
        print(f"\n##### {script.name}", flush=True)
        start = time.perf_counter()
        env = {**os.environ, "BENCH_SCALE_SIZES": os.environ.get("BENCH_SCALE_SIZES", "1M")}
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent, env=env)
        print(f"##### {script.name}: exit {code} after {time.perf_counter() - start:.0f} s", flush=True)
        worst = max(worst, code)
    return worst


if __name__ == "__main__":
    sys.exit(main())
