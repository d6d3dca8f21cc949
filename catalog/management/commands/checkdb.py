from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection


class Command(BaseCommand):
    help = "Connect to the configured database and say clearly whether it is reachable."

    def handle(self, *args, **options):
        settings = connection.settings_dict
        where = f"{connection.vendor} {settings.get('HOST') or ''}:{settings.get('PORT') or ''}"
        try:
            connection.ensure_connection()
        except DatabaseError as exc:
            raise CommandError(
                f"The database is not reachable ({where}): {exc}".strip()
                + "\nStart PostgreSQL, or point DATABASE_URL at a running server."
            ) from exc
        self.stdout.write(f"Database reachable: {where} {settings.get('NAME')}")
