"""Measure the public pages at 1,000 / 10,000 / 100,000 synthetic entries: SQL queries per page,
server time in-process with a cold and a warm cache, requests per second under gunicorn with wrk
(against /healthz of the same app, for a ratio that holds across machines) and page weight.

Run through `make bench`, which creates and drops a scratch PostgreSQL database. Seeds with the
generator of `bench_search`, and like it refuses a database that holds real entries."""

import gzip
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from urllib.parse import quote

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import caches
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from catalog import opendata
from catalog.models import Policy

from .bench_search import BENCH_PREFIX
from .bench_search import Command as SearchBench

PAGES = {
    "home": "/",
    "list, no filter": "/policies/",
    "list, three filters": "/policies/?region=boluo&kind=resident&status=open",
    "list, search": "/policies/?q=养老",
    "detail": "/policies/{code}/",
    "volume": "/regions/huidong/",
    "finder results": "/finder/?who=person&region=huidong&show=results",
    "open-data JSON": "/open-data/policies.json?region=huidong&domain=lm-shenghuo&scope=volume",
}
# Pages whose size grows with the catalogue by design (a whole volume, an export): fewer runs.
HEAVY = {"volume", "finder results", "open-data JSON"}
LOADED = {
    "trivial view /healthz": "/healthz",
    "list, no filter": "/policies/",
    "detail": "/policies/{code}/",
    "list, search": "/policies/?q=养老",
}
WEIGHED = ["home", "list, no filter", "list, search", "detail"]


