"""The search benchmark compares like with like: its ILIKE baseline answers the same question."""

import random
import re

import pytest

from catalog import search
from catalog.filters import PolicyFilter, places
from catalog.management.commands import bench_search
from catalog.models import Policy

pytestmark = pytest.mark.django_db


@pytest.fixture
def synthetic_entries():
    command = bench_search.Command()
    command.random = random.Random(3)
    command.ensure_reference()
    Policy.objects.bulk_create(command.synthetic(n) for n in range(80))


@pytest.mark.parametrize(
    "query",
    [
        *("养老", "补贴", "助听", "城乡居民基本养老保险", "残疾人 护理", "残疾人补贴"),
        *("3000元", "老人", "“参加城乡居民基本养老保险”"),
    ],
)
def test_the_ilike_baseline_finds_exactly_what_the_search_finds(synthetic_entries, query):
    found = searched(query)
    assert found
    assert set(bench_search.ilike(query).values_list("pk", flat=True)) == found


def test_for_an_age_the_ilike_baseline_finds_the_age_as_written_only(synthetic_entries):
    """The search also finds the ranges holding it (年满60周岁 holds 80), which no pattern can
    ask; the baseline still reads every entry, as it does for any query."""
    found = searched("80周岁")
    written = set(bench_search.ilike("80周岁").values_list("pk", flat=True))
    assert written and written < found
    ranges = Policy.objects.filter(pk__in=found - written)
    assert all("80周岁" not in p.eligibility + p.benefit for p in ranges)
    for policy in ranges:
        floors = re.findall(r"年满(\d+)周岁", policy.eligibility + policy.benefit)
        assert any(int(age) < 80 for age in floors), policy.code


def searched(query):
    published = Policy.objects.published()
    return set(PolicyFilter({"q": query}, queryset=published).qs.values_list("pk", flat=True))


def test_the_warm_up_phrase_reads_the_lexemes_shares_as_a_visitor_before_would_have():
    """Otherwise every measured phrase pays for reading PostgreSQL's statistics, which the
    running site has cached."""
    asked = []
    terms = search.parse(bench_search.WARM_PHRASE, places=places())
    search.dense(terms, lambda: asked.append(True) or search.Shares())
    assert asked
