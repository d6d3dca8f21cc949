"""Ages in entries' text read as the ranges they cover (catalog/ages.py)."""

import pytest

from catalog import ages


@pytest.mark.parametrize(
    "text, first, last",
    [
        ("80至89岁每人每月100元", 80, 89),
        ("16-59周岁的城乡居民", 16, 59),
        ("８０至８９岁", 80, 89),  # full-width digits
        ("本市户籍年满80周岁的老年人", 80, 100),  # 100 stands for every older age
        ("年满 80 周岁", 80, 100),
        ("辖区内65周岁及以上常住居民", 65, 100),
        ("18周岁（含）以上", 18, 100),
        ("80周岁（含80周岁）以上", 80, 100),
        ("60周岁及其以上", 60, 100),
        ("60岁起按月领取养老金", 60, 100),
        ("超过60周岁的", 61, 100),
        ("60周岁以上（不含60周岁）", 61, 100),
        ("大于等于60周岁", 60, 100),
        ("3岁以下婴幼儿", 0, 3),
        ("3岁半以下", 0, 3),
        ("未满18周岁的子女", 0, 17),
        ("不足3周岁", 0, 2),
        ("14周岁（不含）以下", 0, 13),
        ("女性不超过55周岁", 16, 55),  # a ceiling past 18 bounds adults: from the working age
        ("35岁以下的青年", 16, 35),
        ("未达到60周岁", 16, 59),
        ("0至60岁", 0, 60),  # a range starts where it says
        ("16周岁以下", 0, 16),
        # A floor and the ceiling that closes it in one clause are one range.
        ("年满16周岁不满60周岁", 16, 59),
        ("60周岁以上未满70周岁", 60, 69),
        ("16周岁以上、60周岁以下", 16, 60),
        ("年满16周岁至60周岁", 16, 60),
        ("满2周岁不满3周岁", 2, 2),
        ("60周岁（含）至80周岁（不含）", 60, 79),
        ("出生满6个月至3岁", 0, 3),
        ("出生至3岁", 0, 3),
        ("年满16周岁至法定退休年龄", 16, 60),
        # Several conditions of one sentence, in other words.
        ("年满18周岁，年龄不超过35周岁", 18, 35),
        ("16周岁以上、法定退休年龄以内", 16, 60),
        ("16周岁至法定退休年龄", 16, 60),
        ("年满16周岁不满法定退休年龄", 16, 59),
        ("达到法定退休年龄的", 60, 100),
        ("16周岁以上（60周岁以下）", 16, 60),
        ("60周岁以下（16周岁以上）", 16, 60),
        ("截至申请之日年满16周岁", 16, 100),  # 截至 is "as of"
        ("年满60周岁（女性55周岁）", 55, 100),  # the bracket's own group
        ("16周岁至60周岁（不含在校生）", 16, 60),  # a bracket about something else
        # Paid until an age: for those below it.
        ("孤儿生活费发放至年满18周岁", 0, 17),
        ("补贴发放至儿童年满18周岁止", 0, 17),
        ("65至69岁半价", 65, 69),
        # No age: queries read Chinese numerals, entries write digits; years; decimals.
        ("百岁老人", None, None),
        ("2020至2025年", None, None),
        ("满1年", None, None),
        ("1.5岁", None, None),
        ("每人每月200元", None, None),
    ],
)
def test_an_age_statement_covers_its_range(text, first, last):
    covered = [f"岁{age}" for age in range(first, last + 1)] if first is not None else []
    assert [token for token in ages.tokens([text]) if token[1:].isdigit()] == covered


@pytest.mark.parametrize(
    "text, covered",
    [
        ("男性年满60周岁、女性年满55周岁", [(60, 100), (55, 100)]),
        ("60周岁以上、6周岁以下的免票", [(60, 100), (0, 6)]),  # two groups, not 60 to 6
        ("年满60周岁的老人和未满16周岁的儿童", [(60, 100), (0, 15)]),
        ("年满16周岁。不超过60周岁的另行规定", [(16, 100), (16, 60)]),  # two sentences
        # A part of the group, or someone else: nobody the floor admits is lost.
        ("年满16周岁，未满18周岁的需监护人同意", [(16, 100), (0, 17)]),
        ("16周岁以上的劳动者；其中35周岁以下的再给予补贴", [(16, 100), (16, 35)]),
        ("申请人年满18周岁，其父母一方不超过65周岁", [(18, 100), (16, 65)]),
        ("年满18周岁（子女3岁）", [(18, 100), (3, 3)]),
        ("年满14周岁（不满16周岁的须由监护人陪同）", [(14, 100), (0, 15)]),
        ("退休年龄为男60岁（女55岁）", [(60, 60), (55, 55)]),
        # Not a payment until an age: 至少 (at least), as of a day, before a pension starts.
        ("申请人至少年满18周岁", [(18, 100)]),
        ("截止至申请之日年满60周岁", [(60, 100)]),
        ("参加城乡居民养老保险，至年满60周岁可按月领取养老金", [(60, 100)]),
        ("缴费至法定退休年龄后按月领取养老金", []),
    ],
)
def test_statements_for_different_people_stay_apart(text, covered):
    assert [(m.low, m.high) for m in ages.ranges(text)] == covered


