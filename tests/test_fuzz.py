"""Property-based fuzz of every public URL on PostgreSQL and the demo content: whatever arrives in
the query string or a path segment (any Unicode, NUL bytes, lone surrogates, full-width digits,
huge integers, repeated keys, 10,000-character values), the answer is never a 5xx, and the list
still shows only entries that meet its valid filters. Bounded and derandomized for CI."""

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from catalog.models import Region

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NASTY = [
    "\x00",
    "养老\x00补贴",
    "\ud800",
    "１２３",
    "９" * 30,
    str(10**40),
    "-1",
    "0",
    "1e309",
    "NaN",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "𠀀𪚥",
    "x" * 10_000,
]
# Any code point, lone surrogates included (they reach the app as invalid UTF-8 bytes).
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)
VALUES = st.one_of(ANY_TEXT, st.sampled_from(NASTY), st.integers().map(str))
LIST_KEYS = ["q", "region", "scope", "kind", "domain", "audience", "sector", "etype",
             "department", "one_card", "no_apply", "status", "sort", "page"]  # fmt: skip
VALID = {
    "region": ["huizhou", "boluo", "huicheng"],
    "scope": ["applies", "volume"],
    "kind": ["enterprise", "resident"],
    "one_card": ["1"],
    "no_apply": ["1"],
    "status": ["open", "closing_soon", "upcoming", "closed"],
    "domain": ["lm-shenghuo", "qy-chanye"],
    "audience": ["laonianren", "canjiren"],
    "sector": ["zhizao"],
    "etype": ["xiaowei"],
    "department": ["huizhou-minzheng", "huizhou-renshe"],
}
TAG_FILTERS = {  # parameter: the entry's field and the slug it must carry
    "domain": lambda policy: {policy.domain.slug},
    "department": lambda policy: {policy.department.slug} if policy.department else set(),
    "audience": lambda policy: {tag.slug for tag in policy.audiences.all()},
    "sector": lambda policy: {tag.slug for tag in policy.sectors.all()},
    "etype": lambda policy: {tag.slug for tag in policy.enterprise_types.all()},
}
OTHER_KEYS = ["who", "region", "age", "show", "codes", "ref", "next", "large", "contrast", "kind",
              "domain", "q", "format", "page"]  # fmt: skip
OTHER_PATHS = ["/", "/finder/", "/compare/", "/consult/", "/open-data/", "/open-data/policies.json",
               "/open-data/policies.csv", "/feeds/policies.atom", "/feeds/policies.ics",
               "/regions/boluo/", "/regions/boluo/print/", "/policies/HZ-LM-001/",
               "/display/", "/sitemap.xml", "/robots.txt", "/healthz"]  # fmt: skip
SEGMENT_PATHS = ["/policies/{}/", "/policies/{}/qr.png", "/policies/{}/calendar.ics",
                 "/policies/{}/ask/", "/regions/{}/", "/regions/{}/print/",
                 "/consult/{}/"]  # fmt: skip


def encode(text):
    """Percent-encode like a browser would, but keep invalid UTF-8 (lone surrogates) as bytes."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def query_string(pairs):
    return "&".join(f"{encode(key)}={encode(value)}" for key, value in pairs)


def get(path, pairs=()):
    response = Client().get(path, QUERY_STRING=query_string(pairs))
    if response.streaming:
        b"".join(response.streaming_content)  # errors while streaming count too
    return response


def list_pairs():
    valid = st.sampled_from(list(VALID)).flatmap(
        lambda key: st.tuples(st.just(key), st.sampled_from(VALID[key]))
    )
    fuzzed = st.tuples(st.one_of(st.sampled_from(LIST_KEYS), ANY_TEXT), VALUES)
    return st.lists(st.one_of(valid, fuzzed), max_size=6)


def assert_results_meet_the_valid_filters(response, pairs):
    chosen = dict(pairs)  # the last value of a repeated key wins, as in QueryDict.get
    policies = list(response.context["page_obj"].object_list)
    kind = chosen.get("kind")
    if kind in VALID["kind"]:
        assert all(policy.domain.kind == kind for policy in policies)
    region = chosen.get("region")
    if region in VALID["region"]:
        volume = Region.objects.get(slug=region)
        allowed = {volume.pk} if chosen.get("scope") == "volume" else set(volume.covering_ids())
        assert all(policy.region_id in allowed for policy in policies)
    if chosen.get("one_card") == "1":
        assert all(policy.one_card for policy in policies)
    if chosen.get("no_apply") == "1":
        assert all(policy.period_mode == "no_application" for policy in policies)
    for name, slugs_of in TAG_FILTERS.items():
        if chosen.get(name) in VALID[name]:
            assert all(chosen[name] in slugs_of(policy) for policy in policies), name
    status = chosen.get("status")
    if status in VALID["status"]:
        states = {"open", "closing_soon"} if status == "open" else {status}
        assert all(policy.period_state() in states for policy in policies)


@FUZZ
@given(pairs=list_pairs())
@example(pairs=[("q", "\x00")])
@example(pairs=[("q", "x" * 10_000), ("kind", "resident")])
@example(pairs=[("page", str(10**40))])
@example(pairs=[("page", "１２")])
@example(pairs=[("region", "boluo"), ("region", "\ud800"), ("region", "huicheng")])
@example(pairs=[("kind", "enterprise"), ("status", "open"), ("sort", "amount"), ("q", "补贴")])
def test_the_list_never_fails_and_keeps_to_its_filters(pairs):
    response = get("/policies/", pairs)
    assert response.status_code in (200, 404), pairs
    if response.status_code == 200:
        assert_results_meet_the_valid_filters(response, pairs)


@FUZZ
@given(
    path=st.sampled_from(OTHER_PATHS),
    pairs=st.lists(st.tuples(st.one_of(st.sampled_from(OTHER_KEYS), ANY_TEXT), VALUES), max_size=5),
)
@example(path="/compare/", pairs=[("codes", "HZ-LM-001," * 2000)])
@example(path="/finder/", pairs=[("who", "person"), ("age", "９" * 30), ("show", "results")])
@example(path="/display/", pairs=[("next", "//evil.example.com/"), ("large", "on")])
def test_every_other_public_page_never_fails_on_any_query(path, pairs):
    assert get(path, pairs).status_code < 500, (path, pairs)


@FUZZ
@given(template=st.sampled_from(SEGMENT_PATHS), segment=st.one_of(VALUES, ANY_TEXT))
@example(template="/policies/{}/", segment="\x00")
@example(template="/consult/{}/", segment="x" * 10_000)
@example(template="/regions/{}/print/", segment="\ud800")
def test_path_segments_never_fail(template, segment):
    if not segment:
        return
    path = template.format(encode(segment))
    assert get(path).status_code < 500, path
