import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog import caching
from catalog.models import Message, Policy

from .builders import county, make_message, make_policy, review_form
from .test_admin import (  # noqa: F401 -- fixtures
    add_and_publish,
    inline_management,
    policy_form,
    reviewer,
    staff,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def public():
    """A visitor apart from the staff member, who sees none of the admin's notices."""
    return Client()


PUBLIC_PAGES = ["/", "/policies/", "/policies/?q=护理", "/policies/?region=huizhou&kind=resident"]


def texts(client, urls=PUBLIC_PAGES):
    return [client.get(url).content.decode() for url in urls]


def unchanged_form(policy, **overrides):
    """The admin change form of the entry `policy_form` created, adding no inline rows."""
    fields = {"status": "published", "change_note": "测试修改", "seen_version": policy.version}
    return policy_form(
        **inline_management("materials"), **inline_management("rules"), **{**fields, **overrides}
    )


def test_publishing_in_the_admin_shows_on_the_next_request(staff, reviewer, public):  # noqa: F811
    make_policy(name="早已公开的补贴")
    home, *lists = texts(public)
    assert "已发布 1 项" in home
    assert not any("新增的" in page for page in lists)
    assert staff.post("/admin/catalog/policy/add/", policy_form()).status_code == 302
    assert not any("新增的" in page for page in texts(public)[1:])  # in review: not public
    policy = Policy.objects.get(code="HZ-LM-777")
    assert (
        reviewer.post(
            f"/admin/catalog/policy/{policy.pk}/review/", review_form(policy, approve="1")
        ).status_code
        == 302
    )
    home, *lists = texts(public)
    assert "已发布 2 项" in home
    for page in lists:
        assert "新增的护理补贴" in page or "新增的<mark>护理</mark>补贴" in page


def test_withdrawing_in_the_admin_removes_the_entry_on_the_next_request(
    staff,  # noqa: F811
    reviewer,  # noqa: F811
    public,
):
    policy = add_and_publish(staff, reviewer)
    assert "新增的<mark>护理</mark>补贴" in public.get("/policies/?q=护理").content.decode()
    texts(public)
    response = staff.post(
        f"/admin/catalog/policy/{policy.pk}/change/", unchanged_form(policy, status="withdrawn")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    home, *lists = texts(public)
    assert "已发布 0 项" in home
    for page in lists:
        assert "新增的" not in page


def test_editing_in_the_admin_shows_the_new_text_on_the_next_request(
    staff,  # noqa: F811
    reviewer,  # noqa: F811
    public,
):
    policy = add_and_publish(staff, reviewer)
    texts(public)
    staff.post(
        f"/admin/catalog/policy/{policy.pk}/change/", unchanged_form(policy, name="改名的护理津贴")
    )
    pages = texts(public)
    assert "改名的护理津贴" in pages[1]
    assert "改名的<mark>护理</mark>津贴" in pages[2]
    assert not any("新增的" in page for page in pages)


def test_deleting_in_the_admin_removes_the_entry_on_the_next_request(staff, public):  # noqa: F811
    policy = make_policy(name="将被删除的补贴")
    assert "将被删除的补贴" in public.get("/policies/").content.decode()
    staff.post(f"/admin/catalog/policy/{policy.pk}/delete/", {"post": "yes"})
    assert not Policy.objects.filter(pk=policy.pk).exists()
    assert "将被删除的补贴" not in public.get("/policies/").content.decode()


def test_a_synonym_edited_in_the_admin_applies_on_the_next_search(staff, public):  # noqa: F811
    make_policy(name="高龄津贴")
    assert "高龄津贴" not in public.get("/policies/?q=长寿金").content.decode()
    response = staff.post("/admin/catalog/synonymgroup/add/", {"words": "长寿金 高龄津贴"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "高龄津贴" in public.get("/policies/?q=长寿金").content.decode()


def test_adding_reference_data_in_the_admin_makes_cached_menus_stale(staff):  # noqa: F811
    before = caching.generation()
    response = staff.post(
        "/admin/catalog/audience/add/", {"name": "独居老人", "slug": "alone", "order": 9}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert caching.generation() > before


def test_a_new_search_reads_neither_menus_nor_synonyms_again(public):
    make_policy(name="高龄津贴")
    public.get("/policies/?q=高龄")
    with CaptureQueriesContext(connection) as queries:
        assert "高龄<mark>津贴</mark>" in public.get("/policies/?q=津贴").content.decode()
    read = " ".join(query["sql"] for query in queries.captured_queries)
    for table in ["region", "audience", "department", "synonymgroup"]:
        assert f'FROM "catalog_{table}"' not in read


@pytest.mark.parametrize(
    "command, args", [("index_search", []), ("loaddata", ["reference"])], ids=["index", "load"]
)
def test_management_commands_that_write_raise_the_generation(command, args):
    before = caching.generation()
    call_command(command, *args, verbosity=0)
    assert caching.generation() > before


def test_a_direct_status_change_followed_by_a_reindex_shows(client):
    policy = make_policy(name="待撤回的补贴")
    assert (
        "待撤回的补贴"
        in client.get("/").content.decode() + client.get("/policies/").content.decode()
    )
    Policy.objects.filter(pk=policy.pk).update(status=Policy.Status.WITHDRAWN)
    call_command("index_search")
    assert "待撤回的补贴" not in client.get("/policies/").content.decode()


def test_pages_are_the_same_with_and_without_the_cache(client, settings):
    boluo = county()
    for n in range(25):
        make_policy(name=f"养老护理补贴{n}", region=boluo if n % 2 else None)
    urls = [*PUBLIC_PAGES, "/policies/?page=2", "/policies/?q=养老&sort=updated"]
    texts(client, urls)  # fill the cache
    cached = texts(client, urls)
    settings.CACHES = {
        **settings.CACHES,
        "none": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    settings.CATALOG_CACHE = "none"
    assert texts(client, urls) == cached


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_query_count_does_not_grow_with_the_catalogue_cold_or_warm(client, url):
    make_policy(name="护理补贴")
    small = (count_queries(client, url), count_queries(client, url))
    for n in range(15):
        make_policy(name=f"护理补贴{n}")
    large = (count_queries(client, url), count_queries(client, url))
    assert small == large
    cold, warm = large
    assert warm <= cold


def test_a_cold_key_is_computed_once_under_concurrent_misses():
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.3)
        return {"n": 42}

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(caching.cached("stampede", slow)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    assert results == [{"n": 42}] * 8


def test_a_waiter_computes_itself_when_the_lock_holder_never_delivers(settings):
    settings.CATALOG_CACHE_WAIT = 0.1
    from django.core.cache import cache

    cache.add(f"{caching.key('orphan')}:lock", 1)
    assert caching.cached("orphan", lambda: "computed") == "computed"


def test_a_computed_none_is_cached():
    calls = []
    for _ in range(2):
        caching.cached("nothing", lambda: calls.append(1))
    assert len(calls) == 1


def test_a_kept_value_is_read_from_the_cache_once_per_generation(db):
    calls = []

    def compute():
        calls.append(1)
        return [len(calls)]

    first = caching.kept("menus-test", compute)
    assert caching.kept("menus-test", compute) is first  # not unpickled again
    caching.bump()
    assert caching.kept("menus-test", compute) == [2]  # a write: computed anew
    assert len(calls) == 2


def test_an_answer_published_through_record_reply_shows_on_the_next_request(public):
    from django.contrib.auth.models import User

    from catalog.services import record_reply

    message = make_message(publish_consent=True)
    url = message.policy.get_absolute_url()
    assert "不需要本人到场" not in public.get(url).content.decode()
    message.status, message.reply = Message.Status.ANSWERED, "不需要本人到场，可委托办理。"
    record_reply(message, User.objects.create_user("clerk"))
    assert "不需要本人到场" in public.get(url).content.decode()


def test_each_display_mode_has_its_own_cached_page(public):
    make_policy(name="护理补贴")
    plain = public.get("/policies/").content.decode()
    public.cookies["display_large"] = "on"
    large = public.get("/policies/").content.decode()
    assert large != plain
    del public.cookies["display_large"]
    assert public.get("/policies/").content.decode() == plain


def test_staff_with_a_session_never_get_a_page_from_the_cache(staff, public):  # noqa: F811
    make_policy(name="护理补贴")
    public.get("/")
    with CaptureQueriesContext(connection) as anonymous:
        public.get("/")
    with CaptureQueriesContext(connection) as signed_in:
        staff.get("/")
    assert len(anonymous) == 0
    assert len(signed_in) > 0


def test_the_health_check_answers_without_the_database(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert len(queries) == 0


def test_losing_the_generation_never_brings_back_an_old_page(public):
    from django.core.cache import cache

    policy = make_policy(name="护理补贴")
    public.get("/policies/")
    Policy.objects.filter(pk=policy.pk).update(name="改名的补贴")
    cache.delete(caching.GENERATION_KEY)  # evicted, or Redis restarted with a copy
    assert "改名的补贴" in public.get("/policies/").content.decode()


def test_a_new_release_never_reads_what_an_older_one_cached(monkeypatch):
    before = caching.key("page", "/policies/")
    assert caching.release() in before  # a digest of the code, templates and static files
    monkeypatch.setenv("PORTAL_RELEASE", "2026-12-01")
    caching.release.cache_clear()
    try:
        assert caching.key("page", "/policies/") != before
        assert caching.release() == "2026-12-01"
    finally:
        caching.release.cache_clear()
