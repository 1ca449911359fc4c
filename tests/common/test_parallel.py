"""The thread pool for a big upload's column passes gives the same answers as doing them in turn."""

import numpy as np
import pytest

from common import parallel


def test_searchsorted_in_two_halves_equals_numpy(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ROWS", 10)
    rng = np.random.default_rng(7)
    haystack = np.unique(rng.integers(0, 1 << 40, 5_000))
    needles = np.concatenate([rng.choice(haystack, 300), rng.integers(0, 1 << 40, 300)])

    assert parallel.searchsorted(haystack, needles).tolist() == np.searchsorted(haystack, needles).tolist()


@pytest.mark.parametrize("rows", [5, 500_000])
def test_submit_hands_back_the_result_or_the_error(rows):
    assert parallel.submit(sum, [1, 2, 3], rows=rows).result() == 6
    with pytest.raises(ZeroDivisionError):
        parallel.submit(divmod, 1, 0, rows=rows).result()


def test_a_forked_process_gets_its_own_pool(monkeypatch):
    first = parallel.pool()
    monkeypatch.setattr(parallel.os, "getpid", lambda: -1)

    assert parallel.pool() is not first
