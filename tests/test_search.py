import contextlib
import importlib
import re
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog import caching, search
from catalog.filters import PolicyFilter
from catalog.models import Amount, Audience, Material, Period, Policy, SynonymGroup, Unit
from catalog.services import index_policies

from .builders import county, day, department, domain, enterprise_domain, make_policy


def test_han_text_becomes_overlapping_bigrams_and_other_runs_stay_whole():
    assert search.tokens("养老保险") == ["养老", "老保", "保险"]
    assert search.tokens("年满80周岁，每月100元") == ["年满", "80", "周岁", "每月", "100", "元"]
    assert search.tokens("ＡＢＣ３０００") == ["abc", "3000"]
    assert search.tokens("一次性3,000至30,000元，1,2") == [
        "一次",
        "次性",
        "3000",
        "至",
        "30000",
        "元",
        "1",
        "2",
    ]


def test_pinyin_tokens_start_at_every_syllable():
    assert search.pinyin_tokens("高龄津贴") == [
        "gaolingjintie",
        "lingjintie",
        "jintie",
        "tie",
        "gljt",
        "ljt",
        "jt",
    ]


def test_synonyms_swap_words_inside_a_term():
    groups = [["老人", "老年人", "长者"], ["补贴", "补助"]]
    alternatives = search.expand("老人补贴", groups)
    assert set(alternatives) == {
        "老人补贴",
        "老人补助",
        "老年人补贴",
        "老年人补助",
        "长者补贴",
        "长者补助",
    }
    # Pinyin typed for a synonym also reads as its group (no name's pinyin may hold it).
    assert search.expand("laoren", groups) == ["laoren", "老人", "老年人", "长者"]
    assert search.expand("lao", groups) == ["lao"]  # the whole reading only
    # The whole word's own synonyms come first, before any cap on spellings cuts them.
    groups = [["失业", "下岗", "待业"], ["补贴", "补助", "津贴"], ["失业补贴", "失业保险金"]]
    assert search.expand("失业补贴", groups)[:2] == ["失业补贴", "失业保险金"]


def test_tsquery_is_a_phrase_per_term_and_prefix_for_pinyin_and_lone_characters():
    terms = search.parse("残疾人 gaoling 3000元")
    assert search.tsquery(terms) == ("(('残疾' <-> '疾人')) & (('gaoling':*)) & (('3000元'))")
    # A lone letter is no prefix: most names' pinyin has a syllable starting with it.
    assert search.tsquery(search.parse("z")) == "(('z'))"


def test_han_characters_of_the_supplementary_planes_are_searched(client):
    assert search.tokens("𠀀𠀁村") == ["𠀀𠀁", "𠀁村"]
    make_policy(code="RARE", name="𠀀𠀁村水利补贴")
    make_policy(code="OTHER", name="水利补贴")
    html = list_page(client, q="𠀀𠀁")
    assert "/policies/RARE/" in html and "/policies/OTHER/" not in html
    assert "没有可以搜索" not in html


def test_a_number_and_its_unit_are_one_stored_token_and_one_query_lexeme():
    text = "年满80周岁，每月3000元以上，1.5倍"
    body = search.document(["高龄津贴"], [text], [], [text]).split("\n")[1].split()
    # What 年满80周岁 covers, after the units, then where it starts and ends.
    ages = [f"岁{age}" for age in range(80, 101)] + ["岁any", "岁止100", "岁起80"]
    assert body[-28:] == ["80周", "80周岁", "3000元", "3000元以", *ages]
    assert search.document(["高龄津贴"], [text], []).split()[-1] == "3000元以"  # no eligibility
    # The first number of a range takes the unit of the second.
    ranges = search.document([], ["可在1000至3000元之间", "1-3万元", "每月500元"], []).split()
    assert {"1000元", "3000元", "1万元", "3万元", "500元"} <= set(ranges)
    # An age is also found in a range holding it.
    assert search.tsquery(search.parse("80周岁")) == "(('80周岁') | ('岁80'))"
    # Longer: the phrase still decides; the unit lexeme only narrows the index lookup.
    assert search.tsquery(search.parse("“每月3000元”")) == (
        "(('3000元' & ('每月' <-> '3000' <-> '元':*)))"
    )
    assert search.tsquery(search.parse("1.5倍")) == "(('1.5' <-> '倍':*))"


def test_an_age_typed_marks_the_range_that_holds_it():
    terms = search.parse("85岁")
    text = "满80周岁可领：80至89岁每月100元，90至99岁每月200元。"
    assert str(search.highlight(text, terms)) == (
        "<mark>满80周岁</mark>可领：<mark>80至89岁</mark>每月100元，90至99岁每月200元。"
    )
    assert search.marks(text, terms[0]) and not search.marks("90至99岁", terms[0])
    shown = search.snippet(["每月发放。90至99岁每月200元。"], search.parse("95周岁"))
    assert "<mark>90至99岁</mark>" in str(shown)
    # Quoted, the age is searched and marked as written only.
    quoted = search.parse("“85岁”")[0]
    assert quoted.alternatives == ["85岁"] and quoted.ages == []
    assert "<mark>" not in str(search.highlight(text, search.parse("“85岁”")))


@pytest.mark.parametrize("width", range(20, 70, 7))
def test_a_snippet_never_cuts_an_age_statement_into_another_meaning(width):
    text = "初创企业的法定代表人或经营者（女性不超过55周岁、男性不超过60周岁，含港澳青年）。"
    shown = str(search.snippet([text], search.parse("58岁"), width=width))
    assert "<mark>不超过60周岁</mark>" in shown and "不超过55周岁" in shown


def test_upgrade_gives_stored_documents_the_units_indexing_now_writes():
    upgrade = importlib.import_module("catalog.migrations.0015_search_number_units")
    name, body = "婴幼儿照护补贴", "每孩每月200元，按3个月发放"
    before = " {} \n {} ".format(
        " ".join(search.tokens(name) + search.pinyin_tokens(name)), " ".join(search.tokens(body))
    )
    assert upgrade.with_units(before) == search.document([name], [body], [name])


def test_entries_granted_without_applying_are_found_by_the_reforms_name():
    granted = make_policy(code="AUTO", name="高龄津贴", period_mode=Period.NO_APPLICATION)
    make_policy(code="APPLY", name="免费体检", summary="需本人申请")
    assert codes("免申即享") == ["AUTO"] and codes("高龄津贴 免申即享") == ["AUTO"]
    # Documents stored before carry it after the migration, written as the builder writes it.
    upgrade = importlib.import_module("catalog.migrations.0019_search_no_application")
    document = Policy.objects.get(pk=granted.pk).search_document
    assert "免申" not in upgrade.without_label(document).partition("\n")[2]
    assert upgrade.with_label(upgrade.without_label(document)) == document
    assert upgrade.with_label(document) == document  # written once


def test_highlight_escapes_text_and_marks_every_spelling():
    terms = search.parse("老人", [["老人", "老年人"]])
    html = search.highlight("<script>老年人</script>", terms)
    assert html == "&lt;script&gt;<mark>老年人</mark>&lt;/script&gt;"


def test_a_name_is_marked_where_a_pinyin_term_matched_it():
    def marked(name, query):
        return str(search.highlight(name, search.parse(query), pinyin=True))

    assert marked("城乡居民养老保险", "yanglao") == "城乡居民<mark>养老</mark>保险"
    assert marked("城乡居民养老保险", "ylbx") == "城乡居民<mark>养老保险</mark>"
    assert marked("高龄津贴", "jint") == "高龄<mark>津贴</mark>"  # a prefix marks what it began
    assert marked("高龄津贴（惠城区）", "gaoling 高龄") == "<mark>高龄</mark>津贴（惠城区）"
    assert marked("高龄津贴", "yanglao") == "高龄津贴"
    assert str(search.highlight("城乡居民养老保险", search.parse("yanglao"))) == "城乡居民养老保险"


def test_a_number_is_marked_only_where_it_is_the_whole_number():
    text = "补1次，100,000元或13,000元，3,000元，1.5倍"
    marked = search.highlight(text, search.parse("1 3000元"))
    assert marked == "补<mark>1</mark>次，100,000元或13,000元，<mark>3,000元</mark>，1.5倍"
    marked = search.highlight("3000元或3,000元，1.5倍", search.parse("3,000元 5倍"))
    assert marked == "<mark>3000元</mark>或<mark>3,000元</mark>，1.5倍"


def test_a_synonym_is_marked_only_where_it_makes_a_spelling_of_the_term():
    terms = search.parse("“高龄津贴”", [["津贴", "补贴"]])  # quoted: searched as typed
    html = search.highlight("按月领取津贴；高龄补贴", terms)
    assert html == "按月领取津贴；<mark>高龄补贴</mark>"


