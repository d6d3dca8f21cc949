"""The back office (issue 5): who reaches which admin URL, the workflow, history, restore and
the refusal of lost updates."""

import io
import json

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client

from catalog import access
from catalog.models import Material, Policy, ProposedChange

from .builders import city, county, department, make_policy, review_form, staff_user

pytestmark = pytest.mark.django_db

ADMIN = "/admin/catalog/policy/"


@pytest.fixture
def world():
    """Entries in 博罗县 (own county), 龙门县 (another county) and the city volume (民政局 and
    人社局), and one account per role."""
    boluo, longmen = county(), county(slug="longmen", name="龙门县", code="441324", order=5)
    minzheng = department()
    renshe = department(slug="hz-renshe", name="惠州市人力资源和社会保障局")
    entries = {
        "boluo": make_policy(code="BL-1", name="博罗补贴", region=boluo),
        "longmen": make_policy(code="LM-1", name="龙门补贴", region=longmen),
        "minzheng": make_policy(code="MZ-1", name="民政补贴", department=minzheng),
        "renshe": make_policy(code="RS-1", name="人社补贴", department=renshe),
    }
    users = {
        "city": staff_user("city", region=city()),
        "county": staff_user("boluo", region=boluo),
        "department": staff_user("minzheng", department=minzheng),
        "auditor": staff_user("auditor", role=access.AUDITOR),
        "nobody": staff_user("nobody"),
    }
    return {"entries": entries, "users": users, "boluo": boluo, "longmen": longmen}


def save(policy, user, **changes):
    """An edit through the service every admin write uses."""
    from catalog import revisions

    data = revisions.snapshot(Policy.objects.get(pk=policy.pk))
    data["fields"].update(changes)
    return revisions.submit_edit(policy, data, user, "测试修改")


def as_user(user):
    client = Client()
    client.force_login(user)
    return client


def catalogue_state():
    """Every catalogue table, history included, as text: equal before and after means the
    request changed nothing."""
    out = io.StringIO()
    proxies = ["catalog.LoginRecord", "catalog.LoginFailure", "catalog.LoginLockout"]
    call_command("dumpdata", "catalog", "auth.group", exclude=proxies, stdout=out)
    return out.getvalue()


def inline_management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def change_form(policy, **overrides):
    """The change form of an entry without inline rows, as the browser would post it."""
    policy.refresh_from_db()
    data = {
        "code": policy.code,
        "edition": policy.edition,
        "name": policy.name,
        "region": policy.region_id,
        "domain": policy.domain_id,
        "department": policy.department_id or "",
        "eligibility": policy.eligibility,
        "benefit": policy.benefit,
        "amount_kind": policy.amount_kind,
        "period_mode": policy.period_mode,
        "status": policy.status,
        "change_note": "修改说明",
        "seen_version": policy.version,
        **inline_management("materials"),
        **inline_management("steps"),
        **inline_management("rules"),
        **inline_management("bands"),
    }
    data.update(overrides)
    return data


# --- the authorization matrix ---------------------------------------------------------------

ROLES = ["city", "county", "department", "auditor", "nobody"]
# The entry each role answers for, and one outside its scope (city staff and auditors have none).
OWN = {"city": "longmen", "county": "boluo", "department": "minzheng", "auditor": "boluo"}
OTHER = {"county": "longmen", "department": "renshe"}
IN_SCOPE = {"city", "auditor"}

# URL name → how to build it from an entry (and one of its history records).
URLS = {
    "catalog_policy_changelist": lambda p, h: ADMIN,
    "catalog_policy_add": lambda p, h: f"{ADMIN}add/",
    "catalog_policy_change": lambda p, h: f"{ADMIN}{p.pk}/change/",
    "catalog_policy_history": lambda p, h: f"{ADMIN}{p.pk}/history/",
    "catalog_policy_delete": lambda p, h: f"{ADMIN}{p.pk}/delete/",
    "catalog_policy_restore": lambda p, h: f"{ADMIN}{p.pk}/history/{h}/restore/",
    "catalog_policy_review": lambda p, h: f"{ADMIN}{p.pk}/review/",
    # Pages of the whole scope, not of one entry (catalog/admin_io.py).
    "catalog_policy_import": lambda p, h: f"{ADMIN}import/",
    "catalog_policy_template": lambda p, h: f"{ADMIN}import/template/",
    "catalog_policy_export": lambda p, h: f"{ADMIN}export/",
    "catalog_policy_attention": lambda p, h: f"{ADMIN}attention/",
}
SCOPE_PAGES = {
    "catalog_policy_changelist",
    "catalog_policy_add",
    "catalog_policy_import",
    "catalog_policy_template",
    "catalog_policy_export",
    "catalog_policy_attention",
}


