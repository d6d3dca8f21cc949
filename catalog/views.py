import json
import logging
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import InvalidPage, Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, Max, Prefetch, prefetch_related_objects
from django.db.models.query import ModelIterable
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from . import (
    booklets,
    caching,
    calendar,
    eligibility,
    evaluation,
    finder,
    opendata,
    qr,
    search,
    throttle,
)
from .eligibility import ENTERPRISE, FACTS, PERSON
from .filters import Q_MAX_LENGTH, PolicyFilter, places, reference_rows
from .forms import LookupForm, MessageForm
from .middleware import DISPLAY_COOKIES
from .models import Booklet, Domain, EnterpriseType, ListKind, Message, Policy, Region, Sector
from .models.supervision import REF_PATTERN
from .pagination import CappedPaginator
from .services import submit_message

logger = logging.getLogger(__name__)

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
SCHEMA = json.loads((Path(__file__).parent / "policies.schema.json").read_text(encoding="utf-8"))


REFERENCES = ("region", "domain", "department")
# An entry's public code, as the list and each page print it (HZ-LM-001).
ENTRY_CODE = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+")
# A search that found nothing is offered its terms with one left out, in turn, up to this many
# terms: past it, the counts of such a page add up.
MAX_TERMS_LEFT_OUT_IN_TURN = 4
# A word that found nothing is offered at most this many shorter words in it, each counted.
MAX_SHORTER_WORDS = 3


class WithReferences(ModelIterable):
    """Entries with their region, domain and department taken from `reference_rows` instead of
    joined to the query: a list page's query then plans and returns less (about 1.5 ms of a
    search page at 100,000 entries). A reference created since the cache was filled is read on
    access, as without this."""

    def __iter__(self):
        fields = [Policy._meta.get_field(name) for name in REFERENCES]
        rows = None
        for policy in super().__iter__():
            rows = rows or reference_rows()
            for field in fields:
                related = rows[field.related_model._meta.label].get(getattr(policy, field.attname))
                if related is not None:
                    field.set_cached_value(policy, related)
            yield policy


# Columns no card reads: the tokens for search (large and never shown), and what only an
# entry's own page or the back office shows. Not reading them takes 0.2–0.4 ms off a list page.
NOT_ON_CARDS = (
    "search_document", "basis_number", "basis_url", "phone", "online_url", "exclusive_group",
    "published_by", "version", "created_at", "last_reviewed_on", "published_at", "edition",
)  # fmt: skip


class PublicPolicyMixin:
    """Selects everything a policy card shows, so templates cause no queries."""

    def get_queryset(self):
        # (`_iterable_class` is how Django turns rows into objects; it stays through filter,
        # order_by and slicing.)
        queryset = Policy.objects.published().defer(*NOT_ON_CARDS)
        queryset._iterable_class = WithReferences
        return queryset


def last_updated(queryset):
    return queryset.aggregate(at=Max("updated_at"))["at"]


def catalogue_counts():
    """Published entries per region and per domain, and when the newest changed: the home
    page's counts, shared through the cache (one read of the catalogue per generation)."""

    def count():
        published = Policy.objects.published().order_by()
        return {
            "regions": dict(published.values_list("region").annotate(n=Count("*"))),
            "updated": last_updated(published),
        }

    return {**caching.cached("catalogue-counts", count), "domains": domain_counts()}


def domain_counts(region=None):
    """Published entries per domain, in all volumes or in those that apply in `region`, cached
    on their own: a search with no results needs only these."""

    def count():
        published = Policy.objects.published().order_by()
        if region is not None:
            published = published.filter(region__in=region.covering_ids())
        return dict(published.values_list("domain").annotate(n=Count("*")))

    return caching.cached("domain-counts", count, region and region.pk)


def domains_with_counts(counts):
    """Every domain, each with `count` from {domain id: entries}, grouped by list kind."""
    groups = {kind: [] for kind in ListKind.values}
    for domain in Domain.objects.all():
        domain.count = counts.get(domain.pk, 0)
        groups[domain.kind].append(domain)
    return [(ListKind(kind).label, kind, domains) for kind, domains in groups.items()]


def fullest_domains(region=None):
    """The six domains with the most published entries (that apply in `region`)."""
    counts = domains_with_counts(domain_counts(region))
    domains = [d for _label, _kind, group in counts for d in group if d.count]
    return sorted(domains, key=lambda d: -d.count)[:6]


