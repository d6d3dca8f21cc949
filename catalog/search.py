"""Chinese full-text search: tokens, the stored document, queries, and highlighting.

Chinese has no spaces, so text is cut into overlapping character bigrams inside runs of Han
characters ("养老保险" → 养老 老保 保险); runs of Latin letters or digits stay whole. A query term
becomes the phrase of its own bigrams, which gives exact substring matching for any query of two
characters or more. Names and tags also get their pinyin (full and initials) as tokens, stored
from every syllable on so that a query matches as a prefix: "gaoling", "jintie" and "gljt" all
find 高龄津贴.

Each entry stores its tokens as text in `Policy.search_document`: the title part (name, pinyin,
tags) on the first line, the body on the second. On PostgreSQL a trigger turns that into a
weighted `tsvector` column with a GIN index (see the migration); on SQLite the same text is
searched with LIKE, so the demo gives the same results, only slower. PostgreSQL also keeps the
title part alone in a small vector (`title_subset`), which counts common words cheaply.
"""

import bisect
import functools
import itertools
import logging
import math
import operator
import re
import unicodedata

import cn2an
import jieba
import opencc
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import BooleanField, FloatField, Q
from django.db.models.expressions import RawSQL
from django.utils.html import escape, format_html, format_html_join
from pypinyin import Style, lazy_pinyin

from . import ages

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
MAX_ALTERNATIVES = 16
DENSE_SHARE = 0.3
WALK = 4000  # entries read for a common phrase: at DENSE_SHARE, 1,001 matches come by 3,337

# Han characters, also those of the supplementary planes (𠀀, 𬌗: rare names and places).
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U000323af"
_RUNS = re.compile(rf"[{_HAN}]+|[a-z]+|[0-9]+(?:\.[0-9]+)?")
_HAN_RUN = re.compile(rf"[{_HAN}]+")
_LATIN = re.compile(r"([a-z]+)")  # splits a word at its runs of Latin letters, keeping them
_THOUSANDS = re.compile(r"(?<=[0-9]),(?=[0-9]{3}(?![0-9]))")
_BETWEEN_DIGITS = re.compile(r"(?<=[0-9])(?=[0-9])")


@functools.lru_cache(maxsize=1024)
def normalize(text):
    """Full-width to half-width, upper to lower case: how both documents and queries are read."""
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text):
    """Bigrams inside Han runs (a lone character stays itself), Latin and digit runs whole;
    thousands separators are dropped, so 3,000元 is found as 3000元."""
    result = []
    for run in _RUNS.findall(_THOUSANDS.sub("", normalize(text))):
        if _HAN_RUN.fullmatch(run) and len(run) > 1:
            result.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            result.append(run)
    return result


def pinyin_tokens(text):
    """Full pinyin and initials of the Han characters, each from every syllable to the end."""
    han = "".join(_HAN_RUN.findall(normalize(text)))
    if not han:
        return []
    syllables = lazy_pinyin(han, errors="ignore")
    initials = lazy_pinyin(han, style=Style.FIRST_LETTER, errors="ignore")
    full = ["".join(syllables[i:]) for i in range(len(syllables))]
    short = ["".join(initials[i:]) for i in range(len(initials) - 1)]
    return full + short


def number_units(toks):
    """An amount or an age with its unit as single tokens: a digit run and the Han token after
    it give the digits with that token's first character ("3000元") and with the whole token
    ("80周岁"). Stored at the end of a line, after every positioned token, so that a query such
    as 3000元 is one lexeme in the index instead of a phrase rechecked entry by entry. The
    first number of a range takes the unit of the second: 1000至3000元 and 1000-3000元 give
    1000元 too, so that a query 1000元 finds them."""
    pairs = _numbered(toks)
    for i, first in enumerate(toks):
        rest = toks[i + 1 : i + 4]
        rest = rest[1:] if rest[:1] in (["至"], ["到"]) else rest
        if first.isdigit() and _numbered(rest[:2]):
            pairs.append((first, rest[1]))
    return [t for number, unit in pairs for t in dict.fromkeys([number + unit[0], number + unit])]


def _numbered(toks):
    return [(a, b) for a, b in itertools.pairwise(toks) if a.isdigit() and _HAN_RUN.match(b)]


def _is_phrase(toks):
    """Whether a spelling of these tokens is a phrase, checked entry by entry against positions:
    two tokens or more, except a number and its unit (3000元), which is one lexeme."""
    return len(toks) > 2 or (len(toks) == 2 and not _numbered(toks))


def document(title_texts, body_texts, pinyin_texts, eligibility=()):
    """The stored search text: title tokens and pinyin on line one, body tokens on line two,
    each line ending with its number-and-unit tokens, then the ages its texts cover (`ages`):
    line one those of the title part, line two those of the `eligibility` texts the title
    does not cover. Other body texts are not read for ages: a benefit paid until a child
    turns 18 or a document asked of those under 16 is not for those ages.

    Spaces around every token let LIKE match whole tokens on SQLite."""
    title = [t for text in title_texts for t in tokens(text)]
    title += [t for text in pinyin_texts for t in pinyin_tokens(text)]
    body = [t for text in body_texts for t in tokens(text)]
    title += number_units(title) + ages.tokens(title_texts)
    body += number_units(body) + ages.tokens(eligibility, besides=title_texts)
    return f" {' '.join(title)} \n {' '.join(body)} "


# Entries granted without applying carry the reform's name for it in their text, so 免申即享
# finds them (its badge on the cards; the filter no_apply=1). Written as is, not translated: the
# index must not change with the language. Migration 0019 wrote it into the documents stored
# before; keep them alike.
NO_APPLICATION_LABEL = "免申即享"


