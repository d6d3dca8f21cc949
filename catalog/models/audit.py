"""The login audit log, as django-axes records it, under the catalogue's admin with Chinese
names: successful logins with their logout time, failed logins, and current lockouts."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils.translation import gettext_lazy as _


class LoginRecord(AccessLog):
    """A successful login; `logout_time` is set when the session is logged out."""

    class Meta:
        proxy = True
        verbose_name = _("登录记录")
        verbose_name_plural = _("登录记录")
        ordering = ["-attempt_time"]


class LoginFailure(AccessFailureLog):
    """A failed login (wrong password, unknown account, or refused while locked out)."""

    class Meta:
        proxy = True
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        ordering = ["-attempt_time"]


class LoginLockout(AccessAttempt):
    """The failure count of one username from one address; deleting it lifts a lockout."""

    class Meta:
        proxy = True
        verbose_name = _("登录锁定")
        verbose_name_plural = _("登录锁定")
        ordering = ["-attempt_time"]
