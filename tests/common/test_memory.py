"""memory_limit: an allocation past the ceiling is a MemoryError, and the old limit comes back after."""

import subprocess
import sys
import textwrap

import pytest

resource = pytest.importorskip("resource")

SCRIPT = textwrap.dedent(
    """
    import resource
    from common.memory import memory_limit

    before = resource.getrlimit(resource.RLIMIT_DATA)
    used = int(next(line for line in open("/proc/self/status") if line.startswith("VmData")).split()[1]) // 1024
    try:
        with memory_limit(used + 100):
            bytearray(400 * 1024 * 1024)
    except MemoryError:
        print("refused")
    assert resource.getrlimit(resource.RLIMIT_DATA) == before
    bytearray(400 * 1024 * 1024)
    print("restored")
    """
)


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_DATA") or sys.platform != "linux", reason="Linux RLIMIT_DATA")
def test_an_allocation_past_the_limit_is_a_memory_error_and_the_limit_is_restored():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["refused", "restored"]


def test_no_limit_asked_is_no_limit():
    from common.memory import memory_limit

    before = resource.getrlimit(resource.RLIMIT_DATA)
    with memory_limit(0):
        assert resource.getrlimit(resource.RLIMIT_DATA) == before
