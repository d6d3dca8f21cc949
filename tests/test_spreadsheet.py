"""Excel import, export and template in the admin, with real .xlsx files made by openpyxl."""

import io
import zipfile

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from catalog import access, spreadsheet
from catalog.models import Audience, Department, ListKind, Material, Period, Policy

from .builders import city, county, day, department, domain, make_policy, staff_user

pytestmark = pytest.mark.django_db

IMPORT = "/admin/catalog/policy/import/"
EXPORT = "/admin/catalog/policy/export/"
TEMPLATE = "/admin/catalog/policy/import/template/"
HEADERS = spreadsheet.headers()


def editor(username, region=None, department=None, superuser=False):
    """A staff account in the role its profile implies (city, county or department staff)."""
    return staff_user(username, region=region, department=department, superuser=superuser)


def row(**values):
    """One row of the sheet as {header: value}: a valid 博罗县 entry unless overridden."""
    base = {
        "编号": "BL-LM-101",
        "政策名称": "博罗县困难群众临时救助",
        "所属领域": "生活保障",
        "适用地区": "博罗县",
        "主管部门": "博罗县民政局",
        "申领条件": "博罗县户籍，因突发事件导致基本生活暂时困难的家庭。",
        "补助标准": "一般不超过当地月低保标准的6倍。",
        "申报材料": "1. 身份证 | 原件及复印件 | 2\n2. 户口簿 | 复印件\n困难情况说明",
        "申请流程": "申请 | 向镇（街道）提出书面申请\n审核\n发放",
        "申请时间": "2026-03-01至2026-05-31",
        "咨询电话": "0752-6123456",
        "政策依据": "博罗县临时救助实施办法",
        "文号": "博府〔2025〕3号",
        "一卡通": "是",
    }
    base.update(values)
    return base


def xlsx(*rows, headers=None):
    book = Workbook()
    sheet = book.active
    headers = headers or list(rows[0]) if rows else headers or HEADERS
    sheet.append(headers)
    for values in rows:
        sheet.append([values.get(header) for header in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, data, note="2026年版清单导入", name="清单.xlsx"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, data), "note": note})


def problems(response):
    """The error table as [(row, code, column, message)]."""
    html = response.content.decode()
    assert 'id="import-errors"' in html, html[-3000:]
    return response.context["failed"]


@pytest.fixture
def boluo():
    region = county()
    Department.objects.create(
        slug="boluo-minzheng", name="博罗县民政局", short_name="县民政局", region=region
    )
    domain()
    return region


@pytest.fixture
def county_client(client, boluo):
    client.force_login(editor("boluo-editor", region=boluo))
    return client


def test_dry_run_lists_every_rows_problems_in_chinese_and_writes_nothing(county_client):
    county("huicheng", "惠城区", "441302", 1)
    make_policy(code="BL-LM-900", region=county())
    data = xlsx(
        row(),
        row(**{"编号": "BL-LM-102", "所属领域": "宇宙探索"}),
        row(**{"编号": "BL-LM-103", "适用地区": "惠城区", "主管部门": ""}),
        row(**{"编号": "BL-LM-104", "主管部门": "博罗县外星局"}),
        row(**{"编号": "BL-LM-105", "申请时间": "2026-02-30至2026-03-31"}),
        row(),
        row(**{"编号": "BL-LM-900"}),
        row(**{"编号": "BL-LM-106", "政策名称": ""}),
        row(**{"编号": "BL-LM-107", "一卡通": "也许", "申报材料": "身份证 | 扫描件"}),
    )
    response = upload(county_client, data)
    assert response.status_code == 200
    found = {r.number: [message for _header, message in r.errors] for r in problems(response)}
    assert found == {
        3: ["没有名为“宇宙探索”的领域。"],
        4: ["“惠城区”不在您负责的范围内，不能导入。"],
        5: ["没有名为“博罗县外星局”的主管部门。"],
        6: ["“2026-02-30”不是有效日期，请写成 2026-03-01 这样的格式。"],
        7: ["与第 2 行的编号重复（同一版次）。"],
        8: [
            "编号 BL-LM-900（2021 版）已是“已发布”的条目，导入不会覆盖它；"
            "请在后台修改该条目，或换一个编号。"
        ],
        9: ["必填，不能为空。"],
        10: [
            "第1项：形式“扫描件”无法识别，可填：原件、复印件、原件及复印件、电子材料。",
            "请填“是”或“否”。",
        ],
    }
    html = response.content.decode()
    assert "第 8 行" in html and "这次没有写入任何内容" in html
    assert 'name="confirm"' not in html
    assert list(Policy.objects.values_list("code", flat=True)) == ["BL-LM-900"]
    assert "policy_import" not in county_client.session


