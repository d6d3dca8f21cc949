"""The yearly list as an Excel workbook: one column definition (`COLUMNS`) from which the
template, the export and the import are all made, so a sheet exported here imports unchanged.

Import is two steps. `read_workbook` + `check_rows` turn an uploaded file into rows, each with
every problem found in it, without writing anything (the dry run). `import_rows` writes rows
that had no problem, as drafts, in one transaction. An existing code (same edition) is updated
only while it is a draft in the importer's scope; an entry in review, published or withdrawn is
never touched by an import (the row is refused: edit it in the admin)."""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import revisions
from .models import (
    Amount,
    Audience,
    Department,
    Domain,
    EnterpriseType,
    Material,
    Period,
    Policy,
    Region,
    Sector,
    Spending,
    Step,
    Unit,
)
from .models.policy import PERIOD_FIELDS, TAG_FIELDS
from .services import index_policies

SHEET_TITLE = gettext_lazy("政策条目")
# Separates the parts of one material or step line; the full-width bar is accepted too.
PART = re.compile(r"\s*[|｜]\s*")
# "1." "1、" "(1)" "（1）" at the start of a line pasted from the printed list.
NUMBERING = re.compile(r"^\s*(?:\d{1,3}\s*[.、．)）]|[(（]\d{1,3}[)）])\s*")
LIST_SEPARATORS = re.compile(r"[、，,；;\n]+")
# Open and close dates of a window: 2026-03-01至2026-05-31, 2026年3月1日至2026年5月31日, ~ or －.
RANGE_SEPARATOR = re.compile(r"\s*(?:至|到|~|～|—|－)\s*")
ANNUAL = re.compile(r"^每年(\d{1,2})月(\d{1,2})日(?:至|到)(次年)?(\d{1,2})月(\d{1,2})日$")
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"]
YES = {"是", "√", "✓", "y", "yes", "true", "1"}
NO = {"否", "", "×", "n", "no", "false", "0"}


class SheetError(Exception):
    """The file as a whole cannot be read; the message says why, in Chinese."""


@dataclass
class Row:
    """One data row of the sheet and what became of it."""

    number: int
    code: str = ""
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # (column header, message)
    cleaned: dict = field(default_factory=dict)
    policy: Policy | None = None
    existing: bool = False

    def error(self, header, message):
        self.errors.append((str(header), str(message)))


# Readers: cell value -> Python value, raising ValueError with a Chinese message.


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\r\n", "\n").strip()


def _lines(value):
    return [NUMBERING.sub("", line).strip() for line in _text(value).split("\n") if line.strip()]


def read_date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("“%(text)s”不是有效日期，请写成 2026-03-01 这样的格式。") % {"text": text})


def read_decimal(value):
    if value in (None, ""):
        return None
    text = _text(value).replace(",", "").replace("，", "").removesuffix("元").removesuffix("%")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("“%(text)s”不是数字。") % {"text": _text(value)}) from None
    if not number.is_finite():
        raise ValueError(_("“%(text)s”不是数字。") % {"text": _text(value)})
    return number


def read_edition(value):
    if value in (None, ""):
        return DEFAULT_EDITION
    text = _text(value).removesuffix("版").removesuffix("年")
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(_("版次请填四位年份，如 2026。"))
    return int(text)


def read_bool(value):
    text = _text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(_("请填“是”或“否”。"))


def _choice(choices, what, blank=""):
    labels = {str(label): value for value, label in choices}

    def read(value):
        text = _text(value)
        if not text:
            return blank
        if text in labels:
            return labels[text]
        raise ValueError(
            _("%(what)s“%(text)s”无法识别，可填：%(allowed)s。")
            % {"what": what, "text": text, "allowed": "、".join(labels)}
        )

    return read


