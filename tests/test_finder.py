from decimal import Decimal

import pytest

from catalog import eligibility, finder
from catalog.models import AmountBand, EligibilityRule, Unit

from .builders import city, county, enterprise_domain, make_policy

pytestmark = pytest.mark.django_db

AGE = eligibility.FACTS["age"]


def rule(policy, fact, operator, value, reason=""):
    return EligibilityRule.objects.create(
        policy=policy, fact=fact, operator=operator, value=value, reason=reason
    )


@pytest.mark.parametrize(
    "operator, expected, answer, result",
    [
        ("gte", "80", "80", True),
        ("gte", "80", "79.5", False),
        ("lte", "35", "35", True),
        ("lte", "35", "36", False),
        ("eq", "80", "80", True),
        ("in", "1,2", "2", True),
        ("in", "1,2", "3", False),
        ("gte", "80", "", None),
        ("gte", "80", "eighty", None),
        ("gte", "80", "999", None),  # outside what an age can be: treated as not known
    ],
)
def test_numeric_rules(operator, expected, answer, result):
    value = eligibility.parse_rule_value(AGE, operator, expected)
    assert eligibility.judge(AGE, operator, value, eligibility.parse_answer(AGE, answer)) is result


@pytest.mark.parametrize(
    "fact, operator, expected, answer, result",
    [
        ("veteran", "eq", "yes", "yes", True),
        ("veteran", "eq", "yes", "no", False),
        ("veteran", "eq", "yes", "", None),
        ("veteran", "eq", "yes", "maybe", None),
        ("assistance", "in", "dibao,tekun", "tekun", True),
        ("assistance", "in", "dibao,tekun", "none", False),
        ("assistance", "eq", "dibao", "<script>", None),
    ],
)
def test_yes_no_and_choice_rules(fact, operator, expected, answer, result):
    fact = eligibility.FACTS[fact]
    value = eligibility.parse_rule_value(fact, operator, expected)
    assert (
        eligibility.judge(fact, operator, value, eligibility.parse_answer(fact, answer)) is result
    )


@pytest.mark.parametrize(
    "fact, operator, value",
    [
        ("age", "gte", "eighty"),
        ("veteran", "gte", "yes"),
        ("assistance", "eq", "rich"),
        ("age", "in", ""),
    ],
)
def test_rule_values_that_cannot_be_judged_are_refused_in_the_admin(fact, operator, value):
    policy = make_policy()
    with pytest.raises(Exception, match="取值与条件项不符"):
        EligibilityRule(policy=policy, fact=fact, operator=operator, value=value).full_clean()


def elderly_allowance():
    policy = make_policy(
        name="高龄津贴",
        amount_kind="range",
        amount_min=Decimal(100),
        amount_max=Decimal(500),
        amount_unit=Unit.PER_MONTH,
    )
    rule(policy, "age", "gte", "80", "年满80周岁")
    for low, high, amount in [(80, 89, 100), (90, 99, 200), (100, None, 500)]:
        AmountBand.objects.create(policy=policy, low=low, high=high, amount=amount)
    return policy


def verdict(policy, **answers):
    parsed = {
        key: eligibility.parse_answer(eligibility.FACTS[key], v) for key, v in answers.items()
    }
    return finder.judge(policy, parsed)


def test_age_band_sets_the_amount():
    policy = elderly_allowance()
    assert verdict(policy, age="85").estimate.high == Decimal(1200)
    assert verdict(policy, age="95").estimate.high == Decimal(2400)
    assert verdict(policy, age="101").estimate.low == Decimal(6000)


def test_unknown_age_gives_the_range_of_the_bands_and_asks():
    result = verdict(elderly_allowance(), age="")
    assert result.outcome == finder.MAYBE
    assert (result.estimate.low, result.estimate.high) == (Decimal(1200), Decimal(6000))
    assert result.reason == "还需确认：您的年龄（周岁）"


def test_reasons_read_as_a_sentence():
    policy = elderly_allowance()
    rule(policy, "assistance", "in", "dibao,tekun")
    result = verdict(policy, age="85", assistance="dibao")
    assert result.outcome == finder.QUALIFY
    assert result.reason == "您年满80周岁，您家是否属于以下困难群体：低保对象、特困人员"


def test_a_broken_rule_rules_out_with_the_reason():
    result = verdict(elderly_allowance(), age="60")
    assert result.outcome == finder.NO
    assert "年满80周岁" in result.reason


def test_entries_without_an_amount_get_no_figure():
    policy = make_policy()
    rule(policy, "veteran", "eq", "yes")
    assert verdict(policy, veteran="yes").estimate is None


def test_total_counts_one_of_an_exclusive_pair_and_one_off_sums_apart():
    monthly = make_policy(
        amount_kind="fixed",
        amount_min=Decimal(150),
        amount_unit=Unit.PER_MONTH,
        exclusive_group="残补",
    )
    bigger = make_policy(
        amount_kind="fixed",
        amount_min=Decimal(200),
        amount_unit=Unit.PER_MONTH,
        exclusive_group="残补",
    )
    once = make_policy(amount_kind="fixed", amount_min=Decimal(10000), amount_unit=Unit.ONE_OFF)
    yearly = make_policy(amount_kind="fixed", amount_min=Decimal(1000), amount_unit=Unit.PER_YEAR)
    verdicts = [verdict(p) for p in (monthly, bigger, once, yearly)]
    result = finder.total(verdicts)
    assert result.yearly_high == Decimal(200 * 12 + 1000)
    assert result.one_off_high == Decimal(10000)
    assert result.counted == 3


