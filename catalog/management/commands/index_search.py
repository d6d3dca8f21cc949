from django.core.management.base import BaseCommand

from catalog.services import index_policies


class Command(BaseCommand):
    help = "Rebuild the search document of every policy (after a bulk load or a tokenizer change)."

    def handle(self, *args, **options):
        written = index_policies()
        self.stdout.write(f"Search documents rewritten: {written}")