def test_punctuation_and_asking_words_separate_the_words_of_a_query():
    def words(query):
        return list(dict.fromkeys(term.word for term in search.parse(query)))

    assert words("养老，低保") == words("养老、低保") == words("养老/低保") == ["养老", "低保"]
    assert words("“养老”") == words("《养老》") == words('"养老"') == ["养老"]
    assert words("低保？") == words("我想申请低保") == words("低保金额是多少") == ["低保"]
    assert words("高龄津贴怎么申请") == ["高龄津贴"]
    assert words("3,000元 1.5倍") == ["3,000元", "1.5倍"]  # a number keeps its point and comma
    assert words("申请") == ["申请"]  # nothing else: searched as typed
    assert words("养 老") == ["养", "老"]  # lone characters the user typed stay
    assert words("我想申请房") == ["房"]  # a lone character that is all that is left
    assert words("二〇二四年") == ["二〇二四年"]
    assert words("高齡津貼 殘疾人") == ["高龄津贴", "残疾人"]  # traditional read as simplified


def test_an_unspaced_phrase_is_cut_into_the_words_a_person_means():
    def texts(query, groups=()):
        return [term.text for term in search.parse(query, groups)]

    assert texts("残疾人补贴") == ["残疾人", "补贴"]
    assert texts("农民种地补贴") == ["农民", "种地", "补贴"]
    assert texts("我能领高龄津贴吗") == ["高龄", "津贴"]  # 我, 能, 领 only join words
    # Lone characters in a row are one word jieba does not know, joining ones among them.
    assert texts("稳岗补贴") == ["稳岗", "补贴"] and texts("失能老人") == ["失能", "老人"]
    assert texts("在岗职工") == ["在岗", "职工"] and texts("能领什么补贴") == ["补贴"]
    assert texts("交医保") == ["医保"] and texts("失业金") == ["失业"]  # lone beside words
    assert texts("失业金", [("失业金", "失业保险金")]) == ["失业金"]  # unless a synonym
    assert texts("低保去哪办") == ["低保"] and texts("我妈能领高龄津贴吗") == ["高龄", "津贴"]
    assert texts("生了孩子有什么补贴") == ["孩子", "补贴"]  # 了 separates; 生 is left alone
    assert texts("退役军人有什么政策") == ["退役军人"]  # 政策 names nothing here
    assert texts("政策") == ["政策"] and texts('"政策" 养老') == ["政策", "养老"]  # or quoted
    assert texts("养老") == ["养老"] and texts("80周岁") == ["80周岁"]
    assert texts("满80岁") == ["80岁"] and texts("60岁老人") == ["60岁", "老人"]  # unit kept
    assert texts("满80岁能领什么补贴") == ["80岁", "补贴"] and texts("1.5倍") == ["1.5倍"]
    assert texts("60岁以上老人") == ["60岁以上", "老人"]  # a group's bound, read as one word
    assert texts("已满60岁") == ["60岁"] and texts("500低保") == ["500", "低保"]  # no unit
    assert texts("80岁老人每月100元") == ["80岁", "老人", "每月", "100元"]  # two numbers
    assert texts("“残疾人补贴") == ["残疾人", "补贴"]  # a quote never closed is no quote
    assert texts("最低生活保障金", [("低保", "最低生活保障")]) == ["最低生活保障金"]  # synonym
    assert texts("“养老保险补贴”") == ["养老保险补贴"]  # quoted: searched as typed
    assert texts('养老 "残疾人补贴" 高龄津贴') == ["养老", "残疾人补贴", "高龄", "津贴"]
    assert texts("残疾人补贴 补贴") == ["残疾人", "补贴"]  # each term once
    # A synonym jieba reads across an edge of (its 金领) is a word of its own.
    assert texts("失业金领几个月", [("失业金", "失业保险金")]) == ["失业金"]
    assert texts("社保卡", [("社保", "社会保险")]) == ["社保卡"]  # holding it whole: no cut
    assert texts("没工作了能领钱吗", [("没工作", "失业")]) == ["没工作"]  # 能领钱 asks
    assert texts("老人每个月能领多少钱", [("每月", "每个月")]) == ["老人", "每个月"]
    assert texts("办公租房补贴", [("公租房", "廉租房")]) == ["办公租房", "补贴"]  # not 公租房
    # Latin letters and the rest are words apart, where each is a word.
    assert texts("SYB培训") == ["syb", "培训"] and texts("yanglao保险") == ["yanglao", "保险"]
    assert texts("SYB培训1000元") == ["syb", "培训", "1000元"]
    assert texts("POS机") == ["pos机"] and texts("A类人才") == ["a类人才"]
    term = search.parse("残疾人补贴")[1]
    assert (term.word, term.whole) == ("残疾人补贴", ["残疾人补贴"])
    assert search.parse("我能领法律援助吗")[0].word == "法律援助"  # what is left of the word


def test_a_question_is_searched_for_the_entry_it_asks_about():
    def texts(query, places=()):
        return [term.text for term in search.parse(query, places=places)]

    # What every entry states (its amount, conditions, materials, timing) asked about one.
    assert texts("低保多少钱一个月") == ["低保"] and texts("低保能领多久") == ["低保"]
    assert texts("低保需要什么材料") == ["低保"] and texts("帮我查一下低保") == ["低保"]
    assert texts("高龄津贴申请条件") == ["高龄", "津贴"] and texts("医保一年交多少钱") == ["医保"]
    assert texts("稳岗返还什么时候发") == ["稳岗", "返还"]
    # A year: entries rarely name it; alone, or quoted, it is searched.
    assert texts("2025年高龄津贴标准") == ["高龄", "津贴"] and texts("高龄津贴2025") == texts(
        "高龄津贴"
    )
    assert texts("2025年") == ["2025年"] and texts('"2025年" 低保') == ["2025年", "低保"]
    # Ages and amounts in Chinese numerals, as entries write them, in digits.
    assert texts("八十岁老人有什么补贴") == ["80岁", "老人", "补贴"]
    assert texts("二十万创业贷款") == ["20万", "创业", "贷款"] and texts("三万元") == ["3万元"]
    assert texts("我爸八十五周岁了能领什么") == ["85周岁"]  # 了能领 asks, names nothing
    assert texts("我妈八十多岁了") == ["80多岁"] and texts("七十来岁老人") == ["70来岁", "老人"]
    assert texts("85 岁") == ["85岁"] and texts("我今年85岁") == ["85岁"]  # one word; 今年 dropped
    assert texts("3-5岁") == texts("3岁到5岁") == ["3至5岁"]  # a range of ages is one word
    assert texts("二十岁到三十岁") == ["20至30岁"] and texts("孩子3-6岁") == ["孩子", "3至6岁"]
    assert texts("八十几岁") == ["80几岁"] and texts("1.5-3岁") == ["1.5", "3岁"]  # not 5至3岁
    assert texts("失业了能领几个月") == ["失业"] and texts("孩子几年级") == ["孩子", "几年级"]
    assert texts("有没有福利") == ["福利"]
    assert texts("一万五千元") == ["15000元"] and texts("两万") == ["2万"]
    assert texts("产值十亿") == ["产值", "10亿"] and texts("每月千元") == ["每月", "千元"]
    assert texts("几十万") == ["几十万"] and texts('"八十岁"') == ["八十岁"]  # or quoted
    assert texts("一次性补助") == ["一次性", "补助"]  # not a number of anything
    # A place's name is a word of its own, also among characters jieba does not know.
    assert texts("仲恺小升规", ["仲恺"]) == ["仲恺", "小升规"] and texts("仲恺小升规") == [
        "仲恺小升规"
    ]
    assert texts("惠东县高龄津贴", ["惠东", "惠东县"]) == ["惠东县", "高龄", "津贴"]
    assert [t.quoted for t in search.parse('"惠东" 低保')] == [True, False]


def test_a_number_is_marked_also_where_written_with_thousands_separators():
    terms = search.parse("3000元")
    assert search.highlight("一次性3,000元", terms) == "一次性<mark>3,000元</mark>"
    assert "<mark>3,000元</mark>" in search.snippet(["不相关", "另给予3,000元补助"], terms)


def test_snippet_shows_a_short_text_whole_and_never_starts_inside_a_number():
    terms = search.parse("高龄")
    text = "惠城区户籍80周岁以上老人在村（社区）申请，按月发给高龄津贴。"
    assert search.snippet([text], terms) == search.highlight(text, terms)
    long = "甲" * 20 + "每月12345元" + "乙" * 8 + "高龄津贴" + "丙" * 60
    snippet = search.snippet([long], terms, width=40)  # would start 13 before the match: 2345元
    assert snippet.startswith("…12345元乙") and "<mark>高龄</mark>" in snippet
    long = "甲" * 10 + "高龄津贴" + "乙" * 22 + "每月1000元" + "丙" * 60
    snippet = search.snippet([long], terms, width=40)  # 40 characters end after 每月10
    assert snippet.endswith("每月1000…")


