"""Health endpoints, the 503 page while the database is away, and a chaos test on a real server:
gunicorn against a throwaway PostgreSQL cluster this test starts, cuts off, stops and restarts."""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg2
import pytest
from django.db import OperationalError
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_says_only_ok():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_is_ok_when_database_and_cache_answer():
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db
def test_readyz_is_503_without_details_when_the_database_fails(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "10.0.0.5", port 5432 failed')

    monkeypatch.setattr("catalog.views.connection.cursor", refuse)
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    assert response["Retry-After"]


@pytest.mark.django_db
def test_a_public_page_answers_503_with_retry_after_while_the_database_is_away(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("catalog.views.PolicyListView.get_queryset", refuse)
    response = Client(raise_request_exception=False).get("/policies/")
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "服务暂时不可用" in html and "closed the connection" not in html
    assert "no-store" in response["Cache-Control"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_binary(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    return found[-1]


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary directory, run as the postgres user when we are root
    (PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="portal-chaos-")
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")

    def run(self, *args):
        subprocess.run([*self.as_postgres, *args], check=True, capture_output=True, timeout=60)

    def init(self):
        self.run(pg_binary("initdb"), "-D", f"{self.dir}/data", "-A", "trust", "-U", "postgres",
                 "-E", "UTF8", "--no-sync")  # fmt: skip

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(pg_binary("pg_ctl"), "-D", f"{self.dir}/data", "-o", options,
                 "-l", f"{self.dir}/log", "-w", "start")  # fmt: skip

    def stop(self):
        self.run(pg_binary("pg_ctl"), "-D", f"{self.dir}/data", "-m", "fast", "-w", "stop")

    def url(self, name):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def execute(self, sql):
        conn = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres"
        )
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()

    def remove(self):
        subprocess.run(
            [*self.as_postgres, pg_binary("pg_ctl"), "-D", f"{self.dir}/data", "-m", "immediate",
             "stop"], capture_output=True, timeout=30,
        )  # fmt: skip
        shutil.rmtree(self.dir, ignore_errors=True)


def fetch(url):
    """(status, headers, body, seconds) of one GET, error statuses included."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            status, headers, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, body = error.code, error.headers, error.read()
    return status, headers, body.decode(), time.monotonic() - started


@pytest.fixture
def cluster():
    if not (pg_binary("initdb") and pg_binary("pg_ctl")):
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    cluster = ThrowawayCluster()
    try:
        cluster.init()
        cluster.start()
        cluster.execute("CREATE DATABASE portal")
        yield cluster
    finally:
        cluster.remove()


@pytest.fixture
def server(cluster):
    """gunicorn serving the app on the throwaway cluster, with the reference data loaded."""
    static_root = Path(cluster.dir) / "static"
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": cluster.url("portal"),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_LOG_LEVEL": "CRITICAL",
    }
    for command in (["migrate", "-v0"], ["loaddata", "reference", "-v0"],
                    ["collectstatic", "--noinput", "-v0"]):  # fmt: skip
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True,
                       capture_output=True, timeout=120)  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "30"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                fetch(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_site_survives_cut_connections_and_a_database_restart(cluster, server):
    # Each step asks for a page not yet in the page cache, so it needs the database.
    status, headers, _body, _seconds = fetch(server + "/regions/huizhou/")
    assert status == 200
    assert headers["Server"] == "-"  # no software banner (gunicorn.conf.py)

    # An administrator (or a failover) kills every connection of the app mid-session.
    cluster.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = 'portal' AND pid <> pg_backend_pid()"
    )
    assert fetch(server + "/regions/boluo/")[0] == 200

    cluster.stop()
    status, headers, body, seconds = fetch(server + "/regions/huidong/")
    assert (status, headers["Retry-After"]) == (503, "30")
    assert "服务暂时不可用" in body and "psycopg2" not in body
    assert seconds < 2
    # A page already in the cache still answers while the database is away.
    assert fetch(server + "/regions/huizhou/")[0] == 200
    assert fetch(server + "/readyz")[:3:2] == (503, "unavailable\n")
    assert fetch(server + "/healthz")[0] == 200

    cluster.start()
    assert fetch(server + "/regions/longmen/")[0] == 200
    assert fetch(server + "/readyz")[0] == 200
