"""Who may touch which entries in the back office.

A stand-in with the interface the back-office branch defines (`scope_for`, `Scope`, the role
constants), built on `StaffProfile`: superusers and city staff (the city volume, no
department) reach everything; a county's staff their own volume; a department's staff their
department's entries. The back-office branch's version replaces this module."""

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
        return self.role in (AUDITOR, None)

    def policies(self, queryset):
        """The entries of `queryset` this scope reaches."""
        if self.role in (CITY, AUDITOR):
            return queryset
        if self.role == COUNTY:
            return queryset.filter(region=self.region)
        if self.role == DEPARTMENT:
            return queryset.filter(department=self.department)
        return queryset.none()

    def allows(self, policy):
        return self.allows_region(policy.region) and self.allows_department(policy.department)

    def allows_region(self, region):
        if self.role == CITY:
            return True
        if self.role == COUNTY:
            return region is not None and region.pk == self.region.pk
        if self.role == DEPARTMENT:
            return region is not None and region.pk == self.department.region_id
        return False

    def allows_department(self, department):
        if self.role == CITY:
            return True
        if self.role == COUNTY:
            return department is None or department.region_id == self.region.pk
        if self.role == DEPARTMENT:
            return department is not None and department.pk == self.department.pk
        return False

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


def scope_for(user):
    """The scope of a staff account; inactive, non-staff or unplaced accounts reach nothing."""
    if not (user.is_active and user.is_staff):
        return Scope(None)
    if user.is_superuser:
        return Scope(CITY)
    profile = StaffProfile.objects.filter(user=user).select_related("region", "department").first()
    if profile is None:
        return Scope(None)
    if profile.department_id:
        return Scope(DEPARTMENT, department=profile.department)
    if profile.region.parent_id is None:
        return Scope(CITY, region=profile.region)
    return Scope(COUNTY, region=profile.region)
