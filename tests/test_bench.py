"""The search benchmark compares like with like: its ILIKE baseline answers the same question."""

import random

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
        *("养老", "补贴", "助听", "城乡居民基本养老保险", "残疾人 护理", "残疾人补贴", "80周岁"),
        *("3000元", "老人", "“参加城乡居民基本养老保险”"),
    ],
)
def test_the_ilike_baseline_finds_exactly_what_the_search_finds(synthetic_entries, query):
    published = Policy.objects.published()
    found = set(PolicyFilter({"q": query}, queryset=published).qs.values_list("pk", flat=True))
    assert found
    assert set(bench_search.ilike(query).values_list("pk", flat=True)) == found


def test_the_warm_up_phrase_reads_the_lexemes_shares_as_a_visitor_before_would_have():
    """Otherwise every measured phrase pays for reading PostgreSQL's statistics, which the
    running site has cached."""
    asked = []
    terms = search.parse(bench_search.WARM_PHRASE, places=places())
    search.dense(terms, lambda: asked.append(True) or search.Shares())
    assert asked
