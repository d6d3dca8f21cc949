import pytest
from django.contrib.auth.models import User
from django.test import Client

from catalog.models import Policy

from .builders import city, department, domain, make_policy, review_form, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = User.objects.create_superuser("finance", "finance@example.com", "pw-for-tests-only")
    client.force_login(user)
    return client


@pytest.fixture
def reviewer():
    """A second city finance account: the one who publishes what `staff` wrote."""
    client = Client()
    client.force_login(staff_user("reviewer", region=city()))
    return client


def add_and_publish(staff, reviewer, **overrides):
    """An entry written in the admin by `staff` and published by `reviewer`, as the workflow
    requires."""
    response = staff.post("/admin/catalog/policy/add/", policy_form(**overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    policy = Policy.objects.get(code=overrides.get("code", "HZ-LM-777"))
    response = reviewer.post(
        f"/admin/catalog/policy/{policy.pk}/review/", review_form(policy, approve="1")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    policy.refresh_from_db()
    return policy


def inline_management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def policy_form(**overrides):
    data = {
        "code": "HZ-LM-777",
        "edition": "2026",
        "name": "新增的护理补贴",
        "region": city().pk,
        "domain": domain().pk,
        "department": department().pk,
        "eligibility": "重度残疾人。",
        "benefit": "每月150元。",
        "amount_kind": "fixed",
        "amount_min": "150",
        "amount_unit": "month",
        "period_mode": "always",
        "status": "review",
        "change_note": "新增条目",
        **inline_management("materials", 1),
        "materials-0-order": "1",
        "materials-0-name": "残疾人证",
        "materials-0-form": "both",
        "materials-0-copies": "1",
        **inline_management("steps"),
        **inline_management("rules", 1),
        "rules-0-fact": "disability",
        "rules-0-operator": "in",
        "rules-0-value": "1,2",
        **inline_management("bands"),
    }
    data.update(overrides)
    return data


def test_admin_lists_filters_and_searches_policies(staff):
    make_policy(name="高龄津贴")
    response = staff.get("/admin/catalog/policy/", {"q": "高龄", "status__exact": "published"})
    assert response.status_code == 200
    assert "高龄津贴" in response.content.decode()


def test_saving_and_publishing_in_the_admin_stamps_and_indexes_for_search(staff, reviewer, client):
    policy = add_and_publish(staff, reviewer)
    assert policy.published_at is not None
    assert policy.published_by.username == "reviewer"
    assert policy.materials.get().name == "残疾人证"
    assert policy.rules.get().expected == ["1", "2"]
    assert "残疾 疾人" in policy.search_document
    assert "新增的<mark>护理</mark>补贴" in client.get("/policies/", {"q": "护理"}).content.decode()


def test_admin_form_explains_broken_rules(staff):
    response = staff.post(
        "/admin/catalog/policy/add/",
        policy_form(amount_kind="range", amount_min="500", amount_max="100"),
    )
    assert response.status_code == 200
    assert "区间上限须不小于下限。" in response.content.decode()
    assert not Policy.objects.filter(code="HZ-LM-777").exists()


def test_renaming_a_department_reindexes_its_entries(staff):
    dept = department()
    make_policy(code="D1", department=dept)
    response = staff.post(
        f"/admin/catalog/department/{dept.pk}/change/",
        {"slug": dept.slug, "name": "惠州市社会救助中心", "region": city().pk},
    )
    assert response.status_code == 302
    assert "救助" in Policy.objects.get(code="D1").search_document


def test_admin_refuses_a_rule_value_that_does_not_fit_its_fact(staff):
    response = staff.post("/admin/catalog/policy/add/", policy_form(**{"rules-0-value": "重度"}))
    assert response.status_code == 200
    assert "取值与条件项不符" in response.content.decode()
