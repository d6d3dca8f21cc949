"""One entry of a volume and the rules about when the public sees it and when it is open."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from .reference import (
    KIND_ORDER,
    Audience,
    Department,
    Domain,
    EnterpriseType,
    ListKind,
    Region,
    Sector,
)

CLOSING_SOON_DAYS = 30


def month_day(date):
    """A date's place in its year as MMDD, the form annual windows are compared in."""
    return date.month * 100 + date.day


def _md_between(field, start, end):
    """`field` (an MMDD expression) lies in the calendar span start..end, which may wrap."""
    if start <= end:
        return Q(**{f"{field}__gte": start, f"{field}__lte": end})
    return Q(**{f"{field}__gte": start}) | Q(**{f"{field}__lte": end})


def _annual_open_q(md):
    within_year = Q(opens_md__lte=F("closes_md")) & Q(opens_md__lte=md, closes_md__gte=md)
    across_new_year = Q(opens_md__gt=F("closes_md")) & (Q(opens_md__lte=md) | Q(closes_md__gte=md))
    return Q(period_mode=Period.ANNUAL) & (within_year | across_new_year)


# The period rules as conditions on a queryset annotated by `with_period_keys`; the
# queryset methods of the same names state them in words.
def open_q(on):
    return (
        Q(period_mode__in=[Period.ALWAYS, Period.NO_APPLICATION])
        | Q(period_mode=Period.WINDOW, window_opens__lte=on, window_closes__gte=on)
        | _annual_open_q(month_day(on))
    )


def closing_soon_q(on):
    limit = on + datetime.timedelta(days=CLOSING_SOON_DAYS)
    return open_q(on) & (
        Q(period_mode=Period.WINDOW, window_closes__lte=limit)
        | (Q(period_mode=Period.ANNUAL) & _md_between("closes_md", month_day(on), month_day(limit)))
    )


def upcoming_q(on):
    return Q(period_mode=Period.WINDOW, window_opens__gt=on) | (
        Q(period_mode=Period.ANNUAL) & ~_annual_open_q(month_day(on))
    )


def closed_q(on):
    return Q(period_mode=Period.WINDOW, window_closes__lt=on)


class PolicyQuerySet(models.QuerySet):
    def get_by_natural_key(self, code, edition):
        return self.get(code=code, edition=edition)

    def published(self, on=None):
        """What lists show: published, and valid on `on` (today by default).

        An entry whose `valid_until` has passed is expired: it leaves lists but stays reachable.
        """
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_until__isnull=True) | Q(valid_until__gte=on),
            status=Policy.Status.PUBLISHED,
        )

    def reachable(self):
        """What a public URL opens: published entries and, with a banner, withdrawn or expired
        ones. Drafts and entries in review are never public."""
        return self.filter(status__in=[Policy.Status.PUBLISHED, Policy.Status.WITHDRAWN])

    def with_period_keys(self):
        """Annotate `opens_md` / `closes_md` (MMDD) so annual windows compare in SQL."""
        return self.annotate(
            opens_md=F("annual_open_month") * 100 + F("annual_open_day"),
            closes_md=F("annual_close_month") * 100 + F("annual_close_day"),
        )

    def open(self, on=None):
        """Can be applied for (or is received) on `on`: 常年受理 and 免申即享 always; a dated window
        from its first to its last day inclusive; an annual window on the same calendar days of
        any year, including windows that run across New Year."""
        return self.with_period_keys().filter(open_q(on or timezone.localdate()))

    def closing_soon(self, on=None):
        """Open on `on` and its window closes within 30 days (the last day included)."""
        return self.with_period_keys().filter(closing_soon_q(on or timezone.localdate()))

    def upcoming(self, on=None):
        """Not open on `on` but will open: a dated window that has not started, or an annual
        window between two of its yearly openings."""
        return self.with_period_keys().filter(upcoming_q(on or timezone.localdate()))

    def closed(self, on=None):
        """A dated window whose last day is before `on`; annual windows never close for good."""
        return self.filter(closed_q(on or timezone.localdate()))

    def with_deadline(self, on=None):
        """Annotate `deadline_key`: the next closing day as YYYYMMDD, null when there is none.

        Dated windows that have closed have none; annual windows close this year or next."""
        on = on or timezone.localdate()
        today_key = on.year * 10000 + month_day(on)
        window_key = (
            ExtractYear("window_closes") * 10000
            + ExtractMonth("window_closes") * 100
            + ExtractDay("window_closes")
        )
        return self.with_period_keys().annotate(
            deadline_key=Case(
                When(
                    Q(period_mode=Period.WINDOW, window_closes__gte=on),
                    then=window_key,
                ),
                When(
                    Q(period_mode=Period.ANNUAL, closes_md__gte=month_day(on)),
                    then=Value(on.year * 10000) + F("closes_md"),
                ),
                When(
                    Q(period_mode=Period.ANNUAL),
                    then=Value((on.year + 1) * 10000) + F("closes_md"),
                ),
                default=None,
                output_field=IntegerField(),
            ),
            today_key=Value(today_key),
        )

    def with_yearly_amount(self):
        """Annotate `yearly_amount`: the largest sum a year the entry can pay, for sorting.

        Monthly amounts count twelve times; a rate counts by its cap; no amount is null."""
        top = Coalesce("amount_max", "amount_min")
        return self.annotate(
            yearly_amount=Case(
                When(amount_kind=Amount.RATE, then=F("amount_cap")),
                When(amount_unit=Unit.PER_MONTH, then=top * 12),
                When(amount_kind__in=[Amount.FIXED, Amount.RANGE], then=top),
                default=None,
                output_field=models.DecimalField(max_digits=14, decimal_places=2),
            )
        )


