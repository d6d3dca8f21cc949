"""Deploy checks, security headers and cookies on every page (the passive rules of the OWASP ZAP
baseline), error pages without stack traces, and no unescaped user content anywhere."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import User
from django.test import Client

from catalog.models import Policy

from .builders import make_message

ROOT = Path(__file__).resolve().parent.parent
CSP_RULES = ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'")
DEBUG_MARKERS = ("Traceback", "Django Version", "DEBUG = True", "settings.py", "Exception Value")
PRODUCTION_ENV = {
    "DJANGO_HTTPS": "1",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "zhengce.example.gov.cn",
    "DJANGO_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
}


def manage(*args, **env):
    # The browser tests allow async-unsafe calls in this process; a deployment never would.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_the_deploy_checks_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_https_without_a_secret_key_refuses_to_start():
    result = manage("check", **{**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def assert_safe_headers(response, url):
    csp = response.get("Content-Security-Policy", "")
    for rule in CSP_RULES:
        assert rule in csp, (url, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["X-Frame-Options"] == "DENY", url
    assert response["Referrer-Policy"] == "same-origin", url
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
    assert "Server" not in response and "X-Powered-By" not in response, url


def assert_no_debug_output_and_csrf_in_every_post_form(response, url):
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    html = response.content.decode()
    for marker in DEBUG_MARKERS:
        assert marker not in html, (url, marker)
    assert "<script>" not in html and " style=" not in html, url
    for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S | re.I):
        if re.search(r'method="post"', form, flags=re.I):
            assert 'name="csrfmiddlewaretoken"' in form, (url, form[:200])


def sitemap_paths(client):
    xml = client.get("/sitemap.xml").content.decode()
    return [urlsplit(loc).path for loc in re.findall(r"<loc>([^<]+)</loc>", xml)]


@pytest.mark.django_db
@pytest.mark.usefixtures("demo")
def test_every_sitemap_page_admin_and_error_page_sends_the_security_headers():
    staff = User.objects.create_superuser("chief", "chief@example.org", "pw-for-tests-only")
    policy = Policy.objects.published().first()
    make_message(policy)
    public = Client(raise_request_exception=False)
    paths = sitemap_paths(public)
    assert len(paths) > 20
    paths += [
        "/",
        "/policies/?q=养老",
        "/finder/",
        f"/policies/{policy.code}/ask/",
        "/consult/",
        "/no-such-page/",
        "/policies/?page=99999",
        "/healthz",
        "/readyz",
        "/robots.txt",
        "/open-data/policies.json",
        "/admin/login/",
    ]
    for path in paths:
        response = public.get(path)
        assert response.status_code in (200, 301, 302, 404), path
        assert_safe_headers(response, path)
        assert_no_debug_output_and_csrf_in_every_post_form(response, path)

    staff_client = Client(raise_request_exception=False)
    staff_client.force_login(staff)
    admin_paths = [
        "/admin/",
        "/admin/catalog/policy/",
        f"/admin/catalog/policy/{policy.pk}/change/",
        "/admin/catalog/policy/add/",
        "/admin/catalog/message/",
        "/admin/catalog/region/",
        "/admin/no-such-page/",
    ]
    for path in admin_paths:
        response = staff_client.get(path)
        assert response.status_code in (200, 302, 404), path
        assert_safe_headers(response, path)
        assert_no_debug_output_and_csrf_in_every_post_form(response, path)
        assert "no-store" in response["Cache-Control"], path


@pytest.mark.django_db
def test_bad_host_answers_a_chinese_400_page_with_the_headers():
    response = Client().get("/", headers={"host": "evil.example.com"})
    assert response.status_code == 400
    assert "无法处理这个请求" in response.content.decode()
    assert_safe_headers(response, "bad host")


@pytest.mark.django_db
def test_a_crash_answers_the_chinese_500_page_without_a_trace(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("catalog.views.HomeView.get_context_data", boom)
    response = Client(raise_request_exception=False).get("/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "服务暂时出现问题" in html and "secret internals" not in html
    assert_safe_headers(response, "500")


@pytest.mark.django_db
def test_a_form_posted_without_its_token_answers_the_chinese_403_page():
    response = Client(enforce_csrf_checks=True).post("/consult/", {"ref": "Q-1"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
    assert_safe_headers(response, "403 csrf")


@pytest.mark.django_db
def test_staff_without_permission_see_the_chinese_403_page():
    user = User.objects.create_user("clerk", password="pw-for-tests-only", is_staff=True)
    client = Client()
    client.force_login(user)
    response = client.get("/admin/catalog/policy/")
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.django_db
def test_session_and_display_cookies_are_http_only_lax_and_secure_over_https(settings):
    settings.SESSION_COOKIE_SECURE = True
    User.objects.create_superuser("chief", "chief@example.org", "pw-for-tests-only")
    client = Client()
    client.post(
        "/admin/login/",
        {"username": "chief", "password": "pw-for-tests-only"},
        secure=True,
    )
    client.get("/display/?large=on&next=/", secure=True)
    for name in ("sessionid", "display_large"):
        cookie = client.cookies[name]
        assert cookie["httponly"] and cookie["secure"], name
        assert cookie["samesite"] == "Lax", name


UNSAFE = re.compile(r"\|\s*safe\b|mark_safe|SafeString|autoescape\s+off|\|\s*safeseq")


def test_nothing_marks_content_safe_by_hand():
    # Highlighting (catalog/search.py) builds its markup with format_html, which escapes.
    sources = [*ROOT.glob("templates/**/*.html"), *ROOT.glob("catalog/**/*.py")]
    offenders = [
        str(path.relative_to(ROOT))
        for path in sources
        if "migrations" not in path.parts and UNSAFE.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