def policy_document(policy):
    """The search text of one policy; its tags, materials and steps must be prefetched."""
    from .models import Period  # (the models read this module's normalize)

    tags = [
        tag.name
        for tag in itertools.chain(
            policy.audiences.all(), policy.sectors.all(), policy.enterprise_types.all()
        )
    ]
    department = policy.department
    title = [policy.name, policy.summary, *tags]
    body = [
        NO_APPLICATION_LABEL if policy.period_mode == Period.NO_APPLICATION else "",
        policy.eligibility,
        policy.benefit,
        policy.service_content,
        policy.amount_display,
        *(f"{m.name} {m.note}" for m in policy.materials.all()),
        *(f"{s.title} {s.detail}" for s in policy.steps.all()),
        policy.offline_place,
        policy.period_note,
        policy.domain.name,
        policy.region.name,
        department.name if department else "",
        department.short_name if department else "",
        policy.basis_title,
    ]
    return document(title, body, [policy.name, *tags], [policy.eligibility])


# Queries.


class Term:
    """One word of a query and the spellings that match it (its synonyms swapped in), which
    are also what results mark: a synonym alone (津贴 of 高龄津贴) matched nothing.

    `word` is what is left of the word the person typed it in (残疾人补贴 for 残疾人 and 补贴,
    法律援助 of 我能领法律援助吗; see `parse`), and `whole` the spellings of that word: an entry
    named by the word as typed ranks first. `ages`: the ages it names (`ages.Asked`: 85 for 85岁
    or 85周岁, 80 to 89 for 80多岁, the group from 60 for 60岁以上), unless quoted, also found in
    the statements of ages that hold them."""

    def __init__(self, text, alternatives, word=None, whole=None, quoted=False):
        self.text = text
        self.alternatives = alternatives
        self.word = word or text
        self.whole = whole or alternatives
        self.quoted = quoted
        asked = () if quoted else map(ages.asked, alternatives)
        self.ages = list(dict.fromkeys(filter(None, asked)))

    @property
    def single_character(self):
        return len(self.text) == 1 and bool(_HAN_RUN.fullmatch(self.text))


# What separates the words of a query: anything but Han characters, Latin letters and digits
# (spaces, ，、/ “” 《》 ？ …), except a point or comma inside a number (1.5倍, 3,000元).
_WORDS = re.compile(rf"[^{_HAN}〇a-z0-9.,]+|(?<![0-9])[.,]|[.,](?![0-9])")
# Words that ask about an entry rather than name it, so 高龄津贴怎么申请, 我想申请低保 and
# 低保金额是多少 are searched as 高龄津贴 and 低保. A word made of nothing else stays as typed.
ASKING = (
    "怎么样", "怎么", "怎样", "如何", "哪里", "哪些", "什么", "多少钱", "多少", "请问",
    "我想", "我要", "能不能", "能否", "是否", "可以", "申请", "办理", "申领", "金额", "吗", "呢",
    "什么是", "是什么", "多久", "多长时间", "帮我", "查一下", "一下", "几月", "几号", "几个月",
    "了解", "听说", "咨询", "打听", "知道", "问问", "准备", "打算",
)  # fmt: skip
_ASKING = re.compile("|".join(sorted(ASKING, key=len, reverse=True)))


def _words(text):
    for word in _WORDS.split(text):
        if _RUNS.search(word):
            # A lone character beside asking words (是 of 金额是多少) is not a word, unless it
            # is all that is left (房 of 我想申请房); a word of asking words only stays whole.
            pieces = [p for p in _ASKING.split(word) if _RUNS.search(p)]
            yield from [p for p in pieces if len(p) > 1] or pieces or [word]


@functools.cache
def _simplified():
    return opencc.OpenCC("t2s")


# The numbers of a word and the Han runs between them (80岁老人每月100元).
_NUMBERS = re.compile(rf"([0-9]+(?:[.,][0-9]+)*)|[{_HAN}]+")
# Words that, after a number, are its unit: the number and the unit are one word (80岁, 3000元).
UNITS = frozenset(
    (
        "元", "万元", "亿元", "万", "亿", "千元", "岁", "周岁", "多岁", "来岁", "几岁", "年",
        "个月", "月", "日", "天", "倍", "人", "名", "户", "次", "个", "项", "亩", "平方米", "公里",
        "小时", "年度", "级",
    )
)  # fmt: skip
# A phrase in quotes is searched as typed, not cut into words.
_QUOTED = re.compile(r'["“”「」『』]')
# Words of a question that name nothing an entry is about (所有政策 are policies), or bound
# words left apart from an age (`ages.as_words` reads 60岁以上 as a group first), left out when
# others remain.
STOP_WORDS = frozenset(
    (
        "政策", "适合", "有关", "相关", "关于", "我们", "自己", "能够", "需要", "有没有", "人士",
        "我家", "家里", "以上", "以下", "以内", "及以上", "及以下", "已满", "刚满", "未满", "年满",
        "年龄", "高新区", "开发区", "惠州", "惠州市", "本市", "一个月", "每个", "一年", "每年",
        "多久", "几天", "到账", "最新", "没钱", "不满", "不足", "今年",
    )
)  # fmt: skip
# What every entry states, asked about one at the end of a word (低保需要什么材料, 高龄津贴申请
# 条件, 2025年高龄津贴标准): the entry named by the other words answers it. Inside a word they
# name something (新材料产业, 时间银行), and stay.
ASPECTS = frozenset(("条件", "申请条件", "材料", "标准", "流程", "时间", "时候", "发放"))
# A year, as in 高龄津贴2025 or 2019年高龄津贴: entries name the years they apply in rarely.
_YEAR = re.compile(r"(?:19|20)[0-9]{2}(?:年|年度)|20[0-3][0-9]")
# An age or an amount in Chinese numerals (八十岁, 二十万, 一万五千元), not an estimate (几十万):
# entries write them in digits.
_CHINESE_NUMBER = re.compile(
    r"(?<![几数多])[零〇一二两三四五六七八九十百千万亿]+(?=周岁|岁|多岁|来岁|几岁|亿元|亿|万元|万|千元|元)"
)
# Lone characters of a question that carry the asking, not what is asked about (我能领, 去哪办,
# 找谁, 我妈, 能领钱); in a run with others they may be part of a word jieba does not know (失能,
# 在岗, 能繁), which stays.
FUNCTION_CHARACTERS = frozenset(
    "我你您他她是在有和与及或也都还就要想能会可把被给对向从到这那哪谁去领拿办找带妈爸人钱"
)
# Particles, never part of such a word: they only separate (生了孩子).
PARTICLES = frozenset("的了着过吗呢吧啊呀么")


