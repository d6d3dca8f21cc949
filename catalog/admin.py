from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import admin_login, caching  # noqa: F401 -- admin_login registers the login audit log
from .admin_io import NeedsAttentionMixin, PolicySpreadsheetMixin
from .models import (
    AmountBand,
    Audience,
    Department,
    Domain,
    EligibilityRule,
    EnterpriseType,
    Material,
    Message,
    Policy,
    Region,
    Sector,
    StaffProfile,
    Step,
    SynonymGroup,
    WorkCalendarDay,
)
from .services import index_policies, recompute_due_dates, record_reply

admin.site.site_header = _("政策直达清单 · 后台管理")
admin.site.site_title = _("政策直达后台")
admin.site.index_title = _("清单维护")

# Bare addresses typed by staff become https (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def https_formfield(field, **kwargs):
    return field.formfield(**HTTPS_URLS.get(type(field), {}), **kwargs)


class CatalogWriteMixin:
    """Deleting (or, for synonyms, editing) changes what the public sees without a reindex;
    the cached pages of the catalogue must go too."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        caching.bump()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        caching.bump()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        caching.bump()


class ReindexRelatedMixin:
    """Renaming reference data changes the text of every entry that shows it."""

    policy_lookup = None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            index_policies(Policy.objects.filter(**{self.policy_lookup: obj}))


@admin.register(Region)
class RegionAdmin(ReindexRelatedMixin, admin.ModelAdmin):
    policy_lookup = "region"
    list_display = ["name", "code", "slug", "level", "parent", "order"]
    list_editable = ["order"]
    search_fields = ["name", "code", "slug"]


@admin.register(Domain)
class DomainAdmin(ReindexRelatedMixin, admin.ModelAdmin):
    policy_lookup = "domain"
    list_display = ["name", "kind", "slug", "order"]
    list_filter = ["kind"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]


@admin.register(Department)
class DepartmentAdmin(ReindexRelatedMixin, admin.ModelAdmin):
    policy_lookup = "department"
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "short_name", "region", "phone"]
    list_filter = ["region"]
    search_fields = ["name", "short_name", "slug"]
    autocomplete_fields = ["region"]


class TagAdmin(ReindexRelatedMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]


@admin.register(Audience)
class AudienceAdmin(TagAdmin):
    policy_lookup = "audiences"


@admin.register(Sector)
class SectorAdmin(TagAdmin):
    policy_lookup = "sectors"


@admin.register(EnterpriseType)
class EnterpriseTypeAdmin(TagAdmin):
    policy_lookup = "enterprise_types"


@admin.register(SynonymGroup)
class SynonymGroupAdmin(CatalogWriteMixin, admin.ModelAdmin):
    list_display = ["words", "note"]
    search_fields = ["words"]


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ["order", "name", "form", "copies", "note"]


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = ["order", "title", "detail"]


class EligibilityRuleInline(admin.TabularInline):
    model = EligibilityRule
    extra = 0
    fields = ["fact", "operator", "value", "reason"]
    verbose_name_plural = _("政策找人：结构化申领条件（全部满足才算符合）")


class AmountBandInline(admin.TabularInline):
    model = AmountBand
    extra = 0
    fields = ["fact", "low", "high", "amount"]
    verbose_name_plural = _("政策找人：分档金额（如按年龄分档）")


class PolicyAdminForm(forms.ModelForm):
    class Meta:
        model = Policy
        fields = "__all__"  # noqa: DJ007 -- the admin shows every field in its fieldsets
        formfield_callback = https_formfield

    def clean(self):
        cleaned = super().clean()
        # Publishing stamps the time, before the constraint that requires it is checked.
        if cleaned.get("status") == Policy.Status.PUBLISHED and not self.instance.published_at:
            self.instance.published_at = timezone.now()
        return cleaned


@admin.register(Policy)
class PolicyAdmin(PolicySpreadsheetMixin, NeedsAttentionMixin, CatalogWriteMixin, admin.ModelAdmin):
    form = PolicyAdminForm
    formfield_overrides = HTTPS_URLS
    list_display = ["code", "name", "region", "domain", "department", "status", "updated_at"]
    list_filter = ["status", "region", "domain__kind", "domain", "department", "period_mode"]
    list_select_related = ["region", "domain", "department"]
    search_fields = ["code", "name", "summary"]
    autocomplete_fields = ["region", "domain", "department", "parent"]
    filter_horizontal = ["audiences", "sectors", "enterprise_types"]
    readonly_fields = ["published_at", "created_at", "updated_at"]
    date_hierarchy = "updated_at"
    inlines = [MaterialInline, StepInline, EligibilityRuleInline, AmountBandInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        index_policies(Policy.objects.filter(pk=form.instance.pk))

    fieldsets = [
        (None, {"fields": ["code", "edition", "name", "summary", "region", "domain", "parent"]}),
        (_("申领条件"), {"fields": ["eligibility", "audiences", "sectors", "enterprise_types"]}),
        (
            _("补助标准"),
            {
                "fields": [
                    "benefit",
                    "amount_kind",
                    ("amount_min", "amount_max"),
                    "amount_unit",
                    "amount_cap",
                    "exclusive_group",
                    "one_card",
                ]
            },
        ),
        (_("申请流程"), {"fields": ["online_url", "offline_place"]}),
        (
            _("申请时间"),
            {
                "fields": [
                    "period_mode",
                    ("window_opens", "window_closes"),
                    ("annual_open_month", "annual_open_day"),
                    ("annual_close_month", "annual_close_day"),
                    "period_note",
                ]
            },
        ),
        (
            _("咨询与依据"),
            {"fields": ["department", "phone", "basis_title", "basis_number", "basis_url"]},
        ),
        (
            _("发布与核对"),
            {
                "fields": [
                    "status",
                    ("valid_from", "valid_until"),
                    "last_reviewed_on",
                    ("published_at", "created_at", "updated_at"),
                ]
            },
        ),
    ]


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(admin.ModelAdmin):
    """Every change to the calendar moves the deadlines of the messages still open."""

    list_display = ["date", "weekday", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return "一二三四五六日"[obj.date.weekday()]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        recompute_due_dates()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        recompute_due_dates()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        recompute_due_dates()


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "region", "department"]
    list_filter = ["region"]
    list_select_related = ["user", "region", "department"]
    search_fields = ["user__username", "department__name"]
    autocomplete_fields = ["user", "region", "department"]


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("已逾期未答复"))]

    def queryset(self, request, queryset):
        return queryset.overdue() if self.value() == "yes" else queryset


class MessageAdminForm(forms.ModelForm):
    class Meta:
        model = Message
        fields = ["status", "reply"]


@admin.register(Message)
class MessageAdmin(CatalogWriteMixin, admin.ModelAdmin):
    """The message queue. Every URL (list, change, history, delete, report) reads through
    `Message.objects.visible_to(user)`, so staff never reach a message they do not own."""

    form = MessageAdminForm
    list_display = [
        "ref",
        "kind",
        "policy",
        "department",
        "status",
        "created_at",
        "due_on",
        "overdue",
        "masked_contact",
    ]
    list_filter = ["status", "kind", OverdueFilter, "policy__region", "policy__department"]
    list_select_related = ["policy__department"]
    search_fields = ["ref", "policy__code", "policy__name"]
    readonly_fields = [
        "ref",
        "policy",
        "kind",
        "body",
        "contact_details",
        "publish_consent",
        "created_at",
        "due_on",
        "replied_by",
        "replied_at",
    ]
    fieldsets = [
        (None, {"fields": ["ref", "policy", "kind", ("created_at", "due_on"), "body"]}),
        (_("联系方式（仅供答复使用，不得外传）"), {"fields": ["contact_details"]}),
        (
            _("办理与答复"),
            {"fields": ["status", "reply", "publish_consent", ("replied_by", "replied_at")]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def owns(self, request, obj):
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return False  # messages come from the public pages only

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.owns(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.owns(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.owns(request, obj)

    def save_model(self, request, obj, form, change):
        record_reply(obj, request.user)

    @admin.display(description=_("主管部门"), ordering="policy__department")
    def department(self, obj):
        return obj.policy.department

    @admin.display(description=_("逾期"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue()

    @admin.display(description=_("联系方式"))
    def masked_contact(self, obj):
        return obj.masked_contact or "—"

    @admin.display(description=_("联系方式"))
    def contact_details(self, obj):
        return " / ".join(part for part in (obj.phone, obj.email) if part) or _("未留")

    def get_urls(self):
        report = self.admin_site.admin_view(self.report_view)
        return [path("report/", report, name="catalog_message_report"), *super().get_urls()]

    def report_view(self, request):
        """Open, overdue and answered counts per department and per region, in the user's
        scope."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        open_ = Q(status__in=[Message.Status.NEW, Message.Status.IN_PROGRESS])
        counts = {
            "total": Count("pk"),
            "open": Count("pk", filter=open_),
            "overdue": Count("pk", filter=open_ & Q(due_on__lt=today)),
            "answered": Count("pk", filter=Q(status=Message.Status.ANSWERED)),
        }
        messages = self.get_queryset(request).order_by()
        by_department = messages.values("policy__department__name").annotate(**counts)
        by_region = messages.values("policy__region__name").annotate(**counts)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("留言办理统计"),
            "today": today,
            "totals": messages.aggregate(**counts),
            "by_department": by_department.order_by("-overdue", "policy__department__name"),
            "by_region": by_region.order_by("-overdue", "policy__region__name"),
        }
        return TemplateResponse(request, "admin/catalog/message/report.html", context)
