"""Ages in an entry's text, read as the ranges of ages it covers.

Entries say whom they serve by a range (80至89岁, 16-59周岁, 出生满6个月至3岁), a floor (年满80周岁,
65周岁及以上, 60岁起, 超过60周岁), a ceiling (3岁以下, 未满18周岁, 不超过55周岁, 不足3周岁) or both
together (年满16周岁不满60周岁, 16岁以上60岁以下, 年满16周岁至60周岁); people search by their
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


def _alternation(words):
    return "|".join(sorted(words, key=len, reverse=True))  # 不超过 before 超过


_BOUND = _alternation([*_FLOORS, *_CEILINGS])

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
# A payment that runs until an age (发放至年满18周岁, 补贴发放至儿童年满18周岁止) serves those
# below it; a 至 of anything else does not (至少年满18周岁, 至申请之日年满60周岁).
_UNTIL = re.compile(r"(?:发放|发给|领取|享受|给予|补助|补贴|资助|保障)[至到][^\d，。；、,]{0,4}$")
# What may stand between a floor and the ceiling that closes it: nothing, 、, 且, or the age
# named again (年满16周岁不满60周岁, 16周岁以上、60周岁以下, 年满18周岁，年龄不超过35周岁), or a
# bracket (16周岁以上（60周岁以下）). Anything more may bound someone else or a part of the group
# (年满16周岁，未满18周岁的需监护人同意; 其中35周岁以下的另加): those stay apart, so that nobody
# the floor admits is lost.
_CLAUSE = re.compile(
    r"\s*(?:、|[(（]|[，,]?\s*(?:且|并且?|而且)?\s*(?:年龄|年纪)(?:在|须|应|为)?"
    r"|[，,]?\s*(?:且|并且?|而且))?\s*"
)
# An age in a bracket after a floor or a ceiling, for the other sex (年满60周岁（女性55周岁）).
_ALSO = re.compile(r"\s*[(（]\s*[男女]性?\s*")


@dataclass(frozen=True)
class Mention:
    kind: str  # range, floor, ceiling, upto (a ceiling only after an age) or age
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
        if word in ("至", "到") or side.endswith("前"):  # only after an age (16周岁至…)
            kind, (low, high) = "upto", _ceiling(_RETIREMENT)
        elif word in _CEILINGS or side.endswith(("以内", "以下")):
            kind, (low, high) = "ceiling", _ceiling(_RETIREMENT - _CEILINGS.get(word, 0))
        elif word in _FLOORS or side.endswith("以上"):
            kind, low, high = "floor", _RETIREMENT + _FLOORS.get(word, 0), _NO_AGE
        else:
            return None  # named, not bounding anyone
    else:
        n, bound, excluded = numbers[0], match["bound"], "×" in core
        until = _UNTIL.search(match.string, 0, match.start())
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
    older age) and where it stands. A floor and a ceiling stated together are one range
    (年满16周岁不满60周岁: 16 to 59; see `_closed`); an age in a bracket for the other sex is
    bounded as the statement before it (年满60周岁（女性55周岁）: 55 and older too)."""
    return _ranges(text) if text and ("岁" in text or "退休年龄" in text) else ()


@functools.lru_cache(maxsize=4096)  # a results page reads each card's texts several times
def _ranges(text):
    found = []
    for mention in filter(None, map(_mention, _MENTIONS.finditer(text))):
        last = found[-1] if found else None
        gap = text[last.end : mention.start] if last else ""
        closed = last and _closed(text, last, mention)
        if closed:
            found[-1] = Mention("range", *closed, last.start, mention.end)
        elif last and mention.kind == "age" and _ALSO.fullmatch(gap):
            found.append(_for_the_other_sex(last, mention))
        else:
            found.append(mention)
    return tuple(
        Mention(m.kind, min(m.low, OLDEST), min(m.high, OLDEST), m.start, m.end)
        for m in found
        if m.kind != "upto"  # 至法定退休年龄 after no age: no one's bound
    )


def _for_the_other_sex(last, mention):
    """An age in a bracket after a floor or a ceiling (年满60周岁（女性55周岁）), bounded as it."""
    if last.kind == "floor":
        return Mention("floor", mention.low, _NO_AGE, mention.start, mention.end)
    if last.kind == "ceiling":
        return Mention("ceiling", *_ceiling(mention.high), mention.start, mention.end)
    return mention


