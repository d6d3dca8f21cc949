"""Public supervision: the working-day calendar, deadlines, the public forms and pages."""

import datetime
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from catalog.models import DayKind, Message, Policy, WorkCalendarDay
from catalog.models.supervision import mask_email, mask_phone
from catalog.services import erase_expired_contacts

from .builders import day, department, make_message, make_policy

pytestmark = pytest.mark.django_db

add_working_days = WorkCalendarDay.objects.add_working_days


def holiday(text, name="节日"):
    return WorkCalendarDay.objects.create(date=day(text), kind=DayKind.HOLIDAY, name=name)


def make_up_workday(text):
    return WorkCalendarDay.objects.create(date=day(text), kind=DayKind.WORKDAY, name="调休")


def ask(client, policy, path="ask", **data):
    form = {"body": "请问八十岁老人需要本人去办吗？", "phone": "", "email": "", **data}
    return client.post(f"/policies/{policy.code}/{path}/", form)


# The working-day calendar


def test_five_working_days_skip_a_holiday_and_count_a_make_up_saturday():
    # Friday 26 April 2030; Saturday 27 is a make-up working day, 1–3 May are holidays.
    make_up_workday("2030-04-27")
    for text in ("2030-05-01", "2030-05-02", "2030-05-03"):
        holiday(text)
    assert add_working_days(day("2030-04-26"), 5) == day("2030-05-07")


def test_without_exceptions_working_days_are_monday_to_friday():
    assert add_working_days(day("2030-04-26"), 5) == day("2030-05-03")
    assert add_working_days(day("2030-04-27"), 1) == day("2030-04-29")  # Saturday → Monday


def test_the_shipped_2026_calendar_moves_a_deadline_past_the_spring_festival():
    # Thursday 12 Feb: Friday 13, make-up Saturday 14, the holiday 15–23, then 24, 25, 26.
    assert add_working_days(day("2026-02-12"), 5) == day("2026-02-26")
    # National Day: 1–7 October off, Saturday 10 October worked.
    assert add_working_days(day("2026-09-30"), 5) == day("2026-10-13")


def test_a_make_up_working_day_on_a_weekday_is_refused_with_a_reason():
    entry = WorkCalendarDay(date=day("2030-04-29"), kind=DayKind.WORKDAY)
    with pytest.raises(Exception, match="本来就是工作日"):
        entry.full_clean()


# Deadlines and overdue


def test_a_message_is_due_the_configured_number_of_working_days_after_it_arrives(settings):
    settings.SUPERVISION_REPLY_WORKING_DAYS = 2
    holiday("2030-04-29")
    arrived = datetime.datetime(2030, 4, 26, 16, 0, tzinfo=datetime.UTC)  # Saturday 0:00 in China
    message = make_message(created_at=arrived)
    assert message.due_on == day("2030-05-01")  # Sat 27 arrived; Mon 29 off; Tue 30, Wed 1


def test_overdue_means_open_and_past_the_due_day():
    late = make_message(due_on=day("2030-05-06"))
    make_message(
        due_on=day("2030-05-06"), status="answered", reply="可以代办。", replied_at=timezone.now()
    )
    make_message(due_on=day("2030-05-07"))
    assert list(Message.objects.overdue(on=day("2030-05-07"))) == [late]
    assert not Message.objects.overdue(on=day("2030-05-06")).exists()  # the due day is in time


# The public form


def test_every_entry_page_links_to_ask_and_to_report_an_error(client):
    policy = make_policy()
    html = client.get(policy.get_absolute_url()).content.decode()
    assert f'href="/policies/{policy.code}/ask/"' in html
    assert f'href="/policies/{policy.code}/report/"' in html


def test_the_form_explains_what_happens_next_and_asks_consent_only_for_questions(client):
    policy = make_policy(department=department())
    question = client.get(f"/policies/{policy.code}/ask/").content.decode()
    assert "提交以后会怎样" in question
    assert "5 个工作日内答复" in question
    assert "惠州市民政局" in question
    assert 'name="publish_consent"' in question
    report = client.get(f"/policies/{policy.code}/report/").content.decode()
    assert "报告本页内容有误" in report
    assert 'name="publish_consent"' not in report


def test_sending_a_question_gives_a_reference_to_look_up(client):
    policy = make_policy()
    response = ask(client, policy, phone="13812341234", publish_consent="on")
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/consult/{message.ref}/?new=1"
    page = client.get(response["Location"]).content.decode()
    assert message.ref in page
    assert "已收到您的留言" in page
    assert "待处理" in page
    assert "13812341234" not in page
    assert message.publish_consent and message.phone == "13812341234"


def test_an_error_report_goes_to_the_same_queue(client):
    policy = make_policy()
    ask(client, policy, path="report", body="电话号码已经变更为 2280000。")
    assert Message.objects.get().kind == Message.Kind.ERROR


def test_a_filled_honeypot_stores_nothing(client):
    response = ask(client, make_policy(), website="http://spam.example")
    assert response.status_code == 200
    assert "提交未成功" in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"body": "问题\x00里有空字符"},
        {"body": "长" * 100_000},
        {"body": "长" * 1001},
        {"body": "好"},
        {"phone": "not a phone"},
        {"email": "nobody"},
        {"phone": "1" * 5000},
    ],
)
def test_bad_input_is_a_readable_form_error_not_a_crash(client, data):
    response = ask(client, make_policy(), **data)
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    assert not Message.objects.exists()


def test_a_post_bigger_than_the_upload_limit_is_a_400_not_a_crash(client):
    response = ask(client, make_policy(), body="长" * 1_000_000)  # ~9 MB encoded
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_a_form_for_an_unknown_or_draft_entry_is_a_404_page(client):
    draft = make_policy(status=Policy.Status.DRAFT, published_at=None)
    assert client.get("/policies/NO-SUCH-1/ask/").status_code == 404
    assert ask(client, draft).status_code == 404


