from django import forms
from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    AmountBand,
    Audience,
    Department,
    Domain,
    EligibilityRule,
    EnterpriseType,
    Material,
    Policy,
    Region,
    Sector,
    Step,
    SynonymGroup,
)
from .services import index_policies

admin.site.site_header = _("政策直达清单 · 后台管理")
admin.site.site_title = _("政策直达后台")
admin.site.index_title = _("清单维护")

# Bare addresses typed by staff become https (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}


def https_formfield(field, **kwargs):
    return field.formfield(**HTTPS_URLS.get(type(field), {}), **kwargs)


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
class SynonymGroupAdmin(admin.ModelAdmin):
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
class PolicyAdmin(admin.ModelAdmin):
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