def test_snippet_cuts_around_the_first_match():
    terms = search.parse("护理")
    text = "甲" * 100 + "护理补贴" + "乙" * 100
    snippet = search.snippet(["不相关", text], terms, width=30)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>护理</mark>" in snippet
    # Characters NFKC makes longer (…… is ......) or joins (e and an accent) do not move the
    # cut off the match.
    for before in ["……" * 20, "e\u0301" * 40, "ｶﾞ" * 40]:
        assert "<mark>护理</mark>" in search.snippet([before + text], terms, width=30), before


def test_snippet_around_given_terms_shows_them_and_marks_every_term():
    terms = search.parse("房租 奖励")
    text = "奖励" + "甲" * 80 + "不能用于付房租。"
    snippet = search.snippet([text], terms, width=30, around=terms[:1])
    assert "<mark>房租</mark>" in snippet and snippet.startswith("…")


pytestmark = pytest.mark.django_db


def codes(query, **params):
    filterset = PolicyFilter({"q": query, **params}, queryset=Policy.objects.published())
    return [policy.code for policy in filterset.qs]


@pytest.fixture
def catalogue():
    elderly = Audience.objects.create(slug="elderly", name="老年人")
    make_policy(
        code="GAOLING",
        name="高龄津贴",
        summary="按月发给高龄老人的津贴。",
        eligibility="本市户籍年满80周岁的老年人。",
        benefit="每人每月100元。",
        audiences=[elderly],
    )
    make_policy(
        code="HULI",
        name="困难残疾人生活补贴和重度残疾人护理补贴",
        eligibility="持第二代残疾人证的重度残疾人。",
        benefit="护理补贴每人每月150至300元。",
    )
    make_policy(
        code="CHUANGYE",
        name="一次性创业资助",
        eligibility="高校毕业生首次创办小微企业。",
        benefit="给予一次性资助10000元。",
        domain=enterprise_domain(),
    )
    make_policy(
        code="YANGLAO",
        name="城乡居民基本养老保险",
        eligibility="年满16周岁、不在校的城乡居民。",
        benefit="待遇按月发放。",
        region=county(),
    )
    make_policy(
        code="BODY",
        name="就业见习补贴",
        eligibility="离校两年内未就业的高校毕业生。",
        benefit="见习期间每月给予补贴2,000元，另对照顾高龄老人的家庭不作要求。",
    )


@pytest.mark.usefixtures("catalogue")
@pytest.mark.parametrize(
    "query, must, must_not",
    [
        ("养老", {"YANGLAO"}, {"GAOLING", "HULI"}),
        ("养老保险", {"YANGLAO"}, {"GAOLING"}),
        ("残疾人 护理", {"HULI"}, {"GAOLING"}),
        ("80周岁", {"GAOLING", "YANGLAO"}, {"HULI"}),  # 年满16周岁 holds 80 too
        ("85岁", {"GAOLING", "YANGLAO"}, {"HULI", "CHUANGYE"}),  # 年满80周岁 holds 85
        ("八十五周岁", {"GAOLING", "YANGLAO"}, {"HULI"}),
        ("105岁", {"GAOLING", "YANGLAO"}, {"HULI"}),  # past 100: as 100
        ("30岁", {"YANGLAO"}, {"GAOLING"}),
        ("15岁", set(), {"YANGLAO", "GAOLING"}),
        ("10000元", {"CHUANGYE"}, {"GAOLING"}),
        ("2000元", {"BODY"}, {"CHUANGYE"}),  # written 2,000元
        ("100元", {"GAOLING"}, {"HULI", "CHUANGYE"}),
        ("每月100元", {"GAOLING"}, {"HULI"}),
        ("300元", {"HULI"}, {"GAOLING"}),  # 150至300元: a range's first number takes its unit
        ("150元", {"HULI"}, {"GAOLING"}),
        ("16周岁", {"YANGLAO"}, {"GAOLING"}),
        ("周岁", {"GAOLING", "YANGLAO"}, {"HULI"}),
        ("创业补贴", {"CHUANGYE"}, {"GAOLING"}),  # 资助 is a synonym of 补贴
        ("老人", {"GAOLING"}, {"CHUANGYE"}),
        ("yanglao", {"YANGLAO"}, {"GAOLING"}),
        ("ylbx", {"YANGLAO"}, {"GAOLING"}),
        ("gaoling", {"GAOLING"}, {"YANGLAO"}),
        ("gljt", {"GAOLING"}, {"YANGLAO"}),
        ("jintie", {"GAOLING"}, {"YANGLAO"}),
        ("laoren", {"GAOLING"}, {"YANGLAO", "CHUANGYE"}),  # 老人, a synonym no name holds
        ("老年人", {"GAOLING"}, {"CHUANGYE"}),  # also through its tag
        ("民政局", set(), {"GAOLING"}),
        ("养", {"YANGLAO"}, {"GAOLING"}),  # one character: names and summaries
        ("養老保險", {"YANGLAO"}, {"GAOLING"}),  # traditional characters
        ("高校毕业生 小微企业", {"CHUANGYE"}, {"BODY"}),
        # Unspaced, the words need not be in a row: HULI's name holds 残疾人生活补贴.
        ("残疾人补贴", {"HULI"}, {"GAOLING", "CHUANGYE"}),
        ("老人补贴", {"GAOLING"}, {"HULI", "CHUANGYE"}),  # 津贴 as a synonym of 补贴
        ("可以领高龄津贴吗", {"GAOLING"}, {"HULI", "CHUANGYE"}),
        ("“养老保险补贴”", set(), {"YANGLAO"}),  # quoted: only the phrase as typed
        ("满80岁", {"GAOLING", "YANGLAO"}, {"HULI"}),  # 80岁 as 80周岁
        ("85岁老人", {"GAOLING"}, {"YANGLAO"}),  # only GAOLING is also about 老人
        ("我妈八十多岁了", {"GAOLING", "YANGLAO"}, {"HULI"}),  # 80 to 89
        ("85 岁", {"GAOLING", "YANGLAO"}, {"HULI"}),
        ("七十来岁", {"YANGLAO"}, {"GAOLING", "HULI"}),
        ("高龄津贴多少钱一个月", {"GAOLING"}, {"HULI"}),  # asked about: the entry answers
        ("八十岁老人有什么补贴", {"GAOLING"}, {"CHUANGYE", "YANGLAO"}),  # 80岁
        # Beside other words, an age also finds the entries stating none: they serve all ages.
        ("70岁 补贴", {"HULI", "CHUANGYE"}, {"GAOLING"}),  # 年满80周岁 is not for 70
        ("60岁以上 补贴", {"GAOLING", "HULI"}, set()),
        ("18岁以下 补贴", {"HULI"}, {"GAOLING"}),
        ("70岁", {"YANGLAO"}, {"HULI", "CHUANGYE", "GAOLING"}),  # alone: stated ages only
    ],
)
def test_recall_and_precision(query, must, must_not):
    found = set(codes(query))
    assert must <= found, f"{query} missed {must - found}"
    assert not (must_not & found), f"{query} wrongly found {must_not & found}"


@pytest.mark.usefixtures("catalogue")
def test_name_matches_rank_above_body_matches():
    assert codes("高龄") == ["GAOLING", "BODY"]


