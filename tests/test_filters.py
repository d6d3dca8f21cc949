from decimal import Decimal

import pytest

from catalog.filters import PolicyFilter
from catalog.models import Amount, Audience, EnterpriseType, Period, Policy, Sector, Unit

from .builders import county, day, department, enterprise_domain, make_policy

pytestmark = pytest.mark.django_db

ON = day("2026-06-15")


def codes(**params):
    filterset = PolicyFilter(params, queryset=Policy.objects.published(on=ON), on=ON)
    return [policy.code for policy in filterset.qs]


def test_no_parameters_lists_every_published_entry():
    make_policy(code="A")
    make_policy(code="B")
    make_policy(code="C", status="draft", published_at=None)
    assert sorted(codes()) == ["A", "B"]


def test_a_filter_set_without_data_lists_every_entry_it_was_given():
    make_policy(code="A")
    make_policy(code="B", region=county())
    assert sorted(p.code for p in PolicyFilter(queryset=Policy.objects.published(on=ON)).qs) == [
        "A",
        "B",
    ]


def test_region_applies_means_its_own_volume_plus_the_city_volume():
    make_policy(code="CITY")
    make_policy(code="BOLUO", region=county())
    make_policy(code="LONGMEN", region=county("longmen", "龙门县", "441324", 5))
    assert sorted(codes(region="boluo")) == ["BOLUO", "CITY"]
    assert sorted(codes(region="boluo", scope="applies")) == ["BOLUO", "CITY"]


def test_region_volume_means_only_that_volume():
    make_policy(code="CITY")
    make_policy(code="BOLUO", region=county())
    assert codes(region="boluo", scope="volume") == ["BOLUO"]
    assert codes(region="huizhou", scope="volume") == ["CITY"]


def test_kind_and_domain():
    make_policy(code="RES")
    make_policy(code="ENT", domain=enterprise_domain())
    assert codes(kind="enterprise") == ["ENT"]
    assert codes(kind="resident") == ["RES"]
    assert codes(domain="qy-chuangye") == ["ENT"]


def test_tags_filter_by_slug():
    elderly = Audience.objects.create(slug="elderly", name="老年人")
    factory = Sector.objects.create(slug="manufacturing", name="制造业")
    small = EnterpriseType.objects.create(slug="small", name="小微企业")
    make_policy(code="OLD", audiences=[elderly])
    make_policy(code="MFG", sectors=[factory], enterprise_types=[small])
    make_policy(code="NONE")
    assert codes(audience="elderly") == ["OLD"]
    assert codes(sector="manufacturing") == ["MFG"]
    assert codes(etype="small") == ["MFG"]


def test_department():
    make_policy(code="MZ", department=department())
    make_policy(code="OTHER")
    assert codes(department="hz-minzheng") == ["MZ"]


def test_one_card_and_no_apply_flags():
    make_policy(code="CARD", one_card=True)
    make_policy(code="AUTO", period_mode=Period.NO_APPLICATION)
    make_policy(code="PLAIN")
    assert codes(one_card="1") == ["CARD"]
    assert codes(no_apply="1") == ["AUTO"]


def test_status_filters_use_the_period_rule():
    make_policy(code="ALWAYS")
    make_policy(
        code="SOON",
        period_mode=Period.WINDOW,
        window_opens=day("2026-06-01"),
        window_closes=day("2026-06-30"),
    )
    make_policy(
        code="LATER",
        period_mode=Period.WINDOW,
        window_opens=day("2026-09-01"),
        window_closes=day("2026-09-30"),
    )
    make_policy(
        code="PAST",
        period_mode=Period.WINDOW,
        window_opens=day("2026-01-01"),
        window_closes=day("2026-01-31"),
    )
    assert sorted(codes(status="open")) == ["ALWAYS", "SOON"]
    assert codes(status="closing_soon") == ["SOON"]
    assert codes(status="upcoming") == ["LATER"]
    assert codes(status="closed") == ["PAST"]


def test_filter_sets_alive_at_once_keep_their_own_filters_and_fields():
    """Each filter set copies its filters and form fields one level deep (`CopiedShallow`):
    a method filter still asks its own filter set (its date), and a form its own values."""
    make_policy(
        code="JUNE",
        period_mode=Period.WINDOW,
        window_opens=day("2026-06-01"),
        window_closes=day("2026-06-30"),
    )
    june, july = (
        PolicyFilter({"status": "open", "sort": sort}, queryset=Policy.objects.published(), on=on)
        for on, sort in [(ON, "updated"), (day("2026-07-15"), "amount")]
    )
    assert [p.code for p in june.qs] == ["JUNE"] and list(july.qs) == []
    assert [june.form.cleaned_data["sort"], july.form.cleaned_data["sort"]] == ["updated", "amount"]
    assert june.filters["status"] is not july.filters["status"]
    assert june.form.fields["q"] is not july.form.fields["q"]


def test_sort_by_deadline_puts_the_soonest_first_and_open_ended_last():
    make_policy(code="ALWAYS")
    make_policy(
        code="JULY",
        period_mode=Period.WINDOW,
        window_opens=day("2026-01-01"),
        window_closes=day("2026-07-31"),
    )
    make_policy(
        code="JUNE",
        period_mode=Period.WINDOW,
        window_opens=day("2026-01-01"),
        window_closes=day("2026-06-20"),
    )
    assert codes(sort="deadline") == ["JUNE", "JULY", "ALWAYS"]