def read_period(value):
    """申请时间 in the words the printed list (and `Policy.period_display`) uses."""
    text = re.sub(r"\s+", "", _text(value))
    if text in ("", str(Period.ALWAYS.label)):
        return {"period_mode": Period.ALWAYS}
    if text == str(Period.NO_APPLICATION.label):
        return {"period_mode": Period.NO_APPLICATION}
    if match := ANNUAL.match(text):
        om, od, _next_year, cm, cd = match.groups()
        return {
            "period_mode": Period.ANNUAL,
            "annual_open_month": int(om),
            "annual_open_day": int(od),
            "annual_close_month": int(cm),
            "annual_close_day": int(cd),
        }
    parts = RANGE_SEPARATOR.split(text)
    if len(parts) == 2 and all(re.match(r"^\d{4}", part) for part in parts):
        return {
            "period_mode": Period.WINDOW,
            "window_opens": read_date(parts[0]),
            "window_closes": read_date(parts[1]),
        }
    raise ValueError(
        _(
            "无法识别“%(text)s”。可填：常年受理、免申即享、2026-03-01至2026-05-31、"
            "每年3月1日至5月31日。"
        )
        % {"text": _text(value)}
    )


def read_materials(value):
    forms = _choice(Material.Form.choices, _("形式"))
    items = []
    for number, line in enumerate(_lines(value), start=1):
        name, form, copies, note = [*PART.split(line, maxsplit=3), "", "", ""][:4]
        try:
            item = Material(
                order=number,
                name=name,
                form=forms(form) or Material.Form.ORIGINAL,
                copies=_copies(copies),
                note=note,
            )
        except ValueError as error:
            raise ValueError(_("第%(n)s项：%(error)s") % {"n": number, "error": error}) from None
        items.append(item)
    return items


def _copies(text):
    text = text.removesuffix("份").strip()
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise ValueError(_("份数“%(text)s”应为正整数。") % {"text": text})
    return int(text)


def read_steps(value):
    steps = []
    for number, line in enumerate(_lines(value), start=1):
        title, detail = [*PART.split(line, maxsplit=1), ""][:2]
        steps.append(Step(order=number, title=title, detail=detail))
    return steps


def _reference(model, what, *fields):
    """A reader that finds one `model` row whose `fields` equals the text."""

    def read(value):
        text = _text(value)
        if not text:
            return None
        condition = Q()
        for name in fields:
            condition |= Q(**{name: text})
        found = list(model.objects.filter(condition)[:2])
        if len(found) == 1:
            return found[0]
        if not found:
            raise ValueError(_("没有名为“%(text)s”的%(what)s。") % {"text": text, "what": what})
        raise ValueError(
            _("“%(text)s”对应多个%(what)s，请填写全称。") % {"text": text, "what": what}
        )

    read.reads_database = True  # check_rows reads each distinct value once
    return read


def _tags(model, what):
    def read(value):
        names = [name.strip() for name in LIST_SEPARATORS.split(_text(value)) if name.strip()]
        found = {tag.name: tag for tag in model.objects.filter(name__in=names)}
        unknown = [name for name in names if name not in found]
        if unknown:
            raise ValueError(
                _("没有这些%(what)s：%(names)s。") % {"what": what, "names": "、".join(unknown)}
            )
        return [found[name] for name in names]

    read.reads_database = True
    return read


# Writers: Policy (with its related rows prefetched) -> cell value.