def test_a_name_holding_the_words_as_typed_ranks_above_one_holding_them_apart():
    make_policy(code="A-APART", name="高龄老人生活津贴")
    make_policy(code="B-BODY", name="生活补助", summary="高龄津贴另行发放。")
    make_policy(code="C-WHOLE", name="高龄津贴（示例区）")
    make_policy(code="D-EXACT", name="高龄津贴")
    assert codes("高龄津贴") == ["D-EXACT", "C-WHOLE", "A-APART", "B-BODY"]
    # A word cut short (满 left out): names holding what is searched still come first.
    make_policy(code="E-BODY", name="生活补助", summary="满80周岁的另行发放。")
    make_policy(code="F-NAME", name="80周岁老人补贴")
    assert codes("满80岁") == ["F-NAME", "E-BODY"]
    # Cut into words: a name holding them as typed before one holding a synonym of one.
    make_policy(code="G-SYNONYM", name="就业见习补贴", summary="求职补贴之外的见习补贴。")
    make_policy(code="H-TYPED", name="求职创业补贴")
    assert codes("求职补贴") == ["H-TYPED", "G-SYNONYM"]  # 就业 is a synonym of 求职
    # No name holds every word: one holding a word as typed before one holding a synonym.
    make_policy(code="I-SYNONYM", name="计划生育家庭资助", summary="含殡葬补贴减免。")
    make_policy(code="J-TYPED", name="殡葬基本服务费用免除", summary="免除基本殡葬补贴费用。")
    assert codes("殡葬补贴") == ["J-TYPED", "I-SYNONYM"]  # 资助 is a synonym of 补贴
    # Names holding some of the words as typed: more of them first, whatever ts_rank says.
    make_policy(code="L-MORE", name="高新技术企业认定", eligibility="认定后另有奖励。")
    make_policy(code="K-FEWER", name="研发机构奖励", summary="高新技术企业认定奖励。" * 3)
    assert codes("高新技术企业认定奖励")[:2] == ["L-MORE", "K-FEWER"]
    # Or in one of their spellings: 医疗 is a synonym of 看病.
    make_policy(code="N-SYNONYM", name="医疗救助", eligibility="看病报销。")
    make_policy(code="M-NONE", name="生育保险", summary="看病报销。" * 3)
    assert codes("看病报销") == ["N-SYNONYM", "M-NONE"]
    # More terms first, in whatever spelling; as typed only among as many.
    make_policy(code="O-TWO-TYPED", name="老人看病", eligibility="老人看病补贴，上学另计。")
    make_policy(code="P-THREE", name="长者医疗资助", eligibility="老人看病补贴，上学另计。")
    assert codes("老人 看病 补贴 上学") == ["P-THREE", "O-TWO-TYPED"]


def test_in_a_county_its_own_entries_come_first_within_a_tier():
    make_policy(code="A-CITY", name="困难残疾人生活补贴")
    make_policy(code="B-COUNTY", name="困难残疾人生活补贴（博罗县）", region=county())
    make_policy(code="C-EXACT", name="残疾人补贴")  # a higher tier stays above
    assert codes("残疾人补贴", region="boluo") == ["C-EXACT", "B-COUNTY", "A-CITY"]
    assert codes("残疾人补贴") == ["C-EXACT", "A-CITY", "B-COUNTY"]  # no county chosen


@pytest.mark.usefixtures("catalogue")
def test_search_combines_with_filters():
    assert set(codes("高校毕业生")) == {"CHUANGYE", "BODY"}
    assert codes("高校毕业生", kind="enterprise") == ["CHUANGYE"]
    assert codes("养老", region="boluo", scope="volume") == ["YANGLAO"]
    assert codes("养老", region="huizhou", scope="volume") == []


def test_a_query_cut_at_its_cap_loses_the_word_the_cut_falls_in():
    make_policy(code="DIBAO", name="最低生活保障", summary="低保")
    make_policy(code="DI", name="低收入家庭认定")
    assert [t.text for t in search.parse("低保 " * 50)] == ["低保"]  # not 低 as well
    assert codes("低保 " * 50) == codes("低保") == ["DIBAO"]
    assert search.capped("低保" * 60) == "低保" * 50  # a run past the cap: cut as it is
    assert search.capped("a " + "很" * 150) == "a " + "很" * 98  # a pasted sentence, too
    assert search.capped("养老" * 48 + " GAOLINGJINTIE") == "养老" * 48 + " "  # not gao


def test_department_and_materials_are_searched():
    policy = make_policy(code="DEPT", department=department(name="惠州市民政局"))
    Material.objects.create(policy=policy, name="户口簿", order=1)
    index_policies(Policy.objects.filter(pk=policy.pk))
    assert codes("民政局") == ["DEPT"]
    assert codes("户口簿") == ["DEPT"]


SHIPPED = {
    "生小孩": {"SHENGYU"},
    "孩子上学": {"XUEQIAN"},
    "怀孕": {"YUNCHAN"},
    "没工作了能领钱吗": {"SHIYE"},
    "老人每个月能领多少钱": {"GAOLING"},
    "失业金领几个月": {"SHIYE"},
    "房租补贴": {"ZUJIN", "ZHUFANG"},  # 住房租赁补贴 holds 房租
    "丧葬费": {"BINZANG"},
    "下岗": {"SHIYE"},
    "助听器": {"FUJU"},
    # From a user test (migration 0022), and words around the question left out.
    "低保户": {"DIBAO"},
    "低保金": {"DIBAO"},
    "高中生": {"GAOZHONG"},
    "住房补贴": {"ZHUFANG"},
    "孤寡老人": {"TEKUN"},
    "有没有失业补贴": {"SHIYE"},
    "企业招人有补贴吗": {"DAIDONG"},
    "创业扶持": {"ZUJIN", "DAIDONG"},
    "想了解一下创业补贴": {"ZUJIN", "DAIDONG"},
    "听说老人每个月可以领钱": {"GAOLING"},
}


@pytest.mark.parametrize("query", SHIPPED)
def test_the_shipped_synonyms_answer_questions_residents_ask(query):
    make_policy(code="SHENGYU", name="生育保险")
    make_policy(code="XUEQIAN", name="学前教育资助", eligibility="在幼儿园就读的儿童。")
    make_policy(code="YUNCHAN", name="孕产妇免费产检")
    make_policy(code="SHIYE", name="失业保险金")
    make_policy(code="ZUJIN", name="创业租金补贴")
    make_policy(
        code="GAOLING",
        name="高龄津贴",
        eligibility="本市户籍80周岁以上老人。",
        benefit="每月100元。",
    )
    make_policy(code="BINZANG", name="殡葬基本服务费用免除")
    make_policy(code="FUJU", name="残疾人辅助器具适配")
    make_policy(code="DIBAO", name="城乡最低生活保障", eligibility="收入困难的家庭可以申请低保。")
    make_policy(code="GAOZHONG", name="普通高中国家助学金", eligibility="普通高中家庭困难学生。")
    make_policy(code="ZHUFANG", name="公共租赁住房保障", benefit="或发放住房租赁补贴。")
    make_policy(code="TEKUN", name="农村特困人员救助供养（原五保）")
    make_policy(code="DAIDONG", name="创业带动就业补贴", eligibility="初创企业招用员工。")
    assert set(codes(query)) == SHIPPED[query]


def test_staff_synonyms_apply_at_query_time():
    make_policy(code="CANZHANG", name="残疾人两项补贴")
    assert codes("残障") == ["CANZHANG"]  # shipped starter synonym
    SynonymGroup.objects.create(words="两补 两项补贴")
    caching.bump()  # as the admin does on every save (test_caching covers that path)
    assert codes("两补") == ["CANZHANG"]


def test_editing_text_updates_search_after_indexing():
    policy = make_policy(code="EDIT", name="旧名称")
    Policy.objects.filter(pk=policy.pk).update(name="新名称补贴")
    assert codes("“新名称”") == []
    index_policies()
    assert codes("“新名称”") == ["EDIT"]


@pytest.mark.parametrize(
    "query",
    ["%", "_", "'", '"', "\\", "(*)", "a|b&c", "'':*", "!", "<->", "…", "🙂", "   ", "x" * 100],
)
def test_odd_queries_never_fail(client, query):
    make_policy(name="测试")
    response = client.get("/policies/", {"q": query})
    assert response.status_code == 200


def test_a_query_over_the_cap_is_searched_by_its_beginning_with_a_message(client):
    make_policy(code="FOUND", name="养老服务补贴")
    make_policy(code="OTHER", name="创业担保贷款")
    html = client.get("/policies/", {"q": "养老" + "服" * 99 + "创业"}).content.decode()
    assert "搜索词超过 100 个字，只按前 100 个字搜索。" in html
    assert "无法识别" not in html
    assert "共 0 项政策" in html  # 养老服服… is not in any entry; the whole catalogue is not shown
    html = client.get("/policies/", {"q": "养老" + " " * 120 + "创业"}).content.decode()
    assert "/FOUND/" in html and "/OTHER/" not in html


def test_words_past_the_most_searched_are_named_on_the_page(client):
    make_policy(code="LONG-Q", name="城乡居民基本医疗保险参保缴费")
    query = "城乡居民基本医疗保险参保缴费困难群众个人政府资助 公益林 渔船 林业"  # ten words
    html = client.get("/policies/", {"q": query}).content.decode()
    assert "搜索词超过 8 个，只按前 8 个搜索，没有搜索：渔船、林业。" in html


