"""Per-release entries: computed once, and while one process computes a new release's, others answer
with the release before instead of computing it too."""

import threading
import time

import pytest
from django.core.cache import cache

from dataset import kept


def test_an_entry_is_computed_once_per_release():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert kept.per_release("tests:kept", "r1", compute) == 1
    assert kept.per_release("tests:kept", "r1", compute) == 1
    assert kept.per_release("tests:kept", "r2", compute) == 2
    assert len(calls) == 2


def test_while_another_process_computes_the_new_release_readers_get_the_one_before():
    kept.per_release("tests:kept", "r1", lambda: "figures of release 1")
    cache.add("tests:kept:r2:computing", 1)  # another process started on release 2

    def compute():
        raise AssertionError("computed twice at the same time")

    assert kept.per_release("tests:kept", "r2", compute) == "figures of release 1"


def test_with_nothing_older_a_reader_waits_for_the_entry_being_computed(monkeypatch):
    monkeypatch.setattr(kept, "POLL_SECONDS", 0.01)
    cache.add("tests:kept:r1:computing", 1)
    threading.Timer(0.2, lambda: cache.set("tests:kept:r1", "figures of release 1")).start()

    def compute():
        raise AssertionError("computed twice at the same time")

    assert kept.per_release("tests:kept", "r1", compute) == "figures of release 1"


def test_a_failed_computation_leaves_no_lock_behind():
    def broken():
        raise RuntimeError("database gone")

    with pytest.raises(RuntimeError):
        kept.per_release("tests:kept", "r1", broken)
    assert kept.per_release("tests:kept", "r1", lambda: "computed") == "computed"


def test_in_production_readers_keep_the_release_before_until_the_worker_computed_the_new_one(settings):
    settings.RELEASE_STALE_SECONDS = 60
    kept.per_release("tests:kept", "r1", lambda: "figures of release 1")

    def compute():
        raise AssertionError("a reader computed what warm_caches computes")

    assert kept.per_release("tests:kept", "r2", compute) == "figures of release 1"
    with kept.fresh():  # warm_caches, in the worker
        assert kept.per_release("tests:kept", "r2", lambda: "figures of release 2") == "figures of release 2"
    assert kept.per_release("tests:kept", "r2", compute) == "figures of release 2"


def test_past_the_grace_a_reader_computes_the_new_release_itself(settings):
    settings.RELEASE_STALE_SECONDS = 60
    kept.per_release("tests:kept", "r1", lambda: "figures of release 1")
    cache.set("tests:kept:r2:missed", time.time() - 61)  # first missed a minute ago: the worker is late
    assert kept.per_release("tests:kept", "r2", lambda: "figures of release 2") == "figures of release 2"
