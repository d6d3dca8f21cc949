"""Back-office pages added to the policy admin: Excel import with a dry run, export of the
filtered changelist, the template workbook, and the needs-attention page. Every one reads the
entries through `access.scope_for(user)`."""

import base64
import hashlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access, attention, spreadsheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The checked workbook waits in the (database-backed, shared) session between the dry run and
# the confirmation, so the user does not upload it twice and any app server can finish it.
SESSION_KEY = "policy_import"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel 文件（.xlsx）"),
        error_messages={
            "required": gettext_lazy("请选择要导入的 Excel 文件。"),
            "empty": gettext_lazy("文件是空的。"),
        },
    )
    note = forms.CharField(
        label=gettext_lazy("修改说明"),
        max_length=100,
        help_text=gettext_lazy("记入每个条目的修改历史，如“2026年版清单年度更新”。"),
        error_messages={"required": gettext_lazy("请填写修改说明。")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.PORTAL_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("文件超过 %(mb)s MB，请拆分后分批导入。") % {"mb": limit // (1024 * 1024)}
            )
        return upload


def _xlsx_response(content, filename):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class PolicySpreadsheetMixin:
    """Import, export and the template workbook, from `spreadsheet.COLUMNS`."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="catalog_policy_import"),
            path("import/template/", view(self.template_view), name="catalog_policy_template"),
            path("export/", view(self.export_view), name="catalog_policy_export"),
            *super().get_urls(),
        ]

    def _import_scope(self, request):
        scope = access.scope_for(request.user)
        if scope.read_only or not self.has_add_permission(request):
            raise PermissionDenied
        return scope

    def import_view(self, request):
        """Upload → dry run (every row's problems, nothing written) → confirm → one
        transaction of drafts."""
        scope = self._import_scope(request)
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm_import(request, scope)
        form = ImportForm(request.POST or None, request.FILES or None)
        context = {}
        if request.method == "POST" and form.is_valid():
            data, note = form.cleaned_data["file"].read(), form.cleaned_data["note"]
            try:
                rows = spreadsheet.check_rows(spreadsheet.read_workbook(data), scope)
            except spreadsheet.SheetError as error:
                form.add_error("file", str(error))
            else:
                context = self._checked(rows, note)
                if not context["failed"]:
                    token = hashlib.sha256(data + note.encode()).hexdigest()
                    request.session[SESSION_KEY] = {
                        "token": token,
                        "note": note,
                        "data": base64.b64encode(data).decode("ascii"),
                    }
                    context["token"] = token
        return self._render_import(request, form, scope, context)

    def _confirm_import(self, request, scope):
        pending = request.session.get(SESSION_KEY)
        if not pending or pending["token"] != request.POST.get("confirm"):
            messages.error(request, _("这次导入已失效（可能已经导入过），请重新上传文件。"))
            return HttpResponseRedirect(reverse("admin:catalog_policy_import"))
        # Checked again: the database may have changed since the dry run.
        data = base64.b64decode(pending["data"])
        rows = spreadsheet.check_rows(spreadsheet.read_workbook(data), scope)
        context = self._checked(rows, pending["note"])
        if context["failed"]:
            del request.session[SESSION_KEY]
            context["changed_since_check"] = True
            return self._render_import(request, ImportForm(), scope, context)
        try:
            outcome = spreadsheet.import_rows(rows, request.user, pending["note"])
        except (IntegrityError, ValidationError):
            messages.error(
                request,
                _(
                    "写入时数据库拒绝了其中的数据（可能有人同时写入了相同编号的条目），"
                    "已全部撤销，没有写入任何内容。请重新上传检查。"
                ),
            )
            return HttpResponseRedirect(reverse("admin:catalog_policy_import"))
        del request.session[SESSION_KEY]
        messages.success(
            request,
            _("已导入 %(total)s 个草稿：新建 %(created)s 个，更新 %(updated)s 个。")
            % {
                "total": outcome.created + outcome.updated,
                "created": outcome.created,
                "updated": outcome.updated,
            },
        )
        changelist = reverse("admin:catalog_policy_changelist")
        return HttpResponseRedirect(f"{changelist}?status__exact=draft")

    @staticmethod
    def _checked(rows, note):
        return {
            "rows": rows,
            "failed": [row for row in rows if row.errors],
            "note": note,
            "created": sum(not row.existing for row in rows),
            "updated": sum(row.existing for row in rows),
        }

    def _render_import(self, request, form, scope, context):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("从 Excel 导入政策条目"),
            "form": form,
            "regions": scope.regions(),
            "max_rows": settings.PORTAL_IMPORT_MAX_ROWS,
            **context,
        }
        return TemplateResponse(request, "admin/catalog/policy/import.html", context)

    def template_view(self, request):
        """The empty workbook to fill in: the same columns the import reads."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        content = spreadsheet.build_workbook([], access.scope_for(request.user))
        return _xlsx_response(content, _("政策条目导入模板.xlsx"))

    def export_view(self, request):
        """The changelist as filtered and searched (same query string), within the scope."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            messages.error(request, _("筛选条件无效，请在列表中重新筛选后再导出。"))
            return HttpResponseRedirect(reverse("admin:catalog_policy_changelist"))
        scope = access.scope_for(request.user)
        policies = spreadsheet.export_queryset(scope.policies(changelist.queryset))
        content = spreadsheet.build_workbook(policies, scope)
        filename = _("政策条目-%(date)s.xlsx") % {"date": timezone.localdate().strftime("%Y%m%d")}
        return _xlsx_response(content, filename)


class NeedsAttentionMixin:
    """The needs-attention page (`attention.sections`) for the entries in the user's scope."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.attention_view)
        return [path("attention/", view, name="catalog_policy_attention"), *super().get_urls()]

    def attention_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        scope = access.scope_for(request.user)
        today = timezone.localdate()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("需要关注的条目"),
            "today": today,
            "sections": attention.sections(scope.policies(self.model.objects.all()), today),
            "limit": attention.LIMIT,
        }
        return TemplateResponse(request, "admin/catalog/policy/attention.html", context)
