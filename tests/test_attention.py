"""The needs-attention page: its four rules at their edges, and scoping."""

import pytest
from django.contrib.auth.models import User

from catalog import attention, revisions
from catalog.models import Material, Period, Policy

from .builders import city, county, day, department, make_policy, staff_user

pytestmark = pytest.mark.django_db

TODAY = day("2026-06-15")
PAGE = "/admin/catalog/policy/attention/"


def complete(**overrides):
    """A published entry that lacks nothing and was checked recently."""
    fields = {
        "phone": "0752-1234567",
        "basis_title": "某办法",
        "last_reviewed_on": day("2026-01-10"),
        **overrides,
    }
    policy = make_policy(**fields)
    Material.objects.create(policy=policy, name="身份证")
    policy.steps.create(title="申请")
    return policy


def codes(section):
    return [policy.code for policy in section.entries]


def by_key():
    return {s.key: s for s in attention.sections(Policy.objects.all(), TODAY)}


def test_entries_not_checked_for_twelve_months_are_listed_oldest_first():
    complete(code="RECENT", last_reviewed_on=day("2025-06-15"))  # exactly twelve months
    complete(code="OLD", last_reviewed_on=day("2025-06-14"))
    complete(code="NEVER", last_reviewed_on=None)
    complete(code="DRAFT", last_reviewed_on=None, status="draft", published_at=None)
    section = by_key()["not_reviewed"]
    assert codes(section) == ["NEVER", "OLD"]
    assert section.count == 2


def test_windows_closing_within_thirty_days_are_listed_soonest_first():
    window = {"period_mode": Period.WINDOW, "window_opens": day("2026-01-01")}
    complete(code="IN30", window_closes=day("2026-07-15"), **window)
    complete(code="IN31", window_closes=day("2026-07-16"), **window)
    complete(code="TOMORROW", window_closes=day("2026-06-16"), **window)
    complete(code="CLOSED", window_closes=day("2026-06-14"), **window)
    complete(
        code="ANNUAL",
        period_mode=Period.ANNUAL,
        annual_open_month=6,
        annual_open_day=1,
        annual_close_month=6,
        annual_close_day=30,
    )
    section = by_key()["closing_soon"]
    assert codes(section) == ["TOMORROW", "ANNUAL", "IN30"]
    assert [p.deadline for p in section.entries] == [
        day("2026-06-16"),
        day("2026-06-30"),
        day("2026-07-15"),
    ]


def test_published_entries_missing_required_content_say_what_is_missing():
    complete(code="FINE")
    make_policy(code="BARE", basis_title="")
    make_policy(code="AUTO", period_mode=Period.NO_APPLICATION, phone="12345", basis_title="某办法")
    with_department_phone = make_policy(
        code="DEPT",
        department=department(slug="d", name="惠州市某局", phone="0752-2"),
        basis_title="某办法",
    )
    Material.objects.create(policy=with_department_phone, name="身份证")
    make_policy(code="DRAFT", status="draft", published_at=None)
    section = by_key()["incomplete"]
    missing = {p.code: [str(name) for name in p.missing] for p in section.entries}
    assert missing == {
        "BARE": ["申报材料", "申请流程", "咨询电话", "政策依据"],
        "DEPT": ["申请流程"],
    }


def test_entries_in_review_and_changes_waiting_for_review_are_listed_and_nothing_else():
    complete(code="WAIT", status=Policy.Status.REVIEW, published_at=None)
    live = complete(code="LIVE", region=county())
    complete(code="CALM")
    editor = staff_user("editor", region=live.region)
    data = revisions.snapshot(live)
    data["fields"]["name"] = "改过的名称"
    assert revisions.submit_edit(live, data, editor, "改名").proposed
    sections = by_key()
    assert sorted(codes(sections["awaiting_review"])) == ["LIVE", "WAIT"]
    assert all(s.count == 0 for k, s in sections.items() if k != "awaiting_review")


def test_counts_stay_whole_when_the_list_is_cut(monkeypatch):
    monkeypatch.setattr(attention, "LIMIT", 2)
    for n in range(3):
        make_policy(code=f"R{n}", status=Policy.Status.REVIEW, published_at=None)
    section = by_key()["awaiting_review"]
    assert (section.count, len(section.entries)) == (3, 2)


def staff(client, username, region):
    client.force_login(staff_user(username, region=region))
    return client


def test_the_page_shows_only_the_users_scope_with_links_to_change_pages(client):
    own = make_policy(code="BL-9", region=county(), status="review", published_at=None)
    make_policy(code="HZ-9", region=city(), status="review", published_at=None)
    html = staff(client, "boluo", county()).get(PAGE).content.decode()
    assert f'href="/admin/catalog/policy/{own.pk}/change/"' in html
    assert "BL-9" in html and "HZ-9" not in html
    assert "等待审核（1）" in html


def test_the_admin_index_links_the_page_and_the_page_needs_view_permission(client):
    html = staff(client, "city", city()).get("/admin/").content.decode()
    assert f'href="{PAGE}"' in html
    client.force_login(User.objects.create_user("nobody", is_staff=True))
    assert client.get(PAGE).status_code == 403