class Command(SearchBench):
    help = "Benchmark the public pages on synthetic entries (scratch PostgreSQL database only)."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,10000,100000")
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--wrk", default="-t1 -c16 -d20s", help="wrk options ('' to skip)")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, sizes, runs, seed, wrk, port, workers, **options):
        import random

        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL (DATABASE_URL).")
        if Policy.objects.exclude(code__startswith=BENCH_PREFIX).exists():
            raise CommandError("This database holds real entries; run `make bench`.")
        self.random = random.Random(seed)  # noqa: S311 -- repeatable synthetic data
        self.regions = self.ensure_reference()
        self.cache = caches[settings.CATALOG_CACHE]
        backend = type(self.cache).__name__
        self.stdout.write(
            f"# page benchmark {timezone.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, "
            f"cache {backend}, {runs} runs per page ({max(3, runs // 5)} for whole volumes "
            "and exports)"
        )
        sizes = sorted(int(s) for s in sizes.split(","))
        for size in sizes:
            self.seed_to(size)
            code = f"{BENCH_PREFIX}{size // 2:06d}"
            self.stdout.write(f"\n## {size:,} entries\n")
            self.stdout.write(
                "| page | SQL queries cold / warm | cold p50 / p95 ms | warm p50 / p95 ms |"
            )
            self.stdout.write("|---|---:|---:|---:|")
            for label, url in PAGES.items():
                n = max(3, runs // 5) if label in HEAVY else runs
                self.time_page(label, url.format(code=code), n)
            self.export(size)
        code = f"{BENCH_PREFIX}{sizes[-1] // 2:06d}"
        self.weigh({label: PAGES[label].format(code=code) for label in WEIGHED})
        if wrk:
            self.load(wrk, port, workers, {k: v.format(code=code) for k, v in LOADED.items()})

    def time_page(self, label, url, runs):
        client = Client()
        cold, warm = [], []
        with override_settings(DEBUG=False):
            for _ in range(runs):
                self.cache.clear()
                cold.append(timed(client, url))
                warm.append(timed(client, url))
            self.cache.clear()
            cold_queries = count_queries(client, url)
            warm_queries = count_queries(client, url)
        self.stdout.write(
            f"| {label} `{url}` | {cold_queries} / {warm_queries} | {ms(cold)} | {ms(warm)} |"
        )

    def export(self, size):
        """The whole catalogue as open-data JSON, once: streamed in chunks of opendata.CHUNK
        entries, each chunk one fetch from a server-side cursor plus one read per prefetched
        relation, so its queries grow with the export by design (docs/PERFORMANCE.md)."""
        client = Client()
        with override_settings(DEBUG=False), CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/open-data/policies.json")
            sent = sum(len(chunk) for chunk in response.streaming_content)
            elapsed = time.perf_counter() - started
        self.stdout.write(
            f"\nopen-data JSON of all {size:,} entries: {len(queries)} SQL queries "
            f"({len(queries) / size * 1000:.0f} per 1,000 entries, chunks of {opendata.CHUNK}), "
            f"{elapsed:.1f} s, {sent / 1e6:.1f} MB"
        )

    def weigh(self, urls):
        """HTML + the stylesheets and scripts it links, each gzipped as a server would send."""
        self.stdout.write("\n## Page weight (gzipped; at the largest size)\n")
        self.stdout.write("| page | HTML | CSS + JS | total | third-party requests |")
        self.stdout.write("|---|---:|---:|---:|---:|")
        client = Client()
        for label, url in urls.items():
            html = client.get(url).content
            assets, outside = 0, 0
            for ref in re.findall(rb'(?:href|src)="([^"]+\.(?:css|js))"', html):
                ref = ref.decode()
                if ref.startswith(("http:", "https:", "//")):
                    outside += 1
                    continue
                with staticfiles_storage.open(ref.removeprefix(settings.STATIC_URL)) as f:
                    assets += len(gzip.compress(f.read()))
            page = len(gzip.compress(html))
            self.stdout.write(
                f"| {label} | {kb(page)} | {kb(assets)} | {kb(page + assets)} | {outside} |"
            )

    def load(self, options, port, workers, urls):
        """gunicorn with `workers` sync workers; wrk from another process on 127.0.0.1."""
        if not shutil.which("wrk"):
            self.stderr.write("wrk not found (apt-get install wrk): load test skipped")
            return
        wrk = shutil.which("wrk")
        gunicorn = [sys.executable, "-m", "gunicorn", "portal.wsgi", "-c", "gunicorn.conf.py"]
        server = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
            [*gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
            env={**os.environ, "DJANGO_DEBUG": "0"},
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port)
            self.stdout.write(
                f"\n## Under load: gunicorn, {workers} sync workers; `wrk {options} --latency`, "
                "warm cache\n"
            )
            self.stdout.write(
                "| page | req/s | ÷ trivial | p50 / p90 / p99 ms | errors and non-2xx |"
            )
            self.stdout.write("|---|---:|---:|---:|---:|")
            trivial = None
            for label, url in urls.items():
                target = f"http://127.0.0.1:{port}{quote(url, safe='/?=&')}"
                subprocess.run(  # noqa: S603 -- warm every worker's connection and the cache
                    [wrk, "-t1", "-c4", "-d2s", target], capture_output=True, check=False
                )
                out = subprocess.run(  # noqa: S603
                    [wrk, *options.split(), "--latency", target],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout
                rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
                trivial = trivial or rate
                errors = sum(
                    int(n)
                    for n in re.findall(
                        r"(?:Non-2xx or 3xx responses|connect|read|write|timeout)[: ]\s*(\d+)",
                        out,
                    )
                )
                self.stdout.write(
                    f"| {label} `{url}` | {rate:,.0f} | {rate / trivial:.0%} "
                    f"| {percentile(out, '50%')} / {percentile(out, '90%')} / "
                    f"{percentile(out, '99%')} | {errors} |"
                )
        finally:
            server.terminate()
            server.wait(timeout=30)


def timed(client, url):
    started = time.perf_counter()
    response = client.get(url)
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    return (time.perf_counter() - started) * 1000


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries)


def ms(values):
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.1f} / {p95:.1f}"


def kb(size):
    return f"{size / 1024:.1f} KB"


def percentile(wrk_output, name):
    """A latency percentile from wrk's --latency table, in ms."""
    found = re.search(rf"^\s*{re.escape(name)}\s+([\d.]+)(us|ms|s)\s*$", wrk_output, re.M)
    if not found:
        return "?"
    value, unit = float(found.group(1)), found.group(2)
    return f"{value * {'us': 0.001, 'ms': 1, 's': 1000}[unit]:.1f}"


def wait_for(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise CommandError(f"gunicorn did not listen on port {port}")
