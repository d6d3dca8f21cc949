"""On PostgreSQL: the title part of the search text in a small tsvector of its own, kept inline
in the row and indexed, so the capped count of a common word can stop after reading titles.

The trigger of 0002 now writes both vectors; `search_vector` stays the whole text, built as
before (the title part weighted A, the body D)."""

from django.db import migrations

TITLE = "setweight(to_tsvector('simple', split_part({0}.search_document, E'\\n', 1)), 'A')"
BODY = "setweight(to_tsvector('simple', split_part(NEW.search_document, E'\\n', 2)), 'D')"

FORWARD = f"""
ALTER TABLE catalog_policy ADD COLUMN title_vector tsvector NOT NULL DEFAULT ''::tsvector;
-- A few hundred bytes: kept in the row, so checking it never reads the TOAST table.
ALTER TABLE catalog_policy ALTER COLUMN title_vector SET STORAGE MAIN;

CREATE OR REPLACE FUNCTION catalog_policy_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.title_vector := {TITLE.format("NEW")};
    NEW.search_vector := NEW.title_vector || {BODY};
    RETURN NEW;
END
$$;

UPDATE catalog_policy SET title_vector = {TITLE.format("catalog_policy")};

CREATE INDEX catalog_policy_title_gin ON catalog_policy USING gin (title_vector)
    WITH (fastupdate = off);
"""

BACKWARD = f"""
DROP INDEX IF EXISTS catalog_policy_title_gin;

CREATE OR REPLACE FUNCTION catalog_policy_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := {TITLE.format("NEW")} || {BODY};
    RETURN NEW;
END
$$;

ALTER TABLE catalog_policy DROP COLUMN IF EXISTS title_vector;
"""


def run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0012_history_notes_upgrade")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
