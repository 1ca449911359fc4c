"""The table bench/scale.py prints: every figure at each size, beside its target."""

import json

from _support import machine

TARGET_MB = 2048


def _get(results: dict, step: str, key: str = "seconds"):
    value = results.get(step, {}).get(key)
    return value if isinstance(value, (int, float)) else None


ROWS = [  # label, step, key, unit, kind of target
    ("import", "import", "seconds", "s", "baseline"),
    ("  baseline: bare COPY/executemany", "import", "baseline", "s", ""),
    ("merge 100k", "merge", "seconds", "s", "growth"),
    ("exports of the import's release, in full: peak memory", "release", "import_exports_peak_mb", "MB", ""),
    ("release of 1,000 values: release path (merge + exports)", "release", "seconds", "s", "growth"),
    ("  of which build_exports", "release", "exports", "s", ""),
    ("  disk added by the release path", "release", "path_disk_mb", "MB", ""),
    ("  its follow-up (finish_exports)", "release", "follow_up", "s", "growth"),
    ("  disk added by the release and its follow-up", "release", "disk_mb", "MB", ""),
    ("the next releases (steady state, median): release path", "release", "steady_seconds", "s", "growth"),
    ("  of which build_exports", "release", "steady_exports", "s", ""),
    ("  disk added by the release path", "release", "steady_path_disk_mb", "MB", ""),
    ("  peak memory after the release path", "release", "steady_path_peak_mb", "MB", ""),
    ("  its follow-up (finish_exports)", "release", "steady_follow_up", "s", "growth"),
    ("  peak memory of the follow-up", "release", "steady_follow_up_peak_mb", "MB", ""),
    ("  disk added by the release and its follow-up", "release", "steady_disk_mb", "MB", ""),
    ("validate + diff 1M rows, first after release", "validate", "first_seconds", "s", "read_csv"),
    ("validate + diff 1M rows, best of the next 5", "validate", "seconds", "s", "read_csv"),
    ("  median of the next 5", "validate", "median_seconds", "s", ""),
    ("  baseline: read_csv(pyarrow), best of 6", "validate", "baseline", "s", ""),
    ("API series, cached", "requests", "api_cached_ms", "ms", "growth"),
    ("API series, uncached (database path)", "requests", "api_uncached_ms", "ms", "growth"),
    ("API series, unseen query, series payloads", "requests", "api_series_ms", "ms", "growth"),
    ("  baseline: /api/v1/ping/", "requests", "ping_ms", "ms", ""),
    ("location page /data/IT/", "requests", "location_ms", "ms", "growth"),
    ("location page, cache emptied", "requests", "location_cold_ms", "ms", "growth"),
    ("countries index /data/", "requests", "index_ms", "ms", "growth"),
    ("countries index, cache emptied", "requests", "index_cold_ms", "ms", "growth"),
    ("JHU export", "export", "seconds", "s", "baseline"),
    ("  baseline: query + pivot + to_csv", "export", "baseline", "s", ""),
]


def _ratios(cells: list, bases: list) -> str:
    return ", ".join("-" if not (c and b) else f"{c / b:.2f}x" for c, b in zip(cells, bases, strict=True))


def print_table(by_size: dict[int, dict], engine: str) -> None:
    sizes = sorted(by_size)
    first, last = sizes[0], sizes[-1]
    print(f"\n== growth on {engine}: {machine()}")
    print(f"{'step':<48}" + "".join(f"{f'{s / 1e6:g}M':>12}" for s in sizes) + "  target")
    for label, step, key, unit, kind in ROWS:
        cells = [_get(by_size[s], step, key) for s in sizes]
        line = f"{label:<48}" + "".join(f"{'-' if c is None else f'{c:.2f} {unit}':>12}" for c in cells)
        if kind == "baseline":
            line += "  <= 2x baseline: " + _ratios(cells, [_get(by_size[s], step, "baseline") for s in sizes])
        elif kind == "read_csv":
            bases = [_get(by_size[s], step, "baseline") for s in sizes]
            line += "  <= 3x read_csv: " + _ratios(cells, bases)
        elif kind == "growth" and cells[0] and cells[-1] and first != last:
            line += f"  growth {first / 1e6:g}M->{last / 1e6:g}M {cells[-1] / cells[0]:.2f}x (target <= 1.5x)"
        print(line)
    peaks = [max((r.get("peak_mb", 0) for r in by_size[s].values()), default=0) for s in sizes]
    print(f"{'peak memory of any step':<48}" + "".join(f"{p:>9.0f} MB" for p in peaks) + f"  <= {TARGET_MB} MB at 10M")
    print("\nJSON " + json.dumps({"engine": engine, "results": {str(s): by_size[s] for s in sizes}}))
