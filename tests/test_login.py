"""Login hardening: lockout after five failures (keyed on username and address), the staff
idle timeout, and the login audit log in the admin."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.utils import timezone

from catalog import access
from catalog.models import LoginFailure, LoginLockout, LoginRecord

from .builders import city, county, staff_user

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "pw-for-tests-only"


@pytest.fixture
def chief():
    return User.objects.create_superuser("chief", "chief@example.org", PASSWORD)


def log_in(client, password, username="chief", address="10.0.0.1"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT="TestBrowser/1.0",
    )


def fail(client, times, **kwargs):
    """Log in with a wrong password `times` times; the status codes answered."""
    return [log_in(client, "wrong-password", **kwargs).status_code for _n in range(times)]


def test_four_failures_still_let_the_right_password_in(client, chief):
    assert fail(client, 4) == [200] * 4  # the form again, with its error
    response = log_in(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_the_fifth_failure_locks_out_that_username_from_that_address(client, chief):
    assert fail(client, 5) == [200, 200, 200, 200, 429]
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录失败次数过多，已暂时锁定" in html
    assert "需等待 30 分钟才能再次登录" in html
    assert "_auth_user_id" not in client.session
    # Another address, or another username from the same address, is not locked.
    assert log_in(client, PASSWORD, address="10.0.0.2").status_code == 302


def test_the_lockout_ends_after_thirty_minutes(client, chief):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
    assert log_in(client, PASSWORD).status_code == 302


def test_a_lockout_shows_in_the_admin_and_city_staff_can_lift_it(client, chief):
    fail(client, 5)
    lockout = LoginLockout.objects.get(username="chief")
    client.force_login(User.objects.create_superuser("other", "o@example.org", PASSWORD))
    response = client.post(f"/admin/catalog/loginlockout/{lockout.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    client.logout()
    assert log_in(client, PASSWORD).status_code == 302


def test_logins_failures_and_logouts_are_recorded_with_address_and_browser(client, chief):
    fail(client, 1)
    log_in(client, PASSWORD)
    client.post("/admin/logout/")
    failure = LoginFailure.objects.get()
    assert (failure.username, failure.ip_address, failure.user_agent) == (
        "chief",
        "10.0.0.1",
        "TestBrowser/1.0",
    )
    record = LoginRecord.objects.get()
    assert (record.username, record.ip_address) == ("chief", "10.0.0.1")
    assert record.logout_time is not None


def staff(username, region, role=None):
    return staff_user(username, region=region, role=role)


@pytest.mark.parametrize("role", [access.CITY, access.AUDITOR])
def test_city_staff_and_auditors_read_the_login_log_and_nobody_edits_it(client, chief, role):
    fail(client, 1)
    log_in(client, PASSWORD)
    client.force_login(staff("reader", city(), role=role))
    listing = client.get("/admin/catalog/loginrecord/")
    assert listing.status_code == 200
    assert "10.0.0.1" in listing.content.decode()
    assert client.get("/admin/catalog/loginfailure/").status_code == 200
    assert client.get("/admin/catalog/loginrecord/add/").status_code == 403
    record = LoginRecord.objects.get(username="chief")
    assert client.post(f"/admin/catalog/loginrecord/{record.pk}/delete/").status_code == 403
    page = client.get(f"/admin/catalog/loginrecord/{record.pk}/change/").content.decode()
    assert 'name="username"' not in page  # shown, not editable


def test_county_staff_cannot_read_the_login_log(client, chief):
    log_in(client, PASSWORD)
    client.force_login(staff("boluo-staff", county()))
    assert client.get("/admin/catalog/loginrecord/").status_code == 403
    assert client.get("/admin/catalog/loginfailure/").status_code == 403
    assert "登录记录" not in client.get("/admin/").content.decode()


def test_a_staff_session_ends_after_thirty_idle_minutes(client, chief):
    log_in(client, PASSWORD)
    session = Session.objects.get()
    left = session.expire_date - timezone.now()
    assert datetime.timedelta(minutes=29) < left <= datetime.timedelta(minutes=30)
    # A request moves the end on by the full idle time.
    session.expire_date = timezone.now() + datetime.timedelta(minutes=5)
    session.save()
    assert client.get("/admin/").status_code == 200
    assert Session.objects.get().expire_date > timezone.now() + datetime.timedelta(minutes=29)
    # Thirty minutes without a request: the next one finds no session.
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