@functools.cache
def segmenter():
    """jieba's tokenizer with its own dictionary (loaded once per process, about 0.6 s and
    90 MB; gunicorn loads it in its master, which its workers share: gunicorn.conf.py)."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for unit in ("多岁", "来岁", "几岁"):  # 80多岁, 70来岁, 80几岁: ages as people say them
        tokenizer.add_word(unit)
    return tokenizer


def segments(word, known=frozenset(), places=frozenset()):
    """The words of an unspaced Han phrase, as a person means them: 残疾人补贴 is 残疾人 and
    补贴, which an entry can hold apart (困难残疾人生活补贴). A phrase of two characters and a
    run of Latin letters stay whole; Latin letters and the rest are words apart where each is
    a word (syb培训 is syb and 培训, yanglao保险 is yanglao and 保险; not POS机, A类人才,
    5g基站). No word is cut inside a `known` word (a synonym) or a place's name: 最低生活保障金
    stays whole, so it is also read as 低保金. A place's name is a word of its own: 仲恺小升规
    is 仲恺 and 小升规; so is a known word that jieba read across its end into asking
    characters: 失业金领 is 失业金 and 领 (jieba's 金领 is a white-collar worker), where
    最低生活保障金 stays whole (保障金 is no asking), and so does 办公租房 (公租房 is a
    synonym, 办公 a word). A number keeps its unit (`UNITS`), the word after it:
    80岁老人每月100元 is 80岁, 老人, 每月, 100元.

    jieba leaves a word it does not know as lone characters: a run of them is one word (稳岗,
    失能, 在岗), unless all of them only carry the asking (`FUNCTION_CHARACTERS`: 我能领,
    去哪办); particles (`PARTICLES`) separate. A lone character beside words is dropped (交 of
    交医保, 满 of 满80岁), as beside asking words."""
    if _NUMBERS.fullmatch(word) is None and any(c.isdigit() for c in word):
        runs = [m[0] for m in _NUMBERS.finditer(word)]
        if "".join(runs) == word:
            return _around_numbers(runs, known, places) or [word]
    runs = [run for run in _LATIN.split(word) if run]
    if len(runs) > 1 and all(len(run) > 1 for run in runs):  # not POS机, A类, 5g基站
        return [p for run in runs for p in segments(run, known, places)]
    if len(word) <= 2 or not _HAN_RUN.fullmatch(word):
        return [word]
    parts = segmenter().lcut(word, HMM=False)
    cut = set(itertools.accumulate(map(len, parts)))  # where a part ends
    spans = list(itertools.pairwise([0, *sorted(cut)]))  # each part's start and end
    inside, bounds = set(), set()  # of the known words and places found in `word`
    for member in {m for m in known | places if len(m) > 1}:
        at = word.find(member)
        while at >= 0:
            end = at + len(member)
            inside |= set(range(at + 1, end))
            if member in places or any(
                at < s < end < e and set(word[end:e]) <= FUNCTION_CHARACTERS for s, e in spans
            ):
                bounds |= {at, end}
            at = word.find(member, at + 1)
    bounds -= inside | {0, len(word)}
    pieces, run, start = [], "", 0

    def flush():
        nonlocal run
        if not set(run) <= FUNCTION_CHARACTERS:
            pieces.append(run)
        run = ""

    for end in [*sorted((cut | bounds) - inside), None]:
        part = word[start:end] if end else ""
        if start in bounds:  # a known word begins or ends here, amid lone characters or not
            flush()
        start = end
        if len(part) == 1 and part not in PARTICLES:
            run += part
            continue
        flush()
        pieces += [part] if len(part) > 1 else []
    return [p for p in pieces if len(p) > 1] or [word]


def shorter_words(word):
    """The words of two characters or more that jieba's search mode finds inside a Han `word`,
    in order, other than `word` itself and words that name nothing (小额贷款: 小额, 贷款)."""
    if not _HAN_RUN.fullmatch(word) or len(word) <= 2:
        return []
    found = segmenter().cut_for_search(word, HMM=False)
    return list(dict.fromkeys(w for w in found if len(w) > 1 and w != word and w not in STOP_WORDS))


def _around_numbers(runs, known, places):
    """The words of a phrase with numbers in it, from its runs of digits and of Han characters:
    each number with its unit, the Han words around them cut as any phrase."""
    pieces, number = [], ""
    for run in runs:
        if run[0].isdigit():
            pieces += [number] if number else []
            number = run
            continue
        rest = run
        if number:
            unit = segmenter().lcut(run, HMM=False)[0]
            if unit in UNITS:
                number, rest = number + unit, run[len(unit) :]
            pieces.append(number)
            number = ""
        pieces += segments(rest, known, places) if len(rest) > 1 else []
    pieces += [number] if number else []
    return pieces


def _digits(match):
    """The digits of a Chinese numeral; a count of 万 or 亿 keeps it, as entries write (三万 is
    3万, 十亿 is 10亿)."""
    numeral = match[0]
    if not set(numeral) & set("零〇一二两三四五六七八九十"):  # a unit alone: 千元, 万元, 百岁
        return numeral
    unit = numeral[-1] if numeral[-1] in "万亿" else ""
    try:
        number = cn2an.cn2an(numeral.removesuffix(unit) if unit else numeral, "normal")
    except ValueError:  # not a number after all (十千)
        return numeral
    return f"{number}{unit}"


def parse(query, synonym_groups=(), limit=MAX_TERMS, places=()):
    """Split a query into terms (at most `limit`), each with the spellings its synonyms allow.
    Traditional characters are read as simplified (養老 is 养老), since the catalogue is
    written so, and ages and amounts in Chinese numerals as digits (八十岁 is 80岁). Each word
    is cut into the words it is made of (`segments`, which knows the synonyms and `places`),
    unless it is quoted (a quote never closed is ignored), and words that name nothing
    (`STOP_WORDS`, a year, or asking characters only, such as 能领) are left out when others
    remain, unless quoted. A term's `word` is what is left of the word it came from (法律援助 of
    我能领法律援助吗)."""
    known, places = frozenset(m for group in synonym_groups for m in group), frozenset(places)
    parts = _QUOTED.split(plain(capped(normalize(query))))
    if len(parts) % 2 == 0:  # a quote never closed
        parts[-2:] = [f"{parts[-2]} {parts[-1]}"]
    pieces = []  # (piece, which word it came from, quoted)
    for i, part in enumerate(parts):
        quoted = i % 2 == 1
        unquoted = () if quoted else ages.as_words(_CHINESE_NUMBER.sub(_digits, part))
        for word in _WORDS.split(part) if quoted else _words(unquoted):
            if _RUNS.search(word):
                whole = quoted or ages.is_whole(word)
                cut = [word] if whole else segments(word, known, places)
                pieces += [(piece, len(pieces), quoted) for piece in cut]

    ends = {word: i for i, (_piece, word, _quoted) in enumerate(pieces)}  # a word's last piece

    def names_something(i, piece, word, quoted):
        asking = set(piece) <= FUNCTION_CHARACTERS | PARTICLES
        aspect = piece in ASPECTS and ends[word] == i
        return quoted or not (piece in STOP_WORDS or asking or aspect or _YEAR.fullmatch(piece))

    pieces = [p for i, p in enumerate(pieces) if names_something(i, *p)] or pieces
    left = {}  # what is left of each word
    for piece, word, _quoted in pieces:
        left[word] = left.get(word, "") + piece
    terms = {}
    for piece, word, quoted in pieces:
        whole = expand(left[word], synonym_groups)
        spellings = expand(piece, synonym_groups)
        terms.setdefault(piece, Term(piece, spellings, left[word], whole, quoted))
    return list(terms.values())[:limit]


def capped(query):
    """`query` up to MAX_QUERY_LENGTH characters, without a word of a few characters that the
    cap would cut: its first part would search for something else (低 of 低保, a name-only
    character). A longer run (a pasted sentence) is cut where the cap falls."""
    if len(query) <= MAX_QUERY_LENGTH or _separates(query[MAX_QUERY_LENGTH]):
        return query[:MAX_QUERY_LENGTH]
    start = MAX_QUERY_LENGTH
    while start > MAX_QUERY_LENGTH - _CUT_WORD and not _separates(query[start - 1]):
        start -= 1
    return query[:start] if _separates(query[start - 1]) else query[:MAX_QUERY_LENGTH]


_CUT_WORD = 10  # the longest word `capped` drops whole


def _separates(character):
    """Whether `character` separates words, as `_WORDS` reads a query once normalized."""
    return bool(_WORDS.fullmatch(normalize(character)))


def read_aloud(terms):
    """The search of `terms` by their reading: each Han word in pinyin (the others as they
    are), which finds the names that sound the same. A word typed with a homophone, the input
    method's wrong pick (高领津贴 for 高龄津贴), finds nothing; its reading finds the entry. ""
    when nothing would read differently, or a term is quoted (then meant as written)."""
    if any(term.quoted for term in terms):
        return ""
    words = []
    for term in terms:
        if not _HAN_RUN.fullmatch(term.text):
            words.append(term.text)
            continue
        syllables = _readings(term.text)[0]
        if not all(syllables):
            return ""  # a character with no reading (兙): nothing to offer by sound
        words.append("".join(syllables))
    aloud = " ".join(words)
    return aloud if aloud != " ".join(term.text for term in terms) else ""


def plain(text):
    """`text` as queries are read: half-width, lower case, traditional characters as simplified
    (養老 is 养老), since the catalogue is written so."""
    return _simplified().convert(normalize(text))


def expand(word, synonym_groups):
    """`word` plus every spelling made by swapping a synonym for a word it contains. In each
    group the longest member found in `word` is swapped for each of the others. Groups do not
    chain: 补贴 is 奖励 for an enterprise, 补助 is not, so a word two groups apart is put in a
    group of its own (生小孩 生育). The synonyms of the whole word come first, so that no swap
    inside it crowds them out (失业补贴: 失业保险金 before 下岗补贴, 失业资助 …)."""
    whole = [member for group in synonym_groups if word in group for member in group]
    if _LATIN.fullmatch(word):  # laoren: 老人 and its synonyms, which no name's pinyin holds
        whole += _read_as(tuple(map(tuple, synonym_groups))).get(word, [])
    spellings = [word]
    for group in synonym_groups:
        found = max((m for m in group if m in word), key=len, default=None)  # the first so long
        if found:
            spellings = [s.replace(found, other) for s in spellings for other in group]
    return list(dict.fromkeys([word, *whole, *spellings]))[:MAX_ALTERNATIVES]


@functools.lru_cache(maxsize=4)
def _read_as(synonym_groups):
    """{full pinyin: the members of every group with a member read so}, for pinyin typed."""
    found = {}
    for group in synonym_groups:
        for member in group:
            if _HAN_RUN.fullmatch(member) and len(member) > 1:
                reading = "".join(_readings(member)[0])
                found.setdefault(reading, []).extend(m for m in group if m not in found[reading])
    return found


def _open_ended(token):
    """A lone Han character or a run of Latin letters matches as a prefix: 元 in 3000元以上
    (stored as 元以 以上), or a pinyin query such as "gaoling". A lone letter does not: most
    names' pinyin has a syllable starting with it (z found 122 of the demo's 165 entries)."""
    return bool(len(token) == 1 and _HAN_RUN.fullmatch(token)) or (
        token.isascii() and token.isalpha() and len(token) > 1
    )


def _phrase(spelling):
    """A tsquery phrase for one spelling: its tokens in order, the open-ended ones as prefixes.

    A number and its unit (3000元, 80周岁) is the stored number-and-unit lexeme alone, which
    means the same and needs no check of positions; in a longer spelling those lexemes are
    ANDed to the phrase, which they narrow in the index without changing what it matches."""
    toks = tokens(spelling)
    units = [f"'{number}{unit}'" for number, unit in _numbered(toks)]
    if units and not _is_phrase(toks):
        return units[0]
    phrase = " <-> ".join(f"'{token}':*" if _open_ended(token) else f"'{token}'" for token in toks)
    return " & ".join([*units, f"({phrase})"]) if units else phrase


def tsquery(terms, optional=False):
    """All terms must match; each term matches through any of its alternatives, and an age
    also through the statements holding it. With `optional` (see `ages_optional`), an age
    also matches an entry that states no age."""
    clauses = []
    for term in terms:
        phrases = [p for p in map(_phrase, term.alternatives) if p]
        phrases += [_holding(asked) for asked in term.ages]
        if term.ages and optional:
            phrases.append(f"!'{ages.ANY}'")
        if phrases:
            clauses.append("(" + " | ".join(f"({p})" for p in phrases) + ")")
    return " & ".join(clauses)


def _holding(asked):
    """The tsquery of `asked.needs()`."""

    def one_of(group):
        either = " | ".join(f"'{t}'" for t in sorted(group))
        return f"({either})" if len(group) > 1 else either

    return " | ".join(" & ".join(map(one_of, need)) for need in asked.needs())


def ages_optional(terms):
    """Whether the ages among `terms` also match entries that state no age, which serve every
    age: beside other words, which find what the entries are about (70岁 低保 finds the 低保
    entries that say nothing of age, and not one for children); an age alone finds the entries
    that state one holding it."""
    return any(t.ages for t in terms) and not all(t.ages for t in terms)


def grams(spelling):
    """The four-character grams of a spelling: each three adjacent bigrams that overlap
    (养老 老保 保险 → 养老保险), as migration 0016 reads them off every entry's vector. A gram
    with a character Unicode leaves unassigned is left out: the text parser drops those, so
    no entry holds it."""
    toks = tokens(spelling)
    return [
        a + c
        for a, b, c in zip(toks, toks[1:], toks[2:], strict=False)
        if len(a) == len(c) == 2
        and _HAN_RUN.fullmatch(a + c)
        and b == a[1] + c[0]
        and not any(unicodedata.category(ch) == "Cn" for ch in a + c)
    ]


def gram_query(terms):
    """A tsquery on the grams that every match of `terms` holds, "" when none narrows: a term
    narrows when each of its spellings has grams. Entries lacking them cannot match, so the
    gram index rules them out before any is checked against positions (养老保险补贴, whose
    bigrams are all common, has no entry holding 老保险补). Meant to be cast (`::tsquery`), not
    parsed: the grams are lexemes as stored."""
    clauses = []
    for term in terms:
        spellings = [grams(spelling) for spelling in term.alternatives]
        if all(spellings) and not term.ages:  # an age's token has no grams
            either = " | ".join("(" + " & ".join(f"'{g}'" for g in gs) + ")" for gs in spellings)
            clauses.append(f"({either})")
    return " & ".join(clauses)


def _like_pattern(toks):
    """The SQLite form of a spelling's phrase, given its tokens: adjacent in the stored text."""
    if not toks:
        return None
    return " " + " ".join(toks) + ("" if _open_ended(toks[-1]) else " ")