def test_the_matrix_covers_every_url_of_the_entry_admin():
    names = {
        pattern.name
        for pattern in admin.site._registry[Policy].get_urls()
        if pattern.name is not None
    }
    assert names == set(URLS)


def get_status(role, url_name, target):
    """The status a GET must answer with: `target` is "own" or "other"."""
    out_of_scope = target == "other"
    if role == "nobody":
        ours = ("catalog_policy_history", "catalog_policy_restore", "catalog_policy_review")
        return 404 if url_name in ours else 403
    if url_name in SCOPE_PAGES:
        writes = url_name in ("catalog_policy_add", "catalog_policy_import")
        return 403 if role == "auditor" and writes else 200
    if out_of_scope:
        return {"catalog_policy_change": 302, "catalog_policy_delete": 403}.get(url_name, 404)
    if url_name == "catalog_policy_delete":
        return 200 if role == "city" else 403
    if url_name == "catalog_policy_restore":
        return 403 if role == "auditor" else 200
    if url_name == "catalog_policy_review":
        return 302  # nothing waits for review: back to the change form
    return 200


CASES = [
    (role, target)
    for role in ROLES
    for target in ("own", "other")
    if not (target == "other" and (role in IN_SCOPE or role == "nobody"))
]


@pytest.mark.parametrize(("role", "target"), CASES)
def test_every_admin_url_answers_each_role_by_its_scope(world, role, target):
    entry = world["entries"][(OTHER if target == "other" else OWN).get(role, "boluo")]
    record = entry.history.order_by("history_date").first().history_id
    client = as_user(world["users"][role])
    for name, build in URLS.items():
        response = client.get(build(entry, record))
        assert response.status_code == get_status(role, name, target), (name, role, target)
        entry_url = name not in SCOPE_PAGES
        if response.status_code == 200 and target == "other" and entry_url:
            pytest.fail(f"{name} showed an entry outside the scope of {role}")


