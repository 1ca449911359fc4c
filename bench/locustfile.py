"""The load test's users (locust): 90% public reads, 8% volunteer uploads, 2% reviewer approvals.

Run by bench/load.py, which starts the portal and writes LOAD_ACCOUNTS (tokens and the source id).
Each locust user does one task a second (constant throughput), picked by weight:

- read (90): the home page, the countries list, Italy's page, a time series from the API
  (`/api/v1/observations/`, JSON or CSV), the downloads page or a release file;
- upload (8): a volunteer sends a small CSV (a few days of Italian values, different each time) through
  `POST /api/v1/submissions/`;
- approve (2): a reviewer (token, second factor set up) takes the oldest submission of the review queue
  and approves the version shown. 409 (someone else decided first, or it is not ready) counts as a normal answer.
"""

import itertools
import json
import os
import random
import re
from datetime import date, timedelta
from pathlib import Path

from locust import HttpUser, constant_throughput, events, task

ACCOUNTS = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text()) if os.environ.get("LOAD_ACCOUNTS") else {}
VOLUNTEERS = itertools.cycle(ACCOUNTS.get("volunteers") or [""])
REVIEWERS = itertools.cycle(ACCOUNTS.get("reviewers") or [""])
SERIES = [("IT", "confirmed"), ("IT", "deaths"), ("DE", "confirmed"), ("US", "confirmed"), ("FR", "deaths")]
REGIONS = ["Lombardia", "Veneto", "Lazio", "Piemonte", "Toscana", "Sicilia", "Campania", "Puglia"]
RELEASE_FILES: list[str] = []
uploads = itertools.count(1)


@events.test_start.add_listener
def find_release_files(environment, **_):
    """The release files the downloads page links to (read once, as a user would see them)."""
    import requests

    RELEASE_FILES[:] = latest_files(requests.get(f"{environment.host}/data/downloads/", timeout=30).text)


def latest_files(html: str) -> list[str]:
    """The downloads page's links to the newest release's files."""
    links = set(re.findall(r'href="(/data/downloads/(\d+)/[^"]+)"', html))
    newest = max((int(number) for _, number in links), default=None)
    return sorted(path for path, number in links if int(number) == newest)


def small_file(n: int) -> bytes:
    """A few days of regional values, different for every upload, so each merge changes values."""
    start = date(2023, 1, 1) + timedelta(days=n % 60)
    rows = ["date,location,metric,value"]
    for region in random.sample(REGIONS, 3):
        for day in range(3):
            rows.append(f"{start + timedelta(days=day)},{region},confirmed,{n * 10 + day}")
    return ("\n".join(rows) + "\n").encode()


class PortalUser(HttpUser):
    wait_time = constant_throughput(1)

    @task(90)
    def read(self):
        choice = random.random()
        if choice < 0.25:
            self.client.get("/", name="page: home")
        elif choice < 0.40:
            self.client.get("/data/", name="page: countries")
        elif choice < 0.55:
            self.client.get("/data/IT/", name="page: Italy")
        elif choice < 0.85:
            location, metric = random.choice(SERIES)
            fmt = random.choice(["json", "csv"])
            self.client.get(
                f"/api/v1/observations/?location={location}&metric={metric}&format={fmt}",
                name=f"api: series ({fmt})",
            )
        elif choice < 0.93 or not RELEASE_FILES:
            page = self.client.get("/data/downloads/", name="page: downloads")
            if page.ok:  # the files a reader sees now (older releases' go when retention removes them)
                RELEASE_FILES[:] = latest_files(page.text) or RELEASE_FILES
        else:
            small = [path for path in RELEASE_FILES if path.endswith((".json", "deaths_global.csv"))] or RELEASE_FILES
            self.client.get(random.choice(small), name="download: release file")

    @task(8)
    def upload(self):
        n = next(uploads)
        self.client.post(
            "/api/v1/submissions/",
            data={"source": ACCOUNTS.get("source", 0), "comment": "daily file"},
            files={"file": (f"italy-{n}.csv", small_file(n), "text/csv")},
            headers={"Authorization": f"Token {next(VOLUNTEERS)}"},
            name="api: upload",
        )

    @task(2)
    def approve(self):
        headers = {"Authorization": f"Token {next(REVIEWERS)}"}
        queue = self.client.get(
            "/api/v1/review/queue/?status=awaiting_review", headers=headers, name="api: review queue"
        )
        items = (queue.json().get("results") if queue.ok else None) or []
        if not items:
            return
        item = random.choice(items[:5])
        with self.client.post(
            f"/api/v1/submissions/{item['id']}/approve/",
            json={"version": item["version"], "comment": "Checked against the ministry's bulletin"},
            headers=headers,
            name="api: approve",
            catch_response=True,
        ) as response:
            if response.status_code == 409:  # another reviewer was first, or the file changed
                response.success()