class HomeView(TemplateView):
    template_name = "catalog/home.html"

    def get_context_data(self, **kwargs):
        counts = catalogue_counts()
        regions = list(Region.objects.all())
        for region in regions:
            region.count = counts["regions"].get(region.pk, 0)
        return super().get_context_data(
            regions=regions,
            lists=domains_with_counts(counts["domains"]),
            total=sum(counts["regions"].values()),
            page_updated=counts["updated"],
            **kwargs,
        )


class PolicyListView(PublicPolicyMixin, FilterView):
    filterset_class = PolicyFilter
    template_name = "catalog/policy_list.html"
    paginate_by = settings.PORTAL_PAGE_SIZE
    strict = False  # an unknown value is ignored and explained, never an empty page or an error
    paginator_class = CappedPaginator

    def get_paginator(self, queryset, *args, **kwargs):
        kwargs.update(self.filterset.paginator_options(), cache_parts=self.cache_parts())
        return super().get_paginator(queryset, *args, **kwargs)

    def cache_parts(self, without=("page",)):
        """The known parameters of the request, as the cache tells one result list from
        another. Unknown parameters change nothing, so they do not make a new key."""
        data = self.request.GET
        return sorted(
            (name, tuple(data.getlist(name)))
            for name in PolicyFilter.base_filters
            if name in data and name not in without
        )

    def get(self, request, *args, **kwargs):
        code = search.normalize(request.GET.get("q", "")).strip()
        if ENTRY_CODE.fullmatch(code):  # an entry's code, as printed on it (HZ-LM-001)
            entry = Policy.objects.reachable().filter(code__in={code, code.upper()}).first()
            if entry:
                return redirect(entry)
        moved = self.moved(self.get_filterset(self.get_filterset_class()), request.GET)
        if moved:
            return redirect(f"{request.path}?{urlencode(moved)}")
        return super().get(request, *args, **kwargs)

    def get_filterset(self, filterset_class):
        if getattr(self, "filterset", None) is None:  # once per request, also for `get`
            self.filterset = super().get_filterset(filterset_class)
        return self.filterset

    def get_filterset_kwargs(self, filterset_class):
        # Always bound, so an empty query string is "no filters" rather than "no form".
        return {
            **super().get_filterset_kwargs(filterset_class),
            "data": self.request.GET,
            "on": timezone.localdate(),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = context["filter"]
        # Counting facets of a huge result costs too much; its menus go without counts.
        counts = None
        paginator = context["paginator"]
        if not paginator.capped:
            parts = self.cache_parts(without=("page", "sort"))
            counts = caching.cached("facets", lambda: filterset.facet_counts(paginator.ids), parts)
        context["menus"] = filterset.menus(counts)
        context["ignored"] = [filterset.form.fields[name].label for name in filterset.form.errors]
        terms = filterset.terms
        context["filtered"] = filterset.filtered
        context["query_notes"] = self.query_notes(filterset)
        context["placed"] = self.placed_note(filterset)
        if terms:
            mark_matches(context["page_obj"], terms)
        if terms and not context["paginator"].count:
            context["suggestions"] = self.suggestions(filterset)
        context["page_updated"] = caching.cached(
            "updated", lambda: last_updated(Policy.objects.published())
        )
        context["query_string"] = self.request.GET.urlencode()
        return context

    def query_notes(self, filterset):
        """What the page says about a query it could not search as typed."""
        notes = []
        if len(self.request.GET.get("q", "").strip()) > Q_MAX_LENGTH:
            notes.append(_("搜索词超过 %(n)s 个字，只按前 %(n)s 个字搜索。") % {"n": Q_MAX_LENGTH})
        left_out = filterset.all_terms[search.MAX_TERMS :]
        if left_out:
            note = _("搜索词超过 %(n)s 个，只按前 %(n)s 个搜索，没有搜索：%(words)s。")
            words = "、".join(term.text for term in left_out)
            notes.append(note % {"n": search.MAX_TERMS, "words": words})
        query = (filterset.form.cleaned_data.get("q") or "").strip()
        if query and not filterset.terms:
            listed = _("下面列出全部政策。")
            if filterset.filtered:
                listed = _("下面列出符合其他条件的全部政策。")
            note = _("“%(q)s”中没有可以搜索的汉字、字母或数字，%(listed)s")
            notes.append(note % {"q": query, "listed": listed})
        return notes

    @staticmethod
    def placed(filterset):
        """(region, the other words) for a search that names one county among its words
        (惠东高龄津贴, 博罗县): the words alone would find only the entries that name the county,
        not the city's, which apply there too; `get` sends it to the other words in that county
        with the city's volume, also from another region chosen before (the form keeps the last
        one). None for any other search, for a name in quotes (searched as typed), and for
        names of two counties (which one is meant is not known)."""
        terms = filterset.all_terms  # (validates the form)
        if not terms:
            return None
        found = places()
        named = [t for t in terms if not t.quoted and t.text in found]
        if len({found[t.text] for t in named}) != 1:
            return None
        rest = searched_words([term for term in terms if term not in named])
        return found[named[0].text], " ".join(rest)

    @classmethod
    def moved(cls, filterset, params):
        """`params`, the parameters of `filterset`, as `get` sends a search that names a county
        (see `placed`): the other words in that county, with the city's volume unless a region
        chosen before asked for its volume alone, and the words as typed; None for any other."""
        placed = cls.placed(filterset)
        if placed is None:
            return None
        region, rest = placed
        params = without(params, "page")
        scope = params.get("scope") if filterset.form.cleaned_data.get("region") else None
        typed = filterset.form.cleaned_data["q"]
        return {
            **params,
            "q": rest,
            "region": region.slug,
            "scope": scope or "applies",
            "typed": typed,
        }

    def placed_note(self, filterset):
        """What the page says after `get` moved a county's name from the words to the region:
        which name, and a link to search the words as typed, the name quoted. Only when the
        page is what `typed` would have been sent to, so the note never says what is not so."""
        typed = self.request.GET.get("typed", "")
        data = self.request.GET
        if not typed or len(typed) > Q_MAX_LENGTH:
            return None
        region = filterset.form.cleaned_data.get("region")
        placed = self.placed(PolicyFilter({"q": typed}, queryset=Policy.objects.none()))
        if placed is None or placed != (region, filterset.form.cleaned_data.get("q") or ""):
            return None
        plain = search.plain(typed)
        name = max(
            (n for n, r in places().items() if r == region and n in plain), key=len, default=""
        )
        if not name:
            return None
        as_typed = without(data, "page", "region", "scope", "typed")
        as_typed["q"] = plain.replace(name, f"“{name}”", 1)
        query = urlencode(as_typed)
        volume = data.get("scope") == "volume"
        return {"name": name, "region": region, "typed": typed, "query": query, "volume": volume}

    def suggestions(self, filterset):
        """What to offer when nothing matched: a county's volume with the city volume beside
        it, or the same words without the other filters; when neither finds anything, fewer
        words (see `fewer_words`), after the same words by their reading (`search.read_aloud`),
        with the page's filters (a county, the enterprise list) kept where they find something,
        else without; and the fullest domains."""
        query = filterset.form.cleaned_data["q"]
        data = self.request.GET
        wider = []
        if data.get("scope") == "volume" and filterset.form.cleaned_data.get("region"):
            params = without(data, "page")
            wider.append((_("加上市级总册，搜索“%(q)s”"), query, {**params, "scope": "applies"}))
        if filterset.filtered:
            wider.append((_("去掉其他筛选条件，搜索“%(q)s”"), query, {"q": query}))
        kept = without(data, "page", "typed") if filterset.filtered else None
        aloud = search.read_aloud(filterset.terms)

        def fewer(params):
            by_reading = [(BY_READING, aloud, {**params, "q": aloud})] if aloud else []
            return by_reading + [
                (ONLY_QUOTED if "“" in q else ONLY, q, {**params, "q": q})
                for q in fewer_words(filterset.terms)
            ]

        offers = (
            self.offers(wider, nested=True)
            or (kept and self.offers(fewer(kept)))
            or self.offers(fewer({}))
        )
        region = filterset.form.cleaned_data.get("region")
        return {"offers": offers, "domains": fullest_domains(region), "region": region}

    def offers(self, tries, nested=False):
        """The tries, each (text, words, parameters), that find something, with their counts
        as their pages count: capped, and a county named among the words taken as the region,
        as `get` would (the link then goes to that page at once). `nested`: each try finds
        what the one before did, and more; one that finds no more is left out."""
        published = Policy.objects.published()
        offers, before = [], None
        for text, searched, params in tries:
            alone = PolicyFilter(params, queryset=published)
            moved = self.moved(alone, params)
            if moved:
                params, alone = moved, PolicyFilter(moved, queryset=published)
            # Counted as the list counts, capped: a common word alone must not count them all.
            found = CappedPaginator(alone.qs, 1, **alone.paginator_options())
            if nested and found.count == before and not found.capped:
                continue
            before = found.count
            if found.count:
                n = _("超过 %(n)s 项") if found.capped else _("%(n)s 项")
                offers.append(
                    {
                        "text": text % {"q": searched},
                        "query": urlencode(params),
                        "count": n % {"n": found.count},
                    }
                )
        return offers


def without(params, *names):
    """The query parameters `params` (one value each) but those `names`."""
    return {name: value for name, value in params.items() if name not in names}


ONLY = gettext_lazy("只搜“%(q)s”")
ONLY_QUOTED = gettext_lazy("只搜 %(q)s")  # the words hold their own quotes: 只搜 “惠东” 低保
BY_READING = gettext_lazy("按读音搜“%(q)s”")  # 高领津贴: gaoling jintie finds 高龄津贴


def as_searched(term):
    """A term as a query searches it again: quoted if it was."""
    return f"“{term.text}”" if term.quoted else term.text


def searched_words(terms):
    """Each word of a search as it was searched, in order: the terms it was cut into joined
    (stop words left out), quoted ones in quotes."""
    words = {}
    for term in terms:
        words.setdefault(term.word, []).append(as_searched(term))
    return ["".join(pieces) for pieces in words.values()]


def fewer_words(terms):
    """Searches of fewer words than `terms`, as queries, closest first: of three or four terms,
    every set of all but one (孩子上学免学费 and 孩子上学 免学费: 上学 免学费); then each word
    typed alone, or each term one word was cut into (残疾人补贴: 残疾人, 补贴); of one term that
    is a word of its own, the shorter words in it (小额贷款: 小额, 贷款). None twice."""
    pieces = list(dict.fromkeys(map(as_searched, terms)))
    words = searched_words(terms)
    queries = []
    if 2 < len(pieces) <= MAX_TERMS_LEFT_OUT_IN_TURN:
        queries += [" ".join(pieces[:i] + pieces[i + 1 :]) for i in range(len(pieces))]
    queries += words if len(words) > 1 else pieces if len(pieces) > 1 else []
    if len(terms) == 1 and not terms[0].quoted:
        queries += search.shorter_words(terms[0].text)[:MAX_SHORTER_WORDS]
    unique = {}  # 孩子 上学 searches what 孩子上学 does
    for query in queries:
        unique.setdefault("".join(query.split()), query)
    return list(unique.values())


# Why a card's entry is listed, looked for in this order: its own text fields, then (read only
# for cards some word is still unexplained on) its tags, materials and steps. Region, domain
# and department are marked where the card shows them, and so are the name and the amount.
MATCHED_FIELDS = (
    "summary", "eligibility", "benefit", "service_content", "offline_place", "period_note",
    "basis_title",
)  # fmt: skip
MATCHED_RELATIONS = ("audiences", "sectors", "enterprise_types", "materials", "steps")
TAGS = {"audiences", "sectors", "enterprise_types"}  # indexed with their pinyin
SERVICE_LABELS = {  # a basic public service reads its fields so (see Policy)
    "eligibility": gettext_lazy("服务对象"),
    "benefit": gettext_lazy("服务标准"),
    "basis_title": gettext_lazy("法律依据"),
}
MAX_REASONS = 2


def mark_matches(policies, terms):
    """Mark on each card what `terms` matched (name, amount, region, domain, department), and
    give it `reasons`: (field name, highlighted snippet) of the fields that hold the words the
    card does not show yet, at most two, none named for the summary. So an entry found through
    a tag says 受益对象：老年人 for 老人, and one of 低保 办理 says where it holds each word."""
    pending = []
    for policy in policies:
        shown = {  # what every card shows, as `highlighted_<key>`
            "amount": policy.amount_display,
            "region": policy.region.volume_name,
            "domain": policy.domain.name,
            "department": str(policy.department or ""),
        }
        for key, text in shown.items():
            setattr(policy, f"highlighted_{key}", search.highlight(text, terms))
        policy.highlighted_name = search.highlight(policy.name, terms, pinyin=True)
        policy.highlighted_summary = search.highlight(policy.summary, terms)  # without reasons
        policy.unexplained = [
            term
            for term in terms
            if not search.marks(policy.name, term, pinyin=True)
            and not any(search.marks(text, term) for text in shown.values())
        ]
        policy.reasons = []
        for name in MATCHED_FIELDS:
            _explain(policy, name, terms)
        pending.append(policy)
    for name in MATCHED_RELATIONS:
        pending = [p for p in pending if p.unexplained and len(p.reasons) < MAX_REASONS]
        prefetch_related_objects(pending, name)
        for policy in pending:
            _explain(policy, name, terms)


def _explain(policy, name, terms):
    """Add field `name` to the card's reasons if it holds a word the card does not show yet."""
    if not policy.unexplained or len(policy.reasons) >= MAX_REASONS:
        return
    text, pinyin = _text(policy, name), name in TAGS
    found = [term for term in policy.unexplained if search.marks(text, term, pinyin=pinyin)]
    if not found:
        return
    policy.unexplained = [term for term in policy.unexplained if term not in found]
    shown = (
        search.highlight(text, terms, pinyin=True)
        if pinyin
        else search.snippet([text], terms, around=found)  # centred on what it explains
    )
    policy.reasons.append((_label(policy, name), shown))


def _label(policy, name):
    if name == "summary":
        return None  # what the card shows anyway
    if policy.is_service and name in SERVICE_LABELS:
        return SERVICE_LABELS[name]
    field = Policy._meta.get_field(name)
    return field.related_model._meta.verbose_name if field.one_to_many else field.verbose_name


def _text(policy, name):
    """A field's text as search indexed it: materials with their notes, steps with details."""
    value = getattr(policy, name)
    if name == "materials":
        return "；".join(m.name + (f"（{m.note}）" if m.note else "") for m in value.all())
    if name == "steps":
        return "；".join(s.title + (f"：{s.detail}" if s.detail else "") for s in value.all())
    if name in TAGS:
        return "、".join(tag.name for tag in value.all())
    return value or ""


class PolicyDetailView(DetailView):
    template_name = "catalog/policy_detail.html"
    context_object_name = "policy"

    def get_object(self, queryset=None):
        """The newest reachable edition of the entry with this code."""
        policy = (
            Policy.objects.reachable()
            .filter(code=self.kwargs["code"])
            .select_related("region", "domain", "department", "parent")
            .prefetch_related(
                "materials",
                "steps",
                "audiences",
                "sectors",
                "enterprise_types",
                Prefetch(
                    "localizations",
                    queryset=Policy.objects.published().select_related("region"),
                ),
            )
            .order_by("-edition")
            .first()
        )
        if policy is None:
            raise Http404
        return policy

    def get_context_data(self, **kwargs):
        policy = self.object
        related = (
            Policy.objects.published()
            .filter(domain=policy.domain_id, region__in=policy.region.covering_ids())
            .exclude(code=policy.code)
            .select_related("region")
            .order_by("-updated_at")[:5]
        )
        related = list(related)
        answers = Message.objects.public().filter(policy=policy).order_by("-replied_at")[:20]
        return super().get_context_data(
            related=related[:3],
            answers=answers,
            page_url=site_url(self.request) + policy.get_absolute_url(),
            qr_url=site_url(self.request) + reverse("catalog:policy_qr", args=[policy.code]),
            period_state=policy.period_state(),
            expired=policy.is_expired(),
            page_updated=policy.updated_at,
            **kwargs,
        )


class RegionDetailView(PublicPolicyMixin, DetailView):
    template_name = "catalog/region_detail.html"
    context_object_name = "region"

    def get_object(self, queryset=None):
        return get_object_or_404(Region.objects.select_related("parent"), slug=self.kwargs["slug"])

    page_size = 200  # a volume of Huizhou's size is one page; a province's volume is paged

    def get_context_data(self, **kwargs):
        policies = (
            super().get_queryset().filter(region=self.object).order_by("catalog_order", "code")
        )
        paginator = Paginator(policies, self.page_size)
        try:
            page = paginator.page(self.request.GET.get("page") or 1)
        except (InvalidPage, ValueError):
            raise Http404 from None
        return super().get_context_data(
            policies=page.object_list,
            page_obj=page,
            paginator=paginator,
            page_updated=last_updated(policies),
            **kwargs,
        )


class FinderView(TemplateView):
    """政策找人: a few questions at a time, then what applies. The answers live only in the
    query string; nothing is stored."""

    template_name = "catalog/finder.html"

    def get_context_data(self, **kwargs):
        data = self.request.GET
        who = data.get("who") if data.get("who") in (PERSON, ENTERPRISE) else None
        slug = data.get("region", "")
        region = Region.objects.filter(slug=slug).first() if who and SLUG.fullmatch(slug) else None
        context = super().get_context_data(regions=Region.objects.all(), who=who, **kwargs)
        if region is None:
            context["step"] = "start"
            context["incomplete"] = bool(data)
            return context
        policies = finder.candidates(who, region)
        answers = finder.parse_answers(who, data)
        questions = finder.next_questions(policies, answers)
        if data.get("edit"):
            asked = [FACTS[key] for key in answers]
            questions = asked + [q for q in questions if q not in asked]
        carried = [
            (key, data.get(key, ""))
            for key in ("who", "region", *answers)
            if key not in {q.key for q in questions}
        ]
        context.update(region=region, answers=answers, carried=carried)
        context["answered"] = [
            (FACTS[key], finder.answer_label(FACTS[key], value)) for key, value in answers.items()
        ]
        if questions and data.get("show") != "results":
            context.update(step="questions", questions=self.with_inputs(questions, data))
            return context
        groups = finder.evaluate(policies, answers)
        context.update(
            step="results",
            groups=groups,
            total=finder.total(groups[finder.QUALIFY]),
            checklist=finder.checklist(v.policy for v in groups[finder.QUALIFY]),
            show_no=bool(data.get("show_no")),
            more_questions=bool(questions),
            query=data.urlencode(),
        )
        return context

    def with_inputs(self, questions, data):
        """Each question with the options its input offers and the current answer."""
        tags = {"sector": Sector, "enterprisetype": EnterpriseType}
        rows = []
        for fact in questions:
            options = list(fact.choices)
            if fact.kind == eligibility.YES_NO:
                options = [("yes", _("是")), ("no", _("否"))]
            elif fact.kind == eligibility.TAGS:
                options = [(tag.slug, tag.name) for tag in tags[fact.tag_model].objects.all()]
            rows.append({"fact": fact, "options": options, "current": data.get(fact.key, "")})
        return rows


class EvaluationView(TemplateView):
    """基本公共服务 evaluation: per county/district, indicators computed from the catalogue, as
    a table and as SVG bar charts with the gaps marked (catalog/evaluation.py)."""

    template_name = "catalog/evaluation.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        themes, rows, city = evaluation.figures(on=today)
        charts = [
            evaluation.chart("village", _("村（居）标准项目提供率"), rows, lambda r: r.village),
            evaluation.chart(
                "services",
                _("适用的基本公共服务项目数"),
                rows,
                lambda r: r.services,
                percent=False,
            ),
            evaluation.chart("reviewed", _("近12个月核对率"), rows, lambda r: r.reviewed_share),
            evaluation.chart("on-time", _("留言按时答复率"), rows, lambda r: r.on_time_share),
        ]
        return super().get_context_data(
            themes=themes,
            rows=rows,
            city=city,
            charts=charts,
            today=today,
            review_days=evaluation.REVIEW_DAYS,
            page_updated=caching.cached(
                "updated", lambda: last_updated(Policy.objects.published())
            ),
            **kwargs,
        )


def site_url(request):
    """The address printed links and QR codes use: PORTAL_BASE_URL, or this request's host."""
    return settings.PORTAL_BASE_URL or request.build_absolute_uri("/").rstrip("/")


class RegionPrintView(DetailView):
    """The printable booklet of a volume: cover, contents, both lists by domain, every entry's
    six fields and a QR code. `kind` and `domain` narrow it to a leaflet. A volume (or list)
    past PORTAL_BOOKLET_MAX entries is printed in parts: its booklet is a contents page of
    the parts, each a domain (`page` numbers a domain's parts when it is larger still)."""

    template_name = "catalog/region_print.html"
    context_object_name = "region"

    def get_object(self, queryset=None):
        return get_object_or_404(Region, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        region, data = self.object, self.request.GET
        kind = data.get("kind") if data.get("kind") in ListKind.values else None
        domain = booklet_domain(data)
        split = domain is None and booklets.is_split(region, kind)
        context = super().get_context_data(
            as_of=timezone.localdate(), site=site_url(self.request), **kwargs
        )
        policies = booklets.entries(region, kind, domain)
        context["page_updated"] = last_updated(policies)
        if split:
            sections = booklets.sections(region, kind)
            context.update(
                sections=sections,
                total=sum(section["count"] for section in sections),
                part_size=settings.PORTAL_BOOKLET_MAX,
                policies=[],
            )
            return context
        paginator = Paginator(
            policies.select_related("region", "domain", "department").prefetch_related(
                "materials", "steps"
            ),
            settings.PORTAL_BOOKLET_MAX,
        )
        try:
            page = paginator.page(data.get("page") or 1)
        except (InvalidPage, ValueError):
            raise Http404 from None
        policies = list(page.object_list)
        for number, policy in enumerate(policies, page.start_index()):
            policy.number = number
        # PDFs exist of the whole volume, or of each part of a volume printed in parts.
        part = None
        if domain is None and kind is None:
            part = ""
        elif domain is not None and booklets.is_split(region):
            part = booklets.part_query(domain, page.number)
        context.update(
            policies=policies,
            page_obj=page,
            editions=sorted({p.edition for p in policies}),
            pdf=booklets.current(region, part) if part is not None else None,
            pdf_query=part,
            in_parts=part is not None,
        )
        return context


def booklet_domain(data):
    """The domain a booklet is narrowed to by `domain`, None without one; 404 if unknown."""
    slug = data.get("domain")
    if not slug:
        return None
    domain = Domain.objects.filter(slug=slug).first() if SLUG.fullmatch(slug) else None
    if domain is None:
        raise Http404
    return domain


def region_pdf(request, slug):
    """The PDF booklet of a volume (or of one part, by `domain` and `page`), as printed by
    `manage.py build_booklets`; 404 until a PDF of the current entries has been printed."""
    region = get_object_or_404(Region, slug=slug)
    domain = booklet_domain(request.GET)
    page = request.GET.get("page") or "1"
    if not re.fullmatch(r"[0-9]{1,6}", page):  # isdigit() also admits "²", which int() refuses
        raise Http404
    part = booklets.part_query(domain, int(page)) if domain else ""
    booklet = booklets.current(region, part)
    if booklet is None:
        raise Http404
    etag = f'"{booklet.fingerprint}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        pdf = Booklet.objects.values_list("pdf", flat=True).get(pk=booklet.pk)
        response = HttpResponse(bytes(pdf), content_type="application/pdf")
        name = "-".join([region.slug, *(v for _k, v in parse_qsl(part))])
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"  # a new catalogue prints a new file
    return response


def policy_qr(request, code):
    """A QR code (PNG) for the entry's page; cached, since it never changes for a code."""
    if not Policy.objects.reachable().filter(code=code).exists():
        raise Http404
    url = site_url(request) + reverse("catalog:policy", args=[code])
    image = cache.get_or_set(f"qr:{url}", lambda: qr.png(url), timeout=None)
    response = HttpResponse(image, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


class CompareView(TemplateView):
    """2–4 entries side by side, chosen in the URL (`codes`), with one merged checklist."""

    template_name = "catalog/compare.html"
    MAX = 4

    def get_context_data(self, **kwargs):
        asked = []
        for value in self.request.GET.getlist("codes"):
            for code in value.replace("，", ",").split(","):
                code = code.strip().upper()
                if code and SLUG.fullmatch(code) and code not in asked:
                    asked.append(code)
        found = {
            p.code: p
            for p in Policy.objects.published()
            .filter(code__in=asked[: self.MAX * 2])
            .select_related("region", "domain", "department")
            .prefetch_related("materials", "audiences")
            .order_by("code", "-edition")
        }
        policies = [found[code] for code in asked if code in found][: self.MAX]
        return super().get_context_data(
            policies=policies,
            unknown=[code for code in asked if code not in found],
            dropped=max(0, len([c for c in asked if c in found]) - self.MAX),
            checklist=finder.checklist(policies),
            **kwargs,
        )


class OpenDataView(TemplateView):
    template_name = "catalog/open_data.html"

    def get_context_data(self, **kwargs):
        policy = SCHEMA["$defs"]["policy"]
        fields = [
            (name, spec.get("description", "")) for name, spec in policy["properties"].items()
        ]
        return super().get_context_data(
            fields=fields, columns=[title for title, _ in opendata.CSV_COLUMNS], **kwargs
        )


def filtered_published(request):
    """Published entries narrowed by the same parameters as /policies/ (bad ones ignored)."""
    return PolicyFilter(request.GET, queryset=Policy.objects.published()).qs


def policies_json(request):
    chunks = opendata.json_chunks(filtered_published(request), site_url(request), timezone.now())
    response = StreamingHttpResponse(chunks, content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def policies_csv(request):
    response = StreamingHttpResponse(
        opendata.csv_chunks(filtered_published(request), site_url(request)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="policies.csv"'
    return response


def schema_json(request):
    return JsonResponse(SCHEMA, json_dumps_params={"ensure_ascii": False})


def policies_ics(request):
    policies = filtered_published(request).filter(period_mode__in=["window", "annual"])
    return ics_response(calendar.calendar(policies, site_url(request), _("政策申报日历")))


def policy_ics(request, code):
    policy = Policy.objects.published().filter(code=code).order_by("-edition").first()
    if policy is None:
        raise Http404
    return ics_response(calendar.calendar([policy], site_url(request), policy.name))


def ics_response(body):
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="policies.ics"'
    return response


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /finder/?",
        f"Sitemap: {site_url(request)}/sitemap.xml",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


DISPLAY_NOTICES = {
    ("large", True): _("已开启长者模式：字更大，行距更宽。"),
    ("large", False): _("已关闭长者模式。"),
    ("contrast", True): _("已开启高对比度模式。"),
    ("contrast", False): _("已关闭高对比度模式。"),
}


def display_preference(request):
    """Switch 长者模式 or 高对比度 on or off for a year and return to the page."""
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    for mode, cookie in DISPLAY_COOKIES.items():
        value = request.GET.get(mode)
        if value in ("on", "off"):
            response.set_cookie(
                cookie,
                value,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                httponly=True,
                secure=request.is_secure(),
            )
            messages.info(request, DISPLAY_NOTICES[(mode, value == "on")])
    return response


class MessageCreateView(FormView):
    """咨询 or 纠错 about one entry. Every POST counts against the sender's address; past the
    limit the answer is a 429 page. A filled honeypot stores nothing."""

    form_class = MessageForm
    template_name = "catalog/message_form.html"
    kind = Message.Kind.QUESTION

    @method_decorator(sensitive_post_parameters("phone", "email"))
    def dispatch(self, request, *args, **kwargs):
        self.policy = (
            Policy.objects.reachable()
            .filter(code=kwargs["code"])
            .select_related("department", "region")
            .order_by("-edition")
            .first()
        )
        if self.policy is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not throttle.allow(request):
            minutes = max(settings.SUPERVISION_RATE_WINDOW // 60, 1)
            response = render(request, "429.html", {"minutes": minutes}, status=429)
            response["Retry-After"] = str(settings.SUPERVISION_RATE_WINDOW)
            return response
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "kind": self.kind}

    def form_valid(self, form):
        data = form.cleaned_data
        message = submit_message(
            self.policy,
            self.kind,
            data["body"],
            phone=data["phone"],
            email=data["email"],
            publish_consent=data.get("publish_consent", False),
        )
        return redirect(f"{message.get_absolute_url()}?new=1")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            policy=self.policy,
            kind=self.kind,
            is_error=self.kind == Message.Kind.ERROR,
            reply_days=settings.SUPERVISION_REPLY_WORKING_DAYS,
            retention_days=settings.SUPERVISION_CONTACT_RETENTION_DAYS,
            **kwargs,
        )


class MessageDetailView(DetailView):
    """Where a message stands, found by its reference. Contact details are never read."""

    template_name = "catalog/message_detail.html"
    context_object_name = "message"

    def get_object(self, queryset=None):
        ref = self.kwargs["ref"].upper()
        if not REF_PATTERN.fullmatch(ref):
            raise Http404
        return get_object_or_404(
            Message.objects.select_related("policy__department").defer("phone", "email"),
            ref=ref,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            new=self.request.GET.get("new") == "1",
            page_updated=self.object.replied_at or self.object.created_at,
            **kwargs,
        )


class MessageLookupView(FormView):
    """Type a reference, land on its page."""

    form_class = LookupForm
    template_name = "catalog/message_lookup.html"
    http_method_names = ["get", "head", "options"]

    def get(self, request, *args, **kwargs):
        if "ref" not in request.GET:
            return super().get(request, *args, **kwargs)
        form = LookupForm(request.GET)
        if form.is_valid():
            return redirect("catalog:consult", ref=form.cleaned_data["ref"])
        return self.render_to_response(self.get_context_data(form=form))


@never_cache
def healthz(request):
    """The process is alive and answers; touches neither the database nor the cache. Being
    trivial, it is also what the benchmark compares real pages with."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
def readyz(request):
    """Ready for traffic: the database and the cache both answer. 503 otherwise, and the body
    never says which one failed or why (the log does)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        cache.set("readyz", "1", 10)
        ready = cache.get("readyz") == "1"
    except (DatabaseError, OSError, ValueError) as error:
        logger.warning("Not ready: %s", error.__class__.__name__)
        ready = False
    if not ready:
        response = HttpResponse("unavailable\n", status=503, content_type="text/plain")
        response["Retry-After"] = str(settings.PORTAL_RETRY_AFTER)
        return response
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


# Error pages (portal/urls.py). The 400 and 500 pages render without the request, so a bad Host
# header or a broken database cannot break them in turn; 403 and 404 have the site's frame.
def bad_request(request, exception):
    return HttpResponse(render_to_string("400.html"), status=400)


def permission_denied(request, exception):
    return render(request, "403.html", status=403)


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    return HttpResponse(render_to_string("500.html"), status=500)
