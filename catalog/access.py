"""Who may see and change which entries in the back office: the one place that decides.

A staff account's role is the group it belongs to; its `StaffProfile` says which region
(county/district staff) or department (department staff) it answers for. Superusers are city
staff. An account with no role, or a scoped role without its region or department, sees
nothing."""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Department, Region, StaffProfile

CITY = "city"
COUNTY = "county"
DEPARTMENT = "department"
AUDITOR = "auditor"

# Group names as staff see them in the admin; the migration that creates the groups uses the same.
GROUPS = {
    CITY: "市财政局",
    COUNTY: "县区财政",
    DEPARTMENT: "部门",
    AUDITOR: "审计",
}
ROLE_LABELS = {
    CITY: _("市财政局（全部条目，审核发布）"),
    COUNTY: _("县区财政（本分册条目）"),
    DEPARTMENT: _("部门（本部门条目）"),
    AUDITOR: _("审计（只读）"),
}
# When an account sits in several groups, the narrower reading wins over the wider one only
# for auditors (read-only beats everything); otherwise the first role in this order.
PRECEDENCE = [AUDITOR, CITY, COUNTY, DEPARTMENT]


@dataclass(frozen=True)
class Scope:
    role: str | None
    region: Region | None = None
    department: Department | None = None

    @property
    def can_publish(self):
        """Only city staff publish, approve proposed changes and delete."""
        return self.role == CITY

    @property
    def read_only(self):
        """Auditors see everything and change nothing; accounts without a role change nothing."""
        return self.role in (AUDITOR, None)

    def _policy_q(self, prefix=""):
        if self.role in (CITY, AUDITOR):
            return Q()
        if self.role == COUNTY:
            return Q(**{f"{prefix}region": self.region})
        if self.role == DEPARTMENT:
            return Q(**{f"{prefix}department": self.department})
        return None

    def policies(self, queryset):
        """The entries of `queryset` this account may see: all for city staff and auditors,
        the own volume's for county staff, the own department's for department staff."""
        return self.related(queryset, "")

    def related(self, queryset, path):
        """Rows of `queryset` whose entry (reached through `path`, e.g. "policy") is in scope."""
        condition = self._policy_q(f"{path}__" if path else "")
        return queryset.none() if condition is None else queryset.filter(condition)

    def allows(self, policy):
        """May edit this entry: in scope and not read-only."""
        if self.read_only:
            return False
        if self.role == COUNTY:
            return policy.region_id == self.region.pk
        if self.role == DEPARTMENT:
            return policy.department_id == self.department.pk
        return True

    # Read once per Scope (one per request's user), not once per entry checked: an import
    # checks every row of a sheet.
    @cached_property
    def _region_ids(self):
        return set(self.regions().values_list("pk", flat=True))

    @cached_property
    def _department_ids(self):
        return set(self.departments().values_list("pk", flat=True))

    def allows_region(self, region):
        return not self.read_only and region.pk in self._region_ids

    def allows_department(self, department):
        """Whether an entry may name `department`; None (no department) for anyone but
        department staff, whose entries always carry their own."""
        if self.read_only:
            return False
        if department is None:
            return self.role != DEPARTMENT
        return department.pk in self._department_ids

    def regions(self):
        """Volumes this account may put entries in: all for city staff, the own volume for
        county staff; a department's region and, for a city department, every volume."""
        regions = Region.objects.all()
        if self.read_only:
            return regions.none()
        if self.role == COUNTY:
            return regions.filter(pk=self.region.pk)
        if self.role == DEPARTMENT:
            home = self.department.region
            return regions if home.parent_id is None else regions.filter(pk=home.pk)
        return regions

    def departments(self):
        """Departments this account may name on an entry: all for city staff; the own
        region's and the city's departments for county staff; only its own for a department."""
        departments = Department.objects.all()
        if self.read_only:
            return departments.none()
        if self.role == COUNTY:
            return departments.filter(Q(region=self.region) | Q(region__parent__isnull=True))
        if self.role == DEPARTMENT:
            return departments.filter(pk=self.department.pk)
        return departments

    def parent_candidates(self, queryset):
        """Entries an entry may localize: the ones in scope and the public entries of the city
        volume (a county entry refines a city one it cannot edit; city drafts stay unseen)."""
        if self.read_only:
            return queryset.none()
        public = ["published", "withdrawn"]
        return queryset.filter(self._policy_q() | Q(region__parent__isnull=True, status__in=public))


NO_SCOPE = Scope(role=None)


def role_of(user):
    if not (user.is_active and user.is_staff):
        return None
    if user.is_superuser:
        return CITY
    names = set(user.groups.values_list("name", flat=True))
    for role in PRECEDENCE:
        if GROUPS[role] in names:
            return role
    return None


def scope_for(user):
    """The account's Scope, read once per request (cached on the user object)."""
    cached = getattr(user, "_catalog_scope", None)
    if cached is not None:
        return cached
    scope = _build_scope(user)
    if user.is_authenticated:
        user._catalog_scope = scope
    return scope


def _build_scope(user):
    role = role_of(user)
    if role in (None, CITY, AUDITOR):
        return Scope(role=role)
    profile = StaffProfile.objects.filter(user=user).select_related("region", "department").first()
    if role == COUNTY and profile and profile.region and profile.region.parent_id:
        return Scope(role=COUNTY, region=profile.region)
    if role == DEPARTMENT and profile and profile.department:
        return Scope(role=DEPARTMENT, department=profile.department)
    return NO_SCOPE
