"""The facts 政策找人 asks about, and how a rule on a fact is judged.

Adding a fact is one entry in FACTS: its key (stored in rules and used in the finder's URL),
who it is asked of, the question, and the kind of answer. Rules (`EligibilityRule`) name a fact,
an operator and a value; finance staff edit them in the admin.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PERSON = "person"
ENTERPRISE = "enterprise"

NUMBER = "number"
YES_NO = "yes_no"
CHOICE = "choice"
TAGS = "tags"  # one of the slugs of a tag table staff edit (sectors, enterprise types)

UNKNOWN = ""  # "不清楚": answered, but not known


@dataclass(frozen=True)
class Fact:
    key: str
    who: str
    question: str
    kind: str
    unit: str = ""
    choices: tuple = ()
    tag_model: str = ""
    help: str = ""
    limits: tuple = (0, 200)


FACTS = {
    fact.key: fact
    for fact in [
        Fact("age", PERSON, _("您的年龄（周岁）"), NUMBER, unit=_("岁"), limits=(0, 130)),
        Fact(
            "assistance",
            PERSON,
            _("您家是否属于以下困难群体？"),
            CHOICE,
            choices=(
                ("dibao", _("低保对象")),
                ("tekun", _("特困人员")),
                ("low_income", _("低收入家庭（低保边缘）")),
                ("none", _("都不是")),
            ),
        ),
        Fact(
            "disability",
            PERSON,
            _("您是否持有残疾人证？等级是？"),
            CHOICE,
            choices=(
                ("1", _("一级")),
                ("2", _("二级")),
                ("3", _("三级")),
                ("4", _("四级")),
                ("none", _("没有残疾人证")),
            ),
            help=_("按残疾人证上的等级选择。"),
        ),
        Fact("veteran", PERSON, _("您是退役军人吗？"), YES_NO),
        Fact(
            "student",
            PERSON,
            _("您（或要申请的孩子）现在在读什么学段？"),
            CHOICE,
            choices=(
                ("preschool", _("幼儿园")),
                ("compulsory", _("小学或初中")),
                ("high_school", _("普通高中")),
                ("vocational", _("中职（技工）学校")),
                ("college", _("大学（含高职）")),
                ("none", _("不在读")),
            ),
        ),
        Fact(
            "graduated_years",
            PERSON,
            _("您高校（含技工院校）毕业几年了？未毕业或未上过大学请选“不清楚”"),
            NUMBER,
            unit=_("年"),
            limits=(0, 60),
            help=_("今年毕业填 0。"),
        ),
        Fact("unemployed", PERSON, _("您是否已办理失业登记？"), YES_NO),
        Fact("starting_business", PERSON, _("您是否正在创业或打算创业？"), YES_NO),
        Fact("pregnant", PERSON, _("家里是否有孕妇或准备怀孕？"), YES_NO),
        Fact("farmer", PERSON, _("您是否从事农业生产（种地、养殖）？"), YES_NO),
        Fact("orphan", PERSON, _("是否为孤儿或事实无人抚养儿童？"), YES_NO),
        Fact(
            "children",
            PERSON,
            _("家里有几个未成年子女？"),
            NUMBER,
            unit=_("个"),
            limits=(0, 20),
        ),
        Fact(
            "sector",
            ENTERPRISE,
            _("企业所属行业"),
            TAGS,
            tag_model="sector",
        ),
        Fact(
            "etype",
            ENTERPRISE,
            _("企业类型"),
            TAGS,
            tag_model="enterprisetype",
        ),
        Fact(
            "employees",
            ENTERPRISE,
            _("在职员工人数"),
            NUMBER,
            unit=_("人"),
            limits=(0, 1_000_000),
        ),
        Fact(
            "revenue",
            ENTERPRISE,
            _("上年度营业收入（万元）"),
            NUMBER,
            unit=_("万元"),
            limits=(0, 100_000_000),
        ),
        Fact(
            "years_registered",
            ENTERPRISE,
            _("企业注册成立几年了？"),
            NUMBER,
            unit=_("年"),
            limits=(0, 200),
            help=_("不满一年填 0。"),
        ),
        Fact("high_tech", ENTERPRISE, _("是否为国家高新技术企业？"), YES_NO),
        Fact(
            "hires_graduates", ENTERPRISE, _("近一年是否招用了高校毕业生或就业困难人员？"), YES_NO
        ),
    ]
}

FACT_CHOICES = [(fact.key, f"{fact.question}（{fact.key}）") for fact in FACTS.values()]

EQUALS = "eq"
ONE_OF = "in"
AT_LEAST = "gte"
AT_MOST = "lte"
OPERATORS = [
    (EQUALS, _("等于 / 是")),
    (ONE_OF, _("属于其中之一")),
    (AT_LEAST, _("至少（≥）")),
    (AT_MOST, _("至多（≤）")),
]


def parse_answer(fact, raw):
    """An answer from the URL as a Python value: a number, True/False, a choice or tag slug;
    UNKNOWN for "不清楚" and for anything that does not fit (never an error)."""
    raw = (raw or "").strip()
    if raw == UNKNOWN:
        return UNKNOWN
    if fact.kind == NUMBER:
        try:
            value = float(raw)
        except ValueError:
            return UNKNOWN
        low, high = fact.limits
        return value if low <= value <= high else UNKNOWN
    if fact.kind == YES_NO:
        return {"yes": True, "no": False}.get(raw, UNKNOWN)
    if fact.kind == CHOICE:
        return raw if raw in {value for value, _label in fact.choices} else UNKNOWN
    return raw if raw.replace("-", "").replace("_", "").isalnum() and len(raw) <= 50 else UNKNOWN


def value_text(fact, text):
    """A rule's stored value in words: choice codes by their labels, yes/no as 是/否, several
    values joined with 、, then the fact's unit (80 → 80岁)."""
    labels = {**dict(fact.choices), "yes": _("是"), "no": _("否")}
    values = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    return "、".join(str(labels.get(v, v)) for v in values) + str(fact.unit)


def parse_rule_value(fact, operator, text):
    """A rule's stored value as what answers compare with; raises ValueError when it cannot be."""
    parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    if operator == ONE_OF:
        if not parts:
            raise ValueError
        return [parse_rule_value(fact, EQUALS, part) for part in parts]
    if len(parts) != 1:
        raise ValueError
    value = parts[0]
    if fact.kind == NUMBER:
        return float(value)
    if operator in (AT_LEAST, AT_MOST):
        raise ValueError
    if fact.kind == YES_NO:
        return {"yes": True, "no": False, "是": True, "否": False}[value]
    if fact.kind == CHOICE and value not in {v for v, _label in fact.choices}:
        raise ValueError
    return value


def judge(fact, operator, expected, answer):
    """True or False when the answer decides the rule, None when the answer is unknown."""
    if answer == UNKNOWN or answer is None:
        return None
    if operator == ONE_OF:
        return answer in expected
    if operator == AT_LEAST:
        return answer >= expected
    if operator == AT_MOST:
        return answer <= expected
    return answer == expected
