from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access, admin_login, caching, revisions  # noqa: F401 -- admin_login registers the login audit log
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
    ProposedChange,
    Region,
    Sector,
    StaffProfile,
    Step,
    SynonymGroup,
    VillageItemStatus,
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


class CityEditsMixin:
    """Reference data and settings: everyone with a role may look, only city staff change."""

    def _city(self, request):
        return access.scope_for(request.user).can_publish

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._city(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._city(request)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._city(request)


class ScopedChoicesMixin:
    """The entry form's autocomplete offers only the regions / departments the user may put an
    entry in (the form refuses any other)."""

    scope_choices = None

    def get_search_results(self, request, queryset, search_term):
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if is_autocomplete_for(request, self.scope_choices[:-1]):
            allowed = getattr(access.scope_for(request.user), self.scope_choices)()
            queryset = queryset.filter(pk__in=allowed.values("pk"))
        return queryset, distinct


class ReindexRelatedMixin(CityEditsMixin, CatalogWriteMixin):
    """Renaming reference data changes the text of every entry that shows it; adding or
    deleting some changes the public menus."""

    policy_lookup = None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            index_policies(Policy.objects.filter(**{self.policy_lookup: obj}))


@admin.register(Region)
class RegionAdmin(ScopedChoicesMixin, ReindexRelatedMixin, admin.ModelAdmin):
    policy_lookup = "region"
    scope_choices = "regions"
    list_display = ["name", "code", "slug", "level", "area", "parent", "order"]
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
class DepartmentAdmin(ScopedChoicesMixin, ReindexRelatedMixin, admin.ModelAdmin):
    policy_lookup = "department"
    scope_choices = "departments"
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
class SynonymGroupAdmin(CityEditsMixin, CatalogWriteMixin, admin.ModelAdmin):
    list_display = ["words", "note"]
    search_fields = ["words"]


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = revisions.INLINES["materials"][1]


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = revisions.INLINES["steps"][1]


class EligibilityRuleInline(admin.TabularInline):
    model = EligibilityRule
    extra = 0
    fields = revisions.INLINES["rules"][1]
    verbose_name_plural = _("政策找人：结构化申领条件（全部满足才算符合）")


class AmountBandInline(admin.TabularInline):
    model = AmountBand
    extra = 0
    fields = revisions.INLINES["bands"][1]
    verbose_name_plural = _("政策找人：分档金额（如按年龄分档）")


class PolicyAdminForm(forms.ModelForm):
    """The entry's change form. `scope` and `user` are set on the class by PolicyAdmin.get_form.

    Status choices follow the workflow: nobody publishes here (city staff publish on the
    review page); a published entry can only stay published or be withdrawn. The hidden
    version refuses a save when someone else saved the entry since the form was opened."""

    change_note = forms.CharField(
        label=_("修改说明"),
        max_length=200,
        help_text=_("必填：这次改了什么、为什么（记入历史版本）。"),
        error_messages={"required": _("请填写修改说明。")},
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    scope = access.NO_SCOPE
    user = None

    class Meta:
        model = Policy
        fields = "__all__"  # noqa: DJ007 -- the admin shows every field in its fieldsets
        formfield_callback = https_formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version if self.instance.pk else None
        if "status" in self.fields:
            allowed = workflow_statuses(self.instance)
            self.fields["status"].choices = [
                choice for choice in Policy.Status.choices if choice[0] in allowed
            ]
            self.fields["status"].error_messages["invalid_choice"] = _(
                "不能在此设为该状态：发布须由市财政局工作人员在“审核”页完成；已发布的条目只能修改或废止。"
            )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            current = Policy.objects.select_for_update().get(pk=self.instance.pk)
            seen = cleaned.get("seen_version")
            if seen is None or seen != current.version:
                raise forms.ValidationError(
                    revisions.conflict_message(current, seen or 0), code="conflict"
                )
            if current.status == Policy.Status.PUBLISHED:
                revisions.check_no_foreign_proposal(current, self.user)
        return cleaned

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.instance.region_id is None:
            return
        try:
            revisions.check_scope(self.scope, self.instance.pk, self.instance)
        except forms.ValidationError as error:
            self.add_error(None, error)
        except PermissionDenied:
            self.add_error(None, _("您无权修改此条目。"))


def workflow_statuses(policy):
    """The statuses the change form offers: a published entry stays published or is
    withdrawn; anything else is a draft, in review or withdrawn."""
    if policy.pk and policy.status == Policy.Status.PUBLISHED:
        return {Policy.Status.PUBLISHED, Policy.Status.WITHDRAWN}
    return {Policy.Status.DRAFT, Policy.Status.REVIEW, Policy.Status.WITHDRAWN}


class ReviewFilter(admin.SimpleListFilter):
    title = _("审核")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("waiting", _("等待审核（新条目或对已发布条目的修改）"))]

    def queryset(self, request, queryset):
        if self.value() == "waiting":
            return queryset.filter(Q(status=Policy.Status.REVIEW) | Q(has_proposal=True))
        return queryset


class ReviewForm(forms.Form):
    note = forms.CharField(label=_("审核意见"), max_length=200, required=False)
    # What the page showed: an approval of anything else is refused (revisions.approve).
    seen_version = forms.IntegerField(widget=forms.HiddenInput)
    seen_proposal = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RestoreForm(forms.Form):
    note = forms.CharField(
        label=_("修改说明"),
        max_length=200,
        help_text=_("必填：为什么恢复到这个版本。"),
        error_messages={"required": _("请填写修改说明。")},
    )


@admin.register(Policy)
class PolicyAdmin(PolicySpreadsheetMixin, NeedsAttentionMixin, CatalogWriteMixin, admin.ModelAdmin):
    """Every URL reads through the user's scope (catalog.access), and every write goes through
    catalog.revisions: a new version with who and why, or a proposal waiting for review."""

    form = PolicyAdminForm
    formfield_overrides = HTTPS_URLS
    change_form_template = "admin/catalog/policy/change_form.html"
    list_display = [
        "code",
        "name",
        "region",
        "domain",
        "department",
        "status",
        "review_state",
        "updated_at",
    ]
    list_filter = [
        ReviewFilter,
        "status",
        "region",
        "domain__kind",
        "domain",
        "department",
        "period_mode",
        "village_standard",
    ]
    list_select_related = ["region", "domain", "department"]
    search_fields = ["code", "name", "summary"]
    autocomplete_fields = ["region", "domain", "department", "parent"]
    filter_horizontal = ["audiences", "sectors", "enterprise_types"]
    readonly_fields = ["published_at", "published_by", "created_at", "updated_at"]
    date_hierarchy = "updated_at"
    inlines = [MaterialInline, StepInline, EligibilityRuleInline, AmountBandInline]
    actions = ["submit_selected", "withdraw_selected"]

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
        (
            _("基本公共服务（仅该清单填写；申领条件即服务对象，补助标准即服务标准）"),
            {"fields": ["service_content", "spending", "village_standard"]},
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
                    ("published_at", "published_by"),
                    ("created_at", "updated_at"),
                ]
            },
        ),
        (_("本次修改"), {"fields": ["change_note", "seen_version"]}),
    ]

    # --- scope ---------------------------------------------------------------------------

    def get_queryset(self, request):
        pending = ProposedChange.objects.filter(
            policy=OuterRef("pk"), state=ProposedChange.State.PENDING
        )
        queryset = super().get_queryset(request).annotate(has_proposal=Exists(pending))
        return access.scope_for(request.user).policies(queryset)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not access.scope_for(request.user).read_only

    def has_change_permission(self, request, obj=None):
        scope = access.scope_for(request.user)
        allowed = super().has_change_permission(request, obj) and not scope.read_only
        return allowed and (obj is None or scope.allows(obj))

    def has_delete_permission(self, request, obj=None):
        # Editors withdraw; only city staff delete, and every deletion is a history record.
        scope = access.scope_for(request.user)
        return super().has_delete_permission(request, obj) and scope.can_publish

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.has_change_permission(request, obj) and obj is not None:
            return fieldsets[:-1]  # read-only view: nothing to note
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.scope, form.user = access.scope_for(request.user), request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = access.scope_for(request.user)
        if db_field.name == "region":
            kwargs["queryset"] = scope.regions()
        elif db_field.name == "department":
            kwargs["queryset"] = scope.departments()
        elif db_field.name == "parent":
            kwargs["queryset"] = scope.parent_candidates(Policy.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        if is_autocomplete_for(request, "parent"):
            queryset = access.scope_for(request.user).parent_candidates(Policy.objects.all())
        return super().get_search_results(request, queryset, search_term)

    # --- writes: everything through catalog.revisions ------------------------------------

    def save_model(self, request, obj, form, change):
        """Nothing here: the entry, its tags and inline rows are written together in
        save_related, as one version (or one proposal)."""

    def save_related(self, request, form, formsets, change):
        data = revisions.snapshot_from_form(form, formsets)
        outcome = revisions.submit_edit(
            form.instance,
            data,
            request.user,
            form.cleaned_data["change_note"],
            expected_version=form.cleaned_data.get("seen_version"),
        )
        form.instance._proposal = outcome.proposal
        for formset in formsets:  # read by the admin's log message; the history has the detail
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def response_change(self, request, obj):
        if getattr(obj, "_proposal", None) is not None:
            self.message_user(
                request,
                _("修改已提交审核。审核通过前，公众看到的仍是已发布的版本。"),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:catalog_policy_changelist"))
        return super().response_change(request, obj)

    def delete_model(self, request, obj):
        obj._history_user, obj._change_reason = request.user, _("在后台删除")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def _move_selected(self, request, policies, status, note):
        """Move each of `policies` to `status` through the write path (a version each, or a
        proposal for a published entry); returns (applied, proposed) counts and reports the
        entries it could not move."""
        applied = proposed = 0
        for policy in policies:
            data = revisions.snapshot(policy)
            data["fields"]["status"] = status
            try:
                outcome = revisions.submit_edit(policy, data, request.user, note)
            except ValidationError as error:
                self.message_user(
                    request,
                    _("%(code)s 未能处理：%(reason)s")
                    % {"code": policy.code, "reason": "；".join(error.messages)},
                    messages.ERROR,
                )
            else:
                proposed += outcome.proposed
                applied += not outcome.proposed
        return applied, proposed

    @admin.action(description=_("将所选草稿提交审核"), permissions=["change"])
    def submit_selected(self, request, queryset):
        """Drafts (an import's, say) go to review together; anything else selected is left as
        it is and counted."""
        drafts = list(queryset.filter(status=Policy.Status.DRAFT))
        skipped = queryset.count() - len(drafts)
        done, _proposed = self._move_selected(request, drafts, Policy.Status.REVIEW, _("提交审核"))
        self.message_user(
            request,
            _("已将 %(done)s 个草稿提交审核；%(skipped)s 个所选条目不是草稿，未改变。")
            % {"done": done, "skipped": skipped},
        )

    @admin.action(description=_("废止所选条目（已发布条目由市财政局审核）"), permissions=["change"])
    def withdraw_selected(self, request, queryset):
        done, proposed = self._move_selected(
            request,
            queryset.exclude(status=Policy.Status.WITHDRAWN),
            Policy.Status.WITHDRAWN,
            _("批量废止"),
        )
        self.message_user(
            request,
            _("已废止 %(done)s 条；%(proposed)s 条已发布条目的废止已提交审核。")
            % {"done": done, "proposed": proposed},
        )

    @admin.display(description=_("审核"))
    def review_state(self, obj):
        if getattr(obj, "has_proposal", False):
            return _("修改待审核")
        if obj.status == Policy.Status.REVIEW:
            return _("新条目待审核")
        return ""

    # --- history, restore and review -----------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/history/<int:history_id>/restore/",
                view(self.restore_view),
                name="catalog_policy_restore",
            ),
            path("<path:object_id>/review/", view(self.review_view), name="catalog_policy_review"),
            *super().get_urls(),
        ]

    def _entry(self, request, object_id, change=False):
        obj = self.get_object(request, unquote(object_id))
        allowed = self.has_change_permission if change else self.has_view_permission
        if obj is None:
            raise Http404(_("条目不存在或不在您的管理范围内。"))
        if not allowed(request, obj):
            raise PermissionDenied
        return obj

    def _context(self, request, obj, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "object": obj,
            "title": title,
            "has_view_permission": True,
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        """Every version with who, when, the note and what it changed, newest first."""
        obj = self._entry(request, object_id)
        context = self._context(
            request,
            obj,
            _("“%(entry)s”的历史版本") % {"entry": obj},
            versions=revisions.versions(obj),
            can_restore=self.has_change_permission(request, obj),
        )
        return TemplateResponse(request, "admin/catalog/policy/history.html", context)

    def restore_view(self, request, object_id, history_id):
        obj = self._entry(request, object_id, change=True)
        record = obj.history.filter(history_id=history_id).first()
        if record is None:
            raise Http404(_("没有这个历史版本。"))
        form = RestoreForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                outcome = revisions.restore(obj, record, request.user, form.cleaned_data["note"])
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                text = (
                    _("恢复已提交审核；审核通过前公众看到的仍是已发布的版本。")
                    if outcome.proposed
                    else _("已恢复到第 %(version)s 版的内容，并记为新版本。")
                    % {"version": record.version}
                )
                self.message_user(request, text, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:catalog_policy_history", args=[obj.pk]))
        context = self._context(
            request,
            obj,
            _("恢复到第 %(version)s 版") % {"version": record.version},
            record=record,
            form=form,
            changes=revisions.diff(revisions.snapshot(obj), revisions.snapshot_at(record)),
        )
        return TemplateResponse(request, "admin/catalog/policy/restore.html", context)

    def review_view(self, request, object_id):
        """What waits for review (a proposed change, or an entry in review) against what the
        public sees now; city staff approve or send it back."""
        obj = self._entry(request, object_id)
        proposal = revisions.pending_proposal(obj)
        if proposal is not None:
            before, after = revisions.snapshot(obj), proposal.data
        elif obj.status == Policy.Status.REVIEW:
            published = obj.history.filter(status=Policy.Status.PUBLISHED).order_by("-history_date")
            last = published.first()
            before = revisions.snapshot_at(last) if last else None
            after = revisions.snapshot(obj)
        else:
            self.message_user(request, _("该条目没有待审核的内容。"), messages.INFO)
            return HttpResponseRedirect(reverse("admin:catalog_policy_change", args=[obj.pk]))
        scope = access.scope_for(request.user)
        form = ReviewForm(
            request.POST or None,
            initial={"seen_version": obj.version, "seen_proposal": proposal and proposal.pk},
        )
        if request.method == "POST":
            if not scope.can_publish:
                raise PermissionDenied
            if form.is_valid():
                note = form.cleaned_data["note"]
                try:
                    if "approve" in request.POST:
                        revisions.approve(
                            obj,
                            request.user,
                            note,
                            seen_version=form.cleaned_data["seen_version"],
                            seen_proposal=form.cleaned_data["seen_proposal"],
                        )
                        text = _("审核通过，已发布。")
                    else:
                        revisions.reject(obj, request.user, note)
                        text = _("已退回修改。")
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    self.message_user(request, text, messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:catalog_policy_changelist"))
        context = self._context(
            request,
            obj,
            _("审核“%(entry)s”") % {"entry": obj},
            proposal=proposal,
            changes=revisions.diff(before, after),
            form=form,
            can_review=scope.can_publish,
            new_entry=before is None,
        )
        return TemplateResponse(request, "admin/catalog/policy/review.html", context)


def is_autocomplete_for(request, field_name):
    """The request is the admin's autocomplete for `field_name` of the entry's change form."""
    return (
        request.resolver_match is not None
        and request.resolver_match.url_name == "autocomplete"
        and request.GET.get("app_label") == "catalog"
        and request.GET.get("model_name") == "policy"
        and request.GET.get("field_name") == field_name
    )


class VillageItemStatusForm(forms.ModelForm):
    class Meta:
        model = VillageItemStatus
        fields = ["region", "item", "status", "note"]

    def __init__(self, *args, scope=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "region" in self.fields:
            # Only county/district volumes the user may edit; any other region in a raw POST
            # fails validation like an unknown choice.
            self.fields["region"].queryset = scope.regions().filter(parent__isnull=False)
            self.fields["region"].error_messages["invalid_choice"] = _(
                "只能填写本人负责的县（区）的落实情况。"
            )


@admin.register(VillageItemStatus)
class VillageItemStatusAdmin(CatalogWriteMixin, admin.ModelAdmin):
    """落实情况 of the village standard items. City staff edit every region's, county staff their
    own region's; department staff and anyone else may only look. Checked per object on every
    URL and again when saving."""

    form = VillageItemStatusForm
    list_display = ["item", "region", "status", "note", "updated_at"]
    list_editable = ["status"]
    list_filter = [
        ("region", admin.RelatedOnlyFieldListFilter),
        "status",
        ("item__domain", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["region", "item"]
    search_fields = ["item__name", "item__code", "region__name"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        scope = access.scope_for(request.user)

        class ScopedForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, scope=scope, **inner)

        return ScopedForm

    def get_readonly_fields(self, request, obj=None):
        # An existing row stays with its region and item; a new one picks both.
        return ["region", "item"] if obj else []

    def may_edit(self, request, obj=None):
        scope = access.scope_for(request.user)
        if scope.role not in (access.CITY, access.COUNTY) or scope.read_only:
            return False
        return obj is None or scope.allows_region(obj.region)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            access.scope_for(request.user).role is not None
        )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self.may_edit(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_edit(request, obj)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = access.scope_for(request.user)
        if scope.role == access.COUNTY:
            return queryset.filter(region=scope.region)
        return queryset

    def save_model(self, request, obj, form, change):
        if not self.may_edit(request, obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def delete_queryset(self, request, queryset):
        if any(not self.may_edit(request, obj) for obj in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(CityEditsMixin, admin.ModelAdmin):
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
class StaffProfileAdmin(CityEditsMixin, admin.ModelAdmin):
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
        read_only = access.scope_for(request.user).read_only
        return (
            super().has_change_permission(request, obj)
            and not read_only
            and self.owns(request, obj)
        )

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