def _name_conditions(queryset, terms):
    """`queryset` with each one-character term looked for in names and summaries."""
    for term in terms:
        if term.single_character:
            text = term.text
            queryset = queryset.filter(Q(name__icontains=text) | Q(summary__icontains=text))
    return queryset


def search(queryset, terms):
    """Filter `queryset` to entries matching every term (`ranked` orders them).

    A one-character term matches inside names and summaries only: bigrams cannot find it
    and scanning every body for one character finds too much to be useful."""
    if not terms:
        return queryset
    indexed = [t for t in terms if not t.single_character]
    queryset = _name_conditions(queryset, terms)
    if connection.vendor == "postgresql" and indexed:
        query = tsquery(indexed, ages_optional(terms))
        if not query:
            return queryset.none()
        narrowed = gram_query(indexed)
        if narrowed:
            queryset = queryset.filter(
                RawSQL(
                    "catalog_policy.gram_vector @@ %s::tsquery",
                    [narrowed],
                    output_field=BooleanField(),
                )
            )
        matches = RawSQL(
            "catalog_policy.search_vector @@ to_tsquery('simple', %s)",
            [query],
            output_field=BooleanField(),
        )
        return queryset.filter(matches)
    optional = ages_optional(terms)
    for term in indexed:
        condition = Q()
        for spelling in term.alternatives:
            toks = tokens(spelling)
            pattern = _like_pattern(toks)
            if pattern:
                condition |= Q(search_document__contains=pattern)
            if _numbered(toks) and not _is_phrase(toks):  # 3000元: also its stored lexeme
                condition |= Q(search_document__contains=f" {''.join(toks)} ")
        for need in (need for asked in term.ages for need in asked.needs()):
            condition |= functools.reduce(operator.and_, map(_holding_any, need))
        if term.ages and optional:
            condition |= ~Q(search_document__contains=f" {ages.ANY} ")
        queryset = queryset.filter(condition) if condition else queryset.none()
    return queryset


