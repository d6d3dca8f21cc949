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
    assert ages.tokens([text]) == covered


def test_two_floors_for_two_sexes_stay_apart():
    found = ages.ranges("男性年满60周岁、女性年满55周岁")
    assert [(m.low, m.high) for m in found] == [(60, 100), (55, 100)]


def test_an_age_typed_is_read_up_to_the_oldest_step():
    typed = ["85岁", "85周岁", "105岁", "150岁", "151岁", "85", "70来岁", "95多岁"]
    assert [ages.typed(s) for s in typed] == [[85], [85], [100], [100], [], [], [70], [95]]
    assert ages.typed("80多岁") == list(range(80, 90))  # as people say it
    assert ages.typed("95多岁") == [95] and ages.typed("100多岁") == [100]
