"""Public supervision (SPEC §8): questions and error reports about an entry, the staff who own
them, and the working-day calendar their reply deadline is counted on."""

import datetime
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .policy import Policy
from .reference import Department, Region

# Unambiguous characters (no 0/O, 1/I/L) so a reference read out on the phone is copied right.
REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REF_PATTERN = re.compile(r"[0-9]{6}-[2-9A-Z]{8}")


def new_ref(on=None):
    """A reference like 261123-K7M2Q9XA: the day received plus 8 random characters, so it
    cannot be guessed from another one."""
    on = on or timezone.localdate()
    return on.strftime("%y%m%d") + "-" + "".join(secrets.choice(REF_ALPHABET) for _ in range(8))


def mask_phone(phone):
    """138****1234: the first three and last four digits; shorter numbers keep only the last two."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_email(email):
    """z***@example.com: the first character of the mailbox and the domain."""
    name, _at, domain = email.partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("放假（不上班）")
    WORKDAY = "workday", _("调休上班")


class WorkCalendarQuerySet(models.QuerySet):
    def exceptions(self, start, end):
        """{date: kind} of the days from `start` to `end` inclusive that differ from the weekday
        rule (Monday–Friday work, Saturday and Sunday rest)."""
        return dict(self.filter(date__range=(start, end)).values_list("date", "kind"))

    def add_working_days(self, start, days):
        """The `days`-th working day after `start` (the day of `start` itself never counts).

        A working day is Monday to Friday unless staff marked it a holiday, or a Saturday or
        Sunday that staff marked a make-up working day (调休上班)."""
        day, left = start, days
        while left > 0:
            # One read per window; a window long enough for the nine-day Spring Festival.
            window_end = day + datetime.timedelta(days=7 * left + 30)
            exceptions = self.exceptions(day, window_end)
            while left > 0 and day < window_end:
                day += datetime.timedelta(days=1)
                if is_working_day(day, exceptions):
                    left -= 1
        return day


def is_working_day(day, exceptions):
    kind = exceptions.get(day)
    if kind is not None:
        return kind == DayKind.WORKDAY
    return day.weekday() < 5


class WorkCalendarDay(models.Model):
    """A day on which the official calendar differs from the weekday rule: a public holiday
    (or a weekday off around one) or a make-up working day on a weekend."""

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("说明"), max_length=40, blank=True, help_text=_("如“春节”。"))

    objects = WorkCalendarQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作日历（节假日与调休）")
        verbose_name_plural = _("工作日历（节假日与调休）")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DayKind.values), name="workcalendar_kind_known"
            ),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()

    def clean(self):
        if self.kind == DayKind.WORKDAY and self.date and self.date.weekday() < 5:
            raise ValidationError({"kind": _("周一至周五本来就是工作日，无需登记为调休上班。")})


class StaffProfile(models.Model):
    """Which messages a staff account owns: a department's (department set), a volume's
    (region set, no department), or all of them (the city volume with no department)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所属地区"), on_delete=models.PROTECT, null=True, blank=True
    )
    department = models.ForeignKey(
        Department, verbose_name=_("所属部门"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("工作人员归属")
        verbose_name_plural = _("工作人员归属")
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False) | Q(department__isnull=False),
                name="staffprofile_has_scope",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.department or self.region}"

    def clean(self):
        if self.region_id is None and self.department_id is None:
            raise ValidationError(_("请选择所属地区或所属部门。"))
        if self.department_id and self.region_id and self.department.region_id != self.region_id:
            raise ValidationError({"department": _("部门不属于所选地区。")})


class MessageQuerySet(models.QuerySet):
    def get_by_natural_key(self, ref):
        return self.get(ref=ref)

    def visible_to(self, user):
        """The messages a staff account owns: those about the entries in its scope, as
        `catalog.access` decides it (all for city staff and auditors, a volume's for county
        staff, a department's for department staff, none for anyone else)."""
        from catalog.access import scope_for  # access reads these models

        return scope_for(user).related(self, "policy")

    def open(self):
        """Still waiting for a reply: new or in progress."""
        return self.filter(status__in=[Message.Status.NEW, Message.Status.IN_PROGRESS])

    def overdue(self, on=None):
        """Open, and the last day to reply (`due_on`) is before `on` (today by default)."""
        return self.open().filter(due_on__lt=on or timezone.localdate())

    def public(self):
        """What appears under an entry as public Q&A: answered questions whose asker agreed to
        publication. Contact details are never selected."""
        return self.filter(
            kind=Message.Kind.QUESTION, status=Message.Status.ANSWERED, publish_consent=True
        ).only("policy", "kind", "body", "reply", "created_at", "replied_at")


class Message(models.Model):
    """A question (咨询) or an error report (纠错) about one entry, and its reply."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("咨询")
        ERROR = "error", _("纠错")

    class Status(models.TextChoices):
        NEW = "new", _("待处理")
        IN_PROGRESS = "in_progress", _("办理中")
        ANSWERED = "answered", _("已答复")
        CLOSED = "closed", _("已关闭")

    BODY_MAX = 1000

    ref = models.CharField(_("查询编号"), max_length=20, unique=True, editable=False)
    policy = models.ForeignKey(
        Policy, verbose_name=_("政策条目"), on_delete=models.PROTECT, related_name="messages"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    body = models.TextField(_("留言内容"), max_length=BODY_MAX)
    # Contact details: shown only to the staff who own the message, erased after retention.
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), max_length=100, blank=True)
    publish_consent = models.BooleanField(_("同意公开问答"), default=False)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.NEW)
    reply = models.TextField(_("答复"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("收到时间"), default=timezone.now, editable=False)
    due_on = models.DateField(_("答复期限"))

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("咨询与纠错留言")
        verbose_name_plural = _("咨询与纠错留言")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "due_on"], name="message_queue_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["question", "error"]), name="message_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["new", "in_progress", "answered", "closed"]),
                name="message_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | (~Q(reply="") & Q(replied_at__isnull=False)),
                name="message_answered_has_reply",
            ),
            models.CheckConstraint(
                condition=Q(kind="question") | Q(publish_consent=False),
                name="message_only_questions_published",
            ),
        ]

    def __str__(self):
        # Never the contact details: this string lands in the admin's history and logs.
        return self.ref

    def get_absolute_url(self):
        return reverse("catalog:consult", args=[self.ref])

    def natural_key(self):
        return (self.ref,)

    def clean(self):
        if self.status == self.Status.ANSWERED and not self.reply.strip():
            raise ValidationError({"reply": _("标记为“已答复”前请填写答复内容。")})
        if self.kind == self.Kind.ERROR and self.publish_consent:
            raise ValidationError({"publish_consent": _("纠错留言不公开。")})

    @property
    def masked_contact(self):
        parts = []
        if self.phone:
            parts.append(mask_phone(self.phone))
        if self.email:
            parts.append(mask_email(self.email))
        return " / ".join(parts)

    def is_overdue(self, on=None):
        return self.status in (self.Status.NEW, self.Status.IN_PROGRESS) and self.due_on < (
            on or timezone.localdate()
        )
