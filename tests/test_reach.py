"""Booklets, QR codes, comparison, open data, feeds, sitemap: the list leaving the site."""

import csv
import datetime
import io
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal

import jsonschema
import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image

from catalog import booklets
from catalog.models import Booklet, Material, Period, Policy, Region, Step
from catalog.views import SCHEMA

from .builders import county, day, department, enterprise_domain, make_policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def volume():
    boluo = county()
    policies = [
        make_policy(code="BL-LM-002", name="乙补贴", region=boluo),
        make_policy(code="BL-LM-001", name="甲补贴", region=boluo),
        make_policy(code="BL-QY-001", name="企业奖励", region=boluo, domain=enterprise_domain()),
        make_policy(code="BL-LM-009", name="草稿", region=boluo, status="draft", published_at=None),
        make_policy(code="HZ-LM-001", name="市级政策"),
    ]
    Material.objects.create(policy=policies[1], name="身份证", order=1)
    Step.objects.create(policy=policies[1], title="村居受理", order=1)
    return policies


def test_booklet_has_every_published_entry_of_the_volume_once_in_domain_order(client, volume):
    html = client.get("/regions/boluo/print/").content.decode()
    body = html[html.index('class="booklet-domain"') :]
    positions = [body.index(name) for name in ("企业奖励", "甲补贴", "乙补贴")]
    assert positions == sorted(positions)  # 惠企 list first, then codes in order
    for name in ("企业奖励", "甲补贴", "乙补贴"):
        assert body.count(f"{name}</h3>") == 1
    assert "草稿" not in html and "市级政策" not in html
    assert html.count('src="/policies/BL-LM-001/qr.png"') == 1
    for field in ("申领条件", "补助标准", "申报材料", "申请流程", "申请时间", "咨询电话"):
        assert field in body
    assert "博罗县分册" in html and "内容截至" in html and "目录" in html


def test_booklet_can_be_one_domain_leaflet(client, volume):
    html = client.get("/regions/boluo/print/?kind=enterprise").content.decode()
    assert "企业奖励" in html and "甲补贴" not in html