def _number(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def write_materials(policy):
    lines = []
    for item in policy.materials.all():
        parts = [item.name, item.get_form_display(), str(item.copies)]
        if item.note:
            parts.append(item.note)
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def write_steps(policy):
    return "\n".join(
        f"{step.title} | {step.detail}" if step.detail else step.title
        for step in policy.steps.all()
    )


def _names(attribute):
    return lambda policy: "、".join(tag.name for tag in getattr(policy, attribute).all())


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # the Policy field it fills, or a name of its own (materials, period …)
    read: object
    write: object
    help: str
    required: bool = False
    width: int = 14
    fields: tuple = ()  # model fields whose validation errors belong to this column


def _plain(name, width=14, required=False, help=""):
    return Column(
        header=Policy._meta.get_field(name).verbose_name,
        key=name,
        read=_text,
        write=lambda policy: getattr(policy, name),
        help=help,
        required=required,
        width=width,
    )


def _tag_column(name, help):
    """A tag set (受益对象, 行业, 企业类型) as names joined by 、."""
    field = Policy._meta.get_field(name)
    return Column(
        field.verbose_name, name, _tags(field.related_model, field.verbose_name), _names(name), help
    )


def _amount(name, header):
    return Column(
        header,
        name,
        read_decimal,
        lambda policy: _number(getattr(policy, name)),
        gettext_lazy("数字，不带单位。"),
    )


def _date_column(name, help=""):
    return Column(
        Policy._meta.get_field(name).verbose_name,
        name,
        read_date,
        lambda policy: getattr(policy, name),
        help or gettext_lazy("日期，如 2026-03-01。"),
        width=12,
    )


# The printed list's columns first, in its order; then what the portal holds besides.
COLUMNS = [
    _plain("code", 12, True, gettext_lazy("如 BL-LM-001；同一版次内不能重复。")),
    _plain("name", 24, True),
    Column(
        gettext_lazy("所属领域"),
        "domain",
        _reference(Domain, gettext_lazy("领域"), "name"),
        lambda policy: policy.domain.name,
        gettext_lazy("领域名称，见“可选值”工作表。"),
        required=True,
        width=12,
    ),
    Column(
        gettext_lazy("适用地区"),
        "region",
        _reference(Region, gettext_lazy("地区"), "name", "slug"),
        lambda policy: policy.region.name,
        gettext_lazy("分册所属的市、县（区）或功能区名称，如 博罗县。"),
        required=True,
        width=12,
    ),
    Column(
        gettext_lazy("主管部门"),
        "department",
        _reference(Department, gettext_lazy("主管部门"), "name", "short_name"),
        lambda policy: policy.department.name if policy.department else "",
        gettext_lazy("部门全称或简称，见“可选值”工作表。"),
        width=18,
    ),
    _plain("eligibility", 40, True),
    _plain("benefit", 40, True),
    Column(
        gettext_lazy("申报材料"),
        "materials",
        read_materials,
        write_materials,
        gettext_lazy(
            "每行一项：名称 | 形式 | 份数 | 备注，后三项可省略。形式可填：原件、复印件、"
            "原件及复印件、电子材料。"
        ),
        width=40,
    ),
    Column(
        gettext_lazy("申请流程"),
        "steps",
        read_steps,
        write_steps,
        gettext_lazy("每行一步：步骤 | 说明，说明可省略。"),
        width=40,
    ),
    Column(
        gettext_lazy("申请时间"),
        "period",
        read_period,
        lambda policy: str(policy.period_display),
        gettext_lazy(
            "常年受理、免申即享、2026-03-01至2026-05-31，或 每年3月1日至5月31日"
            "（跨年写 每年11月1日至次年1月31日）。"
        ),
        width=22,
        fields=tuple(PERIOD_FIELDS),
    ),
    _plain("phone", 16, help=gettext_lazy("留空则显示主管部门电话。")),
    _plain("basis_title", 30, help=gettext_lazy("文件名称。")),
    _plain("basis_number", 16, help=gettext_lazy("如 惠府〔2021〕12号。")),
    Column(
        gettext_lazy("一卡通"),
        "one_card",
        read_bool,
        lambda policy: _("是") if policy.one_card else _("否"),
        gettext_lazy("资金通过社会保障卡发放填“是”，否则填“否”或留空。"),
        width=8,
    ),
    Column(
        Policy._meta.get_field("edition").verbose_name,
        "edition",
        read_edition,
        lambda policy: policy.edition,
        format_lazy(
            gettext_lazy("四位年份；留空为 {year}。"),
            year=Policy._meta.get_field("edition").default,
        ),
        width=10,
    ),
    _plain("summary", 30),
    _tag_column("audiences", gettext_lazy("用顿号分隔，如 老年人、残疾人。")),
    _tag_column("sectors", gettext_lazy("用顿号分隔。")),
    _tag_column("enterprise_types", gettext_lazy("用顿号分隔。")),
    Column(
        Policy._meta.get_field("amount_kind").verbose_name,
        "amount_kind",
        _choice(Amount.choices, gettext_lazy("金额类型"), blank=Amount.NONE),
        lambda policy: policy.get_amount_kind_display(),
        gettext_lazy("无固定金额、定额、区间或比例；留空为无固定金额。"),
        width=12,
    ),
    _amount("amount_min", Policy._meta.get_field("amount_min").verbose_name),
    _amount("amount_max", Policy._meta.get_field("amount_max").verbose_name),
    Column(
        Policy._meta.get_field("amount_unit").verbose_name,
        "amount_unit",
        _choice(Unit.choices, gettext_lazy("计发周期")),
        lambda policy: policy.get_amount_unit_display() if policy.amount_unit else "",
        gettext_lazy("每月、每年或一次性。"),
        width=10,
    ),
    _amount("amount_cap", Policy._meta.get_field("amount_cap").verbose_name),
    _plain("exclusive_group", 10),
    _plain("online_url", 30),
    _plain("offline_place", 30),
    _plain("period_note", 20),
    _plain("basis_url", 30),
    _date_column("valid_from"),
    _date_column("valid_until"),
    _date_column("last_reviewed_on"),
    Column(
        Policy._meta.get_field("parent").verbose_name,
        "parent",
        _text,
        lambda policy: policy.parent.code if policy.parent else "",
        gettext_lazy("县（区）条目细化市级政策时，填总册中原条目的编号（同一版次）。"),
        width=12,
    ),  # 基本公共服务 items only (a domain of that list); left blank for policies.
    _plain("service_content", 30, help=gettext_lazy("仅基本公共服务项目填写：提供哪些服务。")),
    Column(
        Policy._meta.get_field("spending").verbose_name,
        "spending",
        _choice(Spending.choices, gettext_lazy("支出责任")),
        lambda policy: policy.get_spending_display() if policy.spending else "",
        gettext_lazy("仅基本公共服务项目填写：市级承担、县（区）承担或市、县（区）共同承担。"),
        width=16,
    ),
    Column(
        Policy._meta.get_field("village_standard").verbose_name,
        "village_standard",
        read_bool,
        lambda policy: _("是") if policy.village_standard else _("否"),
        gettext_lazy("每个村（居）都应提供的基本公共服务项目填“是”，否则填“否”或留空。"),
        width=10,
    ),
]
# Model fields whose validation errors belong to another column than their own.
FIELD_COLUMNS = {name: column for column in COLUMNS for name in (column.key, *column.fields)}
POLICY_FIELDS = {f.name for f in Policy._meta.concrete_fields}
DEFAULT_EDITION = Policy._meta.get_field("edition").default


def headers():
    return [str(column.header) for column in COLUMNS]


# Writing a workbook: the template (no entries) and the export (entries) are the same thing.


def build_workbook(policies, scope):
    """An .xlsx (bytes) with the entries of `policies` (an iterable, related rows prefetched)
    in the list's layout, a sheet explaining each column and a sheet of the values `scope` may
    use."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(SHEET_TITLE))
    sheet.freeze_panes = "C2"
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.append([_header_cell(sheet, column) for column in COLUMNS])
    wrap = Alignment(wrap_text=True, vertical="top")
    for policy in policies:
        row = []
        for column in COLUMNS:
            cell = WriteOnlyCell(sheet, value=column.write(policy))
            cell.alignment = wrap
            if isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            row.append(cell)
        sheet.append(row)
    _help_sheet(book)
    _values_sheet(book, scope)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header_cell(sheet, column):
    cell = WriteOnlyCell(sheet, value=str(column.header))
    cell.font = Font(bold=True, color="FFFFFF" if column.required else "000000")
    cell.fill = PatternFill("solid", fgColor="1F4E79" if column.required else "D9E1F2")
    return cell


def _help_sheet(book):
    sheet = book.create_sheet(_("填写说明"))
    for letter, width in zip("ABC", (16, 8, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([_("列名"), _("必填"), _("怎么填")])
    for column in COLUMNS:
        sheet.append([str(column.header), _("是") if column.required else "", str(column.help)])
    sheet.append([])
    sheet.append(
        [
            _("说明"),
            "",
            _(
                "第一个工作表的第一行是列名，请勿改动；每行一个条目。导入的条目都是草稿，"
                "须在后台提交审核、发布后才对外公开。已有编号的草稿会被更新；审核中、"
                "已发布或已废止的条目不会被导入覆盖。"
            ),
        ]
    )


def _values_sheet(book, scope):
    sheet = book.create_sheet(_("可选值"))
    lists = [
        (_("所属领域"), [domain.name for domain in Domain.objects.all()]),
        (_("适用地区"), [region.name for region in scope.regions()]),
        (_("主管部门"), [department.name for department in scope.departments()]),
        (_("受益对象"), [tag.name for tag in Audience.objects.all()]),
        (_("行业"), [tag.name for tag in Sector.objects.all()]),
        (_("企业类型"), [tag.name for tag in EnterpriseType.objects.all()]),
    ]
    for index in range(len(lists)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = 24
    sheet.append([title for title, _values in lists])
    longest = max(len(values) for _title, values in lists)
    for position in range(longest):
        sheet.append([values[position] if position < len(values) else None for _t, values in lists])


def export_queryset(queryset):
    """`queryset` with everything a row of the sheet reads."""
    return queryset.select_related("region", "domain", "department", "parent").prefetch_related(
        "audiences",
        "sectors",
        "enterprise_types",
        Prefetch("materials", queryset=Material.objects.order_by("order", "pk")),
        Prefetch("steps", queryset=Step.objects.order_by("order", "pk")),
    )


# Reading an uploaded workbook.


def read_workbook(data):
    """The data rows of the first sheet of an .xlsx given as bytes, each a {header: value}.

    Raises SheetError when the file is not a readable workbook, its header row does not match
    the template, it holds no data row or more than PORTAL_IMPORT_MAX_ROWS rows."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise SheetError(_("这是旧版 .xls 文件，请在 Excel 或 WPS 中“另存为” .xlsx 后再导入。"))
        raise SheetError(_("文件不是 .xlsx 格式的 Excel 工作簿，或者已经损坏。"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        # A small file that unpacks to far more is a zip bomb, not a list of policies.
        if unpacked > settings.PORTAL_IMPORT_MAX_UNPACKED_BYTES:
            raise SheetError(_("工作簿解压后过大，无法导入。"))
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            # Read-only sheets are parsed while their rows are read: damage can surface here.
            return _rows(book.worksheets[0] if book.worksheets else None)
        finally:
            book.close()
    except SheetError:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged file; all mean the same here
        raise SheetError(_("文件已损坏或不是有效的 Excel 工作簿，无法读取。")) from None


def _rows(sheet):
    lines = iter(()) if sheet is None else sheet.iter_rows(values_only=True)
    header_line = next(lines, None)
    found = [_text(value) for value in header_line or ()]
    while found and not found[-1]:
        found.pop()
    if not found:
        raise SheetError(_("工作表是空的：第一行应为列名，从第二行起每行一个条目。"))
    known = set(headers())
    unknown = [name for name in found if name and name not in known]
    if unknown:
        raise SheetError(
            _("无法识别这些列：%(names)s。请使用模板中的列名。") % {"names": "、".join(unknown)}
        )
    repeated = sorted({name for name in found if name and found.count(name) > 1})
    if repeated:
        raise SheetError(_("这些列出现了不止一次：%(names)s。") % {"names": "、".join(repeated)})
    missing = [str(c.header) for c in COLUMNS if c.required and str(c.header) not in found]
    if missing:
        raise SheetError(_("缺少必填列：%(names)s。") % {"names": "、".join(missing)})
    rows, limit = [], settings.PORTAL_IMPORT_MAX_ROWS
    for number, line in enumerate(lines, start=2):
        values = dict(zip(found, line, strict=False))
        if all(_text(value) == "" for value in values.values()):
            continue
        if len(rows) == limit:
            raise SheetError(
                _("一次最多导入 %(limit)s 行，请把表格拆开分批导入。") % {"limit": limit}
            )
        rows.append(Row(number=number, values=values))
    if not rows:
        raise SheetError(_("工作表中没有数据行：第一行是列名，请从第二行起填写条目。"))
    return rows


def check_rows(rows, scope):
    """Read and validate every row against the database and `scope`, recording each problem
    on its row; nothing is written. Rows without problems carry an unsaved `policy`.

    Reference names are looked up once per distinct value and existing codes in one query, so
    the work grows with the rows, not the queries per row."""
    memo, seen, editions = {}, {}, {}
    for row in rows:
        row.cleaned = _clean(row, memo)
        row.code = row.cleaned.get("code", _text(row.values.get(str(COLUMNS[0].header))))
        editions[row.number] = edition = row.cleaned.get("edition", DEFAULT_EDITION)
        key = (row.code, edition)
        if row.code and key in seen:
            row.error(
                COLUMNS[0].header,
                _("与第 %(row)s 行的编号重复（同一版次）。") % {"row": seen[key]},
            )
        elif row.code:
            seen[key] = row.number
    existing = {
        (policy.code, policy.edition): policy
        for policy in Policy.objects.filter(code__in={row.code for row in rows if row.code})
    }
    order = {header: n for n, header in enumerate(headers())}
    for row in rows:
        edition = editions[row.number]
        _build(row, existing.get((row.code, edition)), edition, scope)
        row.errors.sort(key=lambda error: order.get(error[0], len(order)))
    return rows


def _clean(row, memo):
    cleaned = {}
    for column in COLUMNS:
        if str(column.header) not in row.values:
            continue
        value = row.values[str(column.header)]
        if column.required and _text(value) == "":
            row.error(column.header, _("必填，不能为空。"))
            continue
        try:
            if getattr(column.read, "reads_database", False):
                memo_key = (column.key, _text(value))
                if memo_key not in memo:
                    try:
                        memo[memo_key] = column.read(value)
                    except ValueError as error:
                        memo[memo_key] = error
                if isinstance(memo[memo_key], ValueError):
                    raise memo[memo_key]
                cleaned[column.key] = memo[memo_key]
            else:
                cleaned[column.key] = column.read(value)
        except ValueError as error:
            row.error(column.header, error)
    return cleaned


def _build(row, existing, edition, scope):
    """Make the row's unsaved entry (a new draft, or the `existing` draft it updates), check it
    is in `scope` and validate it as the admin would."""
    cleaned = row.cleaned
    usable = existing is not None and existing.status == Policy.Status.DRAFT
    if existing is not None and not usable:
        row.error(
            COLUMNS[0].header,
            _(
                "编号 %(code)s（%(edition)s 版）已是“%(status)s”的条目，导入不会覆盖它；"
                "请在后台修改该条目，或换一个编号。"
            )
            % {"code": row.code, "edition": edition, "status": existing.get_status_display()},
        )
    elif usable and not scope.allows(existing):
        usable = False
        row.error(
            COLUMNS[0].header,
            _("编号 %(code)s 已被您负责范围以外的草稿使用。") % {"code": row.code},
        )
    policy = existing if usable else Policy()
    row.existing = usable
    for key, value in cleaned.items():
        if key == "period":
            for name in FIELD_COLUMNS["period"].fields:
                setattr(policy, name, None)
            for name, part in value.items():
                setattr(policy, name, part)
        elif key in POLICY_FIELDS and key != "parent":
            setattr(policy, key, value)
    policy.edition, policy.status, policy.published_at = edition, Policy.Status.DRAFT, None
    _set_parent(row, policy, cleaned, edition)
    _check_scope(row, policy, scope)
    failed = {header for header, _message in row.errors}
    try:
        # A code already taken has been reported above; the rest of the row is still checked.
        # Constraints are not re-run here (a query each per row): `Policy.clean` states the same
        # rules, codes were checked above, and the database still enforces them at write time.
        policy.full_clean(
            exclude=_unchecked(existing and not usable),
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            header = _header_of(name)
            if str(header) not in failed:
                for message in messages:
                    row.error(header, message)
    for key in ("materials", "steps"):
        for item in cleaned.get(key, []):
            try:
                item.full_clean(exclude=["policy"], validate_constraints=False)
            except ValidationError as error:
                for messages in error.message_dict.values():
                    for message in messages:
                        row.error(FIELD_COLUMNS[key].header, f"{item}：{message}")
    if not row.errors:
        row.policy = policy


def _unchecked(code_taken):
    # The references were just read from the database; checking them again costs a query each.
    return ["region", "domain", "department", "parent", *(["code"] if code_taken else [])]


def _set_parent(row, policy, cleaned, edition):
    if "parent" not in cleaned:
        return
    policy.parent = None
    if cleaned["parent"]:
        policy.parent = Policy.objects.filter(
            code=cleaned["parent"], edition=edition, region__parent__isnull=True
        ).first()
        if policy.parent is None:
            row.error(
                FIELD_COLUMNS["parent"].header,
                _("总册中没有编号为 %(code)s 的 %(edition)s 版条目。")
                % {"code": cleaned["parent"], "edition": edition},
            )


def _check_scope(row, policy, scope):
    """The entry as it would be written (sheet values over the existing draft's) must lie in
    the importer's scope: its volume and its department."""
    region = policy.region if policy.region_id else None
    department = policy.department if policy.department_id else None
    if region is not None and not scope.allows_region(region):
        row.error(
            FIELD_COLUMNS["region"].header,
            _("“%(region)s”不在您负责的范围内，不能导入。") % {"region": region.name},
        )
    if region is not None and not scope.allows_department(department):
        if department is None:
            row.error(
                FIELD_COLUMNS["department"].header,
                _("您只能导入本部门的条目，请填写主管部门。"),
            )
        else:
            row.error(
                FIELD_COLUMNS["department"].header,
                _("“%(name)s”不在您负责的范围内，不能导入。") % {"name": department.name},
            )


def _header_of(name):
    if name == NON_FIELD_ERRORS:
        return _("整行")
    column = FIELD_COLUMNS.get(name)
    return column.header if column else Policy._meta.get_field(name).verbose_name


@dataclass(frozen=True)
class Outcome:
    created: int
    updated: int


def import_rows(rows, user, note):
    """Write checked rows (none of them with an error) as drafts in one transaction: each
    entry saved one by one with `note` as its change reason (so history records every one),
    its tags, materials and steps replaced by the sheet's, then indexed for search.

    Raises IntegrityError (and writes nothing) if the database refuses any row."""
    if any(row.errors or row.policy is None for row in rows):
        raise ValueError("only rows without errors can be imported")
    with transaction.atomic():
        for row in rows:
            _write_row(row, user, note)
        for flag, existing in ((ADDITION, False), (CHANGE, True)):
            written = [row.policy for row in rows if row.existing == existing]
            if written:
                LogEntry.objects.log_actions(user.pk, written, flag, change_message=note)
        index_policies(Policy.objects.filter(pk__in=[row.policy.pk for row in rows]))
    updated = sum(row.existing for row in rows)
    return Outcome(created=len(rows) - updated, updated=updated)


def _write_row(row, user, note):
    """One row through the back office's write path (`revisions.apply`): a new version of the
    draft with its tags and inline rows, `note` as its reason and `user` as its author, and the
    entry's version raised so a change form opened before the import cannot overwrite it."""
    policy = row.policy
    current = revisions.snapshot(Policy.objects.get(pk=policy.pk)) if row.existing else None
    tags = current["tags"] if current else {name: [] for name in TAG_FIELDS}
    for name in TAG_FIELDS:
        if name in row.cleaned:
            tags[name] = sorted(getattr(tag, "pk", tag) for tag in row.cleaned[name])
    rows = {
        key: [revisions.inline_row(key, item) for item in row.cleaned[key]]
        for key in ("materials", "steps")
        if key in row.cleaned
    }
    revisions.apply(
        policy, revisions.snapshot(policy, tags=tags, rows=rows), user, note, index=False
    )
