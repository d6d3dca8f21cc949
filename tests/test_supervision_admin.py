"""The message queue in the admin: who sees and answers what, by every URL."""

import pytest
from django.utils import timezone

from catalog import access
from catalog.models import DayKind, Message, WorkCalendarDay

from .builders import city, county, day, department, make_message, make_policy, staff_user

pytestmark = pytest.mark.django_db

ADMIN = "/admin/catalog/message/"


@pytest.fixture
def queue():
    """One message in 博罗县's volume, one in 龙门县's, one for 人社局 in the city volume."""
    longmen = county(slug="longmen", name="龙门县", code="441324", order=5)
    renshe = department(slug="hz-renshe", name="惠州市人力资源和社会保障局")
    return {
        "boluo": make_message(
            make_policy(region=county()), body="博罗的问题？", phone="13800001111"
        ),
        "longmen": make_message(make_policy(region=longmen), body="龙门的问题？"),
        "renshe": make_message(make_policy(department=renshe), body="人社的问题？"),
        "longmen_region": longmen,
        "renshe_department": renshe,
    }


def login(client, user):
    client.force_login(user)
    return client


def test_county_staff_see_only_their_volumes_messages(client, queue):
    login(client, staff_user("boluo-staff", region=county()))
    html = client.get(ADMIN).content.decode()
    assert queue["boluo"].ref in html
    assert queue["longmen"].ref not in html
    assert queue["renshe"].ref not in html


@pytest.mark.parametrize("suffix", ["change/", "history/", "delete/"])
def test_county_staff_cannot_open_another_countys_message_by_url(client, queue, suffix):
    login(client, staff_user("boluo-staff", region=county()))
    other = queue["longmen"]
    response = client.get(f"{ADMIN}{other.pk}/{suffix}")
    if suffix == "delete/":
        assert response.status_code == 403  # nobody but city staff deletes a message
    else:
        assert response.status_code == 302  # the admin's "does not exist" redirect
        assert other.body not in client.get(response["Location"]).content.decode()
    own = client.get(f"{ADMIN}{queue['boluo'].pk}/{suffix}")
    # Messages are the public's: county staff answer them, only city staff delete.
    assert own.status_code == (403 if suffix == "delete/" else 200)


def test_county_staff_cannot_answer_or_delete_another_countys_message(client, queue):
    login(client, staff_user("boluo-staff", region=county()))
    other = queue["longmen"]
    client.post(f"{ADMIN}{other.pk}/change/", {"status": "answered", "reply": "越权答复"})
    client.post(f"{ADMIN}{other.pk}/delete/", {"post": "yes"})
    other.refresh_from_db()
    assert (other.status, other.reply) == ("new", "")


def test_department_staff_see_only_their_departments_messages(client, queue):
    login(client, staff_user("renshe-staff", department=queue["renshe_department"]))
    html = client.get(ADMIN).content.decode()
    assert queue["renshe"].ref in html
    assert queue["boluo"].ref not in html


def test_city_staff_and_superusers_see_every_message(client, queue):
    for user in (staff_user("city-staff", region=city()), staff_user("root", superuser=True)):
        html = login(client, user).get(ADMIN).content.decode()
        assert all(queue[key].ref in html for key in ("boluo", "longmen", "renshe"))


def test_staff_without_a_profile_see_no_messages(client, queue):
    login(client, staff_user("nobody", role=access.COUNTY))
    html = client.get(ADMIN).content.decode()
    assert not any(queue[key].ref in html for key in ("boluo", "longmen", "renshe"))
    assert client.get(f"{ADMIN}{queue['boluo'].pk}/change/").status_code == 302


def test_answering_stamps_who_and_when(client, queue):
    user = staff_user("boluo-staff", region=county())
    login(client, user)
    message = queue["boluo"]
    response = client.post(
        f"{ADMIN}{message.pk}/change/", {"status": "answered", "reply": "可由家属代办。"}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "answered"
    assert message.replied_by == user
    assert message.replied_at is not None


def test_answering_without_a_reply_is_refused_with_a_reason(client, queue):
    login(client, staff_user("boluo-staff", region=county()))
    response = client.post(f"{ADMIN}{queue['boluo'].pk}/change/", {"status": "answered"})
    assert response.status_code == 200
    assert "请填写答复内容" in response.content.decode()


def test_the_queue_masks_contact_details_and_the_owner_sees_them_in_full(client, queue):
    login(client, staff_user("boluo-staff", region=county()))
    listing = client.get(ADMIN).content.decode()
    assert "138****1111" in listing
    assert "13800001111" not in listing
    detail = client.get(f"{ADMIN}{queue['boluo'].pk}/change/").content.decode()
    assert "13800001111" in detail


def test_the_overdue_view_lists_only_late_open_messages(client, queue):
    Message.objects.filter(pk=queue["boluo"].pk).update(due_on=day("2020-01-06"))
    login(client, staff_user("city-staff", region=city()))
    html = client.get(ADMIN, {"overdue": "yes"}).content.decode()
    assert queue["boluo"].ref in html
    assert queue["longmen"].ref not in html


def test_the_report_counts_per_department_and_region_in_the_users_scope(client, queue):
    Message.objects.filter(pk=queue["longmen"].pk).update(due_on=day("2020-01-06"))
    Message.objects.filter(pk=queue["renshe"].pk).update(
        status="answered", reply="已答复。", replied_at=timezone.now()
    )
    login(client, staff_user("city-staff", region=city()))
    response = client.get(f"{ADMIN}report/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "共 3 条：办理中 2 条，其中逾期 1 条；已答复 1 条。" in html
    assert "龙门县</th><td>1</td><td>1</td><td>1</td><td>0</td>" in html
    assert "惠州市人力资源和社会保障局</th><td>1</td><td>0</td><td>0</td><td>1</td>" in html
    county_view = login(client, staff_user("boluo-staff", region=county()))
    assert "共 1 条" in county_view.get(f"{ADMIN}report/").content.decode()


def test_editing_the_calendar_in_the_admin_moves_open_deadlines(client):
    message = make_message()
    login(client, staff_user("root", superuser=True))
    holidays = [message.due_on]
    response = client.post(
        "/admin/catalog/workcalendarday/add/",
        {"date": holidays[0].isoformat(), "kind": DayKind.HOLIDAY, "name": "临时放假"},
    )
    assert response.status_code == 302
    assert WorkCalendarDay.objects.filter(date=holidays[0]).exists()
    message.refresh_from_db()
    assert message.due_on > holidays[0]