def pdf_pages(pdf):
    """The text of each page, as poppler's pdftotext lays it out."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return text.split("\f")[:-1]


def test_pdf_booklet_contents_give_the_pages_where_domains_and_entries_start(
    client, volume, settings
):
    settings.PORTAL_BASE_URL = "http://testserver"
    boluo = Region.objects.get(slug="boluo")
    assert booklets.build(boluo) == [""]
    pages = pdf_pages(bytes(Booklet.objects.get(region=boluo, part="").pdf))
    contents = next(page for page in pages if "目录" in page)
    listed = dict(re.findall(r"^\s*\d+\.\s+(\S.*?)(?:\s+第 \d+ 项起)?\s+(\d+)\s*$", contents, re.M))
    assert set(listed) == {
        "惠企政策 · 创业就业",
        "企业奖励",
        "利民政策 · 生活保障",
        "甲补贴",
        "乙补贴",
    }
    for heading in ("惠企政策 · 创业就业", "利民政策 · 生活保障"):
        page = pages[int(listed[heading]) - 1]
        assert page.strip().startswith(heading)  # a domain starts a new page
    for name in ("企业奖励", "甲补贴", "乙补贴"):
        assert f"{name}\n" in pages[int(listed[name]) - 1].replace("  ", "")
    assert booklets.build(boluo) == []  # unchanged entries are not printed again


def test_pdf_booklet_is_served_only_while_it_prints_the_current_entries(client, volume):
    boluo = Region.objects.get(slug="boluo")
    Booklet.objects.create(
        region=boluo,
        part="",
        fingerprint=booklets.fingerprint(booklets.part_entries(boluo, "")),
        pdf=b"%PDF-1.7 booklet",
        pages=4,
        built_at=datetime.datetime(2026, 11, 2, 8, 30, tzinfo=datetime.UTC),
    )
    response = client.get("/regions/boluo/print.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content == b"%PDF-1.7 booklet"
    assert 'filename="boluo.pdf"' in response["Content-Disposition"]
    assert (
        client.get(
            "/regions/boluo/print.pdf", headers={"If-None-Match": response["ETag"]}
        ).status_code
        == 304
    )
    html = client.get("/regions/boluo/print/").content.decode()
    assert 'href="/regions/boluo/print.pdf"' in html and "4 页" in html

    make_policy(code="BL-LM-003", name="丙补贴", region=boluo)  # published after the PDF
    assert client.get("/regions/boluo/print.pdf").status_code == 404
    # A page number that is a digit to str.isdigit() but not to int() is not found, not a 500.
    slug = Policy.objects.filter(region=boluo).first().domain.slug
    assert client.get("/regions/boluo/print.pdf", {"domain": slug, "page": "²"}).status_code == 404
    html = client.get("/regions/boluo/print/").content.decode()
    assert "print.pdf" not in html and "尚未按最新内容生成" in html


def test_a_volume_past_the_booklet_size_is_printed_in_parts_by_domain(client, volume, settings):
    settings.PORTAL_BOOKLET_MAX = 1
    boluo = Region.objects.get(slug="boluo")
    assert booklets.parts(boluo) == [
        "domain=qy-chuangye",
        "domain=lm-shenghuo",
        "domain=lm-shenghuo&page=2",
    ]
    html = client.get("/regions/boluo/print/").content.decode()
    assert "企业奖励</h3>" not in html and "甲补贴</h3>" not in html  # contents of the parts only
    for part in booklets.parts(boluo):
        assert f'href="?{part.replace("&", "&amp;")}"' in html
    second = client.get("/regions/boluo/print/?domain=lm-shenghuo&page=2").content.decode()
    assert "乙补贴</h3>" in second and "甲补贴</h3>" not in second
    assert client.get("/regions/boluo/print/?domain=lm-shenghuo&page=3").status_code == 404
    assert client.get("/regions/boluo/print/?domain=nope").status_code == 404


def test_qr_code_decodes_to_the_absolute_address_of_the_entry(client, volume):
    response = client.get("/policies/BL-LM-001/qr.png")
    assert response["Content-Type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert [code.text for code in decoded] == ["http://testserver/policies/BL-LM-001/"]


def test_qr_code_uses_the_configured_public_address(client, volume, settings):
    settings.PORTAL_BASE_URL = "https://zhengce.example.gov.cn"
    response = client.get("/policies/BL-LM-002/qr.png")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert decoded[0].text == "https://zhengce.example.gov.cn/policies/BL-LM-002/"


def test_qr_code_of_unknown_entry_is_404(client):
    assert client.get("/policies/NOPE/qr.png").status_code == 404


def test_detail_page_is_ready_to_share(client, volume):
    html = client.get("/policies/BL-LM-001/").content.decode()
    assert '<meta property="og:title" content="甲补贴">' in html
    assert 'value="http://testserver/policies/BL-LM-001/"' in html
    assert 'src="/policies/BL-LM-001/qr.png"' in html


def stream(response):
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def test_open_data_json_validates_and_round_trips_every_field(client):
    policy = make_policy(
        code="HZ-LM-050",
        name="高龄津贴",
        summary="一句话",
        department=department(phone="0752-1234567（示例）"),
        amount_kind="range",
        amount_min=Decimal(100),
        amount_max=Decimal(500),
        amount_unit="month",
        period_mode=Period.ANNUAL,
        annual_open_month=11,
        annual_open_day=1,
        annual_close_month=1,
        annual_close_day=31,
        one_card=True,
        basis_title="某办法",
        basis_number="惠府〔2021〕1号（示例）",
        last_reviewed_on=day("2026-05-01"),
    )
    Material.objects.create(policy=policy, name="身份证", form="both", copies=2, order=1)
    Step.objects.create(policy=policy, title="申请", detail="到村居", order=1)
    document = json.loads(stream(client.get("/open-data/policies.json")))
    jsonschema.validate(document, SCHEMA)
    [row] = document["policies"]
    assert row["code"] == "HZ-LM-050" and row["edition"] == policy.edition
    assert row["url"] == "http://testserver/policies/HZ-LM-050/"
    assert row["region"] == {"slug": "huizhou", "code": "441300", "name": "惠州市"}
    assert row["amount"] == {
        "kind": "range",
        "min": 100.0,
        "max": 500.0,
        "unit": "month",
        "cap": None,
        "text": "每月100至500元",
    }
    assert row["materials"] == [{"name": "身份证", "form": "both", "copies": 2, "note": ""}]
    assert row["steps"] == [{"title": "申请", "detail": "到村居"}]
    assert row["period"]["annual_opens"] == "11-01" and row["period"]["annual_closes"] == "01-31"
    assert row["one_card"] is True and row["no_application"] is False
    assert row["phone"] == "0752-1234567（示例）"
    assert row["basis"]["number"] == "惠府〔2021〕1号（示例）"
    assert row["last_reviewed_on"] == "2026-05-01"
    assert datetime.datetime.fromisoformat(row["updated_at"]) == policy.updated_at


def test_open_data_honours_the_list_filters_and_hides_unpublished(client, volume):
    document = json.loads(stream(client.get("/open-data/policies.json?region=boluo&scope=volume")))
    assert sorted(p["code"] for p in document["policies"]) == [
        "BL-LM-001",
        "BL-LM-002",
        "BL-QY-001",
    ]
    document = json.loads(stream(client.get("/open-data/policies.json?kind=enterprise")))
    assert [p["code"] for p in document["policies"]] == ["BL-QY-001"]


def test_open_data_csv_has_a_bom_and_parses(client, volume):
    text = stream(client.get("/open-data/policies.csv?region=boluo&scope=volume"))
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [r["编号"] for r in rows] == ["BL-LM-001", "BL-LM-002", "BL-QY-001"]
    assert rows[0]["申报材料"] == "身份证"
    assert rows[0]["分册代码"] == "441322"


def test_atom_feed_lists_changes_newest_first_and_honours_filters(client, volume):
    volume[0].save()  # touched last
    root = ET.fromstring(client.get("/feeds/policies.atom?region=boluo&scope=volume").content)
    atom = "{http://www.w3.org/2005/Atom}"
    assert root.tag == f"{atom}feed"
    titles = [e.find(f"{atom}title").text for e in root.findall(f"{atom}entry")]
    assert titles[0] == "乙补贴（博罗县分册）"
    assert len(titles) == 3 and not any("市级" in t for t in titles)


def test_calendar_has_dated_and_yearly_windows(client):
    make_policy(
        code="W",
        name="限时",
        period_mode=Period.WINDOW,
        window_opens=day("2026-03-01"),
        window_closes=day("2026-04-30"),
    )
    make_policy(
        code="A",
        name="每年",
        period_mode=Period.ANNUAL,
        annual_open_month=11,
        annual_open_day=1,
        annual_close_month=1,
        annual_close_day=31,
    )
    make_policy(code="ALWAYS", name="常年")
    cal = Calendar.from_ical(client.get("/feeds/policies.ics").content)
    events = {e["summary"]: e for e in cal.walk("VEVENT")}
    assert set(events) == {"限时（申报期）", "每年（申报期）"}
    assert events["限时（申报期）"].decoded("dtstart") == day("2026-03-01")
    assert events["限时（申报期）"].decoded("dtend") == day("2026-05-01")
    yearly = events["每年（申报期）"]
    assert yearly["rrule"]["FREQ"] == ["YEARLY"]
    assert (yearly.decoded("dtend") - yearly.decoded("dtstart")).days == 92  # 1 Nov – 31 Jan
    one = Calendar.from_ical(client.get("/policies/W/calendar.ics").content)
    assert [e["summary"] for e in one.walk("VEVENT")] == ["限时（申报期）"]


@pytest.mark.parametrize(
    "codes, shown, message",
    [
        ("BL-LM-001", 0, "请选择 2 至 4 项政策"),
        ("BL-LM-001,BL-LM-002,BL-QY-001,HZ-LM-001", 4, ""),
        ("BL-LM-001,BL-LM-002,BL-QY-001,HZ-LM-001,HZ-LM-900", 4, "没有找到已发布的政策：HZ-LM-900"),
        ("BL-LM-009,NOPE,%00,bl-lm-001", 0, "没有找到已发布的政策：BL-LM-009、NOPE"),
    ],
)
def test_compare(client, volume, codes, shown, message):
    html = client.get(f"/compare/?codes={codes}").content.decode()
    assert html.count('<th scope="col"><a href') == shown
    assert message in html


def test_compare_keeps_at_most_four_and_merges_materials(client, volume):
    extra = make_policy(code="HZ-LM-002", name="第五项")
    Material.objects.create(policy=extra, name="身份证", order=1)
    codes = "&".join(
        f"codes={c}" for c in ["BL-LM-001", "HZ-LM-002", "BL-LM-002", "BL-QY-001", "HZ-LM-001"]
    )
    html = client.get(f"/compare/?{codes}").content.decode()
    assert "已略去后面的 1 项" in html
    assert html.count("<li>身份证") == 1
    assert "甲补贴、第五项" in html


def test_sitemap_and_robots(client, volume):
    xml = client.get("/sitemap.xml").content.decode()
    assert "http://testserver/policies/BL-LM-001/" in xml
    assert "BL-LM-009" not in xml
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    assert "Disallow: /admin/" in robots


def test_open_data_page_documents_every_field(client):
    html = client.get("/open-data/").content.decode()
    for field in SCHEMA["$defs"]["policy"]["properties"]:
        assert f"<code>{field}</code>" in html