class Period(models.TextChoices):
    ALWAYS = "always", _("常年受理")
    WINDOW = "window", _("限时申报")
    ANNUAL = "annual", _("每年定期申报")
    NO_APPLICATION = "no_application", _("免申即享")


class Amount(models.TextChoices):
    NONE = "none", _("无固定金额")
    FIXED = "fixed", _("定额")
    RANGE = "range", _("区间")
    RATE = "rate", _("比例")


class Unit(models.TextChoices):
    PER_MONTH = "month", _("每月")
    PER_YEAR = "year", _("每年")
    ONE_OFF = "once", _("一次性")


class Spending(models.TextChoices):
    """支出责任 of a basic public service item."""

    CITY = "city", _("市级承担")
    COUNTY = "county", _("县（区）承担")
    SHARED = "shared", _("市、县（区）共同承担")


TAG_FIELDS = ["audiences", "sectors", "enterprise_types"]
# Written by index_policies with bulk_update: derived from the entry, so not a version of it.
DERIVED_FIELDS = ["search_document", "catalog_order", "list_kind"]


class TagSnapshot(models.Model):
    """Base of the entry's history rows: the tag sets as they were (simple-history keeps only
    the entry's own columns)."""

    tags = models.JSONField(_("标签"), default=dict, editable=False)

    class Meta:
        abstract = True


