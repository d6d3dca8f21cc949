"""The one filter set behind /policies/: every query parameter of the public URL contract."""

import copy
import functools
import unicodedata
from collections import Counter

import django_filters
from django import forms
from django.db.models import F
from django.forms import ModelChoiceField
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import caching, search
from .models import (
    Audience,
    Department,
    Domain,
    EnterpriseType,
    ListKind,
    Period,
    Policy,
    Region,
    Sector,
    SynonymGroup,
)
from .models.policy import PERIOD_FIELDS, period_state

Q_MAX_LENGTH = search.MAX_QUERY_LENGTH
# Parameters of the list that are not filters a person set: the search box, the sort, and the
# scope of a region, which the form always sends.
NOT_FILTERS = {"q", "sort", "scope"}


class QueryField(forms.CharField):
    """The search words. Control characters (NUL among them) read as spaces, invisible ones are
    dropped, and a query past Q_MAX_LENGTH is cut there (before the word the cut falls in)
    rather than refused: a long pasted text is searched by its beginning, and the page says so
    (`PolicyListView`)."""

    def to_python(self, value):
        kinds = ((c, unicodedata.category(c)) for c in value or "")
        # Cf: invisible characters pasted with text (zero-width space, soft hyphen).
        text = "".join(" " if kind == "Cc" else "" if kind == "Cf" else c for c, kind in kinds)
        return search.capped(super().to_python(text))


class QueryFilter(django_filters.CharFilter):
    field_class = QueryField


STATUS_CHOICES = [
    ("open", _("可申请")),
    ("closing_soon", _("即将截止")),
    ("upcoming", _("即将开始")),
    ("closed", _("已截止")),
]

SORT_CHOICES = [
    ("relevance", _("相关度")),
    ("updated", _("最近更新")),
    ("deadline", _("截止日期")),
    ("amount", _("金额从高到低")),
]

SCOPE_CHOICES = [
    ("applies", _("适用于该地（含市级总册）")),
    ("volume", _("仅该分册")),
]

FLAG_CHOICES = [("1", _("是"))]

UNRANKED_ORDER = ["-updated_at", "code"]


def slug_filter(model, label, field_name):
    return django_filters.ModelChoiceFilter(
        queryset=model.objects.all(),
        to_field_name="slug",
        field_name=field_name,
        label=label,
        empty_label=_("全部"),
    )


