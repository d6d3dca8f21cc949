"""基本公共服务: the third list kind, village item statuses and who may edit them, the
evaluation indicators and page."""

import csv
import datetime
import io
import json

import jsonschema
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog import access, evaluation
from catalog.models import ListKind, Message, Policy, Provision, Region, VillageItemStatus
from catalog.views import SCHEMA

from .builders import city, county, department, domain, make_message, make_policy, staff_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def theme(slug="gf-wenti", name="公共文化体育", order=8):
    return domain(slug=slug, name=name, kind=ListKind.PUBLIC_SERVICE, order=order)


def make_service(**overrides):
    fields = {
        "domain": theme(),
        "name": "农村公益电影放映",
        "eligibility": "农村居民。",
        "service_content": "在行政村放映公益电影。",
        "benefit": "每个行政村每月放映1场公益电影。",
        "spending": "shared",
    }
    fields.update(overrides)
    return make_policy(**fields)


def urban(slug="huicheng", name="惠城区", code="441302", order=1):
    region = county(slug=slug, name=name, code=code, order=order)
    Region.objects.filter(pk=region.pk).update(area=Region.Area.URBAN)
    region.refresh_from_db()
    return region


def rural(slug="longmen", name="龙门县", code="441324", order=5):
    region = county(slug=slug, name=name, code=code, order=order)
    Region.objects.filter(pk=region.pk).update(area=Region.Area.RURAL)
    region.refresh_from_db()
    return region


# The model.


def test_a_village_standard_item_must_be_a_service_item_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_policy(village_standard=True)


def test_an_unknown_spending_responsibility_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_service(spending="province")


def test_a_service_item_needs_content_and_spending_with_readable_messages():
    item = Policy(
        code="HZ-GF-900", name="x", region=city(), domain=theme(), eligibility="a", benefit="b"
    )
    with pytest.raises(ValidationError) as error:
        item.clean()
    assert error.value.message_dict == {
        "service_content": ["基本公共服务项目请填写服务内容。"],
        "spending": ["基本公共服务项目请选择支出责任。"],
    }


def test_a_policy_cannot_carry_service_fields():
    policy = Policy(
        code="HZ-LM-900",
        name="x",
        region=city(),
        domain=domain(),
        eligibility="a",
        benefit="b",
        spending="city",
    )
    with pytest.raises(ValidationError) as error:
        policy.clean()
    assert "domain" in error.value.message_dict


def test_one_status_per_region_and_item():
    item = make_service(village_standard=True)
    VillageItemStatus.objects.create(region=rural(), item=item, status=Provision.PARTLY)
    with pytest.raises(IntegrityError), transaction.atomic():
        VillageItemStatus.objects.create(region=rural(), item=item, status=Provision.PROVIDED)


def test_status_is_for_a_county_and_a_village_standard_item():
    status = VillageItemStatus(region=city(), item=make_service(village_standard=False))
    with pytest.raises(ValidationError) as error:
        status.clean()
    assert set(error.value.message_dict) == {"region", "item"}


def test_service_items_come_after_both_policy_lists_in_a_volume():
    enterprise = make_policy(domain=domain(slug="qy-a", name="甲", kind="enterprise", order=9))
    resident = make_policy(domain=domain(slug="lm-b", name="乙", kind="resident", order=9))
    service = make_service(domain=theme(order=1))
    assert enterprise.catalog_order < resident.catalog_order < service.catalog_order


# The arithmetic, by hand.


def test_partly_provided_counts_half_and_no_items_is_no_share():
    assert evaluation.village_share(provided=3, partly=2, items=5) == pytest.approx(0.8)
    assert evaluation.village_share(0, 0, 0) is None


def test_on_time_share_leaves_out_messages_not_yet_due():
    assert evaluation.on_time_share(on_time=2, received=5, open_not_due=1) == 0.5
    assert evaluation.on_time_share(0, 2, 2) is None


def test_gap_names_best_and_worst_and_each_area_mean():
    a, b, c = urban(), rural(), rural(slug="boluo", name="博罗县", code="441322", order=3)
    gap = evaluation.gap([(a, 0.9), (b, 0.5), (c, 0.3), (city(), None)])
    assert gap.best == (a, 0.9) and gap.worst == (c, 0.3)
    assert gap.spread == pytest.approx(0.6)
    assert gap.urban == 0.9 and gap.rural == pytest.approx(0.4)
    assert gap.urban_rural == pytest.approx(0.5)