def test_a_post_without_the_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    response = ask(client, make_policy())
    assert response.status_code == 403
    assert not Message.objects.exists()


# Flood protection


def test_one_address_past_the_limit_gets_a_chinese_429_page_and_another_does_not(settings):
    settings.SUPERVISION_RATE_LIMIT = 2
    policy = make_policy()
    first, second = Client(REMOTE_ADDR="10.0.0.1"), Client(REMOTE_ADDR="10.0.0.2")
    assert [ask(first, policy).status_code for _ in range(2)] == [302, 302]
    blocked = ask(first, policy)
    assert blocked.status_code == 429
    assert "提交太频繁" in blocked.content.decode()
    assert "请 60 分钟后再试" in blocked.content.decode()
    assert blocked["Retry-After"] == str(settings.SUPERVISION_RATE_WINDOW)
    assert ask(second, policy).status_code == 302
    assert Message.objects.count() == 3


@pytest.fixture
def two_processes_on_redis(settings):
    """Two cache connections that share nothing but the Redis server, as two app processes
    would; only this test's own keys are removed afterwards."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/13"
    try:
        server = redis.Redis.from_url(url)
        server.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running at 127.0.0.1:6379 (needed for the shared counter)")
    prefix = f"test-{uuid.uuid4().hex}"
    backend = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": prefix,
    }
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "process_a": backend,
        "process_b": dict(backend),
    }
    yield
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def test_the_limit_counts_across_app_processes_through_the_shared_cache(
    settings, two_processes_on_redis
):
    settings.SUPERVISION_RATE_LIMIT = 2
    policy = make_policy()
    settings.SUPERVISION_RATE_CACHE = "process_a"
    assert [ask(Client(REMOTE_ADDR="10.0.0.7"), policy).status_code for _ in range(2)] == [
        302,
        302,
    ]
    settings.SUPERVISION_RATE_CACHE = "process_b"
    assert ask(Client(REMOTE_ADDR="10.0.0.7"), policy).status_code == 429
    assert ask(Client(REMOTE_ADDR="10.0.0.8"), policy).status_code == 302


# The reference lookup


def test_an_unknown_reference_is_a_404_page_not_an_error(client):
    for url in ("/consult/261123-ABCDEFGH/", "/consult/nonsense/", "/consult/%00/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "没有找到这个页面" in response.content.decode()


def test_the_lookup_form_accepts_a_reference_typed_in_lower_case(client):
    message = make_message()
    response = client.get("/consult/", {"ref": f" {message.ref.lower()} "})
    assert response.status_code == 302
    assert response["Location"] == f"/consult/{message.ref}/"
    wrong = client.get("/consult/", {"ref": "abc"})
    assert wrong.status_code == 200
    assert "编号格式不对" in wrong.content.decode()
    assert client.get("/consult/", {"ref": "abc\x00"}).status_code == 200


def test_the_message_page_shows_the_reply_once_answered(client):
    message = make_message(status="answered", reply="可由家属代办。", replied_at=timezone.now())
    page = client.get(message.get_absolute_url()).content.decode()
    assert "已答复" in page
    assert "可由家属代办。" in page


# Publication and privacy


def test_an_answered_question_is_published_under_the_entry_only_with_consent(client):
    policy = make_policy()
    answered = {"status": "answered", "replied_at": timezone.now()}
    make_message(
        policy,
        body="可以代办吗？",
        reply="可以由家属代办。",
        publish_consent=True,
        phone="13812341234",
        email="asker@example.com",
        **answered,
    )
    make_message(policy, body="我家的情况特殊？", reply="已电话联系。", **answered)
    make_message(policy, body="还没答复的问题？", publish_consent=True)
    html = client.get(policy.get_absolute_url()).content.decode()
    assert "公开问答" in html
    assert "可以代办吗？" in html and "可以由家属代办。" in html
    assert "我家的情况特殊？" not in html
    assert "还没答复的问题？" not in html
    assert "13812341234" not in html and "1234" not in html.split("公开问答")[1]
    assert "asker@example.com" not in html


def test_an_error_report_can_never_be_marked_for_publication():
    message = make_message(kind=Message.Kind.ERROR)
    message.publish_consent = True
    with pytest.raises(Exception, match="纠错留言不公开"):
        message.full_clean()


def test_contact_details_are_masked_for_lists():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("0752-2281234") == "075****1234"
    assert mask_email("zhang.san@example.com") == "z***@example.com"
    message = make_message(phone="13812341234", email="zhang.san@example.com")
    assert message.masked_contact == "138****1234 / z***@example.com"
    assert str(message) == message.ref


def test_contact_details_are_erased_after_the_retention_period(settings):
    settings.SUPERVISION_CONTACT_RETENTION_DAYS = 30
    now = timezone.now()
    old = make_message(phone="13812341234", created_at=now - datetime.timedelta(days=31))
    recent = make_message(email="a@example.com", created_at=now - datetime.timedelta(days=29))
    assert erase_expired_contacts(now=now) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.phone, old.email, old.body) == ("", "", "请问需要本人到场办理吗？")
    assert recent.email == "a@example.com"


def test_the_retention_command_reports_a_count_and_no_contact_details(capsys, settings):
    settings.SUPERVISION_CONTACT_RETENTION_DAYS = 1
    make_message(phone="13812341234", created_at=timezone.now() - datetime.timedelta(days=2))
    call_command("erase_contacts")
    out = capsys.readouterr().out
    assert "erased from 1 messages" in out
    assert "1381234" not in out
    assert not Message.objects.exclude(phone="").exists()
