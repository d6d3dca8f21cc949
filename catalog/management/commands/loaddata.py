from django.core.management.commands import loaddata
from django.db.models.signals import post_save

from catalog.models import AmountBand, EligibilityRule, Material, Policy, Step
from catalog.models.policy import TAG_FIELDS
from catalog.services import index_policies

TRACKED = (Policy, Material, Step, EligibilityRule, AmountBand)


class Command(loaddata.Command):
    """Django's loaddata, then what raw fixture saves skip: a history version of every entry
    and inline row it wrote (no user, the fixture names as the change note) and the search
    documents. Fixtures are a write path like any other."""

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--change-note", default="", help="The change note of the versions recorded."
        )

    def handle(self, *fixture_labels, **options):
        loaded = {model: {} for model in TRACKED}

        def collect(sender, instance, raw=False, **kwargs):
            if raw and sender in loaded:
                loaded[sender][instance.pk] = instance

        post_save.connect(collect, weak=False, dispatch_uid="loaddata_history")
        try:
            super().handle(*fixture_labels, **options)
        finally:
            post_save.disconnect(dispatch_uid="loaddata_history")
        note = options["change_note"] or "从数据文件载入：" + "、".join(fixture_labels)
        for model, objects in loaded.items():
            if objects:
                records = model.history.bulk_history_create(
                    list(objects.values()), default_change_reason=note
                )
                if model is Policy:
                    record_tags(records)
        written = index_policies()
        if options["verbosity"] >= 1 and written:
            self.stdout.write(f"Search documents rewritten: {written}")


def record_tags(records):
    """Fixture versions carry the tags the fixture set, as every other version does."""
    tags = {record.id: {name: [] for name in TAG_FIELDS} for record in records}
    for name in TAG_FIELDS:
        through = Policy._meta.get_field(name).remote_field.through
        target = f"{Policy._meta.get_field(name).m2m_reverse_field_name()}_id"
        rows = through.objects.filter(policy_id__in=tags).values_list("policy_id", target)
        for policy_id, pk in rows.order_by(target):
            tags[policy_id][name].append(pk)
    for record in records:
        record.tags = tags[record.id]
    Policy.history.model.objects.bulk_update(records, ["tags"])