def _holding_any(tokens):
    """The SQLite condition of a document holding one of `tokens`."""
    return functools.reduce(
        operator.or_, (Q(search_document__contains=f" {t} ") for t in sorted(tokens))
    )


def ranked(queryset, terms, local=None):
    """`queryset` annotated with the `rank` of each entry for `terms`, not filtered: for the
    results of `search`, or for entries already known to be among them (read by id), which
    then are not checked against the query again.

    An entry named exactly as the one word typed (not a synonym of it: 低保 does not put
    最低生活保障 above 城乡最低生活保障（低保）) comes first; then one whose name holds every
    word as typed (高龄津贴（惠城区） for 高龄津贴); then every term the words were cut into, as
    typed (求职创业补贴 for 求职补贴); then every word in any of its spellings (就业补贴); then
    every term so (就业见习补贴); then names holding some of the terms in any spelling, more of
    them first, and of as many those holding more as typed (for 高新技术企业认定奖励,
    高新技术企业认定 above 研发机构奖励; for 殡葬补贴, 殡葬基本服务费用免除 above a name holding
    only 资助, a synonym of 补贴; for 看病报销, 医疗救助 above 生育保险). Within each of those
    steps, entries of the `local` region's own volume (the county chosen) come first:
    困难残疾人生活补贴（博罗县） above the city's 困难残疾人生活补贴 for someone in 博罗. Then, on
    PostgreSQL, `ts_rank` with the title part weighted above the body, squeezed below 1 and
    scaled so that it orders entries within a step, never across."""
    if not terms:
        return queryset
    words = {term.word: term.whole for term in terms}
    cut = any(term.text != term.word for term in terms)  # some word was cut, or cut short
    tiers = [  # as typed before synonyms; whole words before the terms they were cut into
        (len(words) == 1, (f"{_NAME} = UPPER(%s)", [next(iter(words))])),
        (True, _in_name([word] for word in words)),
        (cut, _in_name([t.text] for t in terms)),
        (True, _in_name(words.values())),
        (cut, _in_name(t.alternatives for t in terms)),
    ]
    # One expression in SQL rather than a tree of Django expressions: building and compiling
    # that tree took about as long as the search itself.
    sql, params = ["CASE"], []
    for n, (wanted, (condition, values)) in enumerate(tiers):
        if wanted:
            sql.append(f"WHEN {condition} THEN {6.0 - n}")
            params += values
    # Below the tiers, the terms the name holds in any spelling, and of those how many as
    # typed: (k + 1) × held + typed, over k (k + 1) for k terms, below 1 and in steps of 1/72
    # at least (k is at most MAX_TERMS, 8).
    k = len(terms)
    held = [(k + 1, _in_name([t.alternatives])) for t in terms]
    held += [(1, _in_name([[t.text]])) for t in terms]
    held = held if k > 1 else []  # one term in the name is a tier already
    sql.append("ELSE (0" + "".join(f" + CASE WHEN {c} THEN {w} ELSE 0 END" for w, (c, _) in held))
    sql.append(f") / {k * (k + 1)}.0 END")
    params += [value for _, (_, values) in held for value in values]
    # Within a step, 0.007 for the local volume, then under 0.005 from ts_rank r, as
    # r / (1 + r): r can pass 1 (each prefix a pinyin term matches adds), and its order stays,
    # down to the 1e-16 of body matches (1 - 1 / (1 + r) would round those to 0). r is read
    # once, in a subquery: each read unpacks the entry's vector.
    if local is not None:
        sql.append("+ CASE WHEN catalog_policy.region_id = %s THEN 0.007 ELSE 0.0 END")
        params.append(local)
    query = tsquery([t for t in terms if not t.single_character], ages_optional(terms))
    if connection.vendor == "postgresql" and query:
        sql.append("+ (SELECT 0.005 * r / (1 + r) FROM (SELECT ts_rank('{0.1, 0.2, 0.4, 1.0}',")
        sql.append("catalog_policy.search_vector, to_tsquery('simple', %s)) AS r) AS ts)")
        params.append(query)
    # The SQL is this function's own; every value typed is a parameter.
    rank = RawSQL(" ".join(sql), params, output_field=FloatField())  # noqa: S611
    return queryset.annotate(rank=rank)