def test_a_nul_byte_reads_as_a_space_and_invisible_characters_as_nothing(client):
    make_policy(code="FOUND", name="养老服务补贴")
    html = client.get("/policies/", {"q": "养老\x00服务"}).content.decode()
    assert "/FOUND/" in html and "无法识别" not in html
    assert "/FOUND/" in client.get("/policies/", {"q": "养老服\u200b务"}).content.decode()


def test_a_query_with_nothing_to_search_says_so(client):
    make_policy(name="养老服务补贴")
    html = client.get("/policies/", {"q": "%_<>"}).content.decode()
    assert "“%_&lt;&gt;”中没有可以搜索的汉字、字母或数字，下面列出全部政策。" in html
    assert "共 1 项政策" in html
    html = client.get("/policies/", {"q": "%" * 101, "kind": "resident"}).content.decode()
    assert "搜索词超过 100 个字" in html and "下面列出符合其他条件的全部政策。" in html


@pytest.mark.usefixtures("catalogue")
def test_questions_and_punctuated_lists_find_what_they_name(client):
    assert "/policies/GAOLING/" in list_page(client, q="高龄津贴怎么申请")
    html = list_page(client, q="高龄津贴，创业资助")  # two terms: no entry holds both
    assert "共 0 项政策" in html
    # 高龄津贴 alone: GAOLING, and BODY, which holds 高龄 and 补贴 apart
    assert "只搜“高龄津贴”（2 项）" in html and "只搜“创业资助”（1 项）" in html
    assert "<title>搜索“高龄津贴，创业资助” · 政策清单" in html


def test_an_entry_named_by_a_synonym_ranks_first(client):
    make_policy(code="Z-NAMED", name="老年人健康管理服务项目")
    make_policy(code="A-BODY", name="生活补贴", summary="高龄老人、长者、老人、老年人均可申请。")
    html = list_page(client, q="老人")  # a synonym in the name beats the word in a summary
    assert html.index("/policies/Z-NAMED/") < html.index("/policies/A-BODY/")


def test_the_filter_panel_is_open_only_when_a_filter_is_set(client):
    make_policy(name="养老服务补贴")
    assert '<details class="filter-more" >' in list_page(client, q="养老", sort="updated")
    assert '<details class="filter-more" >' in list_page(client, q="养老", scope="applies")
    assert '<details class="filter-more" open>' in list_page(client, q="养老", kind="resident")


@pytest.mark.usefixtures("catalogue")
def test_results_highlight_matches(client):
    html = client.get("/policies/", {"q": "护理"}).content.decode()
    assert "<mark>护理</mark>" in html


def test_an_amount_found_only_in_the_amount_line_is_marked_there(client):
    from catalog.models.policy import Amount, Unit

    make_policy(amount_kind=Amount.FIXED, amount_min=30000, amount_unit=Unit.ONE_OFF)
    html = client.get("/policies/", {"q": "30000元"}).content.decode()
    assert "一次性<mark>30,000元</mark>" in html


@pytest.mark.usefixtures("catalogue")
def test_zero_results_offer_the_query_without_filters_and_domains(client):
    html = client.get("/policies/", {"q": "养老", "kind": "enterprise"}).content.decode()
    assert "没有符合条件的政策" in html
    assert "去掉其他筛选条件，搜索“养老”（1 项）" in html
    assert "利民政策 · 生活保障（" in html  # with its list: two lists may share a domain's name


def test_zero_results_in_a_region_offer_the_domains_that_apply_there(client):
    huidong = county(slug="huidong", name="惠东县", code="441323", order=4)
    make_policy(code="CITY", domain=enterprise_domain())
    for n in range(2):
        make_policy(code=f"HUIDONG-{n}", region=huidong)
    make_policy(code="BOLUO", region=county())
    html = client.get("/policies/", {"q": "宇宙飞船", "region": "boluo"}).content.decode()
    boluo = '?region=boluo&amp;kind={}&amp;domain={}">{}（1）'
    assert boluo.format("resident", "lm-shenghuo", "利民政策 · 生活保障") in html
    assert boluo.format("enterprise", "qy-chuangye", "惠企政策 · 创业就业") in html
    html = client.get("/policies/", {"q": "宇宙飞船"}).content.decode()
    assert '?kind=resident&amp;domain=lm-shenghuo">利民政策 · 生活保障（3）' in html


@pytest.mark.usefixtures("catalogue")
def test_zero_results_in_a_county_volume_offer_the_city_volume_beside_it(client):
    params = {"q": "高龄津贴", "region": "boluo", "scope": "volume", "kind": "resident"}
    html = client.get("/policies/", params).content.decode()
    assert "共 0 项政策" in html
    assert "加上市级总册，搜索“高龄津贴”（2 项）" in html  # the city's entries apply in Boluo
    assert "scope=applies" in html and "kind=resident" in html  # the other filters kept


def test_an_entry_code_typed_as_the_search_opens_that_entry(client):
    entry = make_policy(code="HZ-LM-001", name="高龄津贴")
    for typed in ["HZ-LM-001", " hz-lm-001 "]:
        response = client.get("/policies/", {"q": typed})
        assert response.status_code == 302 and response["Location"] == entry.get_absolute_url()
    assert client.get("/policies/", {"q": "HZ-LM-999"}).status_code == 200  # no such entry


def test_a_county_named_among_the_words_is_taken_as_the_region(client):
    county("zhongkai", "仲恺高新技术产业开发区", "441302", 8)
    county("huidong", "惠东县", "441323", 5)
    make_policy(code="CITY-DB", name="城乡最低生活保障（低保）")  # the city's: applies in Boluo
    make_policy(code="BL-DB", name="低保边缘家庭救助（博罗县）", region=county())
    make_policy(code="BL-YL", name="养老服务补贴（博罗县）", region=county())

    def moved(query, **params):
        response = client.get("/policies/", {"q": query, **params})
        if response.status_code != 302:
            return None
        return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}

    params = {"kind": "resident", "page": "2"}  # the words alone would find only BL-DB
    sent = {"q": "低保", "kind": "resident", "region": "boluo", "scope": "applies"}
    assert moved("博罗低保", **params) == {**sent, "typed": "博罗低保"}
    html = client.get("/policies/", {**sent, "typed": "博罗低保"}).content.decode()
    assert set(cards(html)) == {"CITY-DB", "BL-DB"}
    assert "“博罗”是地区名：下面列出适用于博罗县的政策（含市级总册）。" in html
    as_typed = f"?q={quote('“博罗”低保')}&amp;kind=resident"  # the other filters kept
    assert f'<a href="{as_typed}">按原文搜索“博罗低保”</a>' in html
    html = client.get("/policies/", {"q": "“博罗”低保"}).content.decode()  # quoted: as typed
    assert set(cards(html)) == {"BL-DB"} and "是地区名" not in html
    # The name alone, or with words that name nothing: every entry that applies there.
    for typed in ["博罗县", "博罗有什么政策", "惠州市博罗县", "博罗 申请条件", "博羅"]:
        assert moved(typed) == {"region": "boluo", "scope": "applies", "typed": typed}, typed
    html = client.get("/policies/", {"region": "boluo", "scope": "applies", "typed": "博羅"})
    assert set(cards(html.content.decode())) == {"CITY-DB", "BL-DB", "BL-YL"}
    assert "“博罗”是地区名：下面列出适用于博罗县的政策（含市级总册）" in html.content.decode()
    # What is left is searched as it would have been: cut words, stop words left out, quotes.
    assert moved("博罗县城乡低保标准")["q"] == "城乡低保"
    assert moved("“养老服务” 博罗")["q"] == "“养老服务”"
    # The development zones by the names their volumes give, and by their own short ones,
    # also typed with the words and no space (仲恺 is no word jieba knows).
    for typed in ["仲恺高新区低保", "仲恺低保", "仲恺高新技术产业开发区 低保"]:
        assert moved(typed)["region"] == "zhongkai" and moved(typed)["q"] == "低保", typed
    # The zones also with 区 alone (大亚湾区, 仲恺区), which would otherwise glue to the words.
    assert moved("仲恺区小升规") == {
        "q": "小升规", "region": "zhongkai", "scope": "applies", "typed": "仲恺区小升规"
    }  # fmt: skip
    # A region chosen before (the form keeps it) gives way to the one named, its scope kept.
    assert moved("博罗低保", region="huidong", scope="volume") == {
        "q": "低保", "region": "boluo", "scope": "volume", "typed": "博罗低保"
    }  # fmt: skip
    html = client.get("/policies/", {"q": "低保", "region": "boluo", "scope": "volume",
                                     "typed": "博罗低保"}).content.decode()  # fmt: skip
    assert "“博罗”是地区名：下面列出博罗县分册的政策。" in html and set(cards(html)) == {"BL-DB"}
    # Nothing moves for two counties (which one?) or a quoted name.
    assert moved("博罗 惠东 低保") is None and moved("“博罗”低保") is None
    # The note only where the page is what `typed` was sent to: never text of someone else's.
    for typed in ["惠东低保", "请致电领取博罗低保", "博罗低保", "x" * 101 + "博罗"]:
        html = client.get("/policies/", {**sent, "kind": "", "typed": typed})
        assert ("是地区名" in html.content.decode()) == (typed == "博罗低保"), typed


