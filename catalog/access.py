"""Who may do what in the back office, decided in one place: `scope_for(user)`.

Roles, from the user's StaffProfile: a superuser, or a profile on the city volume without a
department, is city staff (everything, publishes); a profile on a county/district volume is that
county's staff; a profile with a department is that department's staff. Anyone else has no role
and may do nothing."""

from dataclasses import dataclass

from .models import Department, Region, StaffProfile

CITY = "city"
COUNTY = "county"
DEPARTMENT = "department"
AUDITOR = "auditor"


@dataclass(frozen=True)
class Scope:
    role: str | None
    region: Region | None = None
    department: Department | None = None

    @property
    def can_publish(self):
        return self.role == CITY

    @property
    def read_only(self):
        return self.role not in (CITY, COUNTY, DEPARTMENT)

    def policies(self, queryset):
        """The entries of `queryset` this user may work on."""
        if self.role in (CITY, AUDITOR):
            return queryset
        if self.role == COUNTY:
            return queryset.filter(region=self.region)
        if self.role == DEPARTMENT:
            return queryset.filter(department=self.department)
        return queryset.none()

    def allows(self, policy):
        if self.role in (CITY, AUDITOR):
            return True
        if self.role == COUNTY:
            return policy.region_id == self.region.pk
        if self.role == DEPARTMENT:
            return policy.department_id == self.department.pk
        return False

    def allows_region(self, region):
        if self.role == CITY:
            return True
        return self.role == COUNTY and region is not None and region.pk == self.region.pk

    def allows_department(self, department):
        if self.role == CITY:
            return True
        if department is None:
            return False
        if self.role == COUNTY:
            return department.region_id == self.region.pk
        return self.role == DEPARTMENT and department.pk == self.department.pk

    def regions(self):
        if self.role in (CITY, AUDITOR):
            return Region.objects.all()
        if self.role == COUNTY:
            return Region.objects.filter(pk=self.region.pk)
        if self.role == DEPARTMENT:
            return Region.objects.filter(pk=self.department.region_id)
        return Region.objects.none()

    def departments(self):
        if self.role in (CITY, AUDITOR):
            return Department.objects.all()
        if self.role == COUNTY:
            return Department.objects.filter(region=self.region)
        if self.role == DEPARTMENT:
            return Department.objects.filter(pk=self.department.pk)
        return Department.objects.none()


NOBODY = Scope(role=None)


def scope_for(user):
    """The Scope of `user` (see the module docstring); NOBODY for anyone without a role."""
    if not (user.is_active and user.is_staff):
        return NOBODY
    if user.is_superuser:
        return Scope(role=CITY)
    profile = StaffProfile.objects.filter(user=user).select_related("region", "department").first()
    if profile is None:
        return NOBODY
    if profile.department_id:
        return Scope(role=DEPARTMENT, region=profile.region, department=profile.department)
    if profile.region.parent_id is None:
        return Scope(role=CITY, region=profile.region)
    return Scope(role=COUNTY, region=profile.region)