_NAME = "UPPER(catalog_policy.name)"
_NAME_HOLDS = f"{_NAME} LIKE UPPER(%s) ESCAPE '\\'"  # what `icontains` asks, case aside


def _in_name(spellings_per_word):
    """SQL and its parameters for a name holding each word in one of its spellings."""
    clauses, params = [], []
    for spellings in map(list, spellings_per_word):
        clauses.append("(" + " OR ".join([_NAME_HOLDS] * len(spellings)) + ")")
        params += [f"%{connection.ops.prep_for_like_query(s)}%" for s in spellings]
    return "(" + " AND ".join(clauses) + ")", params


def title_subset(queryset, terms):
    """The entries of `queryset` whose title part alone (name, summary, tags, pinyin) matches
    every term: a subset of `search(queryset, terms)`, since the title tokens keep their
    positions in the whole vector. Cheap to count, because the title vector is small, kept in
    the row and indexed. None on SQLite, which has no title vector."""
    indexed = [t for t in terms if not t.single_character]
    if not indexed or connection.vendor != "postgresql":
        return None  # one-character terms already read titles only: nothing cheaper to count
    queryset = _name_conditions(queryset, terms)
    # Ages as stated only: a title that states none may not be all its entry says.
    query = tsquery(indexed)
    if not query:
        return queryset.none()
    return queryset.filter(
        RawSQL(
            "catalog_policy.title_vector @@ to_tsquery('simple', %s)",
            [query],
            output_field=BooleanField(),
        )
    )


