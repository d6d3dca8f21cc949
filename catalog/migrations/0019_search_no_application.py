"""Put 免申即享 at the head of the body line of every stored search document of an entry
granted without applying, as `catalog.search.policy_document` now writes it, so a search for the
reform's name finds them. A text rewrite of `search_document` alone: its bigrams carry no number,
so the line's number-and-unit tokens stay as they are. On PostgreSQL the trigger rebuilds the
vectors from the new text."""

from django.db import migrations

LABEL = " 免申 申即 即享"  # the tokens of 免申即享, as catalog.search.tokens cuts it


def with_label(document):
    title, _, body = document.partition("\n")
    return document if body.startswith(LABEL + " ") else f"{title}\n{LABEL}{body}"


def without_label(document):
    title, _, body = document.partition("\n")
    return f"{title}\n{body.removeprefix(LABEL)}" if body.startswith(LABEL + " ") else document


def rewrite(change):
    def run(apps, schema_editor):
        Policy = apps.get_model("catalog", "Policy")
        entries = Policy.objects.filter(period_mode="no_application").exclude(search_document="")
        batch = []
        for policy in entries.only("id", "search_document").iterator(chunk_size=2000):
            policy.search_document = change(policy.search_document)
            batch.append(policy)
        Policy.objects.bulk_update(batch, ["search_document"], batch_size=2000)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalog", "0018_more_everyday_synonyms")]

    operations = [migrations.RunPython(rewrite(with_label), rewrite(without_label))]
