"""The shipped demo content: complete enough to show every feature, and searchable."""

from decimal import Decimal

import pytest

from catalog import finder
from catalog.filters import PolicyFilter
from catalog.models import (
    Domain,
    ListKind,
    Period,
    Policy,
    Region,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_demo_covers_every_volume_and_domain_with_enough_entries():
    published = Policy.objects.published()
    assert published.count() >= 80
    assert set(published.values_list("region__slug", flat=True)) == set(
        Region.objects.values_list("slug", flat=True)
    )
    assert Region.objects.count() == 8
    assert Domain.objects.filter(kind=ListKind.ENTERPRISE).count() == 10
    assert Domain.objects.filter(kind=ListKind.RESIDENT).count() == 6
    assert set(published.values_list("domain__slug", flat=True)) == set(
        Domain.objects.values_list("slug", flat=True)
    )


def test_demo_shows_every_period_mode_flags_and_localizations():
    published = Policy.objects.published()
    assert set(published.values_list("period_mode", flat=True)) == set(Period.values)
    assert published.filter(one_card=True).exists()
    assert published.filter(parent__isnull=False).exclude(region__slug="huizhou").count() >= 8
    assert Policy.objects.filter(status="withdrawn").exists()


def test_every_demo_entry_passes_the_editors_validation():
    for policy in Policy.objects.all():
        policy.full_clean()


def codes(query):
    return [p.code for p in PolicyFilter({"q": query}, queryset=Policy.objects.published()).qs]


@pytest.mark.parametrize(
    "query, must, must_not",
    [
        ("养老", {"HZ-LM-008"}, {"HZ-QY-001", "HZ-LM-002"}),
        ("低保", {"HZ-LM-002", "HZ-LM-005"}, {"HZ-QY-001"}),
        ("高龄津贴", {"HZ-LM-001", "HC-LM-003", "LG-LM-005"}, {"HZ-LM-002"}),
        ("创业补贴", {"HZ-LM-028", "HZ-LM-024"}, {"HZ-LM-001"}),
        ("残疾人 护理", {"HZ-LM-007", "BL-LM-004"}, {"HZ-LM-001", "HZ-LM-024"}),
        ("80周岁", {"HZ-LM-001"}, {"HZ-LM-024"}),
        # An age finds the ranges holding it: 80周岁以上, 65周岁及以上, 年满60周岁; not 0至6岁,
        # nor 男性不超过60周岁.
        ("85岁", {"HZ-LM-001", "HZ-GF-021", "HZ-LM-013"}, {"HZ-GF-020", "HZ-LM-024"}),
        ("3岁", {"HZ-GF-020", "HZ-GF-028"}, {"HZ-LM-001", "HZ-GF-021", "HZ-LM-024"}),
        ("3-5岁", {"HZ-GF-020", "HZ-GF-028"}, {"HZ-LM-001", "HZ-LM-024"}),
        # A group finds what serves all of it (35岁及以上) or only it (年满80周岁); not
        # 男性不超过60周岁, nor for children 年满16周岁.
        ("60岁以上老人", {"HZ-LM-001", "HZ-GF-021", "HZ-LM-013"}, {"HZ-GF-020", "HZ-LM-024"}),
        ("60周岁及以上", {"HZ-LM-001", "HZ-GF-022"}, {"HZ-LM-024"}),
        ("18岁以下", {"HZ-GF-020", "HZ-GF-028"}, {"HZ-GF-011", "HZ-LM-024", "HZ-LM-001"}),
        ("不满3周岁", {"HZ-GF-020", "HZ-GF-028"}, {"HZ-GF-011", "HZ-LM-001"}),
        # Beside other words, an age also finds entries that state none (they serve every age),
        # not those stating others; alone, it finds those stating it.
        ("70岁 低保", {"HZ-LM-002"}, {"HZ-GF-020", "HZ-LM-024"}),
        ("40岁失业", {"HZ-LM-031"}, {"HZ-LM-001"}),
        ("30岁残疾人", {"HZ-LM-006"}, {"HZ-GF-028"}),
        ("35岁以下 创业", {"HZ-LM-024"}, {"HZ-LM-001"}),
        ("85岁", {"HZ-LM-001"}, {"HZ-LM-002", "HZ-GF-013"}),
        ("3000元", {"HZ-LM-028"}, {"HZ-LM-001"}),
        ("1000元", {"HZ-GF-004"}, {"HZ-LM-001"}),  # 1000至3000元之间
        ("yanglao", {"HZ-LM-008"}, {"HZ-LM-001"}),
        ("gljt", {"HZ-LM-001"}, {"HZ-LM-008"}),
        ("老人", {"HZ-LM-001", "HZ-LM-013"}, {"HZ-QY-001"}),
        ("医保", {"HZ-LM-014", "HC-LM-001"}, {"HZ-LM-001"}),
        ("xsg", {"HZ-QY-001", "HZ-QY-002"}, {"HZ-LM-001"}),
        ("孤儿", {"HZ-LM-009", "HZ-LM-010"}, {"HZ-LM-001"}),
    ],
)
def test_demo_recall(query, must, must_not):
    found = set(codes(query))
    assert must <= found, f"{query} missed {must - found}"
    assert not (must_not & found), f"{query} wrongly found {must_not & found}"


def test_name_matches_come_first_in_the_demo():
    assert codes("低保")[0] == "HZ-LM-002"
    assert codes("护理补贴")[:2] == ["HZ-LM-007", "BL-LM-004"]


def test_every_demo_page_renders(client):
    for url in ["/", "/policies/", "/policies/?kind=enterprise&status=open&sort=deadline"]:
        assert client.get(url).status_code == 200
    for region in Region.objects.all():
        assert client.get(region.get_absolute_url()).status_code == 200
    for policy in Policy.objects.reachable():
        assert client.get(policy.get_absolute_url()).status_code == 200, policy.code


def persona(who, region, **answers):
    policies = finder.candidates(who, Region.objects.get(slug=region))
    groups = finder.evaluate(policies, finder.parse_answers(who, answers))
    codes = {name: {v.policy.code for v in group} for name, group in groups.items()}
    return codes, finder.total(groups[finder.QUALIFY])


def test_persona_85_year_old_in_huicheng_on_dibao():
    codes, total = persona(
        "person",
        "huicheng",
        age="85",
        assistance="dibao",
        disability="none",
        veteran="no",
        student="none",
        farmer="no",
    )
    # The 惠城区 高龄津贴 and 医保 entries replace the city entries they localize.
    assert codes["qualify"] == {"HZ-LM-002", "HZ-LM-008", "HC-LM-003", "HC-LM-001", "HZ-LM-013"}
    assert "HZ-LM-001" not in codes["qualify"] | codes["maybe"]
    # 低保 pays the gap to the standard: 528–932 a month (rural and urban figures).
    assert (total.yearly_low, total.yearly_high) == (Decimal(10166), Decimal(15014))
    assert total.one_off_high == 0


def test_persona_two_year_old_small_manufacturer_in_zhongkai():
    codes, total = persona(
        "enterprise",
        "zhongkai",
        sector="zhizao",
        etype="xiaowei",
        employees="12",
        years_registered="2",
        high_tech="no",
        hires_graduates="yes",
    )
    assert codes["qualify"] == {
        "HZ-QY-010",
        "HZ-QY-011",
        "HZ-QY-012",
        "HZ-QY-022",
        "HZ-QY-023",
        "HZ-QY-024",
        "HZ-QY-025",
        "HZ-QY-026",
    }
    assert codes["maybe"] == {"HZ-QY-016"}  # depends on revenue, not asked
    assert (total.one_off_low, total.one_off_high) == (Decimal(52000), Decimal(80000))
    assert total.yearly_high == 0


def test_persona_new_graduate_starting_a_business_in_boluo():
    codes, total = persona(
        "person",
        "boluo",
        age="23",
        graduated_years="0",
        starting_business="yes",
        unemployed="no",
        assistance="none",
        student="none",
        farmer="no",
        disability="none",
    )
    assert codes["qualify"] == {"HZ-LM-024", "HZ-LM-025", "HZ-LM-026", "HZ-LM-027", "HZ-LM-029"}
    assert codes["maybe"] == {"HZ-LM-017"}
    assert (total.one_off_low, total.one_off_high) == (Decimal(13400), Decimal(15500))
    assert total.yearly_high == Decimal(6000)


def test_persona_result_page_renders_the_groups_and_the_total(client):
    html = client.get(
        "/finder/",
        {
            "who": "person",
            "region": "huicheng",
            "age": "85",
            "assistance": "dibao",
            "show": "results",
        },
    ).content.decode()
    assert "符合条件（" in html and "可能符合（" in html
    assert "每年约 10,166–15,014 元" in html
    assert "材料清单" in html


def test_enterprise_result_with_only_one_off_money_shows_no_yearly_zero(client):
    html = client.get(
        "/finder/",
        {
            "who": "enterprise",
            "region": "zhongkai",
            "sector": "zhizao",
            "etype": "xiaowei",
            "employees": "12",
            "years_registered": "2",
            "high_tech": "no",
            "hires_graduates": "yes",
            "show": "results",
        },
    ).content.decode()
    assert "一次性 52,000–80,000 元" in html
    assert "每年约 0" not in html