class Policy(models.Model):
    """One entry of a volume: the six printed fields plus what the portal needs.

    A 基本公共服务 item (its domain is of that list kind) is an entry too, so search, filters,
    volumes, open data and the booklet all carry it. It reads `eligibility` as 服务对象, `benefit`
    as 服务标准, `department` as 牵头负责单位 and `basis_*` as 法律依据, and fills the three
    service fields below, which stay empty for policies."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        REVIEW = "review", _("待审核")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已废止")

    code = models.CharField(
        _("编号"),
        max_length=20,
        help_text=_("公开编号，如 HZ-LM-001；印在清单上，发布后不要更改。"),
    )
    edition = models.PositiveSmallIntegerField(_("版次（年份）"), default=2021)
    name = models.CharField(_("政策名称"), max_length=120)
    summary = models.CharField(_("一句话说明"), max_length=200, blank=True)

    region = models.ForeignKey(
        Region, verbose_name=_("所属分册"), on_delete=models.PROTECT, related_name="policies"
    )
    domain = models.ForeignKey(
        Domain, verbose_name=_("领域"), on_delete=models.PROTECT, related_name="policies"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("主管部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
    )
    audiences = models.ManyToManyField(Audience, verbose_name=_("受益对象"), blank=True)
    sectors = models.ManyToManyField(Sector, verbose_name=_("行业"), blank=True)
    enterprise_types = models.ManyToManyField(
        EnterpriseType, verbose_name=_("企业类型"), blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("对应市级政策"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="localizations",
        help_text=_("县（区）分册中细化市级政策的条目，指向总册中的原条目。"),
    )

    eligibility = models.TextField(_("申领条件"))
    benefit = models.TextField(_("补助标准"))
    amount_kind = models.CharField(
        _("金额类型"), max_length=10, choices=Amount.choices, default=Amount.NONE
    )
    amount_min = models.DecimalField(
        _("金额（下限）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("定额只填此项；比例填百分数，如 50 表示 50%。"),
    )
    amount_max = models.DecimalField(
        _("金额（上限）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    amount_unit = models.CharField(_("计发周期"), max_length=10, choices=Unit.choices, blank=True)
    amount_cap = models.DecimalField(
        _("最高限额（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    online_url = models.URLField(_("网上办理入口"), blank=True)
    offline_place = models.CharField(_("线下办理地点"), max_length=300, blank=True)

    period_mode = models.CharField(
        _("申请时间"), max_length=20, choices=Period.choices, default=Period.ALWAYS
    )
    window_opens = models.DateField(_("申报开始日期"), null=True, blank=True)
    window_closes = models.DateField(_("申报截止日期"), null=True, blank=True)
    annual_open_month = models.PositiveSmallIntegerField(_("每年开始月"), null=True, blank=True)
    annual_open_day = models.PositiveSmallIntegerField(_("每年开始日"), null=True, blank=True)
    annual_close_month = models.PositiveSmallIntegerField(_("每年截止月"), null=True, blank=True)
    annual_close_day = models.PositiveSmallIntegerField(_("每年截止日"), null=True, blank=True)
    period_note = models.CharField(_("申请时间说明"), max_length=200, blank=True)

    exclusive_group = models.CharField(
        _("互斥组"),
        max_length=40,
        blank=True,
        help_text=_("同组的政策只能选其一（可二选一），估算总额时只计最高的一项。"),
    )
    one_card = models.BooleanField(
        _("一卡通发放"), default=False, help_text=_("资金通过社会保障卡（一卡通）发放。")
    )
    basis_title = models.CharField(_("政策依据"), max_length=300, blank=True)
    basis_number = models.CharField(_("文号"), max_length=80, blank=True)
    basis_url = models.URLField(_("依据链接"), blank=True)
    phone = models.CharField(
        _("咨询电话"), max_length=60, blank=True, help_text=_("留空则显示主管部门电话。")
    )
    service_content = models.TextField(
        _("服务内容"), blank=True, help_text=_("仅基本公共服务项目填写：提供哪些服务。")
    )
    spending = models.CharField(
        _("支出责任"),
        max_length=10,
        choices=Spending.choices,
        blank=True,
        help_text=_("仅基本公共服务项目填写。"),
    )
    village_standard = models.BooleanField(
        _("村（居）标准项目"),
        default=False,
        help_text=_("每个村（居）都应提供的基本公共服务项目；各地落实情况在评价中统计。"),
    )

    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_until = models.DateField(_("有效期止"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Raised by every saved edit; the change form carries it back so a stale save is refused.
    version = models.PositiveIntegerField(_("版本号"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    last_reviewed_on = models.DateField(_("最近核对日期"), null=True, blank=True)
    # Tokens for search, written by catalog.services.index_policies on every write path; on
    # PostgreSQL a trigger derives the indexed tsvector column `search_vector` from it.
    search_document = models.TextField(editable=False, blank=True)
    # Region, list and domain order in one number, written with the search document, so lists
    # sort on an index instead of joining and sorting every entry.
    catalog_order = models.PositiveIntegerField(editable=False, default=0)
    # The domain's list kind, written with catalog_order, so the kind filter reads one index
    # (kind, then catalogue order) instead of joining domains and walking past the other lists.
    # No choices of its own: it follows Domain.kind, whatever kinds that allows.
    list_kind = models.CharField(_("清单"), max_length=20, editable=False, blank=True)

    objects = PolicyQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=DERIVED_FIELDS, bases=[TagSnapshot], verbose_name=_("政策条目历史版本")
    )

    class Meta:
        verbose_name = _("政策条目")
        verbose_name_plural = _("政策条目")
        ordering = ["catalog_order", "code"]
        indexes = [
            models.Index(fields=["catalog_order", "code"], name="policy_catalog_order_idx"),
            models.Index(
                fields=["list_kind", "catalog_order", "code"], name="policy_kind_order_idx"
            ),
            # With the validity dates, per region and per domain counts of what the public
            # sees are read from the index alone (PostgreSQL; elsewhere `include` is ignored).
            models.Index(
                fields=["status", "region", "domain"],
                include=["valid_from", "valid_until"],
                name="policy_public_idx",
            ),
            models.Index(fields=["-updated_at"], name="policy_updated_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "edition"], name="policy_code_unique_per_edition"
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="policy_not_own_parent"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_from__lte=F("valid_until")),
                name="policy_validity_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(period_mode=Period.WINDOW)
                | Q(
                    window_opens__isnull=False,
                    window_closes__isnull=False,
                    window_opens__lte=F("window_closes"),
                ),
                name="policy_window_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(period_mode=Period.ANNUAL)
                | Q(
                    annual_open_month__range=(1, 12),
                    annual_close_month__range=(1, 12),
                    annual_open_day__range=(1, 31),
                    annual_close_day__range=(1, 31),
                ),
                name="policy_annual_window_complete",
            ),
            models.CheckConstraint(
                condition=Q(
                    amount_kind=Amount.NONE, amount_min__isnull=True, amount_max__isnull=True
                )
                | Q(amount_kind=Amount.FIXED, amount_min__isnull=False, amount_max__isnull=True)
                | Q(
                    amount_kind=Amount.RANGE,
                    amount_min__isnull=False,
                    amount_max__isnull=False,
                    amount_min__lte=F("amount_max"),
                )
                | Q(amount_kind=Amount.RATE, amount_min__isnull=False, amount_min__lte=100),
                name="policy_amount_consistent",
            ),
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True) | Q(amount_min__gte=0),
                name="policy_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_kind=Amount.NONE)
                | Q(amount_kind=Amount.RATE)
                | ~Q(amount_unit=""),
                name="policy_amount_has_unit",
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="policy_published_has_date",
            ),
            models.CheckConstraint(
                condition=Q(spending="") | Q(spending__in=Spending.values),
                name="policy_spending_known",
            ),
            models.CheckConstraint(
                condition=Q(village_standard=False) | ~Q(spending=""),
                name="policy_village_standard_is_service",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("catalog:policy", args=[self.code])

    def natural_key(self):
        return (self.code, self.edition)

    def catalogue_position(self):
        """Where the printed list puts the entry: by volume, then 惠企, 利民, 基本公共服务, then
        domain."""
        return catalogue_position(self.region.order, self.domain.kind, self.domain.order)

    @property
    def is_service(self):
        """A 基本公共服务 item rather than a policy (its domain must be selected)."""
        return self.domain.kind == ListKind.PUBLIC_SERVICE

    def clean(self):
        errors = {}
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = _("条目不能细化它自己。")
        if self.valid_from and self.valid_until and self.valid_from > self.valid_until:
            errors["valid_until"] = _("有效期止不能早于有效期起。")
        if self.period_mode == Period.WINDOW:
            if not (self.window_opens and self.window_closes):
                errors["window_opens"] = _("限时申报需填写开始和截止日期。")
            elif self.window_opens > self.window_closes:
                errors["window_closes"] = _("截止日期不能早于开始日期。")
        if self.period_mode == Period.ANNUAL:
            for prefix, label in (("annual_open", _("开始")), ("annual_close", _("截止"))):
                month, day = getattr(self, f"{prefix}_month"), getattr(self, f"{prefix}_day")
                try:
                    datetime.date(2000, month, day)  # a leap year admits 29 February
                except (TypeError, ValueError):
                    errors[f"{prefix}_month"] = _("每年%(label)s的月、日无效。") % {"label": label}
        errors.update(self._clean_amount())
        errors.update(self._clean_service())
        if errors:
            raise ValidationError(errors)

    def _clean_amount(self):
        kind, low, high = self.amount_kind, self.amount_min, self.amount_max
        if kind == Amount.NONE and (low is not None or high is not None):
            return {"amount_kind": _("填写了金额时请选择金额类型。")}
        if kind in (Amount.FIXED, Amount.RANGE, Amount.RATE) and low is None:
            return {"amount_min": _("请填写金额。")}
        if kind == Amount.FIXED and high is not None:
            return {"amount_max": _("定额只填下限；有上下限请选“区间”。")}
        if kind == Amount.RANGE and (high is None or low > high):
            return {"amount_max": _("区间上限须不小于下限。")}
        if kind == Amount.RATE and low > 100:
            return {"amount_min": _("比例不能超过 100%。")}
        if low is not None and low < 0:
            return {"amount_min": _("金额不能为负数。")}
        if kind in (Amount.FIXED, Amount.RANGE) and not self.amount_unit:
            return {"amount_unit": _("请选择计发周期。")}
        return {}

    def _clean_service(self):
        if self.domain_id is None:
            return {}
        if self.is_service:
            errors = {}
            if not self.service_content.strip():
                errors["service_content"] = _("基本公共服务项目请填写服务内容。")
            if not self.spending:
                errors["spending"] = _("基本公共服务项目请选择支出责任。")
            return errors
        if self.service_content.strip() or self.spending or self.village_standard:
            return {
                "domain": _(
                    "服务内容、支出责任和村（居）标准项目只用于基本公共服务，请选择基本公共服务的领域或清空这些项。"
                )
            }
        return {}

    @property
    def amount_display(self):
        """The structured amount in words, e.g. 每月100至500元; empty when there is none."""
        if self.amount_kind == Amount.NONE:
            return ""
        unit = self.get_amount_unit_display() if self.amount_unit else ""
        if self.amount_kind == Amount.RATE:
            text = _("按%(rate)s%%") % {"rate": format_number(self.amount_min)}
            if self.amount_max is not None:
                text = _("按%(low)s%%至%(high)s%%") % {
                    "low": format_number(self.amount_min),
                    "high": format_number(self.amount_max),
                }
            if self.amount_cap is not None:
                text += _("，最高%(cap)s元") % {"cap": format_number(self.amount_cap)}
            return f"{unit}{text}"
        if self.amount_kind == Amount.FIXED:
            return _("%(unit)s%(amount)s元") % {
                "unit": unit,
                "amount": format_number(self.amount_min),
            }
        return _("%(unit)s%(low)s至%(high)s元") % {
            "unit": unit,
            "low": format_number(self.amount_min),
            "high": format_number(self.amount_max),
        }

    @property
    def period_display(self):
        """When to apply, in words, e.g. 每年11月1日至次年1月31日."""
        if self.period_mode == Period.WINDOW:
            return _("%(start)s至%(end)s") % {
                "start": _long_date(self.window_opens),
                "end": _long_date(self.window_closes),
            }
        if self.period_mode == Period.ANNUAL:
            wraps = (self.annual_open_month, self.annual_open_day) > (
                self.annual_close_month,
                self.annual_close_day,
            )
            template = (
                _("每年%(om)s月%(od)s日至次年%(cm)s月%(cd)s日")
                if wraps
                else _("每年%(om)s月%(od)s日至%(cm)s月%(cd)s日")
            )
            return template % {
                "om": self.annual_open_month,
                "od": self.annual_open_day,
                "cm": self.annual_close_month,
                "cd": self.annual_close_day,
            }
        return self.get_period_mode_display()

    @property
    def contact_phone(self):
        return self.phone or (self.department.phone if self.department else "")

    @property
    def is_withdrawn(self):
        return self.status == self.Status.WITHDRAWN

    def is_expired(self, on=None):
        on = on or timezone.localdate()
        return self.valid_until is not None and self.valid_until < on

    def period_state(self, on=None):
        """One of "open", "closing_soon", "upcoming", "closed" on `on`: see `period_state`."""
        return period_state(vars(self), on or timezone.localdate())


PERIOD_FIELDS = [
    "period_mode",
    "window_opens",
    "window_closes",
    "annual_open_month",
    "annual_open_day",
    "annual_close_month",
    "annual_close_day",
]


def period_state(fields, on):
    """The rule of the `open`/`closing_soon`/`upcoming`/`closed` querysets for one entry in
    memory, given its PERIOD_FIELDS as a mapping (a row of `values()` will do)."""
    mode = fields["period_mode"]
    if mode in (Period.ALWAYS, Period.NO_APPLICATION):
        return "open"
    if mode == Period.WINDOW:
        if on < fields["window_opens"]:
            return "upcoming"
        if on > fields["window_closes"]:
            return "closed"
        closes = fields["window_closes"]
    else:
        close_month, close_day = fields["annual_close_month"], fields["annual_close_day"]
        opens = fields["annual_open_month"] * 100 + fields["annual_open_day"]
        closes_md = close_month * 100 + close_day
        today = month_day(on)
        inside = (
            opens <= today <= closes_md
            if opens <= closes_md
            else today >= opens or today <= closes_md
        )
        if not inside:
            return "upcoming"
        year = on.year if closes_md >= today else on.year + 1
        closes = date_in_year(year, close_month, close_day)
    if (closes - on).days <= CLOSING_SOON_DAYS:
        return "closing_soon"
    return "open"


def catalogue_position(region_order, kind, domain_order):
    """The value of `catalog_order`: region order, list (惠企 0, 利民 1, 基本公共服务 2),
    domain order."""
    return region_order * 10_000 + KIND_ORDER[kind] * 1_000 + min(domain_order, 999)


def format_number(value):
    """12.50 → 12.5, 100.00 → 100, with thousands separators."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _long_date(date):
    return _("%(y)s年%(m)s月%(d)s日") % {"y": date.year, "m": date.month, "d": date.day}


