"""Ages in an entry's text, read as the ranges of ages it covers.

Entries say whom they serve by a range (80至89岁, 16-59周岁, 出生满6个月至3岁), a floor (年满80周岁,
65周岁及以上, 60岁起, 超过60周岁), a ceiling (3岁以下, 未满18周岁, 不超过55周岁, 不足3周岁) or both
in one clause (年满16周岁不满60周岁, 16岁以上60岁以下, 年满16周岁至60周岁); people search by their
own age (85岁). The search stores a token for every age an entry's eligibility covers and marks
the statement that holds the age typed (`catalog.search`)."""

import functools
import re
from dataclasses import dataclass

OLDEST = 100  # the oldest step entries write (100岁及以上): an older age reads as it
_NO_AGE = 150  # past it a number before 岁 is no one's age
# A ceiling alone past 18 bounds adults (不超过60周岁 of a business grant, 35岁以下 of a youth
# programme): the range starts at 16, the working age. One of 18 or less bounds children (3岁以下,
# 未满18周岁) and starts at 0.
_ADULT, _CHILD = 16, 18
# 至法定退休年龄 (the working age): 60, men's statutory retirement age until the reform of 2025,
# which raises it by months a year.
_RETIREMENT = 60

# Bound words before an age, and whether the age itself is excluded.
_FLOORS = {"年满": 0, "已满": 0, "满": 0, "达到": 0, "不低于": 0, "不小于": 0, "大于等于": 0}
_FLOORS |= {"超过": 1, "大于": 1, "高于": 1}
_CEILINGS = {"不超过": 0, "不大于": 0, "不高于": 0, "小于等于": 0}
_CEILINGS |= {"未满": 1, "不满": 1, "未达到": 1, "不足": 1, "小于": 1, "低于": 1}
_BOUND = "|".join(sorted([*_FLOORS, *_CEILINGS], key=len, reverse=True))  # 不超过 before 超过

_N = r"(?<![\d.])\d{1,3}"
_UNIT = r"\s*周?岁(?:半(?=[以及或]))?"  # 3岁半以下; not the 半 of 65至69岁半价
# （含）, （不含60周岁）: a bracket that only says whether the age is in
_HELD = r"(?:\s*[(（]\s*(?:不含|含|包含)\s*(?:本数|\d{1,3}\s*周?岁)?\s*[)）])?"
_TO = r"\s*[至到~～\-－—–]\s*"
_SIDE = r"\s*(?:及其?|或)?\s*(?:以上|以下|以内|起)"
_MENTIONS = re.compile(
    rf"(?P<months>(?:出生|\d{{1,2}}\s*个月)(?:以上)?{_TO}{_N}{_UNIT})"
    rf"|(?P<range>{_N}(?:{_UNIT})?{_HELD}{_TO}{_N}{_UNIT}{_HELD})"
    rf"|(?P<retirement>(?:{_BOUND}|[至到])?\s*法定退休年龄(?:以内|以下|以上|前)?)"
    rf"|(?P<bound>{_BOUND})\s*{_N}{_UNIT}{_HELD}(?:{_SIDE}{_HELD})?"
    rf"|{_N}{_UNIT}{_HELD}(?:{_SIDE}{_HELD})?"
)
_BRACKETS = re.compile(r"[(（][^()（）]*[)）]")
_CONNECTOR = re.compile(r"[至到~～\-－—–]")
# A payment that runs until an age (发放至年满18周岁, 至儿童满18周岁止) serves those below it.
_UNTIL_BEFORE = re.compile(r"(?<!截)至[^\d，。；、,]{0,4}$")  # not 截至 (as of)
_UNTIL_AFTER = re.compile(r"\s*(?:为止|止|时停|后停|停发)")
# What may stand between a floor and the ceiling that closes it, in one sentence (年满16周岁、
# 不满60周岁; 年满18周岁，年龄不超过35周岁), and between an age and the bound that makes it a
# range (16周岁至60周岁以下).
_CLAUSE = re.compile(r"[^。\d]{0,10}")
_JOINED = re.compile(r"[\s、，,且并但和及至到~～\-－—–]{0,3}")
# An age in a bracket after another statement, for another group (年满60周岁（女性55周岁）).
_ALSO = re.compile(r"\s*[(（][^()（）\d。]{0,4}")


@dataclass(frozen=True)
class Mention:
    kind: str  # range, floor, ceiling or age
    low: int
    high: int
    start: int
    end: int


def _ceiling(high):
    """The ages up to `high` that a ceiling alone covers (see _ADULT)."""
    return (0 if high <= _CHILD else _ADULT), high