@pytest.mark.usefixtures("catalogue")
def test_zero_results_offer_each_word_alone(client):
    html = client.get("/policies/", {"q": "养老 飞船", "scope": "applies"}).content.decode()
    assert "只搜“养老”（1 项）" in html  # the form always sends scope: it is not a filter set
    assert "去掉其他筛选条件" not in html


def test_zero_results_offer_the_words_by_their_reading_for_a_homophone_typed(client):
    make_policy(code="GAOLING", name="高龄津贴")
    make_policy(code="DIBAO", name="低保")
    html = list_page(client, q="高领津贴")  # the input method's wrong pick
    link = urlencode({"q": search.read_aloud(search.parse("高领津贴"))})
    assert f'<a href="?{link}">按读音搜“gaoling jintie”（1 项）' in html
    assert "按读音搜“dibao”（1 项）" in list_page(client, q="低宝")
    # Nothing to read differently, nothing sounding so, or quoted: no offer.
    for query in ["宇宙飞船", "gaoling 飞船", "“高领津贴”"]:
        assert "按读音搜" not in list_page(client, q=query), query
    assert search.read_aloud(search.parse("高领 500元")) == "gaoling 500元"
    assert search.read_aloud(search.parse("yanglao 5000元")) == ""
    assert search.read_aloud(search.parse("低保 兙兡")) == ""  # 兙 has no reading


def test_a_character_without_a_reading_is_read_as_nothing_not_an_error():
    shown = str(search.highlight("兙高龄津贴", search.parse("gaoling"), pinyin=True))
    assert shown.endswith("高龄</mark>津贴")


def test_zero_results_of_one_word_offer_the_shorter_words_in_it(client):
    make_policy(code="LOAN", name="创业担保贷款")
    html = client.get("/policies/", {"q": "小额贷款"}).content.decode()
    assert "只搜“贷款”（1 项）" in html and "只搜“小额”" not in html  # 小额 finds nothing
    html = client.get("/policies/", {"q": "“小额贷款”"}).content.decode()  # quoted: as typed
    assert "只搜" not in html


def test_zero_results_of_three_words_offer_them_with_one_left_out_first(client):
    make_policy(code="FREE", name="中等职业学校免学费", eligibility="在本市上学的中职学生。")
    make_policy(code="KIDS", name="困难家庭孩子助学金")

    def offers(**params):
        html = client.get("/policies/", params).content.decode()
        assert "共 0 项政策" in html
        return re.findall(r'<a href="\?([^"]+)">只搜“([^”]+)”（(\d+) 项）', html)

    # 孩子 上学 and 孩子 免学费 find nothing, so they are not offered.
    found = [(words, n) for _, words, n in offers(q="孩子上学免学费")]
    assert found == [("上学 免学费", "1"), ("孩子", "1"), ("上学", "1"), ("免学费", "1")]
    # A space changes nothing; 孩子上学 alone is what 孩子 上学 searched, so is not asked twice.
    found = [(words, n) for _, words, n in offers(q="孩子上学 免学费")]
    assert found == [("上学 免学费", "1"), ("免学费", "1")]
    # A quoted phrase stays quoted, as searched: “上学免学费” 学生 would find nothing either.
    found = [(words, n) for _, words, n in offers(q="“上学免学费” 中职 学生")]
    assert found == [("中职 学生", "1"), ("中职", "1"), ("学生", "1")]
    html = client.get("/policies/", {"q": "“中职” 孩子 飞船"}).content.decode()
    assert "只搜 “中职”（1 项）" in html and "只搜“孩子”（1 项）" in html  # not ““中职””
    # Five words: only each alone, so the page that found nothing counts no more than five.
    found = [words for _, words, _ in offers(q="孩子 上学 免学费 飞船 宇宙")]
    assert found == ["孩子", "上学", "免学费"]
    # The words found without the other filters: that is the offer, not fewer words.
    html = client.get("/policies/", {"q": "上学 免学费", "kind": "enterprise"}).content.decode()
    assert "去掉其他筛选条件，搜索“上学 免学费”（1 项）" in html and "只搜" not in html


def test_zero_results_count_fewer_words_with_a_county_as_their_page_does(client):
    county(), county("huidong", "惠东县", "441323", 5)
    make_policy(code="CITY", name="中等职业学校免学费")  # the city's: applies in every county
    # Two counties: nothing moves. 博罗 免学费 counts and links 免学费 in Boluo's volumes.
    html = client.get("/policies/", {"q": "博罗 惠东 免学费"}).content.decode()
    assert "共 0 项政策" in html
    link = urlencode({"q": "免学费", "region": "boluo", "scope": "applies", "typed": "博罗 免学费"})
    assert f'{link.replace("&", "&amp;")}">只搜“博罗 免学费”（1 项）' in html
    # The city's volume beside Boluo's finds it; without the filters finds no more: not offered.
    html = client.get("/policies/", {"q": "免学费", "region": "boluo", "scope": "volume"})
    assert "加上市级总册，搜索“免学费”（1 项）" in html.content.decode()
    assert "去掉其他筛选条件" not in html.content.decode()


def test_zero_results_offer_fewer_words_with_the_pages_filters_where_they_find_some(client):
    county()
    make_policy(code="CITY", name="高龄津贴")
    make_policy(code="BL", name="高龄津贴（博罗县）", region=county())
    make_policy(code="HC", name="高龄津贴（惠城区）", region=county("huicheng", "惠城区", "441302"))
    # Typed 博罗 高龄津贴 宇宙: the page moved to Boluo; the offer stays there, and counts there.
    params = {
        "q": "高龄津贴 宇宙",
        "region": "boluo",
        "scope": "applies",
        "typed": "博罗 高龄津贴 宇宙",
    }
    html = list_page(client, **params)
    link = urlencode({"q": "高龄 津贴", "region": "boluo", "scope": "applies"})
    assert f'<a href="?{link.replace("&", "&amp;")}">只搜“高龄 津贴”（2 项）' in html
    # Where the filters leave nothing for any fewer words, they go.
    html = list_page(client, q="高龄津贴 宇宙", kind="enterprise")
    link = urlencode({"q": "高龄 津贴"})
    assert f'<a href="?{link}">只搜“高龄 津贴”（3 项）' in html


def test_zero_results_count_each_word_alone_no_further_than_the_list_does(client, monkeypatch):
    monkeypatch.setattr("catalog.pagination.RESULT_CAP", 1)
    for _ in range(2):
        make_policy(name="养老服务补贴")
    html = client.get("/policies/", {"q": "养老 飞船"}).content.decode()
    assert "只搜“养老”（超过 1 项）" in html


def list_page(client, **params):
    return client.get("/policies/", params).content.decode()


def test_a_result_within_the_cap_is_searched_once_then_read_by_primary_key(client):
    from django.test.utils import CaptureQueriesContext

    make_policy(code="NAME", name="养老服务补贴")
    make_policy(code="BODY", eligibility="享受养老待遇的老人。")
    with CaptureQueriesContext(connection) as queries:
        html = list_page(client, q="养老")
    assert html.count('class="card"') == 2
    assert "共 2 项政策" in html
    searches = [
        q["sql"]
        for q in queries
        if ("search_vector @@" in q["sql"] or "search_document" in q["sql"])
        and '"catalog_policy"."id" IN (' not in q["sql"]
    ]
    assert len(searches) == 1  # the count; the page and the facet counts read the ids it found
    by_id = [q["sql"] for q in queries if '"catalog_policy"."id" IN (' in q["sql"]]
    assert by_id and not any("@@" in sql or "search_document" in sql for sql in by_id)


def test_known_results_read_by_id_keep_every_sort_order():
    from catalog.pagination import CappedPaginator

    once = {"amount_kind": Amount.FIXED, "amount_unit": Unit.ONE_OFF}
    make_policy(code="P0", name="养老补贴", **once, amount_min=3000)
    for code, amount, closes in [("P1", 1000, "2027-01-01"), ("P2", 2000, "2027-03-01")]:
        make_policy(
            code=code,
            name="养老补贴",
            **once,
            amount_min=amount,
            period_mode=Period.WINDOW,
            window_opens=day("2026-11-01"),
            window_closes=day(closes),
        )
    orders = set()
    for sort in ["relevance", "deadline", "amount", "updated"]:
        on = day("2026-11-23")  # every window open
        filterset = PolicyFilter(
            {"q": "养老", "sort": sort}, queryset=Policy.objects.published(on=on), on=on
        )
        paginator = CappedPaginator(filterset.qs, 20, **filterset.paginator_options())
        assert paginator.ids is not None
        shown = [policy.code for policy in paginator.page(1)]
        assert shown == [policy.code for policy in filterset.qs], sort
        orders.add(tuple(shown))
    assert len(orders) == 4  # each sort gives its own order here


