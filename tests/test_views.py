import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.models import Amount, Audience, Material, Period, Step, Unit

from .builders import county, department, domain, enterprise_domain, make_policy

pytestmark = pytest.mark.django_db


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def many_policies(n):
    elderly, _ = Audience.objects.get_or_create(slug="elderly", defaults={"name": "老年人"})
    for i in range(n):
        policy = make_policy(
            region=county() if i % 2 else None,
            domain=enterprise_domain() if i % 3 == 0 else None,
            department=department(),
            audiences=[elderly],
        )
        Material.objects.create(policy=policy, name="身份证", order=1)
        Step.objects.create(policy=policy, title="提交申请", order=1)


def query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/policies/",
        "/policies/?region=boluo&kind=resident&audience=elderly&status=open&sort=deadline&q=测试",
        "/regions/boluo/",
        "/regions/huizhou/",
    ],
)
def test_query_count_does_not_grow_with_the_catalogue(client, url):
    many_policies(3)
    few = query_count(client, url)
    many_policies(30)
    assert query_count(client, url) == few


def test_detail_query_count_does_not_grow_with_materials_or_related(client):
    policy = make_policy(department=department())
    few = query_count(client, policy.get_absolute_url())
    many_policies(20)
    for i in range(10):
        Material.objects.create(policy=policy, name=f"材料{i}", order=i)
        Step.objects.create(policy=policy, title=f"步骤{i}", order=i)
    assert query_count(client, policy.get_absolute_url()) == few


def test_home_shows_volumes_and_domains_with_counts(client):
    make_policy(region=county())
    make_policy(region=county())
    make_policy(domain=enterprise_domain())
    html = page(client, "/")
    assert "博罗县分册" in html
    assert "惠州市总册" in html
    assert "生活保障" in html and "创业就业" in html
    assert 'href="/policies/?kind=resident&amp;domain=lm-shenghuo"' in html
    assert "已发布 3 项" in html


def test_every_page_labels_demo_content_and_says_who_is_responsible(client):
    policy = make_policy()
    for url in ("/", "/policies/", policy.get_absolute_url(), "/regions/huizhou/"):
        html = page(client, url)
        assert "示例数据" in html
        assert "责任单位" in html
        assert "本页内容更新于" in html


def test_detail_reads_in_the_order_a_person_needs(client):
    policy = make_policy(
        name="高龄老人津贴",
        eligibility="本市户籍、年满80周岁的老年人。",
        benefit="80至89岁每人每月100元。",
        amount_kind=Amount.RANGE,
        amount_min=Decimal(100),
        amount_max=Decimal(500),
        amount_unit=Unit.PER_MONTH,
        one_card=True,
        department=department(phone="0752-0000000（示例）"),
        period_mode=Period.NO_APPLICATION,
    )
    Material.objects.create(policy=policy, name="居民身份证", form=Material.Form.BOTH, order=1)
    Step.objects.create(policy=policy, title="村（社区）受理", order=1)
    html = page(client, policy.get_absolute_url())
    headings = ["谁可以申请", "可以领多少", "需要带什么", "怎么办理", "什么时候办", "找谁咨询"]
    positions = [html.index(h) for h in headings]
    assert positions == sorted(positions)
    for text in (
        "年满80周岁",
        "每月100至500元",
        "居民身份证",
        "原件及复印件",
        "村（社区）受理",
        "免申即享",
        "一卡通发放",
        "0752-0000000（示例）",
    ):
        assert text in html
    assert "<title>高龄老人津贴" in html


def test_detail_without_phone_points_to_the_hotline_rather_than_inventing_one(client):
    html = page(client, make_policy().get_absolute_url())
    assert "12345" in html


def test_withdrawn_entry_keeps_its_page_with_a_banner_but_leaves_lists(client):
    policy = make_policy(name="已废止的补贴", status="withdrawn")
    html = page(client, policy.get_absolute_url())
    assert "该政策已废止" in html
    assert "已废止的补贴" not in page(client, "/policies/")
    assert "已废止的补贴" not in page(client, "/regions/huizhou/")


def test_expired_entry_keeps_its_page_with_a_banner(client):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    policy = make_policy(name="过期补贴", valid_until=yesterday)
    assert "已于" in page(client, policy.get_absolute_url())
    assert "过期补贴" not in page(client, "/policies/")


