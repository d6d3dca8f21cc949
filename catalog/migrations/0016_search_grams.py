"""On PostgreSQL: every four-character sequence of the indexed text in a vector of its own,
with a GIN index, so that a long phrase whose bigrams are all common is narrowed in the index
before any entry is checked against positions (see `catalog.search.grams`).

The grams are read off the search vector itself: three overlapping bigrams at three adjacent
positions (养老 老保 保险) make one gram (养老保险). A phrase of the search vector matches exactly
where its bigrams stand so, so an entry it matches holds every gram of the phrase, whatever the
parser did to the text (tokens it dropped, positions clamped at 16,383): the grams narrow the
candidates and never drop a match. Positions stop at 16,383, so an entry has at most about that
many grams.

The UPDATE that fills the grams of stored entries takes seconds on a real catalogue (minutes at
100,000 entries), holding the table's lock meanwhile."""

from django.db import migrations

# The trigger of 0013, which writes the title and search vectors, then (0016) the grams.
TRIGGER = """
CREATE OR REPLACE FUNCTION catalog_policy_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.title_vector :=
        setweight(to_tsvector('simple', split_part(NEW.search_document, E'\\n', 1)), 'A');
    NEW.search_vector := NEW.title_vector
        || setweight(to_tsvector('simple', split_part(NEW.search_document, E'\\n', 2)), 'D');
{grams}    RETURN NEW;
END
$$;
"""
GRAMS = "    NEW.gram_vector := catalog_search_grams(NEW.search_vector);\n"

FORWARD = """
-- One UPDATE of every entry: not to be cut by the site's statement timeout.
SET LOCAL statement_timeout = 0;

-- Bigram lexemes are the two-character ones without a Latin letter, a digit or a point.
CREATE FUNCTION catalog_search_grams(vector tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH bigrams AS (
        SELECT u.lexeme, p
        FROM unnest(vector) AS u(lexeme, positions, weights), unnest(u.positions) AS p
        WHERE char_length(u.lexeme) = 2 AND u.lexeme !~ '[0-9a-z.]'
    )
    SELECT array_to_tsvector(coalesce(array_agg(DISTINCT a.lexeme || c.lexeme), '{}'))
    FROM bigrams a
    JOIN bigrams c ON c.p = a.p + 2
    JOIN bigrams b ON b.p = a.p + 1 AND b.lexeme = right(a.lexeme, 1) || left(c.lexeme, 1)
$$;

ALTER TABLE catalog_policy ADD COLUMN gram_vector tsvector NOT NULL DEFAULT ''::tsvector;

{trigger}
UPDATE catalog_policy SET gram_vector = catalog_search_grams(search_vector);

CREATE INDEX catalog_policy_gram_gin ON catalog_policy USING gin (gram_vector)
    WITH (fastupdate = off);

-- The walk for common phrases reads the grams' shares from the statistics (search.dense).
ANALYZE catalog_policy;
""".replace("{trigger}", TRIGGER.format(grams=GRAMS))

BACKWARD = """
DROP INDEX IF EXISTS catalog_policy_gram_gin;

{trigger}
ALTER TABLE catalog_policy DROP COLUMN IF EXISTS gram_vector;
DROP FUNCTION IF EXISTS catalog_search_grams(tsvector);
""".replace("{trigger}", TRIGGER.format(grams=""))


def run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0015_search_number_units")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
