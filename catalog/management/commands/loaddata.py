from django.core.management.commands import loaddata

from catalog.services import index_policies


class Command(loaddata.Command):
    """Django's loaddata, then the search documents of what it loaded: fixtures are a write
    path like any other, and raw fixture saves skip every hook."""

    def handle(self, *fixture_labels, **options):
        super().handle(*fixture_labels, **options)
        written = index_policies()
        if options["verbosity"] >= 1 and written:
            self.stdout.write(f"Search documents rewritten: {written}")