class Shares(dict):
    """{lexeme: share of entries holding it} for the commonest lexemes; a lexeme not listed
    has at most the smallest share listed for its vector (`floors`: grams, then bigrams and the
    rest), since ANALYZE lists every lexeme above a threshold."""

    def __init__(self, shares=(), floors=(0.0, 0.0)):
        super().__init__(shares)
        self.floors = floors

    def __missing__(self, lexeme):
        return self.floors[0] if _is_gram(lexeme) else self.floors[1]


def _is_gram(lexeme):
    """Grams are the only lexemes of four Han characters: Han runs are stored as bigrams."""
    return len(lexeme) == 4 and bool(_HAN_RUN.fullmatch(lexeme))


def lexeme_shares():
    """The `Shares` of the search vectors' and the gram vectors' lexemes, from PostgreSQL's
    statistics (kept by ANALYZE); empty elsewhere or before any ANALYZE."""
    if connection.vendor != "postgresql":
        return Shares()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, most_common_elems::text::text[], most_common_elem_freqs"
            " FROM pg_stats WHERE schemaname = current_schema()"
            " AND tablename = 'catalog_policy' AND attname IN ('gram_vector', 'search_vector')"
            " AND most_common_elems IS NOT NULL ORDER BY attname"
        )
        rows = cursor.fetchall()
    shares, floors = {}, {"gram_vector": 0.0, "search_vector": 0.0}
    for attname, lexemes, frequencies in rows:
        shares |= zip(lexemes, frequencies[: len(lexemes)], strict=True)
        floors[attname] = frequencies[len(lexemes)]  # then the smallest, the largest, nulls
    return Shares(shares, (floors["gram_vector"], floors["search_vector"]))


def dense(terms, shares):
    """Whether `terms` hold a phrase and are estimated to match at least DENSE_SHARE of the
    entries; `shares()` gives the commonest lexemes' shares (see `lexeme_shares`), and is
    called only for a phrase.

    The GIN index can only propose candidates for a phrase, and it collects every one before
    the first is checked: for a phrase in half the entries, tens of thousands. Reading entries
    in index order and checking each finds the first thousand matches sooner. PostgreSQL cannot
    know that a phrase is common, because it multiplies the shares of its bigrams as if they
    were independent; a phrase is found at most as often as its rarest bigram or gram, and for
    text about as often (养老保险补贴 has common bigrams, but its gram 老保险补 is rare). The
    words of one typed phrase (城乡居民 基本 养老保险 of 城乡居民基本养老保险) are found together
    about as often as the rarest of them; the typed words multiply (they are independent
    enough). A term takes its commonest spelling, and a lexeme missing from the statistics
    counts as the rarest they list."""
    indexed = [t for t in terms if not t.single_character]
    if not indexed or len(indexed) < len(terms):
        return False  # one-character terms filter names by a pattern: their share is unknown
    if not any(_is_phrase(tokens(s)) for term in indexed for s in term.alternatives):
        return False
    known, words = shares(), {}
    for term in indexed:
        share = max(
            min((known[t] for t in tokens(spelling) + grams(spelling)), default=0.0)
            for spelling in term.alternatives
        )
        words[term.word] = min(words.get(term.word, 1.0), share)
    return math.prod(words.values()) >= DENSE_SHARE


def walked_count(queryset, terms, limit):
    """How many of the first WALK entries of `queryset` that the database reads match `terms`,
    up to `limit`, and whether those were all of its entries (then the count is exact): a part
    of the results that is cheap to count when they are dense, because each entry read is
    checked at once. The subquery's LIMIT keeps PostgreSQL from turning to the GIN index, so a
    phrase that proves rare costs WALK checks at most."""
    walked = queryset.order_by().annotate(vector=RawSQL("catalog_policy.search_vector", []))
    try:
        sql, params = walked.values("vector")[:WALK].query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # the other filters can match nothing
        return 0, True
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM ({sql}) walked"  # noqa: S608 -- Django's SQL
            " WHERE walked.vector @@ to_tsquery('simple', %s) LIMIT %s) found",
            [*params, tsquery(terms, ages_optional(terms)), limit],
        )
        found = cursor.fetchone()[0]
    return found, found < limit and walked.values("pk")[:WALK].count() < WALK


# Highlighting.


def _marks(terms):
    """A pattern for every spelling of every term, longest first, case-insensitive; a number
    also matches written with thousands separators (3000元 marks 3,000元)."""
    return _pattern(frozenset(s for term in terms for s in term.alternatives if s.strip()))


@functools.lru_cache(maxsize=256)
def _pattern(spellings):
    """Built once per set of spellings: a results page highlights three fields of each card."""
    if not spellings:
        return None
    ordered = sorted(spellings, key=lambda s: (-len(s), s))
    return re.compile(
        "|".join(
            _whole_number(_BETWEEN_DIGITS.sub(",?", re.escape(_THOUSANDS.sub("", s))), s)
            for s in ordered
        ),
        re.IGNORECASE,
    )


