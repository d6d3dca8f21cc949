"""The 基本公共服务 evaluation (/evaluation/): per county/district, indicators computed from the
catalogue, and the gap between regions and between 城区 and 县域. Seven reads, whatever the size
of the catalogue; the arithmetic is plain functions so tests can check it by hand."""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Domain, ListKind, Message, Policy, Provision, Region, VillageItemStatus

REVIEW_DAYS = 365  # "reviewed in the last 12 months"
MESSAGE_DAYS = 365  # supervision figures count the messages of the last 12 months


def share(part, whole):
    """part / whole, or None when there is nothing to divide by (shown as "—", never 0 %)."""
    return part / whole if whole else None


def village_share(provided, partly, items):
    """Share of the village standard items provided: each item fully provided counts 1, each
    partly provided counts ½, anything else (or no status recorded) 0; divided by the number of
    items that apply to the region."""
    return share(provided + partly / 2, items)


def on_time_share(on_time, received, open_not_due):
    """Replies within the deadline over the messages whose deadline has come: those received
    less those still open whose deadline has not passed yet."""
    return share(on_time, received - open_not_due)


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


@dataclass
class Gap:
    """Best and worst region, and the mean of each area (each region counts once)."""

    best: tuple | None  # (region, value)
    worst: tuple | None
    urban: float | None
    rural: float | None

    @property
    def spread(self):
        return self.best[1] - self.worst[1] if self.best else None

    @property
    def urban_rural(self):
        if self.urban is None or self.rural is None:
            return None
        return self.urban - self.rural


def gap(pairs):
    """`pairs` of (region, value or None) → Gap over the regions that have a value."""
    known = [(region, value) for region, value in pairs if value is not None]
    if not known:
        return Gap(None, None, None, None)
    by_value = sorted(known, key=lambda pair: (pair[1], -pair[0].order))
    by_area = defaultdict(list)
    for region, value in known:
        by_area[region.area].append(value)
    return Gap(
        best=by_value[-1],
        worst=by_value[0],
        urban=mean(by_area[Region.Area.URBAN]),
        rural=mean(by_area[Region.Area.RURAL]),
    )


@dataclass
class RegionFigures:
    region: Region
    items: int = 0  # village standard items that apply here
    provided: int = 0
    partly: int = 0
    themes: list = field(default_factory=list)  # service items per theme, in theme order
    entries: int = 0  # published entries of its own volume
    reviewed: int = 0
    received: int = 0
    answered: int = 0
    on_time: int = 0
    overdue: int = 0
    open_not_due: int = 0

    @property
    def not_yet(self):
        return self.items - self.provided - self.partly

    @property
    def village(self):
        return village_share(self.provided, self.partly, self.items)

    @property
    def services(self):
        return sum(self.themes)

    @property
    def reviewed_share(self):
        return share(self.reviewed, self.entries)

    @property
    def on_time_share(self):
        return on_time_share(self.on_time, self.received, self.open_not_due)

    @property
    def village_percent(self):
        return format_value(self.village)

    @property
    def reviewed_percent(self):
        return format_value(self.reviewed_share)

    @property
    def on_time_percent(self):
        return format_value(self.on_time_share)


def figures(on=None):
    """(themes, [RegionFigures] for every county/district in volume order, the city volume's
    RegionFigures or None) on the day `on`."""
    on = on or timezone.localdate()
    regions = list(Region.objects.all())
    city = next((r for r in regions if r.parent_id is None), None)
    rows = {r.pk: RegionFigures(r) for r in regions}
    themes = list(Domain.objects.filter(kind=ListKind.PUBLIC_SERVICE).order_by("order"))
    published = Policy.objects.published(on=on).order_by()
    services = published.filter(domain__kind=ListKind.PUBLIC_SERVICE)

    # Village standard items that apply to a region: the city volume's and its own.
    items = defaultdict(set)
    for pk, region_id in services.filter(village_standard=True).values_list("pk", "region"):
        items[region_id].add(pk)
    statuses = VillageItemStatus.objects.filter(
        item__in=[pk for ids in items.values() for pk in ids]
    ).values_list("region", "item", "status")
    status_of = {(region_id, item_id): status for region_id, item_id, status in statuses}

    per_theme = Counter(
        {
            (region_id, domain_id): n
            for region_id, domain_id, n in services.values_list("region", "domain").annotate(
                n=Count("pk")
            )
        }
    )
    cutoff = on - datetime.timedelta(days=REVIEW_DAYS)
    review = published.values_list("region").annotate(
        n=Count("pk"), reviewed=Count("pk", filter=Q(last_reviewed_on__gte=cutoff))
    )
    review = {region_id: (n, reviewed) for region_id, n, reviewed in review}
    messages = message_counts(on)

    for row in rows.values():
        covering = row.region.covering_ids()
        applying = set().union(*(items[pk] for pk in covering))
        row.items = len(applying)
        got = Counter(status_of.get((row.region.pk, item)) for item in applying)
        row.provided, row.partly = got[Provision.PROVIDED], got[Provision.PARTLY]
        row.themes = [sum(per_theme[(pk, theme.pk)] for pk in covering) for theme in themes]
        row.entries, row.reviewed = review.get(row.region.pk, (0, 0))
        for name, value in messages.get(row.region.pk, {}).items():
            setattr(row, name, value)
    counties = [rows[r.pk] for r in regions if r.parent_id is not None]
    return themes, counties, rows[city.pk] if city else None


