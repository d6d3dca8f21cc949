"""The search benchmark compares like with like: its ILIKE baseline answers the same question."""

import random

import pytest

from catalog.filters import PolicyFilter
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
