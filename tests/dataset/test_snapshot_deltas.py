"""A base overlaid with the cumulative delta of several releases gives the values those releases left."""

import numpy as np

from dataset import snapshot_deltas as deltas


def arrays(values: dict[int, tuple[float, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keys = np.array(sorted(values), dtype="int64")
    return (
        keys,
        np.array([values[k][0] for k in keys.tolist()], dtype="float64"),
        np.array([values[k][1] for k in keys.tolist()], dtype="int64"),
    )


def releases(seed: int, count: int = 12) -> list[tuple[tuple[np.ndarray, ...], np.ndarray]]:
    """Releases over keys 0..299: each sets some values (changed or new, some keys twice, the last
    written counting) and removes others."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        keys = rng.integers(0, 300, size=rng.integers(0, 40)).astype("int64")
        written = (keys, rng.normal(size=len(keys)), rng.integers(1, 5, size=len(keys)).astype("int64"))
        out.append((written, rng.integers(0, 300, size=rng.integers(0, 8)).astype("int64")))
    return out


def apply(values: dict[int, tuple[float, int]], written, removed) -> None:
    for key, value, source in zip(*(a.tolist() for a in written), strict=True):
        values[key] = (value, source)
    for key in removed.tolist():
        values.pop(key, None)


def test_the_overlay_equals_the_values_left_by_every_release_in_turn():
    for seed in range(20):
        rng = np.random.default_rng(1000 + seed)
        expected = {int(k): (float(k), 1) for k in rng.choice(300, size=150, replace=False)}
        base = arrays(expected)
        delta = deltas.Delta.empty()
        for written, removed in releases(seed):
            apply(expected, written, removed)
            delta = deltas.fold(delta, deltas.changes(*written), removed, base[0])
            whole = deltas.overlay(base, delta)
            for got, want in zip(whole, arrays(expected), strict=True):
                assert np.array_equal(got, want)


def test_find_reads_the_same_values_as_the_whole_arrays():
    rng = np.random.default_rng(7)
    expected = {int(k): (float(k), 1) for k in rng.choice(300, size=150, replace=False)}
    base = arrays(expected)
    delta = deltas.Delta.empty()
    for written, removed in releases(7):
        apply(expected, written, removed)
        delta = deltas.fold(delta, deltas.changes(*written), removed, base[0])
    asked = np.arange(-5, 310, dtype="int64")
    in_base = np.searchsorted(base[0], asked).clip(max=len(base[0]) - 1)
    position = np.where(base[0][in_base] == asked, in_base, -1)

    known, values, sources = deltas.find(base, position, delta, asked)

    assert known.tolist() == [k in expected for k in asked.tolist()]
    assert values[known].tolist() == [expected[k][0] for k in asked[known].tolist()]
    assert sources[known].tolist() == [expected[k][1] for k in asked[known].tolist()]
    assert np.isnan(values[~known]).all()


def test_a_value_removed_then_written_again_is_back_and_removed_again_is_gone():
    base = arrays({1: (1.0, 1), 2: (2.0, 1)})
    nothing = np.zeros(0, dtype="int64")
    removed = deltas.fold(deltas.Delta.empty(), deltas.changes(nothing, nothing * 1.0, nothing), np.array([2]), base[0])
    assert deltas.overlay(base, removed)[0].tolist() == [1]
    back = deltas.fold(removed, deltas.changes(np.array([2]), np.array([5.0]), np.array([3])), nothing, base[0])
    assert [a.tolist() for a in deltas.overlay(base, back)] == [[1, 2], [1.0, 5.0], [1, 3]]
    gone = deltas.fold(back, deltas.changes(nothing, nothing * 1.0, nothing), np.array([2]), base[0])
    assert deltas.overlay(base, gone)[0].tolist() == [1]


def test_a_delta_is_saved_whole_with_the_name_of_its_base(tmp_path):
    delta = deltas.fold(
        deltas.Delta.empty(),
        deltas.changes(np.array([4, 3]), np.array([4.0, 3.0]), np.array([1, 1])),
        np.array([1]),
        np.array([1, 2], dtype="int64"),
    )
    deltas.save(tmp_path / "d2-1", delta, "r1-1")

    assert deltas.base_name(tmp_path / "d2-1") == "r1-1"
    loaded = deltas.load(tmp_path / "d2-1")
    assert (loaded.keys.tolist(), loaded.removed.tolist()) == ([3, 4], [1])
    assert [p.name for p in tmp_path.iterdir()] == ["d2-1"]  # no staging folder left


def test_find_reads_a_small_delta_for_many_keys_some_asked_twice():
    base = arrays({k: (float(k), 1) for k in range(0, 300, 2)})
    written = (np.array([1, 4, 7, 299]), np.array([-1.0, -4.0, -7.0, -299.0]), np.array([2, 2, 2, 2]))
    delta = deltas.fold(deltas.Delta.empty(), deltas.changes(*written), np.array([6, 8]), base[0])
    asked = np.sort(np.concatenate([np.arange(300), [4, 7, 8]])).astype("int64")
    in_base = np.searchsorted(base[0], asked).clip(max=len(base[0]) - 1)
    position = np.where(base[0][in_base] == asked, in_base, -1)

    known, values, sources = deltas.find(base, position, delta, asked)

    expected = {k: (float(k), 1) for k in range(0, 300, 2) if k not in (6, 8)}
    expected.update({1: (-1.0, 2), 4: (-4.0, 2), 7: (-7.0, 2), 299: (-299.0, 2)})
    assert known.tolist() == [k in expected for k in asked.tolist()]
    assert values[known].tolist() == [expected[k][0] for k in asked[known].tolist()]
    assert sources[known].tolist() == [expected[k][1] for k in asked[known].tolist()]