def test_drafts_are_not_public(client):
    policy = make_policy(status="draft", published_at=None)
    page(client, policy.get_absolute_url(), status=404)


def test_detail_shows_the_newest_edition(client):
    make_policy(code="HZ-LM-500", edition=2021, name="旧版")
    make_policy(code="HZ-LM-500", edition=2026, name="新版")
    html = page(client, "/policies/HZ-LM-500/")
    assert "新版" in html and "旧版" not in html


def test_county_entry_links_to_the_city_entry_it_localizes_and_back(client):
    parent = make_policy(name="市级原条目")
    child = make_policy(name="博罗县细化条目", region=county(), parent=parent)
    assert "市级原条目" in page(client, child.get_absolute_url())
    assert "博罗县细化条目" in page(client, parent.get_absolute_url())


def test_region_page_groups_both_lists_by_domain(client):
    make_policy(name="县级利民政策", region=county())
    make_policy(name="县级惠企政策", region=county(), domain=enterprise_domain())
    make_policy(name="市级政策")
    html = page(client, "/regions/boluo/")
    assert "惠企政策" in html and "利民政策" in html
    assert (
        html.index("创业就业")
        < html.index("县级惠企政策")
        < html.index("生活保障")
        < html.index("县级利民政策")
    )
    assert "市级政策" not in html


def test_list_shows_result_count_and_counted_filter_choices(client):
    make_policy(name="甲")
    make_policy(name="乙", region=county())
    html = page(client, "/policies/?region=boluo")
    assert "共 2 项政策" in html
    assert "博罗县（2）" in html


def test_pagination_keeps_the_filters(client):
    for _ in range(25):
        make_policy()
    html = page(client, "/policies/?kind=resident&sort=updated")
    assert 'href="?kind=resident&amp;sort=updated&amp;page=2"' in html
    assert "第 1 / 2 页" in html


@pytest.mark.parametrize(
    "url",
    [
        "/policies/?page=999",
        "/policies/?page=99999999999999999999999",
        "/policies/?page=abc",
        "/policies/NO-SUCH-CODE/",
        "/policies/%00/",
        "/policies/HZ%20LM/",
        "/regions/atlantis/",
    ],
)
def test_missing_pages_are_the_sites_404_page(client, url):
    make_policy()
    assert "没有找到这个页面" in page(client, url, status=404)


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=" + "长" * 500,
        "region=atlantis&domain=%00&audience[]=1",
        "status=bogus&sort=bogus&scope=everything&one_card=yes&kind=alien",
        "q=%25_%27%22\\(*",
        "region=boluo&region=huizhou",
    ],
)
def test_bad_parameters_never_break_the_list(client, query):
    make_policy(name="仍然显示")
    html = page(client, f"/policies/?{query}")
    assert "仍然显示" in html or "没有符合条件的政策" in html


def test_unknown_filter_value_is_explained(client):
    make_policy()
    assert "以下筛选条件无法识别，已忽略：地区" in page(client, "/policies/?region=atlantis")


def test_enterprise_domain_appears_only_with_its_kind(client):
    make_policy(domain=domain())
    make_policy(domain=enterprise_domain())
    html = page(client, "/policies/?kind=enterprise")
    assert "创业就业（1）" in html
    assert "生活保障（" not in html


def test_huge_results_are_counted_only_up_to_the_cap(client, monkeypatch):
    monkeypatch.setattr("catalog.pagination.RESULT_CAP", 3)
    for _ in range(5):
        make_policy(name="养老服务补贴")
    html = page(client, "/policies/?q=养老")
    assert "超过 3 项政策" in html
    assert "只列出最近更新的 3 项" in html
    assert html.count('class="card"') == 3


def test_a_large_volume_is_paged_and_a_page_past_the_end_is_404(client, monkeypatch):
    monkeypatch.setattr("catalog.views.RegionDetailView.page_size", 2)
    for name in ("甲", "乙", "丙"):
        make_policy(name=f"{name}补贴", region=county())
    first = page(client, "/regions/boluo/")
    assert "本分册收录 3 项政策" in first and "第 1 / 2 页" in first
    assert "<nav" not in first.split("</title>")[0]  # pagination lives in the page, not the title
    assert "丙补贴" not in first and "丙补贴" in page(client, "/regions/boluo/?page=2")
    page(client, "/regions/boluo/?page=3", status=404)
    page(client, "/regions/boluo/?page=x", status=404)