def date_in_year(year, month, day):
    """29 February in a common year is read as 28 February."""
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return datetime.date(year, month, 28)


class Material(models.Model):
    """One item of 申报材料, in the order applicants gather them."""

    class Form(models.TextChoices):
        ORIGINAL = "original", _("原件")
        COPY = "copy", _("复印件")
        BOTH = "both", _("原件及复印件")
        ELECTRONIC = "electronic", _("电子材料")

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="materials")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(_("形式"), max_length=12, choices=Form.choices, default=Form.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    history = HistoricalRecords(verbose_name=_("申报材料历史版本"))

    class Meta:
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")
        ordering = ["policy", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(copies__gte=1), name="material_copies_positive"),
        ]

    def __str__(self):
        return self.name


class Step(models.Model):
    """One step of 申请流程."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    title = models.CharField(_("步骤"), max_length=100)
    detail = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords(verbose_name=_("办理步骤历史版本"))

    class Meta:
        verbose_name = _("办理步骤")
        verbose_name_plural = _("办理步骤")
        ordering = ["policy", "order", "pk"]

    def __str__(self):
        return self.title


def record_tags(sender, instance, history_instance, **kwargs):
    """Each version of an entry keeps the primary keys of its tags at that moment."""
    if isinstance(instance, Policy):
        history_instance.tags = {
            name: sorted(getattr(instance, name).values_list("pk", flat=True))
            for name in TAG_FIELDS
        }


pre_create_historical_record.connect(record_tags, dispatch_uid="catalog_policy_tags")
