"""Seed a scratch PostgreSQL database with synthetic entries and time search against ILIKE.

Run through `make bench-search`, which creates and drops the scratch database. Refuses to run
on a database that already holds entries of its own, so it never touches real data."""

import random
import statistics
import time
from contextlib import contextmanager

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from catalog import caching, search
from catalog.filters import PolicyFilter
from catalog.models import Domain, ListKind, Period, Policy, Region, SynonymGroup
from catalog.models.policy import catalogue_position
from catalog.pagination import CappedPaginator
from catalog.views import PublicPolicyMixin

BENCH_PREFIX = "BENCH-"

QUERIES = {
    "1 character": "养",
    "2 characters": "养老",
    "2 characters, very common": "补贴",
    "2 characters, rare": "助听",
    "long phrase, cut into three words": "城乡居民基本养老保险",
    "quoted phrase found nowhere, of common bigrams": "“养老保险补贴”",
    "two words": "残疾人 护理",
    "two words unspaced": "残疾人补贴",
    "digits + Han": "80周岁",
    "amount": "3000元",
    "synonym": "老人",
    "pinyin": "yanglao",
    "pinyin initials": "ylbx",
    "no match": "宇宙飞船",
    "with 2 filters": "养老 region=boluo kind=resident",
}

# Searched before each measured query, with a word: a common phrase, whose count reads the
# lexemes' shares (see `search.dense`), as some earlier visitor's search has in production.
WARM_PHRASE = "社会保障卡"

SUBJECTS = [
    "高龄老人",
    "困难残疾人",
    "重度残疾人",
    "城乡低保对象",
    "特困人员",
    "高校毕业生",
    "就业困难人员",
    "退役军人",
    "农村留守儿童",
    "孕产妇",
    "小微企业",
    "个体工商户",
    "高新技术企业",
    "专精特新企业",
    "农民专业合作社",
    "返乡创业人员",
    "失业人员",
    "困难职工",
    "在校学生",
    "独生子女家庭",
]
BENEFITS = [
    "生活补贴",
    "护理补贴",
    "一次性补助",
    "培训补贴",
    "社会保险补贴",
    "创业资助",
    "贷款贴息",
    "租金补贴",
    "研发费用补助",
    "稳岗返还",
    "医疗救助",
    "教育资助",
    "养老服务补贴",
    "助听器适配补贴",
    "交通补贴",
    "以工代训补贴",
    "技能提升补贴",
    "临时救助",
    "住房保障",
    "免费体检",
]
PLACES = [
    "惠城区",
    "惠阳区",
    "博罗县",
    "惠东县",
    "龙门县",
    "大亚湾",
    "仲恺",
    "各镇（街）",
    "村（社区）",
]
SENTENCES = [
    "申请人须为本市户籍的{subject}，年满{age}周岁。",
    "家庭人均收入低于当地最低生活保障标准的{subject}，可按差额按月领取{benefit}。",
    "符合条件的{subject}按每人每月{amount}元标准发放{benefit}，资金通过社会保障卡直接发放。",
    "首次在{place}创办小微企业并正常经营{years}年以上的，给予一次性资助{amount}元。",
    "参加城乡居民基本养老保险的{subject}，由{place}统一代办{benefit}相关手续。",
    "经{place}审核、县（区）审批后，{benefit}于次月起发放。",
    "持有第二代残疾人证且残疾等级为一级或二级的重度残疾人，按规定享受{benefit}。",
    "企业吸纳{subject}并签订一年以上劳动合同的，按实际缴纳的社会保险费给予{benefit}。",
    "申请{benefit}需提交居民身份证、户口簿、银行账户及相关证明材料的原件和复印件。",
    "申请材料齐全的，{place}受理部门在{days}个工作日内办结{benefit}。",
    "对研发投入增长较快的{subject}，按上年度研发费用增量的{rate}%给予{benefit}。",
    "{place}农业经营主体购置农机具的，按核定价格给予{benefit}。",
    "因病致贫的{subject}，经医保报销后的个人自付费用按比例给予{benefit}。",
    "{benefit}由{place}财政部门会同主管部门组织实施，每年{month}月集中受理。",
    "{subject}可通过粤省事小程序或到{place}政务服务中心提出{benefit}申请。",
    "已享受同类{benefit}的{subject}不重复享受，就高不就低。",
    "{benefit}实行动态管理，{subject}情况发生变化的应在{days}日内报告。",
    "对在{place}连续居住满{years}年的{subject}，另给予{amount}元一次性{benefit}。",
]