def test_gap_of_nothing_is_empty():
    gap = evaluation.gap([(urban(), None)])
    assert gap.best is None and gap.spread is None and gap.urban_rural is None


def rows_by_slug(on=TODAY):
    themes, rows, city_row = evaluation.figures(on=on)
    return themes, {row.region.slug: row for row in rows}, city_row


def test_village_coverage_per_region_from_statuses():
    town, village = urban(), rural()
    items = [make_service(village_standard=True) for _ in range(4)]
    make_service(village_standard=False)  # not a village item: not counted
    for item, status in zip(items, ["provided", "provided", "provided", "partly"], strict=True):
        VillageItemStatus.objects.create(region=town, item=item, status=status)
    for item, status in zip(items[:3], ["provided", "partly", "not_yet"], strict=True):
        VillageItemStatus.objects.create(region=village, item=item, status=status)
    _themes, rows, _city = rows_by_slug()
    assert (rows["huicheng"].provided, rows["huicheng"].partly, rows["huicheng"].items) == (3, 1, 4)
    assert rows["huicheng"].village == pytest.approx(3.5 / 4)
    # One provided, one partly, one not yet and one never recorded: 1.5 of 4.
    assert rows["longmen"].village == pytest.approx(1.5 / 4)
    assert rows["longmen"].not_yet == 2


def test_a_region_without_village_items_has_no_share_rather_than_zero():
    urban()
    make_service(village_standard=False)
    _themes, rows, _city = rows_by_slug()
    assert rows["huicheng"].items == 0 and rows["huicheng"].village is None
    assert rows["huicheng"].village_percent == "—"


def test_items_per_theme_count_the_city_volume_and_the_own_volume():
    town, village = urban(), rural()
    culture, transport = theme(), theme(slug="gf-jiaotong", name="公共交通", order=9)
    make_service(domain=culture)
    make_service(domain=culture, region=town)
    make_service(domain=transport, region=village)
    make_service(domain=transport, region=village, status=Policy.Status.DRAFT)
    themes, rows, city_row = rows_by_slug()
    assert [t.slug for t in themes] == ["gf-wenti", "gf-jiaotong"]
    assert rows["huicheng"].themes == [2, 0]
    assert rows["longmen"].themes == [1, 1]
    assert city_row.themes == [1, 0]


def test_reviewed_share_counts_the_last_twelve_months_of_the_own_volume():
    town, village = urban(), rural()
    make_policy(region=town, last_reviewed_on=TODAY - datetime.timedelta(days=365))
    make_policy(region=town, last_reviewed_on=TODAY - datetime.timedelta(days=366))
    make_policy(region=town, last_reviewed_on=None)
    make_service(region=town, last_reviewed_on=TODAY)
    _themes, rows, _city = rows_by_slug()
    assert (rows["huicheng"].reviewed, rows["huicheng"].entries) == (2, 4)
    assert rows["huicheng"].reviewed_share == 0.5
    assert rows["longmen"].entries == 0 and rows["longmen"].reviewed_share is None
    assert village.pk  # the rural region exists and simply has nothing to review


def test_supervision_figures_per_region():
    town = urban()
    entry = make_policy(region=town)
    now = timezone.now()
    on_time = make_message(entry)
    Message.objects.filter(pk=on_time.pk).update(
        status="answered", reply="好", replied_at=now, due_on=TODAY
    )
    late = make_message(entry)
    Message.objects.filter(pk=late.pk).update(
        status="answered",
        reply="好",
        replied_at=now,
        due_on=TODAY - datetime.timedelta(days=1),
    )
    make_message(entry, due_on=TODAY - datetime.timedelta(days=1))  # open and overdue
    make_message(entry, due_on=TODAY + datetime.timedelta(days=3))  # open, not yet due
    make_message(entry, created_at=now - datetime.timedelta(days=400))  # too old to count
    _themes, rows, _city = rows_by_slug()
    row = rows["huicheng"]
    assert (row.received, row.answered, row.on_time, row.overdue, row.open_not_due) == (
        4,
        2,
        1,
        1,
        1,
    )
    assert row.on_time_share == pytest.approx(1 / 3)