def _closed(text, last, mention):
    """The range (low, high) that `last` and `mention` of `text` state together; None when
    they are apart. A floor and a ceiling above it close a range in either order, with little
    between them (`_CLAUSE`; not 60周岁以上、6周岁以下: two groups), a bracket holding the second
    alone (16周岁以上（60周岁以下）, not 年满14周岁（不满16周岁的须由监护人陪同）); so do an age and
    a bound after it joined by 至 (年满16周岁至60周岁, 16周岁至法定退休年龄)."""
    gap, first = text[last.end : mention.start], text[mention.start]
    if re.search(r"[(（]", gap) and not re.match(r"\s*[)）]", text[mention.end :]):
        return None
    ceiling = mention.kind in ("ceiling", "upto")
    if last.kind == "floor" and ceiling and _CLAUSE.fullmatch(gap) and mention.high >= last.low:
        return last.low, mention.high
    if last.kind == "ceiling" and mention.kind == "floor" and re.fullmatch(r"\s*[(（]\s*", gap):
        return (mention.low, last.high) if mention.low <= last.high else None
    joined = _CONNECTOR.fullmatch(gap.strip() or first)  # 至 between them, or opening `mention`
    if last.kind in ("floor", "age") and mention.kind in ("ceiling", "upto", "age") and joined:
        return (last.low, mention.high) if mention.high >= last.low else None
    return None


# The token of a text stating any age: an age searched beside other words also finds the
# entries that state none (`search.tsquery`), as they serve every age.
ANY = "岁any"


def tokens(texts, besides=()):
    """The tokens of the ages the `texts` state and `besides` do not, once each: 岁N for every
    age covered (岁85 for 80至89岁), 岁起N and 岁止N where each statement starts and ends, which
    a query for a group reads (`Asked`), and `ANY`. Written unit first, so that no text's own
    tokens can be one: its 85岁 is the age as written, which a quoted query looks for alone."""
    own = _tokens(texts) - _tokens(besides)
    return sorted(own, key=lambda token: (token.rstrip("0123456789"), len(token), token))


def _tokens(texts):
    found = set()
    for text in texts:
        for m in ranges(text):
            found |= {f"岁{age}" for age in range(m.low, m.high + 1)}
            found |= {f"岁起{m.low}", f"岁止{m.high}", ANY}
    return found


@dataclass(frozen=True)
class Asked:
    """The ages a query names, from `low` to `high`: a person's (85岁, 80多岁, 3至5岁), served by
    any statement covering one of them, or with `within` a group's (60岁以上, 18岁以下), served
    by a statement for everyone in it or for no one else: 60岁以上 finds 年满80周岁 and 年满16
    周岁, not 16周岁至法定退休年龄; 18岁以下 finds 3岁以下 and 未满18周岁, not 年满16周岁."""

    low: int
    high: int
    within: bool = False

    def holds(self, mention):
        if not self.within:
            return mention.low <= self.high and self.low <= mention.high
        inside = self.low <= mention.low and mention.high <= self.high
        return inside or (mention.low <= self.low and self.high <= mention.high)

    def needs(self):
        """What an entry's tokens (see `tokens`) must hold for it: any of the alternatives,
        each a tuple of token sets, one token of every set. For a group, a statement starting
        and one ending within it, or ages covered at both of its ends: one statement does it
        (年满80周岁; 年满16周岁), two rarely do it apart."""
        ages = range(self.low, self.high + 1)
        if not self.within:
            return [({f"岁{age}" for age in ages},)]
        inside = ({f"岁起{age}" for age in ages}, {f"岁止{age}" for age in ages})
        return [inside, ({f"岁{self.low}"}, {f"岁{self.high}"})]


_TYPED = re.compile(
    r"(\d{1,3})(?:周?岁)?至(\d{1,3})周?岁|(\d{1,3})([多来几])?周?岁|(\d{1,3})岁(以上|以下)"
)
# In a query: an age with a space before its unit (85 岁), a range of ages (3-5岁, 3岁到5岁,
# 二十岁到三十岁 once in digits), whose sign would cut it in two, and a group's bound before or
# after the age (60岁以上, 满60周岁以上, 不满18岁), which search would drop as a word naming
# nothing.
_SPACED = re.compile(r"(?<=[0-9])\s+(?=周?岁)")
_TYPED_RANGE = re.compile(
    r"(?<![0-9.])([0-9]{1,3})\s*(?:周?岁)?\s*[至到~\-—–]\s*([0-9]{1,3})\s*(周?岁)"
)
# Query words for a group's bound, before the age or after it. Whether the age itself is in
# (不满18岁, 超过60岁) is not read: entries write a bound either way (3岁以下 is often "under 3"),
# so 未满3岁 finds them and 超过60岁 年满60周岁. 满 and 年满 before an age alone make a person's
# age (我妈今年满60岁), before a group's bound they go with it (满60周岁以上).
_ASKED_FLOORS = set(_FLOORS) - {"年满", "已满", "满", "达到"}
_ASKED_CEILINGS = set(_CEILINGS) | {"不到"}
_ABOVE, _BELOW = {"以上", "及以上", "或以上", "起"}, {"以下", "及以下", "或以下", "以内"}


