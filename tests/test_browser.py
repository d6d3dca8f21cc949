"""The pages in a real browser (Debian's Chromium through Playwright): they render, reflow on
a 320-pixel phone without sideways scrolling, and log no errors."""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

from catalog.models import EligibilityRule, Material

from .builders import county, make_policy

# Playwright's sync API runs an event loop in this thread; Django's database calls from the
# test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (or set CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(transactional_db, live_server):
    policy = make_policy(
        code="HZ-LM-001",
        name="80周岁以上老年人高龄津贴（一个很长的名字用来检验窄屏幕上的自动换行效果）",
        region=county(),
    )
    Material.objects.create(policy=policy, name="居民身份证", order=1)
    EligibilityRule.objects.create(policy=policy, fact="age", operator="gte", value="80")
    return live_server.url


PAGES = [
    "/",
    "/policies/",
    "/policies/?q=高龄津贴&region=boluo",
    "/policies/HZ-LM-001/",
    "/regions/boluo/",
    "/finder/",
    "/policies/HZ-LM-001/ask/",
    "/consult/",
    "/finder/?who=person&region=boluo",
    "/finder/?who=person&region=boluo&age=85",
    "/no-such-page/",
]


def test_pages_reflow_at_320_pixels_without_errors(browser, site):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    for path in PAGES:
        page.goto(site + path)
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        assert page.locator("h1").count() == 1, path
    # The 404 page logs its status as a console error; nothing else may.
    assert [e for e in errors if "404" not in e] == []


def test_keyboard_reaches_the_skip_link_first_and_it_moves_focus_to_main(browser, site):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(site + "/policies/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "跳到主要内容"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_finder_can_be_completed_with_the_keyboard_and_mouse(browser, site):
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(site + "/finder/")
    page.select_option("#finder-region", "boluo")
    page.click("text=开始")
    page.fill("#q-age", "85")
    page.click("text=下一步")
    assert "符合条件（1）" in page.content()
    page.go_back()
    assert page.input_value("#q-age") == "85"