def test_confirmed_import_creates_drafts_with_history_note_and_search(county_client):
    Audience.objects.create(slug="old", name="老年人")
    data = xlsx(row(**{"受益对象": "老年人"}), row(**{"编号": "BL-LM-102", "申请时间": "免申即享"}))
    checked = upload(county_client, data, note="2026年版年度更新")
    assert checked.context["failed"] == []
    assert "确认导入 2 个草稿" in checked.content.decode()
    assert not Policy.objects.exists()

    response = county_client.post(IMPORT, {"confirm": checked.context["token"]})
    assert response.status_code == 302
    assert response["Location"].endswith("?status__exact=draft")
    policy = Policy.objects.get(code="BL-LM-101")
    assert (policy.status, policy.published_at) == (Policy.Status.DRAFT, None)
    assert policy.region == county() and policy.department.name == "博罗县民政局"
    assert (policy.period_mode, policy.window_opens) == (Period.WINDOW, day("2026-03-01"))
    assert policy.one_card is True
    assert [(m.name, m.form, m.copies) for m in policy.materials.order_by("order")] == [
        ("身份证", Material.Form.BOTH, 2),
        ("户口簿", Material.Form.COPY, 1),
        ("困难情况说明", Material.Form.ORIGINAL, 1),
    ]
    assert [(s.title, s.detail) for s in policy.steps.order_by("order")] == [
        ("申请", "向镇（街道）提出书面申请"),
        ("审核", ""),
        ("发放", ""),
    ]
    assert list(policy.audiences.values_list("name", flat=True)) == ["老年人"]
    version = policy.history.get()
    assert version.history_change_reason == "2026年版年度更新"
    assert version.history_user.username == "boluo-editor"
    assert LogEntry.objects.get(object_id=str(policy.pk)).action_flag == ADDITION
    assert "救助" in policy.search_document
    assert Policy.objects.get(code="BL-LM-102").period_mode == Period.NO_APPLICATION
    # The same confirmation cannot be replayed.
    again = county_client.post(IMPORT, {"confirm": checked.context["token"]})
    assert again.status_code == 302 and Policy.objects.count() == 2


def test_an_existing_draft_in_scope_is_updated_and_keeps_its_history(county_client):
    draft = make_policy(
        code="BL-LM-101", region=county(), status=Policy.Status.DRAFT, published_at=None
    )
    Material.objects.create(policy=draft, order=1, name="旧材料")
    checked = upload(county_client, xlsx(row(**{"政策名称": "改过名的救助"})))
    assert checked.context["updated"] == 1
    assert "更新草稿" in checked.content.decode()
    county_client.post(IMPORT, {"confirm": checked.context["token"]})
    draft.refresh_from_db()
    assert draft.name == "改过名的救助"
    assert "旧材料" not in draft.materials.values_list("name", flat=True)
    assert draft.history.latest().history_change_reason == "2026年版清单导入"