_TYPED_BOUND = re.compile(
    r"(?:(?:年满|已满|刚满|满)\s*)?"
    r"(?P<before>(?<![找办领拿用等买做吃看听])"  # not the 不到 of 找不到, 办不到 …
    rf"(?:{_alternation(_ASKED_FLOORS | _ASKED_CEILINGS)}))?"
    rf"\s*(?<![0-9.])(?P<age>[0-9]{{1,3}})\s*周?岁"
    rf"(?P<after>\s*(?:{_alternation((_ABOVE | _BELOW) - {'起'})})|起)?"  # not 60岁 起诉
)


def as_words(query):
    """`query` (its numerals in digits) with each age it states a word of its own, as `asked`
    reads them: 85 岁 is 85岁, 3-5岁 is 3至5岁, 不满18周岁 is 18岁以下, 超过60岁 and 满60岁以上 are
    60岁以上; not a range that runs backwards (a typo, left as typed) or starts inside a decimal
    (1.5-3岁), nor a bound both ways (超过18岁以下)."""

    def one_range(match):
        first, last, unit = match.groups()
        return f" {first}至{last}{unit} " if int(first) <= int(last) else match[0]

    def one_bound(match):
        words = [w.strip() for w in (match["before"], match["after"]) if w]
        bounds = {w in _ASKED_FLOORS | _ABOVE for w in words}
        if len(bounds) != 1 or int(match["age"]) > _NO_AGE:
            return match[0]  # no bound (a person's age), or both ways (不满16岁以上)
        return f" {match['age']}岁{'以上' if bounds == {True} else '以下'} "

    query = _TYPED_RANGE.sub(one_range, _SPACED.sub("", query))
    return _TYPED_BOUND.sub(one_bound, query)


def is_whole(word):
    """Whether `word` is a range of ages or a group's bound as `as_words` writes it (3至5岁,
    60岁以上), which the search keeps whole."""
    match = _TYPED.fullmatch(word)
    return bool(match and (match[1] or match[5]))


def asked(spelling):
    """The ages a query's spelling names, as `Asked`, or None: 85 for 85岁 or 85周岁, 100 for
    105岁, 3 to 5 for 3至5岁 (`search.parse` writes 3-5岁 so), and as people say it 80 to 89
    for 80多岁 or 80几岁 (八十多岁, 八十几岁), 10 to 19 for 10几岁 (十几岁), 70 for 70来岁; the
    group from 60 for 60岁以上, up to 18 for 18岁以下 and from 16 to 35 for 35岁以下 (as an
    entry's ceiling is read)."""
    match = _TYPED.fullmatch(spelling)
    if not match:
        return None
    if match[5]:
        if int(match[5]) > _NO_AGE:
            return None
        age = min(int(match[5]), OLDEST)
        if match[6] == "以上":
            return Asked(age, OLDEST, True)
        return Asked(*_ceiling(age), True)  # 35岁以下 of a youth programme: adults
    if match[1]:
        first, last = int(match[1]), int(match[2])
    else:
        first = last = int(match[3])
        if match[4] in ("多", "几") and first % 10 == 0:
            last = first + 9
    if first > last or last > _NO_AGE:
        return None
    return Asked(min(first, OLDEST), min(last, OLDEST))


def spans(text, wanted):
    """Where `text` states ages one of `wanted` (`Asked`) holds (80至89岁 for 85岁)."""
    if not wanted or not text:
        return []
    return [(m.start, m.end) for m in ranges(text) if any(a.holds(m) for a in wanted)]


def statements(text):
    """Where `text` states any age: a cut there could change what it says (不|超过60周岁)."""
    return [(m.start, m.end) for m in ranges(text)]