def test_body_matches_past_the_cap_are_capped_though_few_titles_match(client, monkeypatch):
    monkeypatch.setattr("catalog.pagination.RESULT_CAP", 3)
    make_policy(name="养老服务补贴")
    for _ in range(3):
        make_policy(eligibility="参加城乡居民基本养老保险的老年人。")
    html = list_page(client, q="养老")
    assert "超过 3 项政策" in html
    assert html.count('class="card"') == 3


def test_title_matches_outside_the_filters_do_not_cap_the_results(client, monkeypatch):
    monkeypatch.setattr("catalog.pagination.RESULT_CAP", 3)
    huidong = county(slug="huidong", name="惠东县", code="441323", order=4)
    for _ in range(4):
        make_policy(name="养老服务补贴", region=huidong)
    make_policy(code="BOLUO-1", name="养老服务补贴", region=county())
    make_policy(code="BOLUO-2", eligibility="享受养老待遇的老人。", region=county())
    html = list_page(client, q="养老", region="boluo")
    assert "超过" not in html
    assert html.count('class="card"') == 2
    assert html.index("/BOLUO-1/") < html.index("/BOLUO-2/")  # still ranked: name first


def test_title_subset_holds_the_entries_whose_title_part_matches():
    elderly = Audience.objects.create(slug="gaoling", name="高龄老人")
    make_policy(code="NAME", name="高龄津贴")
    make_policy(code="TAG", name="生活补贴", audiences=[elderly])
    make_policy(code="BODY", eligibility="高龄老人可申请。")
    filterset = PolicyFilter({"q": "高龄"}, queryset=Policy.objects.published())
    assert set(filterset.qs.values_list("code", flat=True)) == {"NAME", "TAG", "BODY"}
    subset = filterset.title_subset()
    if connection.vendor == "postgresql":
        assert set(subset.values_list("code", flat=True)) == {"NAME", "TAG"}
    else:  # no title vector: every match is counted
        assert subset is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the title vector is PostgreSQL's")
def test_title_vector_follows_a_renamed_entry():
    policy = make_policy(code="RENAMED", name="旧名称")
    Policy.objects.filter(pk=policy.pk).update(name="助听器适配补贴")
    index_policies()
    subset = PolicyFilter({"q": "助听"}, queryset=Policy.objects.published()).title_subset()
    assert list(subset.values_list("code", flat=True)) == ["RENAMED"]
    old = PolicyFilter({"q": "旧名称"}, queryset=Policy.objects.published()).title_subset()
    assert not old.exists()


