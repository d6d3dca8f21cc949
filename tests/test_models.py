import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import Amount, Period, Policy, Region, Unit

from .builders import city, county, day, make_policy

pytestmark = pytest.mark.django_db


def violates(constraint, **overrides):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        make_policy(**overrides)


def test_code_is_unique_within_an_edition():
    make_policy(code="HZ-LM-900", edition=2021)
    violates("policy_code_unique_per_edition", code="HZ-LM-900", edition=2021)


def test_the_same_code_may_return_in_a_later_edition():
    make_policy(code="HZ-LM-900", edition=2021)
    assert make_policy(code="HZ-LM-900", edition=2022).pk


def test_window_must_have_both_dates_in_order():
    violates(
        "policy_window_dates_ordered", period_mode=Period.WINDOW, window_opens=day("2026-03-01")
    )
    violates(
        "policy_window_dates_ordered",
        period_mode=Period.WINDOW,
        window_opens=day("2026-03-02"),
        window_closes=day("2026-03-01"),
    )


def test_annual_window_needs_valid_months_and_days():
    violates(
        "policy_annual_window_complete",
        period_mode=Period.ANNUAL,
        annual_open_month=13,
        annual_open_day=1,
        annual_close_month=2,
        annual_close_day=1,
    )


def test_range_amount_needs_min_not_above_max():
    violates(
        "policy_amount_consistent",
        amount_kind=Amount.RANGE,
        amount_min=Decimal(500),
        amount_max=Decimal(100),
        amount_unit=Unit.PER_MONTH,
    )
    violates(
        "policy_amount_consistent",
        amount_kind=Amount.RANGE,
        amount_min=Decimal(100),
        amount_unit=Unit.PER_MONTH,
    )


def test_amount_without_kind_is_refused():
    violates("policy_amount_consistent", amount_min=Decimal(100))


def test_money_amount_needs_a_unit():
    violates("policy_amount_has_unit", amount_kind=Amount.FIXED, amount_min=Decimal(100))


def test_validity_must_not_end_before_it_starts():
    violates("policy_validity_ordered", valid_from=day("2026-02-01"), valid_until=day("2026-01-31"))


def test_published_entry_records_when():
    violates("policy_published_has_date", published_at=None)


def test_only_the_city_is_a_top_level_region():
    with pytest.raises(IntegrityError, match="region_only_city_is_top"), transaction.atomic():
        Region.objects.create(slug="x", code="1", name="X", level=Region.Level.COUNTY)


def test_clean_explains_each_broken_rule_in_chinese():
    policy = Policy(
        code="HZ-LM-1",
        name="x",
        region=city(),
        eligibility="x",
        benefit="x",
        period_mode=Period.ANNUAL,
        annual_open_month=2,
        annual_open_day=30,
        annual_close_month=3,
        annual_close_day=1,
        amount_kind=Amount.RANGE,
        amount_min=Decimal(5),
        amount_max=Decimal(1),
        valid_from=day("2026-02-01"),
        valid_until=day("2026-01-01"),
    )
    with pytest.raises(ValidationError) as error:
        policy.clean()
    messages = error.value.message_dict
    assert messages["annual_open_month"] == ["每年开始的月、日无效。"]
    assert messages["amount_max"] == ["区间上限须不小于下限。"]
    assert messages["valid_until"] == ["有效期止不能早于有效期起。"]


def test_county_covers_itself_and_the_city():
    assert county().covering_ids() == [county().pk, city().pk]
    assert city().covering_ids() == [city().pk]


# The visibility rule.


def test_published_hides_drafts_review_and_withdrawn():
    shown = make_policy()
    for status in ("draft", "review", "withdrawn"):
        make_policy(
            status=status, published_at=None if status != "withdrawn" else shown.published_at
        )
    assert list(Policy.objects.published()) == [shown]


def test_published_respects_validity_dates_inclusive():
    on = day("2026-06-15")
    starts_today = make_policy(valid_from=on)
    ends_today = make_policy(valid_until=on)
    make_policy(valid_from=on + datetime.timedelta(days=1))
    make_policy(valid_until=on - datetime.timedelta(days=1))
    assert set(Policy.objects.published(on=on)) == {starts_today, ends_today}


def test_reachable_keeps_withdrawn_but_not_drafts():
    withdrawn = make_policy(status="withdrawn")
    make_policy(status="draft", published_at=None)
    assert list(Policy.objects.reachable()) == [withdrawn]


# The period rule, at its edges.


def window(opens, closes, **extra):
    return make_policy(
        period_mode=Period.WINDOW, window_opens=day(opens), window_closes=day(closes), **extra
    )


