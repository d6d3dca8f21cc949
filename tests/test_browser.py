"""The site in a real browser (Debian's Chromium through Playwright) on the demo content:
zero WCAG 2.1 A/AA violations found by axe-core in normal, 长者模式 and 高对比度; reflow at 320 px
and at 200 % zoom; the main journeys by keyboard. Screenshots of key pages go to
build/screenshots/ for people to look at (CI keeps them as artifacts)."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from openpyxl import load_workbook
from playwright.sync_api import sync_playwright

from catalog.booklets import CHROMIUM_ARGS
from catalog.models import Policy, Region

from .builders import PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's database calls from the
# test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
MODES = {
    "normal": {},
    "large": {"display_large": "on"},
    "contrast": {"display_contrast": "on"},
}
PAGES = {
    "home": "/",
    "list": "/policies/?q=补贴&kind=resident&region=boluo&status=open",
    "list-empty": "/policies/?q=宇宙飞船",
    "detail": "/policies/HZ-LM-001/",
    "volume": "/regions/boluo/",
    "booklet": "/regions/boluo/print/",
    "finder-start": "/finder/",
    "finder-step": "/finder/?who=person&region=huicheng",
    "finder-result": "/finder/?who=person&region=huicheng&age=85&assistance=dibao&show=results",
    "compare": "/compare/?codes=HZ-LM-006,HZ-LM-007",
    "open-data": "/open-data/",
    "evaluation": "/evaluation/",
    "services": "/policies/?kind=public_service",
    "service-detail": "/policies/HZ-GF-039/",
    "ask": "/policies/HZ-LM-001/ask/",
    "report": "/policies/HZ-LM-001/report/",
    "consult-lookup": "/consult/",
    "not-found": "/no-such-page/",
}


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(settings.PORTAL_CHROMIUM):
        pytest.fail(
            f"Chromium not found at {settings.PORTAL_CHROMIUM}: "
            "apt-get install chromium (or set PORTAL_CHROMIUM)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=settings.PORTAL_CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def site(transactional_db, live_server):
    call_command(
        "loaddata", "reference", "demo_policies", "demo_rules", "demo_services", verbosity=0
    )
    return live_server.url


def open_page(browser, site, mode="normal", width=390, height=844):
    context = browser.new_context(viewport={"width": width, "height": height})
    host = site.split("//")[1].split(":")[0]
    context.add_cookies(
        [{"name": k, "value": v, "domain": host, "path": "/"} for k, v in MODES[mode].items()]
    )
    return context.new_page()


@pytest.mark.parametrize("mode", MODES)
def test_no_wcag_violations_and_no_sideways_scrolling(browser, site, mode):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone, desktop = open_page(browser, site, mode), open_page(browser, site, mode, 1280, 800)
    problems = []
    for name, path in PAGES.items():
        phone.goto(site + path)
        if phone.evaluate("document.documentElement.scrollWidth") > 390:
            problems.append(f"{name}: scrolls sideways at 390 px: {too_wide(phone, 390)}")
        result = Axe().run(phone, options=WCAG)
        if result.violations_count:
            problems.append(f"{name}: {result.generate_report()}")
        phone.screenshot(path=SCREENSHOTS / f"{mode}-{name}-390.png", full_page=True)
        desktop.goto(site + path)
        desktop.screenshot(path=SCREENSHOTS / f"{mode}-{name}-1280.png")
    assert problems == []


@pytest.mark.parametrize("width", [320, 640])  # a phone, and 1280 px at 200 % zoom
def test_pages_reflow_without_errors(browser, site, width):
    page = open_page(browser, site, "large" if width == 640 else "normal", width, 700)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for name, path in PAGES.items():
        page.goto(site + path)
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert page.locator("h1").count() == 1, name
    assert errors == []


def too_wide(page, width):
    """The elements that stick out to the right, to say what to fix."""
    return page.evaluate(
        """width => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .slice(0, 5).map(el => el.tagName + '.' + el.className)""",
        width,
    )


def focused_text(page):
    return page.evaluate(
        "(document.activeElement.innerText || document.activeElement.value || '').trim()"
    )


def tab_to(page, predicate, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate):
            return
    raise AssertionError(f"never reached: {predicate}")


def test_search_filter_open_and_print_by_keyboard_only(browser, site):
    page = open_page(browser, site, width=1280, height=800)
    page.goto(site + "/")
    page.keyboard.press("Tab")
    assert focused_text(page) == "跳到主要内容"
    tab_to(page, "document.activeElement.id === 'home-q'")
    page.keyboard.type("补贴")
    page.keyboard.press("Enter")
    page.wait_for_url("**/policies/?q=*")
    tab_to(page, "document.activeElement.id === 'id_kind'")
    page.keyboard.press("ArrowDown")  # 全部 → first list
    tab_to(page, "document.activeElement.type === 'submit'")
    page.keyboard.press("Enter")
    page.wait_for_url("**kind=*")
    assert "q=" in page.url and "region=" not in page.url  # menus left at 全部 are not sent
    tab_to(page, "document.activeElement.closest('.card-title') !== null")
    page.keyboard.press("Enter")
    page.wait_for_url("**/policies/*/")
    tab_to(page, "document.activeElement.hasAttribute('data-print')")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".share img").is_hidden()


def test_filters_show_on_wide_screens_and_results_come_first_on_phones(browser, site):
    desktop = open_page(browser, site, width=1280, height=800)
    desktop.goto(site + "/policies/")
    assert desktop.locator("#id_region").is_visible()
    phone = open_page(browser, site)
    phone.goto(site + "/policies/?q=养老")
    assert not phone.locator("#id_region").is_visible()
    assert phone.locator("#results-title").bounding_box()["y"] < 844  # on the first screen
    phone.locator("details.filter-more summary").click()
    assert phone.locator("#id_region").is_visible()


def test_finder_from_start_to_result_by_keyboard_only(browser, site):
    page = open_page(browser, site)
    page.goto(site + "/finder/")
    tab_to(page, "document.activeElement.name === 'who'")
    page.keyboard.press("Space")
    tab_to(page, "document.activeElement.id === 'finder-region'")
    page.keyboard.press("ArrowDown")  # 惠州市
    page.keyboard.press("ArrowDown")  # 惠城区
    tab_to(page, "document.activeElement.type === 'submit'")
    page.keyboard.press("Enter")
    page.wait_for_url("**region=huicheng*")
    tab_to(page, "document.activeElement.id === 'q-age'")
    page.keyboard.type("85")
    tab_to(page, "document.activeElement.value === 'results'")
    page.keyboard.press("Enter")
    page.wait_for_url("**show=results*")
    assert "符合条件（" in page.content()
    page.go_back()
    assert page.input_value("#q-age") == "85"


def test_display_modes_switch_without_javascript_and_are_announced(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site + "/policies/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.click("text=长者模式（大字）")
    assert page.url.endswith("/policies/")
    assert "已开启长者模式" in page.locator("[role=status]").first.inner_text()
    large = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert large >= 1.5 * normal
    page.goto(site + "/regions/boluo/")
    assert "large" in page.locator("html").get_attribute("class")  # remembered


CSP_WATCH = """document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations = window.cspViolations || [];
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});"""


def test_admin_works_under_the_content_security_policy(browser, site):
    User.objects.create_superuser("chief", "chief@example.org", "pw-for-tests-only")
    policy = Policy.objects.get(code="HZ-LM-001")
    page = open_page(browser, site, width=1280, height=800)
    page.add_init_script(CSP_WATCH)
    page.goto(site + "/admin/login/")
    page.fill("#id_username", "chief")
    page.fill("#id_password", "pw-for-tests-only")
    page.click("input[type=submit]")
    violations = {}
    change = f"/admin/catalog/policy/{policy.pk}/change/"
    admin_pages = [
        "/admin/",
        "/admin/catalog/policy/",
        "/admin/catalog/message/",
        change,
        "/admin/catalog/policy/import/",
        "/admin/catalog/policy/attention/",
        "/admin/catalog/loginrecord/",
    ]
    for path in [*admin_pages, "/admin/catalog/policy/add/"]:
        page.goto(site + path)
        if found := page.evaluate("window.cspViolations || []"):
            violations[path] = found
    # The admin's own scripts ran: inline "add another" rows and the date shortcuts exist.
    assert page.locator(".add-row a").count() > 0
    assert page.locator(".datetimeshortcuts").count() > 0
    page.locator(".add-row a").first.click()
    assert violations == {}


def log_in(browser, site, username, width=1280, height=900):
    page = open_page(browser, site, width=width, height=height)
    page.goto(site + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    return page


def test_county_edit_is_reviewed_by_city_staff_and_then_public(browser, site):
    from catalog.models import Region

    from .builders import staff_user

    staff_user("huicheng-editor", region=Region.objects.get(slug="huicheng"))
    staff_user("city-reviewer", region=Region.objects.get(slug="huizhou"))
    entry = Policy.objects.filter(region__slug="huicheng", status="published").first()
    editor = log_in(browser, site, "huicheng-editor")
    editor.goto(f"{site}/admin/catalog/policy/{entry.pk}/change/")
    editor.fill("#id_name", "惠城区新修订的补贴")
    editor.fill("#id_change_note", "按2026年文件更新名称")
    editor.screenshot(path=SCREENSHOTS / "admin-county-edit.png", full_page=False)
    editor.click("input[name=_save]")
    assert "修改已提交审核" in editor.locator(".messagelist").inner_text()
    assert entry.name in open_page(browser, site).goto(site + entry.get_absolute_url()).text()

    reviewer = log_in(browser, site, "city-reviewer")
    reviewer.goto(f"{site}/admin/catalog/policy/?review=waiting")
    reviewer.click(f"text={entry.code}")
    reviewer.click("text=审核")
    assert "惠城区新修订的补贴" in reviewer.content()
    reviewer.screenshot(path=SCREENSHOTS / "admin-review.png", full_page=True)
    phone = log_in(browser, site, "city-reviewer", width=390, height=844)
    phone.goto(reviewer.url)
    phone.screenshot(path=SCREENSHOTS / "admin-review-phone.png", full_page=True)
    reviewer.click("input[name=approve]")
    assert "审核通过，已发布" in reviewer.locator(".messagelist").inner_text()
    public = open_page(browser, site)
    public.goto(site + entry.get_absolute_url())
    assert "惠城区新修订的补贴" in public.content()
    reviewer.goto(f"{site}/admin/catalog/policy/{entry.pk}/history/")
    reviewer.screenshot(path=SCREENSHOTS / "admin-history.png", full_page=True)


def test_a_county_editor_imports_a_sheet_from_the_template(browser, site, tmp_path):
    """Download the template, fill it, see the dry run's errors, fix them and import."""
    from .builders import staff_user

    staff_user("boluo-editor", region=Region.objects.get(slug="boluo"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = log_in(browser, site, "boluo-editor")
    page.goto(site + "/admin/catalog/policy/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel 模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    def fill(rows):
        book = load_workbook(template)
        sheet = book.worksheets[0]
        headers = [cell.value for cell in sheet[1]]
        for values in rows:
            sheet.append([values.get(header) for header in headers])
        path = tmp_path / "filled.xlsx"
        book.save(path)
        return path

    good = {
        "编号": "BL-LM-901",
        "政策名称": "博罗县高龄老人营养补贴",
        "所属领域": "生活保障",
        "适用地区": "博罗县",
        "主管部门": "博罗县民政局",
        "申领条件": "博罗县户籍、年满80周岁的老年人。",
        "补助标准": "每人每月50元。",
        "申报材料": "身份证 | 原件及复印件 | 1\n户口簿 | 复印件",
        "申请流程": "申请 | 到村（居）委会申请\n审核\n发放",
        "申请时间": "常年受理",
        "一卡通": "是",
    }
    bad = {**good, "编号": "BL-LM-902", "适用地区": "惠城区", "申请时间": "2026-02-30至2026-03-31"}
    page.get_by_role("link", name="从 Excel 导入").click()
    page.set_input_files("#id_file", str(fill([good, bad])))
    page.fill("#id_note", "2026年版博罗县分册导入")
    page.get_by_role("button", name="检查（不写入）").click()
    errors = page.locator("#import-errors")
    assert "“惠城区”不在您负责的范围内" in errors.inner_text()
    assert "“2026-02-30”不是有效日期" in errors.inner_text()
    page.screenshot(path=SCREENSHOTS / "admin-import-errors-1280.png", full_page=True)
    assert not Policy.objects.filter(code__startswith="BL-LM-90").exists()

    fixed = {**bad, "适用地区": "博罗县", "申请时间": "2026-03-01至2026-03-31"}
    page.set_input_files("#id_file", str(fill([good, fixed])))
    page.fill("#id_note", "2026年版博罗县分册导入")
    page.get_by_role("button", name="检查（不写入）").click()
    assert page.locator("#import-preview tbody tr").count() == 2
    page.screenshot(path=SCREENSHOTS / "admin-import-preview-1280.png", full_page=True)
    page.get_by_role("button", name="确认导入 2 个草稿").click()
    assert "已导入 2 个草稿" in page.locator(".messagelist").inner_text()
    page.screenshot(path=SCREENSHOTS / "admin-import-done-1280.png", full_page=True)
    drafts = Policy.objects.filter(code__startswith="BL-LM-90", status=Policy.Status.DRAFT)
    assert drafts.count() == 2
    page.goto(site + "/admin/catalog/policy/attention/")
    page.screenshot(path=SCREENSHOTS / "admin-attention-1280.png", full_page=True)

    # The county editor sends both drafts to review from the changelist …
    page.goto(site + "/admin/catalog/policy/?status__exact=draft&q=BL-LM-90")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "submit_selected")
    page.click("button[name=index]")
    assert "已将 2 个草稿提交审核" in page.locator(".messagelist").inner_text()
    # … and city staff publish one after reading it on its review page.
    staff_user("city-reviewer", region=Region.objects.get(slug="huizhou"))
    reviewer = log_in(browser, site, "city-reviewer")
    reviewer.goto(site + "/admin/catalog/policy/?review=waiting")
    reviewer.click("text=BL-LM-901")
    reviewer.click("text=审核")
    assert "博罗县高龄老人营养补贴" in reviewer.content()
    reviewer.click("input[name=approve]")
    assert "审核通过，已发布" in reviewer.locator(".messagelist").inner_text()
    public = open_page(browser, site)
    public.goto(site + "/policies/?q=高龄老人营养补贴")
    assert "博罗县高龄老人营养补贴" in public.inner_text("main")
    public.screenshot(path=SCREENSHOTS / "import-published-public-1280.png", full_page=True)
