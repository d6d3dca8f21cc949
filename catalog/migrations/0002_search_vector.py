"""On PostgreSQL: a weighted tsvector column kept from `search_document` by a trigger, with a
GIN index. SQLite keeps only `search_document` and searches it with LIKE."""

from django.db import migrations

FORWARD = """
ALTER TABLE catalog_policy ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;

CREATE FUNCTION catalog_policy_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('simple', split_part(NEW.search_document, E'\\n', 1)), 'A')
        || setweight(to_tsvector('simple', split_part(NEW.search_document, E'\\n', 2)), 'D');
    RETURN NEW;
END
$$;

CREATE TRIGGER catalog_policy_search_vector
    BEFORE INSERT OR UPDATE OF search_document ON catalog_policy
    FOR EACH ROW EXECUTE FUNCTION catalog_policy_search_vector();

-- Entries change rarely and are read constantly: no pending list, so a search never scans one.
CREATE INDEX catalog_policy_search_gin ON catalog_policy USING gin (search_vector)
    WITH (fastupdate = off);
"""

BACKWARD = """
DROP INDEX IF EXISTS catalog_policy_search_gin;
DROP TRIGGER IF EXISTS catalog_policy_search_vector ON catalog_policy;
DROP FUNCTION IF EXISTS catalog_policy_search_vector();
ALTER TABLE catalog_policy DROP COLUMN IF EXISTS search_vector;
"""


def run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
