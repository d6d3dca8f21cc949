import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg2
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg2 import sql

# Row count and an order-independent checksum of a table's full contents.
FINGERPRINT = (
    "SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') "
    "FROM {} AS t"
)


def catalogue_tables():
    """Every table of the catalog app, so tables added later (history, audit) are included, and
    the admin's change history."""
    names = connection.introspection.table_names()
    return sorted(t for t in names if t.startswith("catalog_") or t == "django_admin_log")


def connect(dbname):
    """Our own connection: read-only, one snapshot, no statement timeout of the app."""
    settings = connection.settings_dict
    conn = psycopg2.connect(
        dbname=dbname,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        options="-c statement_timeout=0",
    )
    conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
    return conn


def fingerprints(cursor, tables):
    """{table: (rows, checksum)} for each table."""
    result = {}
    for table in tables:
        cursor.execute(sql.SQL(FINGERPRINT).format(sql.Identifier(table)))
        result[table] = cursor.fetchone()
    return result


def differences(source, restored):
    """Tables whose row count or checksum differ (or that are missing) after the restore."""
    return sorted(table for table in source if restored.get(table) != source[table])


class Command(BaseCommand):
    help = (
        "Backup drill: dump the database with pg_dump, restore the dump into a scratch database, "
        "compare row counts and checksums of every catalog_* table, then drop the scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="keep the dump at this path (custom format)")
        parser.add_argument("--scratch", help="scratch database name (default: <name>_drill)")

    def handle(self, *args, output=None, scratch=None, **options):
        if connection.vendor != "postgresql":
            raise CommandError("备份演练需要 PostgreSQL（pg_dump/pg_restore）。")
        for tool in ("pg_dump", "pg_restore"):
            if not shutil.which(tool):
                raise CommandError(f"{tool} not found: install the PostgreSQL client tools.")
        settings = connection.settings_dict
        source = settings["NAME"]
        scratch = scratch or f"{source}_drill"
        if scratch == source:
            raise CommandError("The scratch database must not be the source database.")
        env = {**os.environ, "PGPASSWORD": settings["PASSWORD"] or ""}
        target = ["-h", settings["HOST"] or "localhost", "-p", str(settings["PORT"] or 5432)]
        target += ["-U", settings["USER"]] if settings["USER"] else []

        tables = catalogue_tables()
        workdir = tempfile.mkdtemp(prefix="portal-drill-")
        dump = Path(output) if output else Path(workdir) / "portal.dump"
        try:
            # The dump and the source's checksums see the same snapshot, so writes made during
            # the drill on a live site cannot make it fail.
            with connect(source) as snapshot, snapshot.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                (snapshot_id,) = cursor.fetchone()
                self.run(
                    ["pg_dump", *target, "-Fc", "--no-owner", f"--snapshot={snapshot_id}",
                     "-f", str(dump), source],
                    env,
                )  # fmt: skip
                before = fingerprints(cursor, tables)
            snapshot.close()
            with connection.cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(scratch)}")
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(scratch)}")
            try:
                self.run(
                    ["pg_restore", *target, "--no-owner", "--exit-on-error", "-d", scratch,
                     str(dump)],
                    env,
                )  # fmt: skip
                with connect(scratch) as restored, restored.cursor() as cursor:
                    after = fingerprints(cursor, tables)
                restored.close()
            finally:
                with connection.cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(scratch)}")
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

        for table in tables:
            rows, checksum = before[table]
            mark = "ok" if after.get(table) == before[table] else "DIFFERENT"
            self.stdout.write(f"{table:<40} {rows:>8} rows  {checksum[:12] or '-':<12}  {mark}")
        bad = differences(before, after)
        if bad:
            raise CommandError(f"Restore differs in {len(bad)} table(s): {', '.join(bad)}")
        kept = f"; dump kept at {dump}" if output else ""
        self.stdout.write(
            self.style.SUCCESS(f"Backup drill passed: {len(tables)} tables identical{kept}.")
        )

    def run(self, command, env):
        # pg_dump and pg_restore by name with a list of arguments: no shell involved.
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode:
            raise CommandError(f"{command[0]} failed: {result.stderr.strip()[:500]}")