def test_a_failure_while_writing_rolls_back_every_row(county_client, boluo):
    rows = spreadsheet.check_rows(
        spreadsheet.read_workbook(xlsx(row(), row(**{"编号": "BL-LM-102"}))),
        access.scope_for(User.objects.get(username="boluo-editor")),
    )
    assert all(not r.errors for r in rows)
    # Someone else takes the second code between the check and the write.
    make_policy(code="BL-LM-102", region=boluo)
    with pytest.raises(ValidationError, match="编号"):
        spreadsheet.import_rows(rows, User.objects.get(username="boluo-editor"), "导入")
    assert list(Policy.objects.values_list("code", flat=True)) == ["BL-LM-102"]
    assert Material.objects.count() == 0


def test_confirming_after_the_database_changed_checks_again_and_writes_nothing(
    county_client, boluo
):
    checked = upload(county_client, xlsx(row(), row(**{"编号": "BL-LM-102"})))
    make_policy(code="BL-LM-102", region=boluo)
    response = county_client.post(IMPORT, {"confirm": checked.context["token"]})
    assert response.status_code == 200
    assert "检查之后数据库有了变化" in response.content.decode()
    assert [r.number for r in response.context["failed"]] == [3]
    assert list(Policy.objects.values_list("code", flat=True)) == ["BL-LM-102"]


def test_a_department_editor_imports_only_its_own_departments_entries(client, boluo):
    own = Department.objects.get(slug="boluo-minzheng")
    Department.objects.create(slug="boluo-renshe", name="博罗县人社局", region=boluo)
    client.force_login(editor("minzheng-editor", department=own))
    data = xlsx(
        row(),
        row(**{"编号": "BL-LM-102", "主管部门": "博罗县人社局"}),
        row(**{"编号": "BL-LM-103", "主管部门": ""}),
    )
    found = {r.number: r.errors for r in problems(upload(client, data))}
    assert found == {
        3: [("主管部门", "“博罗县人社局”不在您负责的范围内，不能导入。")],
        4: [("主管部门", "您只能导入本部门的条目，请填写主管部门。")],
    }


def test_a_draft_outside_the_scope_is_not_overwritten(county_client):
    make_policy(code="BL-LM-101", status=Policy.Status.DRAFT, published_at=None)  # city draft
    found = problems(upload(county_client, xlsx(row())))
    assert found[0].errors == [("编号", "编号 BL-LM-101 已被您负责范围以外的草稿使用。")]