def test_a_phrase_is_dense_when_every_term_is_estimated_common():
    common = {"城乡": 0.7, "乡居": 0.55, "居民": 0.8, "残疾": 0.8, "疾人": 0.8, "护理": 0.5}
    common |= {"城乡居民": 0.55, "居民城乡": 0.5}  # grams

    def shares():
        return search.Shares(common)

    def parse(query):  # each word quoted: searched as the phrase typed
        return search.parse(" ".join(f'"{word}"' for word in query.split()))

    assert search.dense(parse("城乡居民"), shares)  # as common as its rarest bigram
    assert search.dense(parse("残疾人 护理"), shares)  # 0.8 × 0.5
    assert not search.dense(parse("城乡保险"), shares)  # 乡保 is not among the common
    assert not search.dense(parse("城乡居民城乡"), shares)  # nor the gram 乡居民城
    assert not search.dense(parse("城乡居民 护理"), shares)  # 0.55 × 0.5
    # The words one typed phrase is cut into are found together: as often as the rarest.
    assert [t.text for t in search.parse("城乡居民护理")] == ["城乡居民", "护理"]
    assert search.dense(search.parse("城乡居民护理"), shares)
    assert not search.dense(search.parse("护理"), shares)  # one lexeme: the index answers alone
    assert not search.dense(search.parse("养 城乡居民"), shares)  # a name pattern of unknown share
    assert not search.dense(search.parse("80周岁"), lambda: search.Shares({"80": 0.9, "周岁": 0.9}))
    # A lexeme the statistics leave out is at most as common as the rarest they list: when
    # every gram listed is in half the entries, so may 乡居民城 be.
    crowded = search.Shares(common | {"民城": 0.5}, floors=(0.5, 0.0))
    assert search.dense(parse("城乡居民城乡"), lambda: crowded)
    assert not search.dense(parse("城乡保险"), lambda: crowded)  # 乡保: a bigram


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statistics are PostgreSQL's")
def test_a_common_phrase_is_counted_by_reading_entries_with_the_same_result(monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from catalog.pagination import CappedPaginator

    for _ in range(4):
        make_policy(eligibility="参加城乡居民基本养老保险的老年人。居民城乡统筹。")
    make_policy(eligibility="城乡低保，居民医保。")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_policy")
    assert search.lexeme_shares()["城乡"] == pytest.approx(1.0)

    def count(query, cap):
        """The capped count, whether entries were read one by one, whether GIN counted too."""
        monkeypatch.setattr("catalog.pagination.RESULT_CAP", cap)
        filterset = PolicyFilter({"q": query}, queryset=Policy.objects.published())
        with CaptureQueriesContext(connection) as queries:
            n = CappedPaginator(filterset.qs, 20, parts=filterset.parts()).count
        sql = " ".join(q["sql"] for q in queries)
        return n, ") walked WHERE" in sql, "catalog_policy.search_vector @@" in sql

    # Every entry read: the count is settled there, capped or exact.
    assert count("城乡居民", 3) == (3, True, False)
    assert count("城乡居民", 10) == (4, True, False)
    # A phrase found nowhere whose bigrams are all common: its gram 乡居民城 is rare, so the
    # gram index settles it without reading an entry.
    assert count("“城乡居民城乡”", 10) == (0, False, True)
    # Not a phrase (one lexeme each): the index answers alone.
    assert count("城乡", 10) == (5, False, True)
    # Fewer read than there are: over the cap among them, or else the full count follows.
    # (Only matches left, so that any two read are two matches, whatever order they come in.)
    Policy.objects.exclude(eligibility__contains="城乡居民").delete()
    monkeypatch.setattr("catalog.search.WALK", 2)
    assert count("城乡居民", 1) == (1, True, False)
    assert count("城乡居民", 10) == (4, True, True)
    assert search.walked_count(Policy.objects.none(), search.parse("城乡居民"), 10) == (0, True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner settings are PostgreSQL's")
def test_a_query_under_planner_settings_is_not_compiled_just_in_time():
    from catalog.pagination import planner_settings

    # Sequential scans off: a small table read whole costs 10^10, past jit_above_cost.
    with planner_settings("default", enable_seqscan="off"), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM catalog_region")
        plan = cursor.fetchone()[0][0]
    assert plan["Plan"]["Total Cost"] > 1e9 and "JIT" not in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner settings are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_planner_settings_hold_for_the_queries_inside_and_end_with_them():
    """Sent with each query, as a page runs (outside any transaction), or set back after the
    block inside one."""
    from catalog.pagination import planner_settings

    for transaction_around in [contextlib.nullcontext, transaction.atomic]:
        with transaction_around(), connection.cursor() as cursor:
            with planner_settings("default", enable_seqscan="off"):
                cursor.execute("SELECT current_setting('enable_seqscan'), %s", ["100%"])
                assert cursor.fetchone() == ("off", "100%")
            cursor.execute("SHOW enable_seqscan")
            assert cursor.fetchone() == ("on",), transaction_around


def test_grams_are_the_four_character_runs_of_a_spelling():
    assert search.grams("养老保险补贴") == ["养老保险", "老保险补", "保险补贴"]
    assert search.grams("每月3000元标准发放") == ["元标准发", "标准发放"]
    assert search.grams("养老院") == []  # too short to narrow
    assert search.grams("yanglao") == search.grams("80周岁") == []
    assert search.grams("\ufada老保险") == []  # unassigned: the text parser drops it


def test_a_term_narrows_by_grams_only_when_each_of_its_spellings_has_some():
    groups = [("补贴", "补助", "津贴")]
    assert search.gram_query(search.parse("高龄 “护理补贴”", groups)) == (
        "(('护理补贴') | ('护理补助') | ('护理津贴'))"
    )
    # A spelling without a gram (补贴 for 补贴) could match anywhere: nothing narrows.
    assert search.gram_query(search.parse("补贴 养老院", groups)) == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the gram vector is PostgreSQL's")
def test_the_gram_index_never_drops_a_match(monkeypatch):
    texts = {
        "RUN": "城乡居民基本养老保险补贴，按月发放。",
        "APART": "参加养老保险的，另给予社会保险补贴。",
        "NUMBER": "按每人每月3000元标准发放护理补贴。",
    }
    for code, text in texts.items():
        make_policy(code=code, eligibility=text)
    renamed = make_policy(code="RENAMED", name="旧名称")
    Policy.objects.filter(pk=renamed.pk).update(name="困难残疾人生活补贴")
    # Where the parser's positions differ from the stored tokens, the phrase follows the
    # positions, and so must the grams: a token of over 2,047 bytes is dropped without a
    # position, and positions stop at 16,383.
    make_policy(code="LONG", eligibility=f"参加医疗保{'x' * 2100}保险的人员")
    clamped = make_policy(code="CLAMPED", eligibility="占位")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(p) FROM catalog_policy, unnest(title_vector) u, unnest(u.positions) p"
            " WHERE id = %s",
            [clamped.pk],
        )
        title_end = cursor.fetchone()[0]
    filler = "a " * (16380 - title_end)  # then 工伤 at 16,381, 伤保 at 16,382, the rest at 16,383
    Policy.objects.filter(pk=clamped.pk).update(eligibility=f"{filler}工伤保 {'b ' * 50}保险")
    make_policy(code="UNASSIGNED", eligibility="持有\ufada老保险证明的人员")
    index_policies()

    def found(query):  # each word quoted: searched as the phrase typed
        quoted = " ".join(f'"{word}"' for word in query.split())
        filterset = PolicyFilter({"q": quoted}, queryset=Policy.objects.published())
        return set(filterset.qs.values_list("code", flat=True))

    queries = [
        "养老保险补贴", "基本养老保险", "社会保险补贴", "3000元标准发放", "标准发放护理",
        "残疾人生活补贴", "困难残疾人", "旧名称", "养老保险 社会保险补贴",
        "城乡居民基本养老保险补贴", "医疗保险", "工伤保险", "\ufada老保险", "老保险证明",
    ]  # fmt: skip
    with_grams = {query: found(query) for query in queries}
    assert with_grams["医疗保险"] == {"LONG"} and with_grams["工伤保险"] == {"CLAMPED"}
    assert with_grams["老保险证明"] == {"UNASSIGNED"}
    assert with_grams["养老保险补贴"] == {"RUN"}  # APART holds every bigram, never in a row
    assert with_grams["残疾人生活补贴"] == {"RENAMED"}
    assert with_grams["旧名称"] == set()
    monkeypatch.setattr("catalog.search.gram_query", lambda terms: "")
    assert with_grams == {query: found(query) for query in queries}


def cards(html):
    """{code: the card's HTML} of a list page."""
    return {
        card.split("/policies/", 1)[1].split("/", 1)[0]: card
        for card in html.split('<article class="card">')[1:]
    }


def test_each_card_says_where_its_entry_matched(client):
    elderly = Audience.objects.create(slug="laonian", name="老年人")
    make_policy(code="SUMMARY", summary="为高龄老人发放津贴。")
    make_policy(code="RULES", eligibility="年满80周岁的老人可申请。")
    make_policy(code="TAG", name="生活补贴", audiences=[elderly])
    material = make_policy(code="MATERIAL", name="困难补助")
    Material.objects.create(policy=material, name="老人优待证", note="复印件", order=1)
    index_policies(Policy.objects.filter(pk=material.pk))
    make_policy(code="NAME", name="老人健康体检", summary="为老人免费体检。")
    service = domain(slug="gg-yiliao", name="医疗卫生", kind="public_service", order=20)
    make_policy(code="SERVICE", domain=service, eligibility="辖区内65岁以上老人。")

    found = cards(list_page(client, q="老人"))
    assert len(found) == 6
    assert '<p class="snippet">为<mark>高龄老人</mark>' in found["SUMMARY"]  # no label
    assert "snippet-label" not in found["SUMMARY"]
    assert "申领条件：</span>年满80周岁的<mark>老人</mark>" in found["RULES"]
    assert "受益对象：</span><mark>老年人</mark>" in found["TAG"]  # a synonym, through a tag
    assert "申报材料：</span><mark>老人</mark>优待证（复印件）" in found["MATERIAL"]
    assert "snippet-label" not in found["NAME"]  # the name shows it; the summary is marked too
    assert "<p>为<mark>老人</mark>免费体检。</p>" in found["NAME"]
    assert "服务对象：</span>辖区内65岁以上<mark>老人</mark>" in found["SERVICE"]
    # A tag found by its pinyin is marked so too.
    assert "受益对象：</span><mark>老年</mark>人" in cards(list_page(client, q="laonian"))["TAG"]


def test_a_card_shows_the_word_it_is_explained_by_in_a_long_field(client):
    make_policy(
        code="FAR", name="晋档升级奖励", eligibility="获得奖励的企业" + "甲" * 80 + "不能付房租。"
    )
    found = cards(list_page(client, q="房租 奖励"))
    assert "<mark>房租</mark>" in found["FAR"]


def test_a_card_says_where_it_holds_each_word(client):
    poor = Audience.objects.create(slug="dibao", name="低保对象")
    make_policy(code="TWO", period_note="每年9月统一办理。", audiences=[poor])
    make_policy(code="DEPARTMENT", eligibility="凭低保证明办理。", department=department())
    found = cards(list_page(client, q="低保 办理"))
    assert "申请时间说明：</span>每年9月统一<mark>办理</mark>" in found["TWO"]
    assert "受益对象：</span><mark>低保</mark>对象" in found["TWO"]
    # Words the card shows where it always does (its department) are marked there instead.
    found = cards(list_page(client, q="民政局"))
    assert "<span><mark>民政局</mark></span>" in found["DEPARTMENT"]  # its short name
    assert "snippet-label" not in found["DEPARTMENT"]


def test_tags_and_materials_are_read_only_for_cards_some_word_is_unexplained_on(client):
    from django.test.utils import CaptureQueriesContext

    elderly = Audience.objects.create(slug="laonian", name="老年人")
    for n in range(3):
        make_policy(code=f"RULES-{n}", eligibility="年满80周岁的老人可申请。")
    list_page(client, q="示例")  # the menus and synonyms, read once per generation
    with CaptureQueriesContext(connection) as explained:
        list_page(client, q="老人")
    make_policy(code="TAG", name="生活补贴", audiences=[elderly])
    list_page(client, q="示例")
    with CaptureQueriesContext(connection) as read:
        list_page(client, q="老年人")
    # One more read, of the audiences, and only them: the tag explains the card.
    assert len(read.captured_queries) == len(explained.captured_queries) + 1
    sql = [q["sql"] for q in read.captured_queries]
    prefetched = [q for q in sql if "_prefetch_related_val" in q]
    assert len(prefetched) == 1 and "catalog_audience" in prefetched[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner settings are PostgreSQL's")
def test_a_search_counts_its_matches_from_the_gin_index_not_by_walking_another():
    """A walk reads each entry's search vector from TOAST, which the planner does not price
    (docs/PERFORMANCE.md): the ids of a search are read with plain index scans off."""
    from catalog.pagination import CappedPaginator

    wanted = {make_policy(code=f"AGE{n}", eligibility="年满60周岁的老人。").pk for n in range(3)}
    make_policy(code="YOUNG", eligibility="未满18周岁的儿童。")
    filterset = PolicyFilter({"q": "80岁"}, queryset=Policy.objects.published())
    with CaptureQueriesContext(connection) as queries:
        paginator = CappedPaginator(filterset.qs, 20, **filterset.paginator_options())
        assert set(paginator.ids) == wanted
    collected = [q["sql"] for q in queries if "enable_indexscan = off" in q["sql"]]
    assert len(collected) == 1 and "SET LOCAL enable_indexscan = off; " in collected[0]
    # One character is looked for in names, whose walk costs little: left to the planner.
    filterset = PolicyFilter({"q": "老"}, queryset=Policy.objects.published())
    assert "collect" not in filterset.paginator_options()
    # Filters that can match nothing give no ids, not an error.
    nothing = [lambda limit: (0, False)]
    empty = CappedPaginator(Policy.objects.none(), 20, parts=nothing, collect={"jit": "off"})
    assert empty.ids == []