class Command(BaseCommand):
    help = "Time search against ILIKE on synthetic entries (scratch PostgreSQL database only)."

    def add_arguments(self, parser):
        parser.add_argument("--sizes", default="1000,10000,100000")
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, sizes, runs, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The search benchmark needs PostgreSQL (DATABASE_URL).")
        if Policy.objects.exclude(code__startswith=BENCH_PREFIX).exists():
            raise CommandError("This database holds real entries; run `make bench-search`.")
        self.random = random.Random(seed)  # noqa: S311 -- repeatable synthetic data
        self.ensure_reference()
        self.stdout.write(
            f"# search benchmark {timezone.now():%Y-%m-%d %H:%M}, {runs} runs per query"
        )
        for size in sorted(int(s) for s in sizes.split(",")):
            self.seed_to(size)
            self.stdout.write(f"\n## {size:,} entries\n")
            self.stdout.write(
                "| query | matches | search SQL p50 / p95 ms | … in the database "
                "| whole page p50 / p95 ms | … right after a write | ILIKE SQL p50 / p95 ms "
                "| … in the database | ILIKE ÷ search | … in the database |"
            )
            self.stdout.write("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for label, query in QUERIES.items():
                self.report(label, query, runs)

    def ensure_reference(self):
        """The regions and domains the synthetic entries are spread over."""
        city, _ = Region.objects.get_or_create(
            slug="huizhou", defaults={"code": "441300", "name": "惠州市", "level": "city"}
        )
        self.regions = [city]
        for slug, name, code in [("boluo", "博罗县", "441322"), ("huidong", "惠东县", "441323")]:
            region, _ = Region.objects.get_or_create(
                slug=slug, defaults={"code": code, "name": name, "level": "county", "parent": city}
            )
            self.regions.append(region)
        for kind, slug, name in [
            (ListKind.RESIDENT, "lm-shenghuo", "生活保障"),
            (ListKind.ENTERPRISE, "qy-chuangye", "创业就业"),
        ]:
            Domain.objects.get_or_create(slug=slug, defaults={"kind": kind, "name": name})
        self.domains = list(Domain.objects.all())

    def seed_to(self, size):
        have = Policy.objects.count()
        started = time.perf_counter()
        batch = []
        for n in range(have, size):
            batch.append(self.synthetic(n))
            if len(batch) == 2000:
                Policy.objects.bulk_create(batch)
                batch = []
        Policy.objects.bulk_create(batch)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE catalog_policy")
        if size > have:
            self.stderr.write(
                f"seeded {size - have:,} entries in {time.perf_counter() - started:.0f} s"
            )

    def synthetic(self, n):
        pick = self.random.choice
        name = f"{pick(SUBJECTS)}{pick(BENEFITS)}"
        body = "".join(
            pick(SENTENCES).format(
                subject=pick(SUBJECTS),
                benefit=pick(BENEFITS),
                place=pick(PLACES),
                month=pick(range(1, 13)),
                age=pick([16, 60, 70, 80, 90, 100]),
                amount=pick([100, 150, 200, 500, 1000, 3000, 5000, 10000]),
                years=pick([1, 2, 3]),
                days=pick([5, 10, 15, 20]),
                rate=pick([5, 10, 20]),
            )
            for _ in range(14)  # about 370 characters, as in docs/PERFORMANCE.md
        )
        eligibility, benefit = body[: len(body) // 2], body[len(body) // 2 :]
        region, domain = pick(self.regions), pick(self.domains)
        summary = f"{name}，示例数据。"
        return Policy(
            code=f"{BENCH_PREFIX}{n:06d}",
            name=name,
            summary=summary,
            region=region,
            domain=domain,
            catalog_order=catalogue_position(region.order, domain.kind, domain.order),
            list_kind=domain.kind,
            eligibility=eligibility,
            benefit=benefit,
            period_mode=Period.ALWAYS,
            status=Policy.Status.PUBLISHED,
            published_at=timezone.now(),
            search_document=search.document(
                [name, summary], [eligibility, benefit], [name], [eligibility]
            ),
        )

    def report(self, label, query, runs):
        client = Client()
        words = [w for w in query.split() if "=" not in w]
        params = dict(w.split("=", 1) for w in query.split() if "=" in w)
        params["q"] = " ".join(words)

        def running_site():
            # A query nobody asked since the last write, on a site that has served others:
            # nothing of this query is cached, but what every page shares (menus, synonyms,
            # the catalogue's date, the home page's counts, the lexemes' shares) is, as it is
            # in production after the first visitors.
            cache.clear()
            client.get("/")
            client.get("/policies/", {"q": "示例"})
            client.get("/policies/", {"q": WARM_PHRASE})

        page, cold, engine, engine_db, plain, plain_db = [], [], [], [], [], []
        with override_settings(DEBUG=False):
            for _ in range(runs):
                running_site()
                page.append(timed(lambda: client.get("/policies/", params)))
                cache.clear()  # right after a write: nothing cached at all
                cold.append(timed(lambda: client.get("/policies/", params)))
                running_site()
                with database_time() as spent:
                    engine.append(timed(lambda: first_page(params)))
                engine_db.append(sum(spent))
                with database_time() as spent:
                    plain.append(timed(lambda: first_page_ilike(params)))
                plain_db.append(sum(spent))
        matches = CappedPaginator(PolicyFilter(params, queryset=Policy.objects.published()).qs, 20)
        found = f"{matches.count:,}+" if matches.capped else f"{matches.count:,}"
        self.stdout.write(
            f"| {label} `{query}` | {found} | {ms(engine)} | {ms(engine_db)} | {ms(page)} "
            f"| {ms(cold)} | {ms(plain)} | {ms(plain_db)} | {times(plain, engine)} "
            f"| {times(plain_db, engine_db)} |"
        )


def timed(call):
    started = time.perf_counter()
    response = call()
    assert getattr(response, "status_code", 200) == 200
    return (time.perf_counter() - started) * 1000


@contextmanager
def database_time():
    """The times, in ms, the queries sent inside take in the database, from sending each to
    having its rows (psycopg2 reads them all before it returns): the search's and the ILIKE
    baseline's measured alike, without the Python that builds them and their model objects."""
    spent = []

    def clock(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append((time.perf_counter() - started) * 1000)

    with connection.execute_wrapper(clock):
        yield spent


def times(slower, faster):
    return f"{statistics.median(slower) / statistics.median(faster):.0f}×"


def ms(values):
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.1f} / {p95:.1f}"


def first_page(params):
    """What the list page asks the database for the search: a capped count and 20 rows."""
    filterset = PolicyFilter(params, queryset=PublicPolicyMixin().get_queryset())
    paginator = CappedPaginator(filterset.qs, 20, **filterset.paginator_options())
    return list(paginator.page(1))


def first_page_ilike(params):
    """The same with ILIKE on the main text fields: a full count and the 20 newest rows."""
    queryset = ilike(params["q"])
    for name, value in params.items():
        if name == "region":
            queryset = queryset.filter(region__slug__in=[value, "huizhou"])
        elif name == "kind":
            queryset = queryset.filter(domain__kind=value)
    queryset.count()
    return list(queryset.order_by("-updated_at")[:20])


def ilike(text):
    """The naive alternative, asked the same question as the search: every word, or one of
    the spellings its synonyms allow, somewhere in the text fields of the synthetic entries,
    case-insensitive. (Pinyin it cannot find at all: it reads the whole table for nothing. An
    age it finds only as written, not in the ranges that hold it: 年满60周岁 for 80周岁.)"""
    queryset = Policy.objects.published()
    for term in search.parse(text, caching.kept("synonyms", SynonymGroup.groups)):  # as the site
        condition = Q()
        for spelling in term.alternatives:
            for field in ["name", "summary", "eligibility", "benefit"]:
                condition |= Q(**{f"{field}__icontains": spelling})
        queryset = queryset.filter(condition)
    return queryset