def test_chart_marks_the_gap_and_both_means():
    town, village = urban(), rural()
    items = [make_service(village_standard=True) for _ in range(2)]
    for item in items:
        VillageItemStatus.objects.create(region=town, item=item, status="provided")
    VillageItemStatus.objects.create(region=village, item=items[0], status="partly")
    _themes, rows, _city = evaluation.figures(on=TODAY)
    chart = evaluation.chart("village", "提供率", rows, lambda r: r.village)
    assert [bar["value"] for bar in chart["bars"]] == ["100.0%", "25.0%"]
    assert chart["bars"][0]["width"] == evaluation.BAR_SPACE
    assert [m["label"] for m in chart["markers"]] == ["城区平均 100.0%", "县域平均 25.0%"]
    assert chart["spread"]["label"] == "最高与最低相差 75.0 个百分点"
    assert "城区比县域高75.0 个百分点" in chart["summary"]


# Who may edit statuses in the admin.

STATUS_PERMS = ["view", "add", "change", "delete"]


def editor(username, **scope):
    user = staff_user(username, **scope)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="catalog",
            codename__in=[f"{p}_villageitemstatus" for p in STATUS_PERMS],
        )
    )
    return user


@pytest.fixture
def statuses():
    item = make_service(village_standard=True)
    own = VillageItemStatus.objects.create(region=rural(), item=item, status="not_yet")
    other = VillageItemStatus.objects.create(region=urban(), item=item, status="not_yet")
    return item, own, other


def change_url(status):
    return f"/admin/catalog/villageitemstatus/{status.pk}/change/"


def post_change(client, status, value):
    return client.post(change_url(status), {"status": value, "note": "已核实"})


def test_scope_roles_follow_the_staff_profile():
    assert access.scope_for(editor("c", region=city())).role == access.CITY
    assert access.scope_for(editor("l", region=rural())).role == access.COUNTY
    assert access.scope_for(editor("d", department=department())).role == access.DEPARTMENT
    assert access.scope_for(editor("n")).role is None


def test_county_staff_edit_their_own_region_only(client, statuses):
    _item, own, other = statuses
    client.force_login(editor("longmen-staff", region=rural()))
    listing = client.get("/admin/catalog/villageitemstatus/").content.decode()
    assert change_url(own) in listing and change_url(other) not in listing
    assert post_change(client, own, "partly").status_code == 302
    own.refresh_from_db()
    assert own.status == "partly"
    assert client.get(change_url(other)).status_code == 302  # not found in their scope
    post_change(client, other, "provided")
    other.refresh_from_db()
    assert other.status == "not_yet"


def test_county_staff_cannot_add_a_status_for_another_region(client, statuses):
    item, _own, _other = statuses
    VillageItemStatus.objects.all().delete()
    client.force_login(editor("longmen-staff", region=rural()))
    response = client.post(
        "/admin/catalog/villageitemstatus/add/",
        {"region": urban().pk, "item": item.pk, "status": "provided", "note": ""},
    )
    assert response.status_code == 200
    assert "只能填写本人负责的县（区）的落实情况。" in response.content.decode()
    assert not VillageItemStatus.objects.exists()


def test_county_staff_list_edit_cannot_reach_another_region(client, statuses):
    _item, own, other = statuses
    client.force_login(editor("longmen-staff", region=rural()))
    client.post(
        "/admin/catalog/villageitemstatus/",
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-0-id": own.pk,
            "form-0-status": "provided",
            "form-1-id": other.pk,
            "form-1-status": "provided",
            "_save": "保存",
        },
    )
    other.refresh_from_db()
    assert other.status == "not_yet"


def test_city_staff_edit_any_region(client, statuses):
    _item, _own, other = statuses
    client.force_login(editor("city-staff", region=city()))
    assert post_change(client, other, "provided").status_code == 302
    other.refresh_from_db()
    assert other.status == "provided"


def test_department_staff_only_look(client, statuses):
    _item, own, _other = statuses
    client.force_login(editor("dept-staff", department=department()))
    page = client.get(change_url(own))
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    assert post_change(client, own, "provided").status_code == 403
    assert client.get("/admin/catalog/villageitemstatus/add/").status_code == 403
    own.refresh_from_db()
    assert own.status == "not_yet"


def test_staff_without_a_profile_see_nothing(client, statuses):
    _item, own, _other = statuses
    client.force_login(editor("nobody"))
    assert client.get("/admin/catalog/villageitemstatus/").status_code == 403
    assert post_change(client, own, "provided").status_code == 403
    own.refresh_from_db()
    assert own.status == "not_yet"


# The kind flows through search, filters, open data and the booklet.


def test_search_finds_a_service_item_by_its_content():
    item = make_service(service_content="提供流动图书车上门借阅服务。")
    html = _get("/policies/?q=流动图书车")
    assert item.get_absolute_url() in html