def refused_posts(world, role, target):
    """(url, data) pairs that must change nothing for `role` on the `target` entry."""
    entry = world["entries"][(OTHER if target == "other" else OWN).get(role, "boluo")]
    record = entry.history.order_by("history_date").first().history_id
    posts = []
    if role != "city" or target == "other":
        posts += [
            (f"{ADMIN}{entry.pk}/delete/", {"post": "yes"}),
            (f"{ADMIN}{entry.pk}/review/", {"approve": "1"}),
            (
                ADMIN,
                {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
            ),
        ]
    if role in ("auditor", "nobody") or target == "other":
        posts += [
            (f"{ADMIN}{entry.pk}/change/", change_form(entry, name="越权修改")),
            (f"{ADMIN}{entry.pk}/history/{record}/restore/", {"note": "越权恢复"}),
            (ADMIN, {"action": "withdraw_selected", "_selected_action": [entry.pk]}),
            (ADMIN, {"action": "submit_selected", "_selected_action": [entry.pk]}),
            (f"{ADMIN}add/", change_form(entry, code="NEW-1", status="draft")),
        ]
    if role in ("auditor", "nobody"):
        posts += [(f"{ADMIN}import/", {"note": "越权导入", "confirm": "1"})]
    if role == "county" and target == "own":
        posts += [
            # Moving the entry to another county's volume, or adding one there.
            (f"{ADMIN}{entry.pk}/change/", change_form(entry, region=world["longmen"].pk)),
            (
                f"{ADMIN}add/",
                change_form(entry, code="NEW-1", status="draft", region=world["longmen"].pk),
            ),
        ]
    if role == "department" and target == "own":
        other_department = world["entries"]["renshe"].department_id
        posts += [
            (f"{ADMIN}{entry.pk}/change/", change_form(entry, department=other_department)),
            (
                f"{ADMIN}add/",
                change_form(entry, code="NEW-1", status="draft", department=other_department),
            ),
        ]
    if target == "own":
        # Nobody publishes through the status field: only on the review page.
        posts += [(f"{ADMIN}add/", change_form(entry, code="NEW-1", status="published"))]
    return posts


@pytest.mark.parametrize(("role", "target"), CASES)
def test_every_refused_post_changes_nothing(world, role, target):
    client = as_user(world["users"][role])
    posts = refused_posts(world, role, target)
    assert posts
    for url, data in posts:
        before = catalogue_state()
        response = client.post(url, data)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        assert catalogue_state() == before, (role, target, url, data.get("action"))


def test_county_staff_change_form_offers_only_their_volume_and_no_publishing(world):
    client = as_user(world["users"]["county"])
    html = client.get(f"{ADMIN}{world['entries']['boluo'].pk}/change/").content.decode()
    assert '<option value="published" selected>' in html
    assert 'value="draft"' not in html  # a published entry stays published or is withdrawn
    assert "deletelink" not in html
    add = client.get(f"{ADMIN}add/").content.decode()
    assert 'value="published"' not in add


def test_county_staff_change_form_refuses_another_volume_with_a_reason(world):
    entry = world["entries"]["boluo"]
    client = as_user(world["users"]["county"])
    response = client.post(
        f"{ADMIN}{entry.pk}/change/", change_form(entry, region=world["longmen"].pk)
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()


def test_the_changelist_shows_each_role_only_its_entries(world):
    seen = {}
    for role in ROLES[:4]:
        html = as_user(world["users"][role]).get(ADMIN).content.decode()
        seen[role] = {key for key, entry in world["entries"].items() if entry.code in html}
    assert seen == {
        "city": {"boluo", "longmen", "minzheng", "renshe"},
        "county": {"boluo"},
        "department": {"minzheng"},
        "auditor": {"boluo", "longmen", "minzheng", "renshe"},
    }


def autocomplete(client, field_name, model_name="policy", term=""):
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "catalog",
            "model_name": model_name,
            "field_name": field_name,
            "term": term,
        },
    )
    assert response.status_code == 200
    return {row["text"] for row in json.loads(response.content)["results"]}


def test_autocomplete_offers_county_staff_only_what_their_entries_may_point_to(world):
    make_policy(code="HZ-DRAFT", name="市级草稿", status="draft", published_at=None)
    client = as_user(world["users"]["county"])
    parents = autocomplete(client, "parent")
    assert any("博罗补贴" in text for text in parents)
    assert any("民政补贴" in text for text in parents)  # city entries may be localized
    assert not any("龙门补贴" in text for text in parents)
    assert not any("市级草稿" in text for text in parents)  # the city's drafts stay unseen
    assert autocomplete(client, "region") == {"博罗县"}


def test_auditors_see_everything_and_change_nothing(world):
    client = as_user(world["users"]["auditor"])
    entry = world["entries"]["longmen"]
    html = client.get(f"{ADMIN}{entry.pk}/change/").content.decode()
    assert "龙门补贴" in html
    assert 'name="_save"' not in html
    assert client.post("/admin/catalog/region/add/", {"name": "x"}).status_code == 403


@pytest.mark.parametrize("role", ["county", "department", "auditor"])
def test_only_city_staff_edit_reference_data(world, role):
    client = as_user(world["users"][role])
    region = world["boluo"]
    before = catalogue_state()
    response = client.post(
        f"/admin/catalog/region/{region.pk}/change/",
        {"slug": "x", "code": "1", "name": "改名", "level": "county", "order": 1},
    )
    assert response.status_code == 403
    assert client.get("/admin/catalog/synonymgroup/add/").status_code == 403
    assert catalogue_state() == before


