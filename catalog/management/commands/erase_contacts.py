from django.conf import settings
from django.core.management.base import BaseCommand

from catalog.services import erase_expired_contacts


class Command(BaseCommand):
    help = (
        "Erase the phone and email of public messages older than "
        "SUPERVISION_CONTACT_RETENTION_DAYS. Run daily (cron or a systemd timer)."
    )

    def handle(self, *args, **options):
        erased = erase_expired_contacts()
        days = settings.SUPERVISION_CONTACT_RETENTION_DAYS
        # Counts only: contact details never reach a log.
        self.stdout.write(f"Contact details erased from {erased} messages older than {days} days")