def message_counts(on):
    """Per region (of the entry's volume): messages received in the MESSAGE_DAYS before `on`,
    answered, answered by their deadline, overdue (open past the deadline) and open but not yet
    due."""
    since = on - datetime.timedelta(days=MESSAGE_DAYS)
    open_ = Q(status__in=[Message.Status.NEW, Message.Status.IN_PROGRESS])
    answered = Q(status=Message.Status.ANSWERED)
    rows = (
        Message.objects.filter(created_at__date__gt=since, created_at__date__lte=on)
        .order_by()
        .values("policy__region")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=answered),
            on_time=Count("pk", filter=answered & Q(replied_at__date__lte=F("due_on"))),
            overdue=Count("pk", filter=open_ & Q(due_on__lt=on)),
            open_not_due=Count("pk", filter=open_ & Q(due_on__gte=on)),
        )
    )
    return {row.pop("policy__region"): row for row in rows}


# Charts: horizontal bars drawn as SVG on the server, one row per county/district.
CHART_WIDTH = 360
LABEL_HEIGHT = 18
BAR_HEIGHT = 16
ROW_HEIGHT = 44
TOP = 8
BOTTOM = 64  # room for the two average markers and the gap line
BAR_SPACE = 280  # the longest bar; the value is written after it


def chart(name, title, rows, value, percent=True):
    """A bar chart of `value(row)` for `rows` (RegionFigures), with the gap between the best
    and the worst region and the means of 城区 and 县域 marked. Geometry is computed here; the
    template only places it."""
    pairs = [(row.region, value(row)) for row in rows]
    the_gap = gap(pairs)
    top = 1 if percent else max([v for _r, v in pairs if v is not None] or [0]) or 1

    def x(v):
        return round(BAR_SPACE * v / top, 1)

    def text(v):
        return format_value(v, percent)

    bars = []
    for n, (region, v) in enumerate(pairs):
        y = TOP + n * ROW_HEIGHT
        bars.append(
            {
                "label": f"{region.name}（{region.get_area_display() or _('未分类')}）",
                "area": region.area or "none",
                "label_y": y + LABEL_HEIGHT - 4,
                "bar_y": y + LABEL_HEIGHT,
                "width": x(v) if v is not None else 0,
                "value": text(v),
                "value_x": (x(v) if v is not None else 0) + 6,
                "value_y": y + LABEL_HEIGHT + BAR_HEIGHT - 3,
            }
        )
    plot_bottom = TOP + len(pairs) * ROW_HEIGHT
    markers = []
    averages = ((the_gap.urban, _("城区平均")), (the_gap.rural, _("县域平均")))
    for n, (mean_value, label) in enumerate(averages):
        if mean_value is None:
            continue
        right_half = x(mean_value) > BAR_SPACE / 2  # write the label on the side with room
        markers.append(
            {
                "area": (Region.Area.URBAN, Region.Area.RURAL)[n],
                "x": x(mean_value),
                "text_x": x(mean_value) + (-4 if right_half else 4),
                "text_y": plot_bottom + 14 * (n + 1),
                "anchor": "end" if right_half else "start",
                "label": f"{label} {text(mean_value)}",
            }
        )
    spread = None
    if the_gap.best:
        y = plot_bottom + 40
        spread = {
            "x1": x(the_gap.worst[1]),
            "x2": x(the_gap.best[1]),
            "y": y,
            "tick_top": y - 5,
            "tick_bottom": y + 5,
            "text_y": y + 18,
            "label": _("最高与最低相差 %(gap)s") % {"gap": format_gap(the_gap.spread, percent)},
        }
    return {
        "name": name,
        "title": title,
        "bars": bars,
        "markers": markers,
        "spread": spread,
        "plot_bottom": plot_bottom,
        "height": plot_bottom + BOTTOM,
        "width": CHART_WIDTH,
        "bar_space": BAR_SPACE,
        "bar_height": BAR_HEIGHT,
        "gap": the_gap,
        "summary": summary(the_gap, percent),
    }


def format_value(value, percent=True):
    if value is None:
        return "—"
    if percent:
        return f"{value * 100:.1f}%"
    return f"{value:g}"


def format_gap(value, percent=True):
    if value is None:
        return "—"
    if percent:
        return _("%(n).1f 个百分点") % {"n": value * 100}
    return _("%(n)s 项") % {"n": f"{value:g}"}


def summary(the_gap, percent=True):
    """The chart in one sentence, for its description and for readers of the table."""
    if the_gap.best is None:
        return _("暂无可计算的数据。")
    text = _("最高为%(best)s（%(bv)s），最低为%(worst)s（%(wv)s），相差%(gap)s。") % {
        "best": the_gap.best[0].name,
        "bv": format_value(the_gap.best[1], percent),
        "worst": the_gap.worst[0].name,
        "wv": format_value(the_gap.worst[1], percent),
        "gap": format_gap(the_gap.spread, percent),
    }
    if the_gap.urban_rural is not None:
        text += _("城区平均%(u)s，县域平均%(r)s，城区比县域%(dir)s%(gap)s。") % {
            "u": format_value(the_gap.urban, percent),
            "r": format_value(the_gap.rural, percent),
            "dir": _("高") if the_gap.urban_rural >= 0 else _("低"),
            "gap": format_gap(abs(the_gap.urban_rural), percent),
        }
    return text