def test_staff_without_a_scope_or_without_add_permission_cannot_import(client, boluo):
    client.force_login(editor("nowhere"))
    assert client.get(IMPORT).status_code == 403
    assert upload(client, xlsx(row())).status_code == 403
    client.force_login(staff_user("auditor", region=boluo, role=access.AUDITOR))
    assert client.get(IMPORT).status_code == 403
    assert not Policy.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"code,name\nBL-1,x\n", "文件不是 .xlsx 格式的 Excel 工作簿，或者已经损坏。"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "这是旧版 .xls 文件"),
        ("truncated", "文件不是 .xlsx 格式的 Excel 工作簿，或者已经损坏。"),
        ("zip-not-xlsx", "文件已损坏或不是有效的 Excel 工作簿"),
        ("damaged-sheet", "文件已损坏或不是有效的 Excel 工作簿"),
        ("empty", "工作表是空的"),
        ("header-only", "工作表中没有数据行"),
        ("unknown-column", "无法识别这些列：备注栏"),
        ("missing-column", "缺少必填列：补助标准"),
    ],
)
def test_unreadable_files_get_a_clear_message(county_client, data, message):
    if data == "truncated":
        data = xlsx(row())[:2000]
    elif data == "zip-not-xlsx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "not a workbook")
        data = buffer.getvalue()
    elif data == "damaged-sheet":
        buffer = io.BytesIO()
        source = zipfile.ZipFile(io.BytesIO(xlsx(row())))
        with source, zipfile.ZipFile(buffer, "w") as archive:
            for item in source.infolist():
                content = source.read(item)
                if item.filename == "xl/worksheets/sheet1.xml":
                    content = content[: len(content) // 2]
                archive.writestr(item, content)
        data = buffer.getvalue()
    elif data == "empty":
        buffer = io.BytesIO()
        Workbook().save(buffer)
        data = buffer.getvalue()
    elif data == "header-only":
        data = xlsx()
    elif data == "unknown-column":
        data = xlsx({**row(), "备注栏": "x"})
    elif data == "missing-column":
        data = xlsx({k: v for k, v in row().items() if k != "补助标准"})
    response = upload(county_client, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Policy.objects.exists()


def test_too_many_rows_or_too_large_a_file_is_refused(county_client, settings):
    settings.PORTAL_IMPORT_MAX_ROWS = 2
    data = xlsx(*[row(**{"编号": f"BL-LM-{n}"}) for n in range(3)])
    assert "一次最多导入 2 行" in upload(county_client, data).content.decode()
    settings.PORTAL_IMPORT_MAX_BYTES = 100
    assert "文件超过 0 MB" in upload(county_client, data).content.decode()


def test_a_workbook_that_unpacks_to_far_more_than_its_size_is_refused(county_client, settings):
    settings.PORTAL_IMPORT_MAX_UNPACKED_BYTES = 10_000
    response = upload(county_client, xlsx(row()))
    assert "工作簿解压后过大，无法导入。" in response.content.decode()


def test_a_missing_change_note_is_asked_for(county_client):
    response = upload(county_client, xlsx(row()), note="")
    assert "请填写修改说明。" in response.content.decode()


def test_the_template_has_the_import_columns_and_the_editors_choices(county_client):
    response = county_client.get(TEMPLATE)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    first = book.worksheets[0]
    assert [cell.value for cell in first[1]] == HEADERS[: len(first[1])] == HEADERS
    assert first.max_row == 1
    assert book.sheetnames == ["政策条目", "填写说明", "可选值"]
    choices = book["可选值"]
    assert [cell.value for cell in choices["B"] if cell.value] == ["适用地区", "博罗县"]


def full_policy(**overrides):
    policy = make_policy(
        code="BL-LM-300",
        region=county(),
        department=Department.objects.get(slug="boluo-minzheng"),
        summary="一句话",
        amount_kind="range",
        amount_min=100,
        amount_max=500.5,
        amount_unit="month",
        period_mode=Period.ANNUAL,
        annual_open_month=11,
        annual_open_day=1,
        annual_close_month=1,
        annual_close_day=31,
        one_card=True,
        basis_title="某办法",
        basis_number="博府〔2025〕3号",
        basis_url="https://example.org/basis",
        valid_from=day("2026-01-01"),
        last_reviewed_on=day("2026-02-01"),
        **overrides,
    )
    policy.audiences.set([Audience.objects.create(slug="old", name="老年人")])
    Material.objects.create(policy=policy, order=1, name="身份证", form="both", copies=2)
    Material.objects.create(policy=policy, order=2, name="申请表", note="现场领取")
    policy.steps.create(order=1, title="申请", detail="到村委会")
    return policy


def snapshot(policy):
    from catalog.opendata import policies_for_export, record

    data = record(policies_for_export(Policy.objects.filter(pk=policy.pk)).get(), "")
    for key in ("url", "status", "updated_at", "published_at"):
        data.pop(key, None)
    return data


def test_export_round_trips_through_import(client, boluo):
    original = snapshot(full_policy())
    client.force_login(editor("chief", superuser=True))
    exported = client.get(EXPORT)
    assert exported.status_code == 200
    Policy.objects.all().delete()
    checked = upload(client, exported.content)
    assert checked.context["failed"] == [], checked.context["failed"]
    client.post(IMPORT, {"confirm": checked.context["token"]})
    assert snapshot(Policy.objects.get(code="BL-LM-300")) == original


def test_a_basic_public_service_item_round_trips_with_its_service_fields(client, boluo):
    theme = domain(slug="gf-yanglao", name="养老助残", kind=ListKind.PUBLIC_SERVICE, order=5)
    original = snapshot(
        full_policy(
            domain=theme, service_content="上门探访与助餐", spending="shared", village_standard=True
        )
    )
    assert original["service"]["spending"] == "shared"
    client.force_login(editor("chief", superuser=True))
    exported = client.get(EXPORT)
    headers = [cell.value for cell in load_workbook(io.BytesIO(exported.content)).active[1]]
    assert {"服务内容", "支出责任", "村（居）标准项目"} <= set(headers)
    Policy.objects.all().delete()
    checked = upload(client, exported.content)
    assert checked.context["failed"] == [], checked.context["failed"]
    client.post(IMPORT, {"confirm": checked.context["token"]})
    assert snapshot(Policy.objects.get(code="BL-LM-300")) == original


def test_export_follows_the_changelist_filters_and_the_users_scope(client, boluo):
    make_policy(code="HZ-1", region=city())
    make_policy(code="BL-1", region=boluo)
    make_policy(code="BL-2", region=boluo, status=Policy.Status.DRAFT, published_at=None)

    def codes(query=""):
        response = client.get(EXPORT + query)
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        return sorted(r[0] for r in sheet.iter_rows(min_row=2, values_only=True))

    client.force_login(editor("chief", superuser=True))
    assert codes() == ["BL-1", "BL-2", "HZ-1"]
    assert codes("?status__exact=draft") == ["BL-2"]
    assert codes("?q=BL-1") == ["BL-1"]
    client.force_login(editor("boluo-editor", region=boluo))
    assert codes() == ["BL-1", "BL-2"]
    assert client.get(EXPORT + "?no_such_filter=1").status_code == 302


def test_the_changelist_links_export_with_its_filters_import_and_template(county_client):
    html = county_client.get("/admin/catalog/policy/?status__exact=draft").content.decode()
    assert f'href="{EXPORT}?status__exact=draft"' in html
    assert f'href="{IMPORT}"' in html and f'href="{TEMPLATE}"' in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("常年受理", {"period_mode": "always"}),
        ("", {"period_mode": "always"}),
        ("免申即享", {"period_mode": "no_application"}),
        (
            "2026年3月1日至2026年5月31日",
            {
                "period_mode": "window",
                "window_opens": day("2026-03-01"),
                "window_closes": day("2026-05-31"),
            },
        ),
        (
            "2026/3/1 ~ 2026/5/31",
            {
                "period_mode": "window",
                "window_opens": day("2026-03-01"),
                "window_closes": day("2026-05-31"),
            },
        ),
        (
            "每年11月1日至次年1月31日",
            {
                "period_mode": "annual",
                "annual_open_month": 11,
                "annual_open_day": 1,
                "annual_close_month": 1,
                "annual_close_day": 31,
            },
        ),
    ],
)
def test_application_periods_are_read_in_the_words_of_the_printed_list(text, expected):
    assert spreadsheet.read_period(text) == expected


