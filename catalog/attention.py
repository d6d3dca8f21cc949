"""What finance staff should look at next (SPEC §6 "needs attention"): each rule is a function
of a queryset, so the admin applies it to the entries the user's scope reaches."""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Material, Period, Policy, ProposedChange, Step
from .models.policy import date_in_year

REVIEW_MONTHS = 12
# A section lists at most this many entries; its count is always the full one.
LIMIT = 100


def review_due_before(on):
    """The day twelve months before `on`: a check on or after it is recent enough."""
    return date_in_year(on.year - 1, on.month, on.day)


def not_reviewed(queryset, on=None):
    """Published entries nobody has checked in the last 12 months: `last_reviewed_on` empty
    or before the same day a year ago (on that day itself it is still recent). Never-checked
    entries first, then the oldest check."""
    since = review_due_before(on or timezone.localdate())
    return queryset.filter(
        Q(last_reviewed_on__isnull=True) | Q(last_reviewed_on__lt=since),
        status=Policy.Status.PUBLISHED,
    ).order_by(F("last_reviewed_on").asc(nulls_first=True), "code")


def closing_soon(queryset, on=None):
    """Published entries open on `on` whose window closes within 30 days (the
    `PolicyQuerySet.closing_soon` rule), soonest first."""
    return (
        queryset.filter(status=Policy.Status.PUBLISHED)
        .closing_soon(on)
        .with_deadline(on)
        .order_by("deadline_key", "code")
    )


def incomplete(queryset):
    """Published entries missing what the printed list must show: materials and steps (not
    needed when nothing is applied for, 免申即享), a phone (their own or their department's)
    and the legal basis. Annotated with `has_materials` and `has_steps`."""
    no_application = Q(period_mode=Period.NO_APPLICATION)
    no_phone = Q(phone="") & (Q(department__isnull=True) | Q(department__phone=""))
    return (
        queryset.filter(status=Policy.Status.PUBLISHED)
        .annotate(
            has_materials=Exists(Material.objects.filter(policy=OuterRef("pk"))),
            has_steps=Exists(Step.objects.filter(policy=OuterRef("pk"))),
        )
        .filter(
            (~no_application & (Q(has_materials=False) | Q(has_steps=False)))
            | no_phone
            | Q(basis_title="")
        )
        .order_by("code")
    )


def missing_fields(policy):
    """The names of what an entry of `incomplete` lacks."""
    missing = []
    if policy.period_mode != Period.NO_APPLICATION:
        if not policy.has_materials:
            missing.append(_("申报材料"))
        if not policy.has_steps:
            missing.append(_("申请流程"))
    if not policy.contact_phone:
        missing.append(_("咨询电话"))
    if not policy.basis_title:
        missing.append(_("政策依据"))
    return missing


def awaiting_review(queryset):
    """Entries waiting for city staff: new entries submitted for review, and published entries
    with a proposed change; the longest waiting first."""
    pending = ProposedChange.objects.filter(
        policy=OuterRef("pk"), state=ProposedChange.State.PENDING
    )
    return queryset.filter(Q(status=Policy.Status.REVIEW) | Exists(pending)).order_by(
        "updated_at", "code"
    )


@dataclass
class Section:
    key: str
    title: str
    rule: str
    count: int
    entries: list


def sections(queryset, on=None):
    """The four needs-attention sections for the entries of `queryset`: a count and the first
    LIMIT entries of each. Two queries per section whatever the catalogue's size."""
    on = on or timezone.localdate()
    queryset = queryset.select_related("region", "department")
    found = [
        (
            "not_reviewed",
            _("超过 12 个月未核对"),
            _("已发布、最近核对日期为空或早于%(date)s的条目。")
            % {"date": _date(review_due_before(on))},
            not_reviewed(queryset, on),
        ),
        (
            "closing_soon",
            _("30 天内截止申报"),
            _("已发布、正在受理且申报截止日在 30 天内的条目。"),
            closing_soon(queryset, on),
        ),
        (
            "incomplete",
            _("已发布但缺少必填内容"),
            _("缺少申报材料、申请流程（免申即享除外）、咨询电话（含主管部门电话）或政策依据。"),
            incomplete(queryset),
        ),
        (
            "awaiting_review",
            _("等待审核"),
            _("已提交审核、尚未发布的条目，等待最久的在前。"),
            awaiting_review(queryset),
        ),
    ]
    result = []
    for key, title, rule, entries in found:
        listed = list(entries[:LIMIT])
        count = len(listed) if len(listed) < LIMIT else entries.count()
        if key == "incomplete":
            for policy in listed:
                policy.missing = missing_fields(policy)
        if key == "closing_soon":
            for policy in listed:
                policy.deadline = _deadline(policy.deadline_key)
        result.append(Section(key, title, rule, count, listed))
    return result


def _deadline(key):
    return date_in_year(key // 10000, key // 100 % 100, key % 100) if key else None


def _date(day):
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}
