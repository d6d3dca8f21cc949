"""Open data: one published entry as a record, the same for JSON and CSV, and the schema
that documents it. Records are built from a queryset read in chunks, so memory does not grow
with the catalogue."""

import csv
import io
import json

from django.conf import settings
from django.db.models import Prefetch

from .models import Material, Step

CHUNK = 500
SCHEMA_VERSION = "1.0"


def policies_for_export(queryset):
    """`queryset` with everything a record reads, in a stable order."""
    return (
        queryset.select_related("region", "domain", "department", "parent")
        .prefetch_related(
            "audiences",
            "sectors",
            "enterprise_types",
            Prefetch("materials", queryset=Material.objects.order_by("order", "pk")),
            Prefetch("steps", queryset=Step.objects.order_by("order", "pk")),
        )
        .order_by("code", "edition")
    )


def _date(value):
    return value.isoformat() if value else None


def _decimal(value):
    return None if value is None else float(value)


def record(policy, base_url):
    """Every public field of one entry, with stable codes for its region and domain."""
    department = policy.department
    return {
        "code": policy.code,
        "edition": policy.edition,
        "url": base_url + policy.get_absolute_url(),
        "name": policy.name,
        "summary": policy.summary,
        "list": policy.domain.kind,
        "region": {
            "slug": policy.region.slug,
            "code": policy.region.code,
            "name": policy.region.name,
        },
        "domain": {"slug": policy.domain.slug, "name": policy.domain.name},
        "department": {
            "slug": department.slug,
            "name": department.name,
            "phone": department.phone,
            "address": department.address,
        }
        if department
        else None,
        "localizes": policy.parent.code if policy.parent else None,
        "audiences": [tag.slug for tag in policy.audiences.all()],
        "sectors": [tag.slug for tag in policy.sectors.all()],
        "enterprise_types": [tag.slug for tag in policy.enterprise_types.all()],
        "eligibility": policy.eligibility,
        "benefit": policy.benefit,
        "amount": {
            "kind": policy.amount_kind,
            "min": _decimal(policy.amount_min),
            "max": _decimal(policy.amount_max),
            "unit": policy.amount_unit or None,
            "cap": _decimal(policy.amount_cap),
            "text": policy.amount_display,
        },
        "materials": [
            {"name": m.name, "form": m.form, "copies": m.copies, "note": m.note}
            for m in policy.materials.all()
        ],
        "steps": [{"title": s.title, "detail": s.detail} for s in policy.steps.all()],
        "online_url": policy.online_url,
        "offline_place": policy.offline_place,
        "period": {
            "mode": policy.period_mode,
            "opens": _date(policy.window_opens),
            "closes": _date(policy.window_closes),
            "annual_opens": _month_day(policy.annual_open_month, policy.annual_open_day),
            "annual_closes": _month_day(policy.annual_close_month, policy.annual_close_day),
            "note": policy.period_note,
            "text": str(policy.period_display),
        },
        "one_card": policy.one_card,
        "no_application": policy.period_mode == "no_application",
        "phone": policy.contact_phone,
        "basis": {
            "title": policy.basis_title,
            "number": policy.basis_number,
            "url": policy.basis_url,
        },
        "service": {
            "content": policy.service_content,
            "spending": policy.spending,
            "spending_text": policy.get_spending_display(),
            "village_standard": policy.village_standard,
        }
        if policy.spending
        else None,
        "status": policy.status,
        "valid_from": _date(policy.valid_from),
        "valid_until": _date(policy.valid_until),
        "published_at": policy.published_at.isoformat() if policy.published_at else None,
        "updated_at": policy.updated_at.isoformat(),
        "last_reviewed_on": _date(policy.last_reviewed_on),
    }


def _month_day(month, day):
    return f"{month:02d}-{day:02d}" if month and day else None


def json_chunks(queryset, base_url, generated_at):
    """The JSON document, piece by piece."""
    head = json.dumps(
        {
            "schema_version": SCHEMA_VERSION,
            "generated_at": generated_at.isoformat(),
            "publisher": settings.PORTAL_OWNER,
        },
        ensure_ascii=False,
    )
    yield head[:-1] + ', "policies": ['
    for n, policy in enumerate(policies_for_export(queryset).iterator(chunk_size=CHUNK)):
        yield ("," if n else "") + json.dumps(record(policy, base_url), ensure_ascii=False)
    yield "]}"


CSV_COLUMNS = [
    ("编号", "code"),
    ("版次", "edition"),
    ("政策名称", "name"),
    ("一句话说明", "summary"),
    ("清单", "list"),
    ("分册代码", "region.code"),
    ("分册", "region.name"),
    ("领域", "domain.name"),
    ("主管部门", "department.name"),
    ("申领条件", "eligibility"),
    ("补助标准", "benefit"),
    ("金额类型", "amount.kind"),
    ("金额下限", "amount.min"),
    ("金额上限", "amount.max"),
    ("计发周期", "amount.unit"),
    ("最高限额", "amount.cap"),
    ("申报材料", "materials"),
    ("申请流程", "steps"),
    ("网上办理", "online_url"),
    ("线下办理", "offline_place"),
    ("申请时间", "period.text"),
    ("申请时间方式", "period.mode"),
    ("一卡通发放", "one_card"),
    ("免申即享", "no_application"),
    ("咨询电话", "phone"),
    ("政策依据", "basis.title"),
    ("文号", "basis.number"),
    ("服务内容", "service.content"),
    ("支出责任", "service.spending_text"),
    ("村（居）标准项目", "service.village_standard"),
    ("状态", "status"),
    ("有效期起", "valid_from"),
    ("有效期止", "valid_until"),
    ("更新时间", "updated_at"),
    ("最近核对", "last_reviewed_on"),
    ("网址", "url"),
]


def _cell(row, path):
    value = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if path == "materials":
        value = "；".join(m["name"] for m in row["materials"])
    elif path == "steps":
        value = "；".join(s["title"] for s in row["steps"])
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else value


def csv_chunks(queryset, base_url):
    """The CSV file, row by row, starting with the byte order mark Excel needs for UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([title for title, _path in CSV_COLUMNS])
    yield "\ufeff" + flush()
    for policy in policies_for_export(queryset).iterator(chunk_size=CHUNK):
        row = record(policy, base_url)
        writer.writerow([_cell(row, path) for _title, path in CSV_COLUMNS])
        yield flush()
