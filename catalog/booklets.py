"""The printed booklet of a volume: which entries it holds, the parts a large volume is printed
in, and its PDF, which headless Chromium prints in two passes so that the contents give page
numbers (Chromium has no `target-counter()`)."""

import hashlib
import io
import re
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from .models import Booklet, Domain, Policy

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Fills each contents slot ([data-page-of="<anchor id>"]) with the page its anchor starts on.
FILL_PAGES = """starts => document.querySelectorAll('[data-page-of]').forEach(slot => {
    slot.textContent = starts[slot.dataset.pageOf] || '';
})"""
PASSES = 4


class BookletError(Exception):
    pass


def entries(region, kind=None, domain=None):
    """The published entries of `region`'s booklet in printed order (list, domain, code),
    narrowed to one list `kind` or one `domain`."""
    policies = Policy.objects.published().filter(region=region)
    if domain is not None:
        policies = policies.filter(domain=domain)
    elif kind:
        policies = policies.filter(list_kind=kind)
    return policies.order_by("catalog_order", "domain_id", "code")


def sections(region, kind=None):
    """Per domain of the volume (or of its `kind` list), in printed order: the domain, its
    entry count and the query of each part it is printed in, at most PORTAL_BOOKLET_MAX
    entries each."""
    size = settings.PORTAL_BOOKLET_MAX
    counts = dict(entries(region, kind).order_by().values_list("domain").annotate(n=Count("pk")))
    rows = []
    for domain in Domain.objects.filter(pk__in=counts).order_by("kind", "order", "pk"):
        n = counts[domain.pk]
        parts = []
        for page, first in enumerate(range(1, n + 1, size), 1):
            last = min(n, first + size - 1)
            parts.append({"query": part_query(domain, page), "first": first, "last": last})
        rows.append({"domain": domain, "count": n, "parts": parts})
    return rows


def part_query(domain, page=1):
    """The query string of one part of a volume printed in parts: its domain and, past the
    first, the part's number within the domain."""
    return urlencode({"domain": domain.slug, **({"page": page} if page > 1 else {})})


def is_split(region, kind=None):
    """Whether the volume (or its `kind` list) is too large for one booklet."""
    return entries(region, kind).count() > settings.PORTAL_BOOKLET_MAX


def parts(region):
    """The query strings of the PDFs a volume is printed as: the whole volume ("") when it
    fits in one booklet, otherwise every part of every domain."""
    if not is_split(region):
        return [""]
    return [part["query"] for row in sections(region) for part in row["parts"]]


def part_entries(region, part):
    """The entries of the part with query string `part` (one of `parts(region)`)."""
    if not part:
        return entries(region)
    query = dict(item.split("=", 1) for item in part.split("&"))
    size = settings.PORTAL_BOOKLET_MAX
    start = (int(query.get("page", 1)) - 1) * size
    domain = Domain.objects.get(slug=query["domain"])
    return entries(region, domain=domain)[start : start + size]


def fingerprint(policies):
    """A digest of what a booklet of `policies` prints that staff can change: which entries,
    each entry's last change (admin saves stamp it, inlines included) and the names and phone
    numbers it borrows from its volume, domain and department. One read."""
    rows = policies.values_list(
        "pk",
        "updated_at",
        "region__name",
        "domain__name",
        "department__name",
        "department__phone",
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def current(region, part):
    """The stored PDF of `part` if it still prints what the catalogue says, else None. The
    file itself is not read."""
    booklet = Booklet.objects.defer("pdf").filter(region=region, part=part).first()
    if booklet and booklet.fingerprint == fingerprint(part_entries(region, part)):
        return booklet
    return None


def build(region, force=False, now=None):
    """Print the PDF of every part of `region` whose entries changed since it was printed (all
    of them with `force`) and drop the PDFs of parts that no longer exist. Returns the parts
    printed."""
    wanted = parts(region)
    built = []
    for part in wanted:
        digest = fingerprint(part_entries(region, part))
        stored = Booklet.objects.filter(region=region, part=part).only("fingerprint").first()
        if stored and stored.fingerprint == digest and not force:
            continue
        pdf, pages = render(region, part)
        Booklet.objects.update_or_create(
            region=region,
            part=part,
            defaults={
                "fingerprint": digest,
                "pdf": pdf,
                "pages": pages,
                "built_at": now or timezone.now(),
            },
        )
        built.append(part)
    Booklet.objects.filter(region=region).exclude(part__in=wanted).delete()
    return built


def render(region, part):
    """The PDF of one part and its page count. The booklet page is printed once; the PDF's
    named destinations (Chromium writes one for every anchor the contents link to) say on
    which page each domain and entry starts; the contents are filled in and the page printed
    again, until a pass moves nothing."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    base = settings.PORTAL_BASE_URL
    if not base:
        raise BookletError("PORTAL_BASE_URL is not set: QR codes would point nowhere.")
    url = base + reverse("catalog:region_print", args=[region.slug]) + (f"?{part}" if part else "")
    resources = fetch(url)  # all of it before the browser starts: no database work inside it

    def serve(route):
        found = resources.get(route.request.url)
        if found is None:
            route.abort()
        else:
            route.fulfill(status=200, content_type=found[0], body=found[1])

    def starts(pdf):
        reader = PdfReader(io.BytesIO(pdf))
        return len(reader.pages), {
            name.lstrip("/"): reader.get_destination_page_number(dest) + 1
            for name, dest in reader.named_destinations.items()
        }

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=settings.PORTAL_CHROMIUM, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.route("**/*", serve)
            page.goto(url, wait_until="load")
            pdf = page.pdf(prefer_css_page_size=True, print_background=True)
            pages, found = starts(pdf)
            for _ in range(PASSES):
                page.evaluate(FILL_PAGES, found)
                pdf = page.pdf(prefer_css_page_size=True, print_background=True)
                pages, again = starts(pdf)
                if again == found:
                    return pdf, pages
                found = again
        finally:
            browser.close()
    raise BookletError(f"page numbers of {url} did not settle in {PASSES} passes")


def fetch(url):
    """{address: (content type, body)} of the booklet page at `url` and every image,
    stylesheet and script it loads, answered by this app in-process."""
    split = urlsplit(url)
    origin = f"{split.scheme}://{split.netloc}"
    client = Client(HTTP_HOST=split.netloc)
    secure = split.scheme == "https"
    response = client.get(url.removeprefix(origin), secure=secure)
    if response.status_code != 200:
        raise BookletError(f"{url} answered {response.status_code}")
    html = response.content
    found = {url: (response["Content-Type"], html)}
    for ref in set(re.findall(rb'(?:src|href)="(/[^"]+\.(?:png|css|js|svg))"', html)):
        path = ref.decode()
        answer = client.get(path, secure=secure)
        if answer.status_code == 200:
            body = b"".join(answer.streaming_content) if answer.streaming else answer.content
            found[origin + path] = (answer["Content-Type"], body)
        elif path.startswith(settings.STATIC_URL):  # not collected (development, tests)
            local = finders.find(path.removeprefix(settings.STATIC_URL))
            if local:
                kind = "text/css" if path.endswith(".css") else "application/javascript"
                with open(local, "rb") as file:
                    found[origin + path] = (kind, file.read())
    return found
