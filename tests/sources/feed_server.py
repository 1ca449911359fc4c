"""A test HTTP server on 127.0.0.1 that publishes Protezione Civile's regional daily files day by day.

The days are the regional sheets of the official workbook copied in tests/data/real (one sheet per
day, 24 February to 7 March 2020, in the files' original columns), written out as the daily CSV
files pcm-dpc published. The server also answers 304 (ETag / Last-Modified), 404, 500, slow
responses and a changed format, as the test sets it.
"""

import datetime as dt
import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

WORKBOOK = Path(__file__).resolve().parent.parent / "data" / "real" / "it_dpc-covid19-ita-master_20200308.xlsx"
PATTERN = "/dati-regioni/dpc-covid19-ita-regioni-{date:%Y%m%d}.csv"
LATEST = "/dati-regioni/dpc-covid19-ita-regioni-latest.csv"
LAST_MODIFIED = "Sun, 01 Mar 2020 18:00:00 GMT"


def daily_files() -> dict[dt.date, bytes]:
    """Each day's regional file, as CSV bytes, from the workbook's day sheets."""
    sheets = pd.read_excel(WORKBOOK, sheet_name=None, dtype=str, keep_default_na=False)
    days = {}
    for frame in sheets.values():
        if "codice_regione" not in frame.columns:
            continue
        frame = frame[frame["data"] != ""]
        day = dt.date.fromisoformat(frame["data"].iloc[0][:10])
        days[day] = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
    return dict(sorted(days.items()))


class FeedServer:
    """`files`: path → bytes; `status`: path → forced status; `delay`: seconds before answering."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.status: dict[str, int] = {}
        self.delay = 0.0
        self.requests: list[tuple[str, dict[str, str]]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, dict(self.headers)))
                if server.delay:
                    time.sleep(server.delay)
                forced = server.status.get(self.path)
                body = server.files.get(self.path)
                if forced:
                    self.send_response(forced)
                    self.end_headers()
                    return
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def publish(self, day: dt.date, content: bytes) -> None:
        self.files[PATTERN.format(date=day)] = content

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- fixtures (import them into a test module to use them) ------------------------------------------


@pytest.fixture(scope="session")
def italy_days():
    """Protezione Civile's regional files by day (24 Feb to 7 Mar 2020)."""
    return daily_files()


@pytest.fixture
def feed_server(settings):
    """The test server, with private addresses allowed for 127.0.0.1 only and a short timeout."""
    settings.FRESHNESS_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.1/32"]
    settings.FEED_TIMEOUT_SECONDS = 1.0
    server = FeedServer()
    yield server
    server.stop()


def make_feed(server: FeedServer, source, *, pattern: bool = True, **fields):
    from sources.models import Feed

    path = PATTERN.replace("{date:%Y%m%d}", "{date:%Y%m%d}") if pattern else LATEST
    return Feed.objects.create(source=source, name="Regional daily file", url=server.base + path, **fields)


# What a volunteer maps once for the early files (four figures we have no metric for, one spelling
# of Friuli Venezia Giulia): saved as the source's recipe for the files of this shape.
ITALY_EARLY_MAPPING = {
    "metrics": {
        "terapia_intensiva": "icu",
        "totale_ospedalizzati": "hospitalized",
        "dimessi_guariti": "recovered",
        "deceduti": "deaths",
        "totale_casi": "confirmed",
        "tamponi": "tests",
        "ricoverati_con_sintomi": "",
        "isolamento_domiciliare": "",
        "totale_attualmente_positivi": "",
        "nuovi_attualmente_positivi": "",
    },
    "locations": {"Friuli V. G.": "IT_36"},
}


def italy_recipe(source, content: bytes):
    """The source's recipe for files shaped like `content` (a daily CSV), as a volunteer's mapping left it."""
    from contributions.recipes import file_shape
    from sources.models import SourceRecipe

    headers = content.decode("utf-8").splitlines()[0].split(",")
    shape = file_shape([("", headers)])
    return SourceRecipe.objects.create(
        source=source, signature=shape.signature, headers=shape.headers, layout="", mapping=ITALY_EARLY_MAPPING
    )