class PolicyFilter(django_filters.FilterSet):
    q = QueryFilter(
        method="filter_q",
        label=_("关键词"),
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("如：养老、创业补贴"),
                "maxlength": Q_MAX_LENGTH,
            }
        ),
    )
    region = slug_filter(Region, _("地区"), "region")
    scope = django_filters.ChoiceFilter(
        choices=SCOPE_CHOICES, method="filter_scope", label=_("范围"), empty_label=None
    )
    kind = django_filters.ChoiceFilter(
        field_name="list_kind", choices=ListKind.choices, label=_("清单"), empty_label=_("全部")
    )
    domain = slug_filter(Domain, _("领域"), "domain")
    audience = slug_filter(Audience, _("受益对象"), "audiences")
    sector = slug_filter(Sector, _("行业"), "sectors")
    etype = slug_filter(EnterpriseType, _("企业类型"), "enterprise_types")
    department = slug_filter(Department, _("主管部门"), "department")
    one_card = django_filters.ChoiceFilter(
        choices=FLAG_CHOICES, method="filter_one_card", label=_("一卡通发放"), empty_label=_("不限")
    )
    no_apply = django_filters.ChoiceFilter(
        choices=FLAG_CHOICES, method="filter_no_apply", label=_("免申即享"), empty_label=_("不限")
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, method="filter_status", label=_("申请状态"), empty_label=_("不限")
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", label=_("排序"), empty_label=None
    )

    # Facets whose options show how many entries each would leave, given the other filters.
    SINGLE_VALUED = {"region", "kind", "domain", "department"}
    FACETS = {
        "region": "region__slug",
        "kind": "list_kind",
        "domain": "domain__slug",
        "audience": "audiences__slug",
        "sector": "sectors__slug",
        "etype": "enterprise_types__slug",
        "department": "department__slug",
    }

    class Meta:
        model = Policy
        fields = []

    def __init__(self, data=None, *args, **kwargs):
        self.on = kwargs.pop("on", None) or timezone.localdate()
        super().__init__(data, *args, **kwargs)

    @classmethod
    @functools.cache
    def _form_class(cls):
        fields = {name: f.field for name, f in copy.deepcopy(cls.base_filters).items()}
        form = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
        form.base_fields = CopiedShallow(form.base_fields)
        return form

    def get_form_class(self):
        """Built once per process instead of once per request: the fields never change. Each
        form's fields share their widgets, choices, querysets and messages with every other
        form's (`CopiedShallow`): change a field for one request by replacing it, never in
        place."""
        return self._form_class()

    def filter_queryset(self, queryset, without=()):
        """Apply every filter but those named in `without`, then the chosen sort."""
        return self._sort(self._filter(queryset, without))

    def _filter(self, queryset, without):
        data = self.form.cleaned_data
        saved = {name: data.get(name) for name in (*without, "region")}
        for name in saved:
            data[name] = None  # a filter skips an empty value
        try:
            queryset = super().filter_queryset(queryset)
        finally:
            data.update(saved)
        region = data.get("region")
        if region is not None and "region" not in without:
            if data.get("scope") == "volume":
                queryset = queryset.filter(region=region)
            else:
                queryset = queryset.filter(region__in=region.covering_ids())
        return queryset

    def filter_scope(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        return search.search(queryset, self.terms)

    @property
    def qs(self):
        """The results in the chosen order (see `results`); without data, every entry."""
        if not self.is_bound:
            return super().qs
        if not hasattr(self, "_qs"):
            self._qs = self._sort(self.results)
        return self._qs

    @cached_property
    def unsearched(self):
        """The entries every filter but `q` leaves: what the search narrows, and what the
        cheaper parts of its count read (`parts`)."""
        self.is_valid()
        return self._filter(self.queryset.all(), ["q"])

    @cached_property
    def results(self):
        """The entries every filter leaves, in no order; the filters run once a request,
        whatever the page, its count and the order past the cap make of them."""
        return search.search(self.unsearched, self.terms)

    @cached_property
    def terms(self):
        """The parsed query, its synonyms swapped in; empty without a valid `q`."""
        return self.all_terms[: search.MAX_TERMS]

    @cached_property
    def all_terms(self):
        """Every term of the query, also those past `search.MAX_TERMS`, which are not searched."""
        self.is_valid()
        query = self.form.cleaned_data.get("q") or ""
        if not query.strip():
            return []
        groups = caching.kept("synonyms", SynonymGroup.groups)
        return search.parse(query, groups, limit=None, places=places())

    def title_subset(self):
        """The results whose title part alone matches `q`: a cheap lower bound of `qs` for
        the capped count (see `CappedPaginator`); None without one."""
        if not self.terms:
            return None
        return search.title_subset(self.unsearched, self.terms)

    @property
    def filtered(self):
        """Whether the request sets any filter besides the search words."""
        return any(self.data.get(name) for name in self.base_filters if name not in NOT_FILTERS)

    def paginator_options(self):
        """How `CappedPaginator` should count and order these results: the cheaper parts to
        count first, and newest first past the cap when they would be ranked."""
        unranked = self.newest_first if self.ranks_by_relevance else None
        options = {"parts": self.parts(), "unranked": unranked, "by_ids": self.by_ids}
        if any(not term.single_character for term in self.terms):
            # The GIN index collects the matches. A walk along another index would check each
            # entry read against the query, reading its search vector from TOAST (about 5 µs
            # each), which the planner does not price: for 80周岁, held by a third of 100,000
            # entries, it walked 3,650 of them in 20 ms where the index took 7. A walk pays off
            # past about 60 %, where the parts have counted enough already (titles) or walked
            # on purpose (`search.dense`).
            options["collect"] = {"enable_indexscan": "off"}
        return options

    def newest_first(self):
        """These results newest first and without their rank, which the page then need not
        build: the order past the cap."""
        return self.results.order_by(*UNRANKED_ORDER)

    def by_ids(self, ids):
        """Entries of these results read by id, ranked and sorted as `qs` is, without checking
        each against the search again: the count found them (about half the time of a ranked
        page of a few hundred matches, where each check reads the entry's search vector)."""
        return self._sort(self.queryset.filter(pk__in=ids))

    def parts(self):
        """Parts of the results cheaper to count than all of them, as counting functions for
        `CappedPaginator`: the entries whose title alone matches `q`, and for a phrase found in
        a large share of the entries (`search.dense`), the matches among the first entries read."""
        if not self.terms:
            return []

        def titles(limit):
            subset = self.title_subset()
            return (0 if subset is None else subset.order_by().values("pk")[:limit].count()), False

        def walked(limit):
            shares = functools.partial(caching.cached, "lexeme-shares", search.lexeme_shares)
            if not search.dense(self.terms, shares):
                return 0, False
            return search.walked_count(self.unsearched, self.terms, limit)

        return [titles, walked]

    def filter_one_card(self, queryset, name, value):
        return queryset.filter(one_card=True)

    def filter_no_apply(self, queryset, name, value):
        return queryset.filter(period_mode=Period.NO_APPLICATION)

    def filter_status(self, queryset, name, value):
        return getattr(queryset, value)(on=self.on)

    def filter_sort(self, queryset, name, value):
        return queryset  # applied last, in _sort, so it sees the final queryset

    @property
    def ranks_by_relevance(self):
        return bool(self.terms) and self.chosen_sort == "relevance"

    @property
    def chosen_sort(self):
        self.is_valid()
        return self.form.cleaned_data.get("sort") or "relevance"

    def _sort(self, queryset):
        sort = self.chosen_sort
        if sort == "deadline":
            return queryset.with_deadline(on=self.on).order_by(
                F("deadline_key").asc(nulls_last=True), "code"
            )
        if sort == "amount":
            return queryset.with_yearly_amount().order_by(
                F("yearly_amount").desc(nulls_last=True), "code"
            )
        if sort == "updated":
            return queryset.order_by(*UNRANKED_ORDER)
        if self.ranks_by_relevance:  # no other sort reads the rank
            region = self.form.cleaned_data.get("region")
            ranked = search.ranked(queryset, self.terms, local=region and region.pk)
            return ranked.order_by("-rank", "catalog_order", "code")
        return queryset.order_by("catalog_order", "code")

    def facet_counts(self, ids=None):
        """For each facet, {option value: entries it would leave} with every other filter applied.

        Facets not in use all count over the current results, read once (by primary key when
        their `ids` are known, so the search does not run again; not at all when there are
        none); a facet in use is counted over the results without it. So a page costs one read
        per many-to-many facet plus one per facet in use, whatever the size of the catalogue."""
        self.is_valid()  # validate once; facets reuse the cleaned data
        data = self.form.cleaned_data
        in_use = [name for name in [*self.FACETS, "status"] if data.get(name)]
        unused = [name for name in [*self.FACETS, "status"] if name not in in_use]
        results = self.results if ids is None else self.queryset.filter(pk__in=ids)
        counts = self._count(results, unused)
        for name in in_use:
            counts |= self._count(self.filter_queryset(self.queryset.all(), without=[name]), [name])
        if data.get("scope") != "volume":
            counts["region"] = self._applying(counts["region"])
        return counts

    @classmethod
    def reference(cls):
        """What the menus show of the reference tables: each menu's options as (slug, label),
        and each region's parent, from `reference_rows`."""

        def derive():
            rows = reference_rows()
            regions = rows[Region._meta.label].values()
            slugs = {region.pk: region.slug for region in regions}
            return {
                "options": {
                    name: [
                        (obj.slug, str(obj)) for obj in rows[f.queryset.model._meta.label].values()
                    ]
                    for name, f in cls.base_filters.items()
                    if isinstance(f, django_filters.ModelChoiceFilter)
                },
                "parents": {region.slug: slugs.get(region.parent_id) for region in regions},
            }

        return caching.kept("menu-reference", derive)

    @classmethod
    def _applying(cls, per_volume):
        """Per region, the entries that apply there: its own volume plus the city volume."""
        parents = cls.reference()["parents"]
        totals = {
            slug: per_volume.get(slug, 0) + per_volume.get(parent, 0)
            for slug, parent in parents.items()
        }
        return {slug: n for slug, n in totals.items() if n}

    def _count(self, queryset, names):
        """Count `names` over `queryset` from one read of its rows (there are at most a few
        thousand when facets are shown) and one read per many-to-many facet by those ids."""
        counts = {name: Counter() for name in names}
        single = [name for name in names if name in self.SINGLE_VALUED]
        fields = ["pk", *(self.FACETS[name] for name in single)]
        if "status" in names:
            fields += PERIOD_FIELDS
        ids = []
        for row in queryset.order_by().values(*fields):
            ids.append(row["pk"])
            for name in single:
                counts[name][row[self.FACETS[name]]] += 1
            if "status" in names:
                counts["status"][period_state(row, self.on)] += 1
        for name in set(names) - set(single) - {"status"}:
            relation, slug = self.FACETS[name].split("__")
            through = getattr(Policy, relation).through
            target = getattr(Policy, relation).field.m2m_reverse_field_name()
            counts[name].update(
                through.objects.filter(policy_id__in=ids).values_list(
                    f"{target}__{slug}", flat=True
                )
            )
        if "status" in names:  # closing soon is also open
            counts["status"]["open"] += counts["status"]["closing_soon"]
        return {name: {k: n for k, n in c.items() if k is not None} for name, c in counts.items()}

    def menus(self, counts=None):
        """Every filter but `q` as a menu for the template: name, label and options of
        (value, label, selected). With `counts`, facet options show their count and options
        that would leave nothing are left out, except the one already chosen."""
        menus = []
        reference = self.reference()["options"]
        for name, field in self.form.fields.items():
            if name == "q":
                continue
            chosen = self.data.get(name, "")
            if isinstance(field, ModelChoiceField):
                options = reference[name]
            else:
                options = [(str(v), str(label)) for v, label in field.choices if v != ""]
            if counts and name in counts:
                options = [
                    (value, f"{label}（{counts[name].get(value, 0)}）")
                    for value, label in options
                    if counts[name].get(value) or value == chosen
                ]
            empty = field.empty_label  # None for scope and sort, which always have a value
            rows = [("", empty)] if empty is not None else []
            rows += options
            menus.append(
                {
                    "name": name,
                    "id": f"id_{name}",
                    "label": field.label,
                    "options": [(value, label, value == chosen) for value, label in rows],
                }
            )
        return menus


class CopiedShallow(dict):
    """Filters, or form fields, that each filter set, or its form, copies for itself: one level
    deep rather than whole, as django-filter and Django would, querysets, choices and lazy
    labels included (half a millisecond of every list page). Nothing changes a filter's or a
    field's parts for one request; a filter's method is bound to the copy."""

    def __deepcopy__(self, memo):
        copies = {name: copy.copy(item) for name, item in self.items()}
        for name, item in self.items():
            if getattr(item, "method", None) is not None:
                copies[name].method = item.method  # a new FilterMethod, bound to the copy
        return copies


PolicyFilter.base_filters = CopiedShallow(PolicyFilter.base_filters)


def reference_rows():
    """Every row of the reference tables the menus and cards show (regions, domains, tags,
    departments), by model label and id, in their order. The same for every request, so read
    once per generation and shared through the cache (every change to reference data raises
    the generation)."""

    def read():
        models = {
            f.queryset.model
            for f in PolicyFilter.base_filters.values()
            if isinstance(f, django_filters.ModelChoiceFilter)
        }
        return {model._meta.label: {row.pk: row for row in model.objects.all()} for model in models}

    return caching.kept("reference-rows", read)


# What a county's name may be typed without: 博罗 for 博罗县, 仲恺 for 仲恺高新技术产业开发区.
REGION_SUFFIXES = ("经济技术开发区", "高新技术产业开发区", "区", "县")


def places():
    """{a name a person may type for a county or district: its region}, from its volume's name
    with and without the suffix, and with 区 for the zones (大亚湾区, 仲恺区); the city is not
    among them, since its volume applies everywhere. Derived once per generation, as the
    reference rows it comes from."""

    def derive():
        return {
            name: region
            for region in reference_rows()[Region._meta.label].values()
            if region.parent_id is not None
            for name in (region.name, short_name(region.name), f"{short_name(region.name)}区")
            if len(name) > 1
        }

    return caching.kept("places", derive)


def short_name(name):
    """A region's name without its suffix (`REGION_SUFFIXES`)."""
    suffix = next((s for s in REGION_SUFFIXES if name.endswith(s)), "")
    return name.removesuffix(suffix)
