import secrets

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError

from catalog import access
from catalog.models import Department, Region, StaffProfile

# One account per role: (username, role, region slug, department slug).
ACCOUNTS = [
    ("demo-city", access.CITY, "huizhou", None),
    ("demo-city-reviewer", access.CITY, "huizhou", None),
    ("demo-huicheng", access.COUNTY, "huicheng", None),
    ("demo-minzheng", access.DEPARTMENT, None, "huizhou-minzheng"),
    ("demo-auditor", access.AUDITOR, None, None),
]


class Command(BaseCommand):
    help = (
        "Create (or reset) one demo staff account per back-office role and print the "
        "password. Refused when DEBUG is off unless --force-in-production is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", help="The password of every account (random if left out)."
        )
        parser.add_argument(
            "--force-in-production",
            action="store_true",
            help="Run even though DEBUG is off (the accounts can then log in to production).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force_in_production"]:
            raise CommandError(
                "DEBUG is off: demo accounts would open the production back office. "
                "Give --force-in-production if you really mean it."
            )
        password = options["password"] or secrets.token_urlsafe(12)
        for username, role, region_slug, department_slug in ACCOUNTS:
            region = Region.objects.filter(slug=region_slug).first() if region_slug else None
            department = (
                Department.objects.filter(slug=department_slug).first() if department_slug else None
            )
            if (region_slug and region is None) or (department_slug and department is None):
                raise CommandError(
                    f"{region_slug or department_slug} is missing: load the reference data first "
                    "(python manage.py loaddata reference)."
                )
            user, _created = User.objects.get_or_create(username=username)
            user.is_staff, user.is_superuser, user.is_active = True, False, True
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=access.GROUPS[role])])
            StaffProfile.objects.filter(user=user).delete()
            if region or department:
                StaffProfile.objects.create(user=user, region=region, department=department)
            self.stdout.write(f"{username:20} {access.ROLE_LABELS[role]}")
        self.stdout.write(f"Password of every account above: {password}")
