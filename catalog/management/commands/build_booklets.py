from django.core.management.base import BaseCommand, CommandError

from catalog import booklets, caching
from catalog.models import Region


class Command(BaseCommand):
    help = (
        "Print the PDF booklet of every volume (of each part, for a volume printed in parts) "
        "whose entries changed since it was printed, with headless Chromium, and keep it in the "
        "database. Run it every few minutes (cron or a systemd timer) on one machine that has "
        "Chromium; the web servers only serve the files."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", action="append", help="only this volume (slug)")
        parser.add_argument("--force", action="store_true", help="print even unchanged ones")

    def handle(self, *args, region=None, force=False, **options):
        regions = Region.objects.all()
        if region:
            regions = regions.filter(slug__in=region)
            if len(regions) != len(set(region)):
                raise CommandError(f"Unknown volume among: {', '.join(region)}")
        printed = 0
        for volume in regions:
            try:
                parts = booklets.build(volume, force=force)
            except booklets.BookletError as error:
                raise CommandError(str(error)) from error
            for part in parts:
                self.stdout.write(f"printed {volume.slug} {part or '(whole volume)'}")
            printed += len(parts)
        if printed:
            caching.bump()  # booklet pages offer the new files
        self.stdout.write(f"{printed} PDF booklets printed")
