"""The dataset app's start-up: what every process gets, whether or not it loads the URLs."""

import subprocess
import sys

from django.conf import settings

SCRIPT = """
import django
django.setup()
import sys
from django.db.models.signals import post_save
from dataset.models import Release
receivers = [r.__name__ for r in post_save._live_receivers(Release)[0]]
assert "dataset.api.views" not in sys.modules, "the API was imported"
print(",".join(receivers))
"""


def test_a_process_that_never_loads_the_api_still_forgets_the_latest_release_on_a_new_one():
    """The worker makes releases without importing the URLs: the API cache's receiver is connected at
    start-up (DatasetConfig.ready), not as a side effect of importing the API."""
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    assert "forget_latest_release" in done.stdout.strip().split(",")
