"""Add the number-and-unit tokens (3000元, 80周岁) to every stored search document.

A text rewrite of `search_document` alone, so it needs none of the model's code: each line
gains the units of its own tokens, exactly as `catalog.search.document` now writes them. On
PostgreSQL the trigger rebuilds both vectors from the new text."""

import itertools
import re

from django.db import migrations

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def units(toks):
    # A copy of catalog.search.number_units as it was when this migration was written.
    pairs = [(a, b) for a, b in itertools.pairwise(toks) if a.isdigit() and HAN.match(b)]
    return [t for a, b in pairs for t in dict.fromkeys([a + b[0], a + b])]


def with_units(document):
    lines = [line.split() for line in document.split("\n")]
    return "\n".join(f" {' '.join(toks + units(toks))} " for toks in lines)


def add_units(apps, schema_editor):
    Policy = apps.get_model("catalog", "Policy")
    batch = []
    for policy in Policy.objects.only("id", "search_document").iterator(chunk_size=2000):
        if not policy.search_document:
            continue
        policy.search_document = with_units(policy.search_document)
        batch.append(policy)
        if len(batch) == 2000:
            Policy.objects.bulk_update(batch, ["search_document"])
            batch = []
    Policy.objects.bulk_update(batch, ["search_document"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0014_public_index_dates")]

    operations = [migrations.RunPython(add_units, migrations.RunPython.noop, elidable=True)]
