from django.core.management.base import BaseCommand
from django.db import connection

from catalog import caching
from catalog.services import index_policies


class Command(BaseCommand):
    help = "Rebuild the search document of every policy (after a bulk load or a tokenizer change)."

    def handle(self, *args, **options):
        written = index_policies()
        if connection.vendor == "postgresql":
            # Fresh statistics at once: the search reads them to tell common phrases (SEARCH.md),
            # and keeps what it read for a generation, so a new one starts after them.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE catalog_policy")
            caching.bump()
        self.stdout.write(f"Search documents rewritten: {written}")