def annual(om, od, cm, cd):
    return make_policy(
        period_mode=Period.ANNUAL,
        annual_open_month=om,
        annual_open_day=od,
        annual_close_month=cm,
        annual_close_day=cd,
    )


def states(on):
    """Each period state's entries on `on`; the in-memory rule must agree with the SQL one."""
    on = day(on)
    result = {
        name: set(getattr(Policy.objects, name)(on=on))
        for name in ("open", "closing_soon", "upcoming", "closed")
    }
    for policy in Policy.objects.all():
        state = policy.period_state(on)
        assert policy in result[state]
        if state == "closing_soon":
            assert policy in result["open"]
    return result


def test_window_is_open_on_its_first_and_last_day():
    w = window("2026-03-01", "2026-03-31")
    assert w in states("2026-03-01")["open"]
    assert w in states("2026-03-31")["open"]
    assert w in states("2026-02-28")["upcoming"]
    assert w in states("2026-04-01")["closed"]
    assert w.period_state(day("2026-02-28")) == "upcoming"
    assert w.period_state(day("2026-04-01")) == "closed"


def test_closing_soon_means_closing_within_thirty_days():
    w = window("2026-01-01", "2026-12-31")
    assert w not in states("2026-11-30")["closing_soon"]
    assert w in states("2026-12-01")["closing_soon"]
    assert w.period_state(day("2026-11-30")) == "open"
    assert w.period_state(day("2026-12-01")) == "closing_soon"


def test_always_open_and_no_application_are_open_and_never_closing():
    always = make_policy(period_mode=Period.ALWAYS)
    automatic = make_policy(period_mode=Period.NO_APPLICATION)
    result = states("2026-06-01")
    assert {always, automatic} <= result["open"]
    assert not (
        {always, automatic} & (result["closing_soon"] | result["upcoming"] | result["closed"])
    )


def test_annual_window_across_new_year():
    winter = annual(11, 1, 1, 31)
    assert winter in states("2026-11-01")["open"]
    assert winter in states("2027-01-31")["open"]
    assert winter in states("2027-01-15")["closing_soon"]
    assert winter not in states("2026-12-31")["closing_soon"]
    assert winter in states("2027-01-01")["closing_soon"]
    assert winter in states("2026-10-31")["upcoming"]
    assert winter in states("2027-02-01")["upcoming"]
    assert winter not in states("2027-02-01")["closed"]
    assert winter.period_state(day("2027-01-01")) == "closing_soon"
    assert winter.period_state(day("2026-12-31")) == "open"
    assert winter.period_state(day("2027-02-01")) == "upcoming"


def test_closing_soon_counts_across_new_year():
    short = annual(12, 1, 1, 10)
    assert short in states("2026-12-20")["closing_soon"]
    assert short.period_state(day("2026-12-20")) == "closing_soon"


def test_annual_window_within_a_year():
    autumn = annual(9, 1, 9, 30)
    assert autumn in states("2026-09-01")["closing_soon"]
    assert autumn in states("2026-08-31")["upcoming"]
    assert autumn in states("2026-10-01")["upcoming"]


def test_deadline_key_is_next_closing_day():
    on = day("2026-12-10")
    w = window("2026-12-01", "2026-12-20")
    winter = annual(11, 1, 1, 31)
    spring = annual(3, 1, 5, 31)
    old = window("2026-01-01", "2026-01-31")
    keys = dict(Policy.objects.with_deadline(on=on).values_list("pk", "deadline_key"))
    assert keys[w.pk] == 20261220
    assert keys[winter.pk] == 20270131
    assert keys[spring.pk] == 20270531
    assert keys[old.pk] is None


def test_amount_display_reads_like_the_printed_list():
    fixed = make_policy(
        amount_kind=Amount.FIXED, amount_min=Decimal(3000), amount_unit=Unit.ONE_OFF
    )
    ranged = make_policy(
        amount_kind=Amount.RANGE,
        amount_min=Decimal(100),
        amount_max=Decimal(500),
        amount_unit=Unit.PER_MONTH,
    )
    rate = make_policy(amount_kind=Amount.RATE, amount_min=Decimal(50), amount_cap=Decimal(200000))
    assert fixed.amount_display == "一次性3,000元"
    assert ranged.amount_display == "每月100至500元"
    assert rate.amount_display == "按50%，最高200,000元"
    assert make_policy().amount_display == ""


def test_period_display_names_the_calendar():
    assert annual(11, 1, 1, 31).period_display == "每年11月1日至次年1月31日"
    assert window("2026-03-01", "2026-04-30").period_display == "2026年3月1日至2026年4月30日"
    assert make_policy(period_mode=Period.NO_APPLICATION).period_display == "免申即享"
