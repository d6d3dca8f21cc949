"""Login hardening in the back office: the Chinese lockout page django-axes answers with, and
the login audit log (axes' records) shown read-only to city staff and auditors; city staff may
also lift a lockout early by deleting it."""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import access
from .models import LoginFailure, LoginLockout, LoginRecord


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the lockout page, status 429."""
    context = {
        "failures": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "login_locked.html", context, status=429)


class LoginAuditAdmin(admin.ModelAdmin):
    """Read-only for city staff and auditors; nobody adds or edits a record."""

    readers = (access.CITY, access.AUDITOR)
    list_display = ["attempt_time", "username", "ip_address", "browser"]
    list_filter = ["attempt_time"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"

    def may_read(self, request):
        return access.scope_for(request.user).role in self.readers

    def has_module_permission(self, request):
        return self.may_read(request)

    def has_view_permission(self, request, obj=None):
        return self.may_read(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("浏览器"), ordering="user_agent")
    def browser(self, obj):
        return obj.user_agent


@admin.register(LoginRecord)
class LoginRecordAdmin(LoginAuditAdmin):
    list_display = ["attempt_time", "logout_time", "username", "ip_address", "browser"]
    fields = ["attempt_time", "logout_time", "username", "ip_address", "user_agent", "path_info"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(LoginFailure)
class LoginFailureAdmin(LoginAuditAdmin):
    list_display = ["attempt_time", "username", "ip_address", "locked_out", "browser"]
    list_filter = ["locked_out", "attempt_time"]
    fields = ["attempt_time", "username", "ip_address", "locked_out", "user_agent", "path_info"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields


@admin.register(LoginLockout)
class LoginLockoutAdmin(LoginAuditAdmin):
    """Failure counts per username and address; deleting one lifts its lockout."""

    list_display = ["attempt_time", "username", "ip_address", "failures_since_start", "browser"]
    fields = ["attempt_time", "username", "ip_address", "failures_since_start", "user_agent"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_delete_permission(self, request, obj=None):
        return access.scope_for(request.user).role == access.CITY