def test_exclusive_entries_know_of_each_other():
    a = make_policy(name="甲", exclusive_group="g")
    b = make_policy(name="乙", exclusive_group="g")
    for policy in (a, b):
        rule(policy, "age", "gte", "18")
    groups = finder.evaluate(finder.candidates("person", city()), {"age": 30.0})
    assert {v.policy.name: [p.name for p in v.alternatives] for v in groups[finder.QUALIFY]} == {
        "甲": ["乙"],
        "乙": ["甲"],
    }


def test_candidates_are_the_persons_volumes_and_list_and_only_entries_with_rules():
    in_county = make_policy(code="BL", region=county())
    in_city = make_policy(code="HZ")
    elsewhere = make_policy(code="LG", region=county("longmen", "龙门县", "441324", 5))
    for_firms = make_policy(code="QY", domain=enterprise_domain())
    make_policy(code="NORULE")
    for policy in (in_county, in_city, elsewhere, for_firms):
        rule(policy, "age", "gte", "18")
    assert [p.code for p in finder.candidates("person", county())] == ["BL", "HZ"]
    assert [p.code for p in finder.candidates("enterprise", county())] == ["QY"]


def test_questions_skip_facts_of_entries_already_ruled_out_and_facts_answered():
    old = make_policy(code="OLD")
    rule(old, "age", "gte", "80")
    rule(old, "assistance", "eq", "dibao")
    vet = make_policy(code="VET")
    rule(vet, "veteran", "eq", "yes")
    rule(vet, "age", "gte", "18")
    policies = finder.candidates("person", city())
    assert [f.key for f in finder.next_questions(policies, {})] == ["age", "assistance", "veteran"]
    # 30 years old: OLD is ruled out, so its other fact (assistance) is no longer worth asking.
    assert [f.key for f in finder.next_questions(policies, {"age": 30.0})] == ["veteran"]
    assert finder.next_questions(policies, {"age": 30.0, "veteran": ""}) == []


def test_checklist_merges_materials_of_several_entries():
    from catalog.models import Material

    a, b = make_policy(name="甲"), make_policy(name="乙")
    for policy in (a, b):
        Material.objects.create(policy=policy, name="居民 身份证", order=1)
    Material.objects.create(policy=b, name="户口簿", order=2)
    items = finder.checklist([a, b])
    assert [(i["name"], len(i["policies"])) for i in items] == [("居民 身份证", 2), ("户口簿", 1)]


def test_finder_pages_work_without_javascript(client):
    elderly_allowance()
    start = client.get("/finder/").content.decode()
    assert 'name="who"' in start and 'name="region"' in start
    step = client.get("/finder/", {"who": "person", "region": "huizhou"}).content.decode()
    assert 'name="age"' in step
    assert 'type="hidden" name="who" value="person"' in step
    result = client.get(
        "/finder/", {"who": "person", "region": "huizhou", "age": "92"}
    ).content.decode()
    assert "符合条件（1）" in result
    assert "每年约 2,400 元" in result
    assert "一次性" not in result


@pytest.mark.parametrize(
    "query",
    [
        "who=alien&region=huizhou",
        "who=person&region=atlantis",
        "who=person&region=%00",
        "who=person&region=huizhou&age=%00",
        "who=person&region=huizhou&age=1e400&veteran=perhaps&show=results",
        "who=enterprise&region=huizhou&sector=" + "x" * 500,
        "who=person&region=huizhou&age=-5&age=7&show_no=1&show=results&edit=1",
    ],
)
def test_malformed_answers_never_fail(client, query):
    elderly_allowance()
    assert client.get(f"/finder/?{query}").status_code == 200


def test_county_entry_replaces_the_city_entry_it_localizes():
    parent = elderly_allowance()
    local = make_policy(
        name="高龄津贴（博罗县）",
        region=county(),
        parent=parent,
        amount_kind="fixed",
        amount_min=Decimal(100),
        amount_unit=Unit.PER_MONTH,
    )
    rule(local, "age", "gte", "80")
    groups = finder.evaluate(finder.candidates("person", county()), {"age": 85.0})
    assert [v.policy.name for v in groups[finder.QUALIFY]] == ["高龄津贴（博罗县）"]
    assert finder.total(groups[finder.QUALIFY]).yearly_high == Decimal(1200)


def test_finder_answers_are_not_kept_in_the_cache(client):
    from django.core.cache import cache

    elderly_allowance()
    answers = {"who": "person", "region": "huizhou", "age": "87.25", "show": "results"}
    assert "87.25岁" in client.get("/finder/", answers).content.decode()
    stored = list(cache._cache.values())  # the test cache is local memory: pickled values
    assert stored and not any(b"87.25" in value for value in stored)