def test_an_unreadable_period_says_what_may_be_written():
    with pytest.raises(ValueError, match="可填：常年受理、免申即享"):
        spreadsheet.read_period("春节前后")


def test_model_rules_are_reported_against_their_column(county_client):
    data = xlsx(
        row(**{"金额类型": "区间", "金额（下限）": 500, "金额（上限）": 100, "计发周期": "每月"}),
        row(**{"编号": "BL-LM-102", "申请时间": "2026-05-31至2026-03-01"}),
    )
    found = {r.number: r.errors for r in problems(upload(county_client, data))}
    assert found == {
        2: [("金额（上限）", "区间上限须不小于下限。")],
        3: [("申请时间", "截止日期不能早于开始日期。")],
    }


def test_department_is_found_by_short_name_and_city_entries_by_city_staff(client, boluo):
    department()  # 惠州市民政局, short name 民政局
    client.force_login(editor("city-editor", region=city()))
    data = xlsx(row(**{"适用地区": "惠州市", "主管部门": "民政局", "编号": "HZ-LM-500"}))
    checked = upload(client, data)
    assert checked.context["failed"] == []
    client.post(IMPORT, {"confirm": checked.context["token"]})
    assert Policy.objects.get(code="HZ-LM-500").department.slug == "hz-minzheng"