def _whole_number(pattern, spelling):
    """A spelling that starts or ends with a digit is marked only where its number does not go
    on (1 is not marked in 100,000元 or 1.5倍, which the search did not match for it)."""
    start = "(?<![0-9])(?<![0-9][.,])" if spelling[:1].isdigit() else ""
    end = "(?![.,]?[0-9])" if spelling[-1:].isdigit() else ""
    return start + pattern + end


def _age_spans(text, terms):
    """Where `text` states ages holding an age `terms` name (80至89岁 for 85岁)."""
    return ages.spans(text, {asked for term in terms for asked in term.ages})


def highlight(text, terms, pinyin=False):
    """`text`, escaped, with every spelling of every term wrapped in <mark>; with `pinyin`
    (for names, which are indexed with their pinyin), also the characters a pinyin term
    matched (养老 for yanglao or ylbx)."""
    text = text or ""
    pattern = _marks(terms)
    spans = [match.span() for match in pattern.finditer(text)] if pattern else []
    spans += _age_spans(text, terms)
    if pinyin:
        spans += _pinyin_spans(text, terms)
    if not spans:
        return escape(text)  # most of a page's texts: no need to build pieces
    merged = []  # overlapping and touching spans are one mark (高龄补贴 of 高龄 and 补贴)
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, last = [], 0
    for start, end in merged:
        pieces.append((text[last:start], text[start:end]))
        last = end
    return format_html(
        "{}{}",
        format_html_join("", "{}<mark>{}</mark>", pieces),
        text[last:],
    )


def marks(text, term, pinyin=False):
    """Whether `highlight` marks something of `term` in `text` (with `pinyin`, as for names)."""
    pattern = _marks([term])
    if (pattern and pattern.search(normalize(text))) or _age_spans(text, [term]):
        return True
    return bool(pinyin and text and _pinyin_spans(text, [term]))


@functools.lru_cache(maxsize=4096)
def _readings(han):
    """The syllables and the initials of each character of `han`: names recur from page to
    page, and reading them takes about 0.1 ms each. A character without a reading (兙, whose
    reading pypinyin holds empty, where its own initials would fail) reads as ""."""
    syllables = lazy_pinyin(han, errors=lambda chunk: [""] * len(chunk))
    return [syllables, [syllable[:1] for syllable in syllables]]


def _pinyin_spans(text, terms):
    """Where a pinyin term matched `text`: from a Han character on, as many as its full pinyin
    or its initials need to begin with the term, as `pinyin_tokens` indexed them."""
    words = {s for t in terms for s in t.alternatives if s.isascii() and s.isalpha() and len(s) > 1}
    places = [i for i, c in enumerate(text) if _HAN_RUN.fullmatch(c)]
    if not words or not places:
        return []
    spans = []
    for syllables in _readings("".join(text[i] for i in places)):
        if len(syllables) != len(places):
            continue  # cannot tell which character gave which syllable
        for first, word in itertools.product(range(len(places)), words):
            reads = itertools.accumulate(syllables[first:])  # 养, 养老, 养老保 … in pinyin
            long_enough = ((k, read) for k, read in enumerate(reads) if len(read) >= len(word))
            last, read = next(long_enough, (0, ""))
            if read.startswith(word):
                spans.append((places[first], places[first + last] + 1))
    return spans


def _cuts_number(text, at):
    """Whether cutting `text` at `at` splits a run of digits and Latin letters (3,000 or 1.5)."""
    return 0 < at < len(text) and all(
        c.isascii() and (c.isalnum() or c in ",.") for c in text[at - 1 : at + 1]
    )


def snippet(texts, terms, width=60, around=None):
    """The first of `texts` that contains a term, cut to about `width` characters around the
    first match and highlighted; None when no text contains one. With `around`, the first
    match of those terms (the ones a card must show) instead; every term is highlighted."""
    pattern = _marks(around or terms)
    for text in texts:
        hit = pattern and pattern.search(normalize(text))
        hits = [_unnormalized(text, hit.span())] if hit else []
        hits += _age_spans(text, around or terms)[:1]
        if hits:
            hit_start, hit_end = min(hits)
            # A text that fits is shown whole; else from a little before the match, never
            # cutting a number (…0周岁 for 80周岁, 每月100… for 1000) and never leaving the end
            # short. A number longer than the slack is cut after all: the match stays shown.
            start = max(0, min(hit_start - width // 3, len(text) - width))
            while start > hit_end - width and _cuts_number(text, start):
                start -= 1
            end = start + width
            while end < min(len(text), start + width + 12) and _cuts_number(text, end):
                end += 1
            # Nor an age statement, whose meaning a cut could change (不|超过60周岁).
            for first, last in ages.statements(text):
                start = first if first < start < last else start
                end = last if first < end < last else end
            return format_html(
                "{}{}{}",
                "…" if start else "",
                highlight(text[start:end], terms),
                "…" if end < len(text) else "",
            )
    return None


def _unnormalized(text, span):
    """Where `span` of `normalize(text)` lies in `text`: NFKC makes some characters longer
    (…… is ......, ㎡ is m2) and joins others (e and a combining accent), which would move a
    cut made at the normalized positions. Found by bisecting the lengths of normalized
    prefixes, which never shrink as the prefix grows."""
    if len(normalize(text)) == len(text):
        return span

    def length(i):
        return len(unicodedata.normalize("NFKC", text[:i]).lower())

    places = range(len(text) + 1)
    start = bisect.bisect_right(places, span[0], key=length) - 1
    return start, bisect.bisect_left(places, span[1], key=length)