def _mention(match):
    """The ages one match of `_MENTIONS` states, or None when it names no age. A bracket that
    excludes (（不含）) moves the bound it follows by one."""
    core = _BRACKETS.sub(lambda b: "×" if "不含" in b[0] else "", match[0])
    numbers = [int(n) for n in re.findall(r"\d+", core)]
    side = core.rstrip("×")
    kind = "range"
    if match["months"]:
        low, high = 0, numbers[-1]
    elif match["range"]:
        before, after = _CONNECTOR.split(core, maxsplit=1)
        low, high = numbers[0] + ("×" in before), numbers[1] - ("×" in after)
    elif match["retirement"]:
        word = core.split("法定退休年龄")[0].strip()
        if word in _CEILINGS or word in ("至", "到") or side.endswith(("以内", "以下", "前")):
            kind, (low, high) = "ceiling", _ceiling(_RETIREMENT - _CEILINGS.get(word, 0))
        elif word in _FLOORS or side.endswith("以上"):
            kind, low, high = "floor", _RETIREMENT + _FLOORS.get(word, 0), _NO_AGE
        else:
            return None  # named, not bounding anyone
    else:
        n, bound, excluded = numbers[0], match["bound"], "×" in core
        until = _UNTIL_BEFORE.search(match.string, 0, match.start()) or _UNTIL_AFTER.match(
            match.string, match.end()
        )
        if bound in ("年满", "已满", "满", "达到") and until:
            kind, (low, high) = "ceiling", _ceiling(n - 1)
        elif bound in _FLOORS or (not bound and side.endswith(("以上", "起"))):
            kind, low, high = "floor", n + _FLOORS.get(bound, excluded), _NO_AGE
        elif bound in _CEILINGS or side.endswith(("以下", "以内")):
            kind, (low, high) = "ceiling", _ceiling(n - _CEILINGS.get(bound, excluded))
        else:
            kind, low, high = "age", n, n
    if not 0 <= low <= high <= _NO_AGE:
        return None
    return Mention(kind, low, high, *match.span())


def ranges(text):
    """The age statements of `text`, each with the ages it covers (`OLDEST` standing for every
    older age) and where it stands. A floor closed by a ceiling in the same sentence is one
    range (年满16周岁不满60周岁: 16 to 59), and so is an age and the bound after it (16周岁至法定
    退休年龄); an age in a bracket after a statement is bounded as it is (年满60周岁（女性55周岁）:
    55 and older too)."""
    return _ranges(text) if text and ("岁" in text or "退休年龄" in text) else ()


@functools.lru_cache(maxsize=4096)  # a results page reads each card's texts several times
def _ranges(text):
    found = []
    for mention in filter(None, map(_mention, _MENTIONS.finditer(text))):
        last = found[-1] if found else None
        gap = text[last.end : mention.start] if last else ""
        if last and _closes(last, mention, text[last.end : mention.start + 1]):
            found[-1] = Mention("range", last.low, mention.high, last.start, mention.end)
        elif last and mention.kind == "age" and _ALSO.fullmatch(gap) and last.kind != "range":
            low, high = _ceiling(mention.high) if last.kind == "ceiling" else (mention.low, _NO_AGE)
            found.append(Mention(last.kind, low, high, mention.start, mention.end))
        else:
            found.append(mention)
    return tuple(
        Mention(m.kind, min(m.low, OLDEST), min(m.high, OLDEST), m.start, m.end) for m in found
    )


def _closes(last, mention, between):
    """Whether `mention` closes the range `last` opens, `between` being the text between them
    and the first character of `mention`: a ceiling after a floor in the same sentence, above
    it (not 60周岁以上、6周岁以下: two groups); a ceiling or an age after a floor or an age,
    joined by 至 (年满16周岁至60周岁, 16周岁至法定退休年龄)."""
    if mention.kind not in ("ceiling", "age") or mention.high < last.low:
        return False
    if last.kind == "floor" and mention.kind == "ceiling" and _CLAUSE.fullmatch(between[:-1]):
        return True
    joined = _JOINED.fullmatch(between[:-1]) and _CONNECTOR.search(between)
    return last.kind in ("floor", "age") and bool(joined)


def tokens(texts, besides=()):
    """A token for every age the `texts` cover and `besides` do not (岁85 for 80至89岁), once
    each, youngest first. Written unit first, so that no text's own tokens can be one: its 85岁
    is the age as written, which a quoted query looks for alone."""
    return tokens_for(_covered(texts) - _covered(besides))


def _covered(texts):
    return {age for text in texts for m in ranges(text) for age in range(m.low, m.high + 1)}


def tokens_for(ages):
    """The tokens of `ages`, youngest first."""
    return [f"岁{age}" for age in sorted(ages)]


_TYPED = re.compile(r"(\d{1,3})(?:周?岁)?至(\d{1,3})周?岁|(\d{1,3})([多来几])?周?岁")


def typed(spelling):
    """The ages a query's spelling names: [85] for 85岁 or 85周岁, [100] for 105岁, 3 to 5 for
    3至5岁 (`search.parse` writes 3-5岁 so), and as people say it 80 to 89 for 80多岁 or
    80几岁 (八十多岁, 八十几岁), 10 to 19 for 10几岁 (十几岁), [70] for 70来岁; none for other
    spellings."""
    match = _TYPED.fullmatch(spelling)
    if not match:
        return []
    if match[1]:
        first, last = int(match[1]), int(match[2])
    else:
        first = last = int(match[3])
        if match[4] in ("多", "几") and first % 10 == 0:
            last = first + 9
    if first > last or last > _NO_AGE:
        return []
    return sorted({min(age, OLDEST) for age in range(first, last + 1)})


def spans(text, wanted):
    """Where `text` states ages holding one of the ages `wanted` (80至89岁 for 85)."""
    if not wanted or not text:
        return []
    return [(m.start, m.end) for m in ranges(text) if any(m.low <= a <= m.high for a in wanted)]


def statements(text):
    """Where `text` states any age: a cut there could change what it says (不|超过60周岁)."""
    return [(m.start, m.end) for m in ranges(text)]