def test_messages_follow_the_same_scope(world):
    from catalog.models import Message

    from .builders import make_message

    make_message(world["entries"]["boluo"])
    make_message(world["entries"]["longmen"])
    users = world["users"]
    counts = {
        role: Message.objects.visible_to(users[role]).count()
        for role in ("city", "county", "auditor", "nobody")
    }
    assert counts == {"city": 2, "county": 1, "auditor": 2, "nobody": 0}


# --- workflow -------------------------------------------------------------------------------


def test_an_editors_change_to_a_published_entry_waits_and_the_public_keeps_the_live_version(
    world,
):
    entry = world["entries"]["boluo"]
    editor, reviewer = as_user(world["users"]["county"]), as_user(world["users"]["city"])
    response = editor.post(f"{ADMIN}{entry.pk}/change/", change_form(entry, name="博罗新名称"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.name == "博罗补贴"
    assert entry.status == Policy.Status.PUBLISHED
    assert "博罗补贴" in Client().get(entry.get_absolute_url()).content.decode()
    assert "修改待审核" in reviewer.get(ADMIN, {"review": "waiting"}).content.decode()
    review = reviewer.get(f"{ADMIN}{entry.pk}/review/").content.decode()
    assert "政策名称" in review and "博罗新名称" in review
    assert (
        reviewer.post(f"{ADMIN}{entry.pk}/review/", review_form(entry, approve="1")).status_code
        == 302
    )
    entry.refresh_from_db()
    assert entry.name == "博罗新名称"
    assert entry.published_by == world["users"]["city"]
    assert "博罗新名称" in Client().get(entry.get_absolute_url()).content.decode()
    assert ProposedChange.objects.get().state == ProposedChange.State.APPROVED


def test_the_reviewer_cannot_be_the_last_editor(world):
    author, other = world["users"]["city"], staff_user("city-2", region=city())
    client = as_user(author)
    response = client.post(
        f"{ADMIN}add/", change_form(world["entries"]["minzheng"], code="N-1", status="review")
    )
    assert response.status_code == 302
    entry = Policy.objects.get(code="N-1")
    response = client.post(f"{ADMIN}{entry.pk}/review/", review_form(entry, approve="1"))
    assert "审核人不能是该条目的最后修改人" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == Policy.Status.REVIEW
    as_user(other).post(f"{ADMIN}{entry.pk}/review/", review_form(entry, approve="1"))
    entry.refresh_from_db()
    assert (entry.status, entry.published_by) == (Policy.Status.PUBLISHED, other)
    assert entry.published_at is not None


def test_sending_back_needs_a_note_and_leaves_the_live_version(world):
    entry = world["entries"]["boluo"]
    as_user(world["users"]["county"]).post(
        f"{ADMIN}{entry.pk}/change/", change_form(entry, name="不合格的修改")
    )
    reviewer = as_user(world["users"]["city"])
    response = reviewer.post(f"{ADMIN}{entry.pk}/review/", review_form(entry, reject="1"))
    assert "退回时请填写审核意见" in response.content.decode()
    reviewer.post(f"{ADMIN}{entry.pk}/review/", review_form(entry, reject="1", note="名称不规范"))
    proposal = ProposedChange.objects.get()
    assert (proposal.state, proposal.decision_note) == ("rejected", "名称不规范")
    entry.refresh_from_db()
    assert entry.name == "博罗补贴"


def test_editors_withdraw_instead_of_deleting(world):
    users = world["users"]
    draft = make_policy(code="BL-2", region=world["boluo"], status="draft", published_at=None)
    editor = as_user(users["county"])
    response = editor.post(
        ADMIN,
        {
            "action": "withdraw_selected",
            "_selected_action": [draft.pk, world["entries"]["boluo"].pk],
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Policy.Status.WITHDRAWN
    live = Policy.objects.get(pk=world["entries"]["boluo"].pk)
    assert live.status == Policy.Status.PUBLISHED  # waits for review
    assert ProposedChange.objects.get(policy=live).data["fields"]["status"] == "withdrawn"
    assert draft.history.latest().history_change_reason == "批量废止"
    assert editor.post(f"{ADMIN}{draft.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Policy.objects.filter(pk=draft.pk).exists()


# --- history --------------------------------------------------------------------------------


def test_an_admin_save_records_who_why_and_the_inline_rows(world):
    entry = world["entries"]["minzheng"]
    user = world["users"]["city"]
    data = change_form(
        entry,
        name="新名称",
        change_note="按2026年文件更新",
        **inline_management("materials", 1),
        **{"materials-0-order": "1", "materials-0-name": "户口簿", "materials-0-form": "original"},
        **{"materials-0-copies": "1"},
    )
    assert as_user(user).post(f"{ADMIN}{entry.pk}/change/", data).status_code == 302
    latest = entry.history.latest()
    assert (latest.name, latest.history_user, latest.history_change_reason) == (
        "新名称",
        user,
        "按2026年文件更新",
    )
    material = Material.history.get()
    assert (material.name, material.history_user, material.history_change_reason) == (
        "户口簿",
        user,
        "按2026年文件更新",
    )


def test_a_save_without_a_change_note_is_refused(world):
    entry = world["entries"]["minzheng"]
    response = as_user(world["users"]["city"]).post(
        f"{ADMIN}{entry.pk}/change/", change_form(entry, name="无说明", change_note="")
    )
    assert "请填写修改说明" in response.content.decode()
    entry.refresh_from_db()
    assert entry.name != "无说明"


def test_fixtures_leave_a_version_of_every_entry_with_its_tags():
    call_command("loaddata", "reference", "demo_policies", verbosity=0)
    loaded = Policy.objects.get(code="HZ-LM-001")
    record = loaded.history.get()
    assert record.history_change_reason == "从数据文件载入：reference、demo_policies"
    assert record.tags["audiences"] == sorted(loaded.audiences.values_list("pk", flat=True))
    assert record.tags["audiences"]
    assert Material.history.filter(policy_id=loaded.pk).count() == loaded.materials.count() > 0


def test_a_deletion_leaves_a_version_with_who(world):
    entry = world["entries"]["renshe"]
    Material.objects.create(policy=entry, name="身份证")
    as_user(world["users"]["city"]).post(f"{ADMIN}{entry.pk}/delete/", {"post": "yes"})
    gone = Policy.history.filter(id=entry.pk).latest()
    assert (gone.history_type, gone.history_user) == ("-", world["users"]["city"])
    # The rows deleted with it say who too (the cascade loads them afresh).
    material = Material.history.filter(policy_id=entry.pk).latest()
    assert (material.history_type, material.history_user) == ("-", world["users"]["city"])


def test_the_history_page_shows_a_readable_diff(world):
    entry = world["entries"]["minzheng"]
    save(entry, world["users"]["city"], name="民政补贴（修订）")
    html = as_user(world["users"]["auditor"]).get(f"{ADMIN}{entry.pk}/history/").content.decode()
    assert "第 2 版" in html
    assert "政策名称" in html
    assert "民政补贴（修订）" in html
    assert "测试修改" in html
    assert "恢复到第" not in html  # auditors restore nothing


def test_a_changed_finder_rule_reads_in_words_in_the_diff():
    from catalog import eligibility, revisions

    policy = make_policy()
    old = revisions.snapshot(policy)
    new = revisions.snapshot(policy)
    new["rows"]["rules"] = [
        {"fact": fact, "operator": operator, "value": value, "reason": ""}
        for fact, operator, value in [
            ("assistance", eligibility.ONE_OF, "dibao,tekun"),
            ("veteran", eligibility.EQUALS, "yes"),
            ("age", eligibility.AT_LEAST, "80"),
        ]
    ]
    (change,) = revisions.diff(old, new)
    assert change.after.splitlines()[0].endswith("低保对象、特困人员")
    assert change.after.splitlines()[1].endswith("是")
    assert change.after.splitlines()[2].endswith("80岁")
    assert "dibao" not in change.after


def test_derived_search_columns_are_not_versions(world):
    from catalog.services import index_policies

    entry = world["entries"]["minzheng"]
    count = entry.history.count()
    Policy.objects.filter(pk=entry.pk).update(search_document="")
    index_policies(Policy.objects.filter(pk=entry.pk))
    assert entry.history.count() == count


# --- restore --------------------------------------------------------------------------------


def test_city_staff_restore_an_earlier_version_as_a_new_one(world):
    entry = world["entries"]["minzheng"]
    save(entry, world["users"]["city"], name="民政补贴（修订）")
    first = entry.history.order_by("history_date").first()
    client = as_user(world["users"]["city"])
    response = client.get(f"{ADMIN}{entry.pk}/history/{first.history_id}/restore/")
    assert "民政补贴（修订）" in response.content.decode()
    response = client.post(f"{ADMIN}{entry.pk}/history/{first.history_id}/restore/", {"note": ""})
    assert "请填写修改说明" in response.content.decode()
    client.post(f"{ADMIN}{entry.pk}/history/{first.history_id}/restore/", {"note": "改错了"})
    entry.refresh_from_db()
    assert (entry.name, entry.version) == ("民政补贴", 3)
    assert entry.history.latest().history_change_reason == "恢复到第 1 版：改错了"


def test_restoring_brings_back_inline_rows_and_tags(world):
    from catalog import revisions

    from .builders import domain

    entry = world["entries"]["minzheng"]
    user = world["users"]["city"]
    data = revisions.snapshot(entry)
    data["rows"]["materials"] = [
        {"order": 1, "name": "身份证", "form": "copy", "copies": 2, "note": ""}
    ]
    revisions.submit_edit(entry, data, user, "加材料")
    with_material = entry.history.latest()
    data = revisions.snapshot(Policy.objects.get(pk=entry.pk))
    data["rows"]["materials"] = []
    data["fields"]["domain_id"] = domain(slug="lm-yiliao", name="医疗保障", order=5).pk
    revisions.submit_edit(entry, data, user, "删材料")
    entry.refresh_from_db()
    revisions.restore(entry, with_material, user, "恢复材料")
    entry.refresh_from_db()
    assert [(m.name, m.copies) for m in entry.materials.all()] == [("身份证", 2)]
    assert entry.domain.name == "生活保障"


def test_an_editors_restore_of_a_published_entry_waits_for_review(world):
    entry = world["entries"]["boluo"]
    save(entry, world["users"]["city"], name="博罗补贴（修订）")
    first = entry.history.order_by("history_date").first()
    as_user(world["users"]["county"]).post(
        f"{ADMIN}{entry.pk}/history/{first.history_id}/restore/", {"note": "恢复原名"}
    )
    entry.refresh_from_db()
    assert entry.name == "博罗补贴（修订）"
    assert ProposedChange.objects.get(policy=entry).data["fields"]["name"] == "博罗补贴"


def test_an_editor_cannot_restore_a_version_from_another_volume(world):
    entry = world["entries"]["longmen"]
    save(entry, world["users"]["city"], region_id=world["boluo"].pk)
    in_longmen = entry.history.order_by("history_date").first()
    client = as_user(world["users"]["county"])
    before = catalogue_state()
    response = client.post(
        f"{ADMIN}{entry.pk}/history/{in_longmen.history_id}/restore/", {"note": "试图移走"}
    )
    assert "不在您的管理范围内" in response.content.decode()
    assert catalogue_state() == before


# --- no lost updates ------------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused_and_says_what_changed(world):
    entry = world["entries"]["minzheng"]
    first, second = as_user(world["users"]["city"]), as_user(staff_user("city-2", region=city()))
    opened = change_form(entry)  # both opened the form at the same version
    response = first.post(f"{ADMIN}{entry.pk}/change/", {**opened, "name": "甲的修改"})
    assert response.status_code == 302
    response = second.post(f"{ADMIN}{entry.pk}/change/", {**opened, "benefit": "乙的修改"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "保存未执行" in html and "city" in html and "政策名称" in html
    entry.refresh_from_db()
    assert (entry.name, entry.benefit) == ("甲的修改", "按规定发放。")


def test_create_demo_staff_refuses_production_and_creates_one_account_per_role(settings):
    call_command("loaddata", "reference", verbosity=0)
    settings.DEBUG = False
    with pytest.raises(Exception, match="DEBUG is off"):
        call_command("create_demo_staff")
    out = io.StringIO()
    call_command(
        "create_demo_staff", "--force-in-production", "--password", "demo-pass-1", stdout=out
    )
    from django.contrib.auth.models import User

    roles = {u.username: access.scope_for(u).role for u in User.objects.all()}
    assert roles["demo-huicheng"] == access.COUNTY
    assert roles["demo-minzheng"] == access.DEPARTMENT
    assert roles["demo-auditor"] == access.AUDITOR
    assert roles["demo-city"] == access.CITY
    assert "demo-pass-1" in out.getvalue()
    assert Client().login(request=HttpRequest(), username="demo-huicheng", password="demo-pass-1")


def test_the_submit_action_sends_the_editors_drafts_to_review_with_a_version(world):
    boluo = world["boluo"]
    drafts = [
        make_policy(code=f"BL-D{n}", region=boluo, status="draft", published_at=None)
        for n in range(2)
    ]
    response = as_user(world["users"]["county"]).post(
        ADMIN,
        {
            "action": "submit_selected",
            "_selected_action": [*(d.pk for d in drafts), world["entries"]["boluo"].pk],
        },
        follow=True,
    )
    assert "已将 2 个草稿提交审核；1 个所选条目不是草稿" in response.content.decode()
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.status == Policy.Status.REVIEW
        latest = draft.history.latest()
        assert (latest.history_user.username, latest.history_change_reason) == ("boluo", "提交审核")
    assert Policy.objects.get(code="BL-1").status == Policy.Status.PUBLISHED


def test_a_second_editor_cannot_replace_anothers_pending_change(world):
    entry = world["entries"]["boluo"]
    county_client = as_user(world["users"]["county"])
    county_client.post(f"{ADMIN}{entry.pk}/change/", change_form(entry, name="第一位的修改"))
    colleague = as_user(staff_user("boluo-2", region=world["boluo"]))
    before = catalogue_state()
    response = colleague.post(f"{ADMIN}{entry.pk}/change/", change_form(entry, name="第二位的修改"))
    assert "boluo 已于" in response.content.decode()
    assert "正在等待审核" in response.content.decode()
    assert catalogue_state() == before
    # The author may replace their own pending change.
    county_client.post(f"{ADMIN}{entry.pk}/change/", change_form(entry, name="第一位改好的"))
    assert ProposedChange.objects.get(state="pending").data["fields"]["name"] == "第一位改好的"


def test_an_approval_of_something_the_reviewer_did_not_see_is_refused(world):
    entry = world["entries"]["boluo"]
    county_client = as_user(world["users"]["county"])
    county_client.post(f"{ADMIN}{entry.pk}/change/", change_form(entry, name="审核人看到的"))
    reviewer = as_user(world["users"]["city"])
    seen = review_form(entry, approve="1")  # the review page as the reviewer opened it
    county_client.post(f"{ADMIN}{entry.pk}/change/", change_form(entry, name="之后偷偷改的"))
    before = catalogue_state()
    response = reviewer.post(f"{ADMIN}{entry.pk}/review/", seen)
    assert "请重新查看后再审核" in response.content.decode()
    assert catalogue_state() == before
    entry.refresh_from_db()
    assert entry.name == "博罗补贴"


def test_long_change_and_review_notes_are_kept_whole(world):
    entry = world["entries"]["boluo"]
    note = "按2026年新文件调整" * 18  # 198 characters, near the form's limit of 200
    proposed = as_user(world["users"]["county"]).post(
        f"{ADMIN}{entry.pk}/change/", change_form(entry, name="新名称", change_note=note)
    )
    assert proposed.status_code == 302, proposed.context["adminform"].form.errors
    response = as_user(world["users"]["city"]).post(
        f"{ADMIN}{entry.pk}/review/", review_form(entry, approve="1", note="同意" * 100)
    )
    assert response.status_code == 302
    reason = Policy.objects.get(pk=entry.pk).history.latest().history_change_reason
    assert note in reason and "同意" * 100 in reason