def test_an_age_typed_is_read_up_to_the_oldest_step():
    def typed(spelling):
        asked = ages.asked(spelling)
        return asked and (asked.low, asked.high, asked.within)

    spellings = ["85岁", "85周岁", "105岁", "150岁", "151岁", "85", "70来岁", "95多岁"]
    assert [typed(s) for s in spellings] == [
        (85, 85, False), (85, 85, False), (100, 100, False), (100, 100, False),
        None, None, (70, 70, False), (95, 95, False),
    ]  # fmt: skip
    assert typed("80多岁") == (80, 89, False)  # as people say it
    assert typed("100多岁") == (100, 100, False)
    assert typed("3至5岁") == (3, 5, False) and typed("10几岁") == (10, 19, False)
    assert typed("9至5岁") is None
    # A group: the ages from its bound on, or up to it.
    assert typed("60岁以上") == (60, 100, True) and typed("18岁以下") == (0, 18, True)
    assert typed("120岁以上") == (100, 100, True) and typed("200岁以上") is None


@pytest.mark.parametrize(
    "query, words",
    [
        ("60岁以上老人", "60岁以上 老人"),
        ("60周岁及以上", "60岁以上"),
        ("年满60周岁以上", "60岁以上"),
        ("超过60岁", "60岁以上"),  # 年满60周岁 entries serve someone over 60 too
        ("18岁以下", "18岁以下"),
        ("孩子不满18周岁", "孩子 18岁以下"),
        ("未满3岁", "3岁以下"),  # finds 3岁以下, which entries often write for "under 3"
        ("3岁以内", "3岁以下"),
        ("不到 60 岁", "60岁以下"),
        ("不大于18岁", "18岁以下"),
        ("大于等于60岁", "60岁以上"),
        ("满60周岁以上", "60岁以上"),  # 满 goes with the bound
        ("60岁 以上", "60岁以上"),
        ("60岁起", "60岁以上"),
        ("找不到60岁老人的补贴", "找不到60岁老人的补贴"),  # the 不到 of 找不到
        ("60岁 起诉", "60岁 起诉"),
        # A person's age, not a group's bound.
        ("我妈今年满60岁", "我妈今年满60岁"),
        ("85岁", "85岁"),
        # Neither: both ways, no one's age, inside a decimal.
        ("不满16岁以上", "不满16岁以上"),
        ("200岁以上", "200岁以上"),
        ("1.5岁以下", "1.5岁以下"),
    ],
)
def test_a_groups_bound_in_a_query_is_written_as_one_word(query, words):
    assert " ".join(ages.as_words(query).split()) == words


@pytest.mark.parametrize(
    "asked, statements, held",
    [
        # A group: statements for everyone in it, or for no one else.
        ("60岁以上", ["年满60周岁", "年满80周岁", "65至69岁", "60周岁（女性55周岁）以上"], True),
        ("60岁以上", ["年满16周岁", "50周岁以上"], True),
        ("60岁以上", ["16周岁至法定退休年龄", "50至70岁", "60周岁以下"], False),
        ("18岁以下", ["3岁以下", "未满18周岁", "6至18岁", "出生至3岁", "0至60岁"], True),
        ("18岁以下", ["年满16周岁", "16周岁以上", "35岁以下", "6至20岁"], False),
        ("3岁以下", ["0至6岁", "未满18周岁", "出生满6个月至3岁"], True),
        ("3岁以下", ["3至6岁", "6周岁以上"], False),
        # Past 18, a ceiling is of adults, as in entries: 35岁以下 is 16 to 35.
        ("35岁以下", ["年满18周岁，年龄不超过35周岁", "男性不超过60周岁", "年满16周岁"], True),
        ("35岁以下", ["未满18周岁", "年满18周岁", "3岁以下"], False),
        # A person: statements covering the age.
        ("65岁", ["年满60周岁", "年满16周岁", "60至70岁"], True),
        ("65岁", ["年满80周岁", "60周岁以下"], False),
    ],
)
def test_what_a_query_asks_holds_statements(asked, statements, held):
    wanted = ages.asked(asked)
    for text in statements:
        found = ages.ranges(text)
        assert any(wanted.holds(m) for m in found) == held, text
        # The document's tokens say the same: they hold one of the alternatives wanted.
        own = set(ages.tokens([text]))
        assert any(all(group & own for group in need) for need in wanted.needs()) == held, text


def test_a_text_stating_any_age_says_so():
    assert ages.ANY in ages.tokens(["年满60周岁"]) and ages.ANY in ages.tokens(["3岁以下"])
    assert ages.ANY not in ages.tokens(["家庭困难学生"]) and ages.tokens(["百岁老人"]) == []
    assert ages.ANY not in ages.tokens(["年满60周岁"], besides=["年满16周岁"])  # stated already