def test_sort_by_amount_compares_yearly_sums():
    monthly = {"amount_kind": Amount.FIXED, "amount_unit": Unit.PER_MONTH}
    make_policy(code="MONTHLY-300", amount_min=Decimal(300), **monthly)  # 3,600 a year
    make_policy(
        code="ONCE-3000",
        amount_kind=Amount.FIXED,
        amount_min=Decimal(3000),
        amount_unit=Unit.ONE_OFF,
    )
    make_policy(code="NO-AMOUNT")
    assert codes(sort="amount") == ["MONTHLY-300", "ONCE-3000", "NO-AMOUNT"]


def test_sort_by_updated_shows_newest_first():
    first = make_policy(code="FIRST")
    make_policy(code="SECOND")
    first.save()
    assert codes(sort="updated") == ["FIRST", "SECOND"]


def test_filters_combine():
    make_policy(code="MATCH", region=county(), one_card=True)
    make_policy(code="CITY-NOT-CARD")
    make_policy(code="OTHER-DOMAIN", region=county(), one_card=True, domain=enterprise_domain())
    assert codes(region="boluo", kind="resident", one_card="1") == ["MATCH"]


def test_unknown_values_are_ignored_and_reported():
    make_policy(code="A")
    filterset = PolicyFilter(
        {"region": "atlantis", "status": "bogus", "sort": "x", "one_card": "2"},
        queryset=Policy.objects.published(on=ON),
        on=ON,
    )
    assert [p.code for p in filterset.qs] == ["A"]
    assert set(filterset.form.errors) == {"region", "status", "sort", "one_card"}


def test_facet_counts_apply_every_other_filter():
    make_policy(code="R1")
    make_policy(code="R2", region=county())
    make_policy(code="E1", domain=enterprise_domain())
    filterset = PolicyFilter({"kind": "resident"}, queryset=Policy.objects.published(on=ON), on=ON)
    counts = filterset.facet_counts()
    assert counts["kind"] == {"resident": 2, "enterprise": 1}
    # A county counts what applies there: its own volume and the city volume.
    assert counts["region"] == {"huizhou": 1, "boluo": 2}
    assert counts["domain"] == {"lm-shenghuo": 2}
    assert counts["status"]["open"] == 2


def test_facet_counts_from_known_result_ids_are_the_same(django_assert_num_queries):
    make_policy(code="R1")
    make_policy(code="R2", region=county())
    make_policy(code="E1", domain=enterprise_domain())
    data = {"kind": "resident", "domain": "qy-chuangye"}  # no resident entry in that domain
    filterset = PolicyFilter(data, queryset=Policy.objects.published(on=ON), on=ON)
    assert not filterset.qs.exists()
    full = filterset.facet_counts()  # also reads the menus' reference data once
    with django_assert_num_queries(2):  # one per filter in use, none for the empty results
        counts = filterset.facet_counts(ids=[])
    assert counts == full
    assert counts["kind"] == {"enterprise": 1}  # what the other list would give
    assert counts["audience"] == {}
    filterset = PolicyFilter({"kind": "resident"}, queryset=Policy.objects.published(on=ON), on=ON)
    ids = list(filterset.qs.values_list("pk", flat=True))
    assert filterset.facet_counts(ids=ids) == filterset.facet_counts()


def test_region_counts_are_per_volume_when_scope_is_volume():
    make_policy(code="R1")
    make_policy(code="R2", region=county())
    filterset = PolicyFilter({"scope": "volume"}, queryset=Policy.objects.published(on=ON), on=ON)
    assert filterset.facet_counts()["region"] == {"huizhou": 1, "boluo": 1}


def test_default_order_is_volume_then_enterprise_list_then_domain_whatever_the_codes():
    make_policy(code="A-COUNTY", region=county())
    make_policy(code="B-CITY-RESIDENT")
    make_policy(code="C-CITY-ENTERPRISE", domain=enterprise_domain())
    assert codes() == ["C-CITY-ENTERPRISE", "B-CITY-RESIDENT", "A-COUNTY"]


def test_moving_a_volume_moves_its_entries_once_reindexed():
    from catalog.models import Region
    from catalog.services import index_policies

    make_policy(code="COUNTY", region=county())
    make_policy(code="CITY")
    Region.objects.filter(slug="boluo").update(order=0)
    Region.objects.filter(slug="huizhou").update(order=9)
    index_policies()  # what the admin does after saving a region
    assert codes() == ["COUNTY", "CITY"]


def test_kind_filter_follows_a_domain_moved_to_another_list_once_reindexed():
    from catalog.models import Domain
    from catalog.services import index_policies

    make_policy(code="MOVED", domain=enterprise_domain())
    Domain.objects.filter(slug="qy-chuangye").update(kind="resident")
    index_policies()  # what the admin does after saving a domain
    assert codes(kind="resident") == ["MOVED"]
    assert codes(kind="enterprise") == []
    assert PolicyFilter({}, queryset=Policy.objects.all()).facet_counts()["kind"] == {"resident": 1}
