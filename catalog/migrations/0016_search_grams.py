"""On PostgreSQL: every four-character sequence of the stored text in a vector of its own, with
a GIN index, so that a long phrase whose bigrams are all common is narrowed in the index before
any entry is checked against positions (see `catalog.search.grams`).

The grams come from the stored tokens: three adjacent bigrams that overlap (养老 老保 保险) make
one gram (养老保险). Wherever the search vector matches a phrase, its tokens stand so, so every
gram of the phrase is in this vector: it narrows the candidates and never drops a match."""

from django.db import migrations

FORWARD = f"""
CREATE FUNCTION catalog_search_grams(document text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    -- The tokens are Han runs, Latin letters and digits: two characters in six bytes are Han.
    a text := ''; b text := ''; c text; found text[] := '{{}}';
BEGIN
    FOREACH c IN ARRAY string_to_array(translate(document, E'\\n', ' '), ' ') LOOP
        CONTINUE WHEN c = '';
        IF char_length(c) = 2 AND octet_length(c) = 6 AND char_length(a) = 2
                AND octet_length(a) = 6 AND b = right(a, 1) || left(c, 1) THEN
            found := found || (a || c);
        END IF;
        a := b;
        b := c;
    END LOOP;
    RETURN array_to_tsvector(found);
END
$$;

ALTER TABLE catalog_policy ADD COLUMN gram_vector tsvector NOT NULL DEFAULT ''::tsvector;

CREATE OR REPLACE FUNCTION catalog_policy_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.title_vector :=
        setweight(to_tsvector('simple', split_part(NEW.search_document, E'\\n', 1)), 'A');
    NEW.search_vector := NEW.title_vector
        || setweight(to_tsvector('simple', split_part(NEW.search_document, E'\\n', 2)), 'D');
    NEW.gram_vector := catalog_search_grams(NEW.search_document);
    RETURN NEW;
END
$$;

UPDATE catalog_policy SET gram_vector = catalog_search_grams(search_document);

CREATE INDEX catalog_policy_gram_gin ON catalog_policy USING gin (gram_vector)
    WITH (fastupdate = off);

-- The walk for common phrases reads the grams' shares from the statistics (search.dense).
ANALYZE catalog_policy;
"""

BACKWARD = """
DROP INDEX IF EXISTS catalog_policy_gram_gin;

CREATE OR REPLACE FUNCTION catalog_policy_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.title_vector :=
        setweight(to_tsvector('simple', split_part(NEW.search_document, E'\\n', 1)), 'A');
    NEW.search_vector := NEW.title_vector
        || setweight(to_tsvector('simple', split_part(NEW.search_document, E'\\n', 2)), 'D');
    RETURN NEW;
END
$$;

ALTER TABLE catalog_policy DROP COLUMN IF EXISTS gram_vector;
DROP FUNCTION IF EXISTS catalog_search_grams(text);
"""


def run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("catalog", "0015_search_number_units")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