def test_kind_filter_keeps_only_service_items():
    item = make_service()
    policy = make_policy()
    html = _get("/policies/?kind=public_service")
    assert item.get_absolute_url() in html and policy.get_absolute_url() not in html
    assert "基本公共服务（1）" in html


def test_open_data_carries_service_fields_and_validates():
    make_service(code="HZ-GF-001", village_standard=True)
    make_policy(code="HZ-LM-001")
    from django.test import Client

    client = Client()
    response = client.get("/open-data/policies.json")
    document = json.loads(b"".join(response.streaming_content))
    jsonschema.validate(document, SCHEMA)
    rows = {row["code"]: row for row in document["policies"]}
    assert rows["HZ-GF-001"]["list"] == "public_service"
    assert rows["HZ-GF-001"]["service"] == {
        "content": "在行政村放映公益电影。",
        "spending": "shared",
        "spending_text": "市、县（区）共同承担",
        "village_standard": True,
    }
    assert rows["HZ-LM-001"]["service"] is None
    text = b"".join(client.get("/open-data/policies.csv").streaming_content).decode("utf-8-sig")
    table = {row["编号"]: row for row in csv.DictReader(io.StringIO(text))}
    assert table["HZ-GF-001"]["支出责任"] == "市、县（区）共同承担"
    assert table["HZ-GF-001"]["村（居）标准项目"] == "是"


def test_booklet_prints_service_items_after_the_policy_lists_with_their_fields():
    make_policy(name="高龄津贴", domain=domain())
    make_service(name="公益电影", department=department())
    html = _get("/regions/huizhou/print/")
    assert html.index("利民政策 · 生活保障") < html.index("基本公共服务 · 公共文化体育")
    assert "服务内容" in html and "在行政村放映公益电影。" in html
    assert "市、县（区）共同承担" in html


def test_detail_page_shows_the_service_fields():
    item = make_service(village_standard=True, department=department())
    html = _get(item.get_absolute_url())
    for text in (
        "服务对象",
        "服务内容",
        "服务标准",
        "支出责任",
        "牵头负责单位",
        "是：每个村（居）都应提供",
    ):
        assert text in html
    assert "可以领多少" not in html


# The evaluation page.


def _get(url):
    from django.test import Client

    response = Client().get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def test_evaluation_page_shows_table_charts_and_formulas():
    town, village = urban(), rural()
    item = make_service(village_standard=True)
    VillageItemStatus.objects.create(region=town, item=item, status="provided")
    VillageItemStatus.objects.create(region=village, item=item, status="partly")
    html = _get("/evaluation/")
    assert "部分提供按一半计" in html
    assert html.count("<svg") == 4 and "<title" in html
    assert "惠城区（城区）" in html and "龙门县（县域）" in html
    assert "100.0%" in html and "50.0%" in html
    assert "最高与最低相差 50.0 个百分点" in html


def test_evaluation_page_query_count_does_not_grow(client):
    town, village = urban(), rural()

    def grow(n):
        for _ in range(n):
            item = make_service(village_standard=True)
            VillageItemStatus.objects.create(region=town, item=item, status="provided")
            make_message(make_policy(region=village))

    def count():
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/evaluation/").status_code == 200
        return len(queries)

    grow(2)
    few = count()
    grow(10)
    assert count() == few


def test_evaluation_page_changes_after_a_status_edit_and_a_new_message(client):
    town = urban()
    item = make_service(village_standard=True)
    status = VillageItemStatus.objects.create(region=town, item=item, status="not_yet")
    assert "0.0%" in _get("/evaluation/")
    client.force_login(editor("city-staff", region=city()))
    post_change(client, status, "provided")
    client.logout()
    html = _get("/evaluation/")
    assert "100.0%" in html and "1 / 0 / 0" in html
    make_message(make_policy(region=town))
    assert "1 / 0 / 0 / 0" in _get("/evaluation/")


def test_demo_has_ten_themes_forty_items_and_every_region_rated(demo):
    themes, rows, _city = evaluation.figures()
    assert len(themes) == 10
    assert Policy.objects.published().filter(domain__kind=ListKind.PUBLIC_SERVICE).count() >= 40
    assert all(row.items >= 12 for row in rows)
    assert VillageItemStatus.objects.count() == sum(row.items for row in rows)
    by_area = evaluation.gap([(row.region, row.village) for row in rows])
    assert by_area.urban > by_area.rural
