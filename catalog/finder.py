"""政策找人: which entries a person or enterprise qualifies for, what to ask next, and the money.

Nothing here stores anything: answers come in as a mapping (the query string) and go out as
verdicts. The rules are data (`EligibilityRule`, `AmountBand`); the facts are `eligibility.FACTS`.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from . import eligibility
from .eligibility import ENTERPRISE, FACTS, PERSON, UNKNOWN
from .models import Amount, EligibilityRule, ListKind, Policy, Unit

QUESTIONS_PER_STEP = 4
KIND_OF = {PERSON: ListKind.RESIDENT, ENTERPRISE: ListKind.ENTERPRISE}

QUALIFY, MAYBE, NO = "qualify", "maybe", "no"


def parse_answers(who, data):
    """{fact key: parsed answer} for the facts of `who` present in `data` (a QueryDict or dict).
    A fact present with an empty or unusable value is UNKNOWN ("不清楚"); absent means not asked."""
    return {
        key: eligibility.parse_answer(fact, data.get(key))
        for key, fact in FACTS.items()
        if fact.who == who and key in data
    }


def candidates(who, region):
    """Published entries of the list for `who` in the volumes covering `region`, with rules."""
    return list(
        Policy.objects.published()
        .filter(domain__kind=KIND_OF[who], region__in=region.covering_ids(), rules__isnull=False)
        .distinct()
        .select_related("region", "domain", "department")
        .prefetch_related(
            Prefetch("rules", queryset=EligibilityRule.objects.order_by("pk")),
            "bands",
            "materials",
        )
        .order_by("code")
    )


@dataclass
class Estimate:
    """Money for one entry: per year (monthly amounts count twelve times) or one-off."""

    low: Decimal
    high: Decimal
    one_off: bool

    @property
    def is_range(self):
        return self.low != self.high


@dataclass
class Verdict:
    policy: Policy
    outcome: str
    met: list = field(default_factory=list)
    unknown: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    estimate: Estimate | None = None
    alternatives: list = field(default_factory=list)

    @property
    def reason(self):
        """One plain line: why, or what is still to be checked."""
        if self.outcome == NO:
            return _("不符合：") + "；".join(self.failed)
        if self.outcome == MAYBE:
            checks = "、".join(str(fact.question).rstrip("？?") for fact in self.unknown)
            return _("还需确认：") + checks
        return _("您") + "，".join(self.met)


def rule_text(rule):
    """What a rule says, for a person: its own reason, or the question and what it asks for."""
    if rule.reason:
        return rule.reason
    fact = FACTS[rule.fact]
    word = {eligibility.AT_LEAST: _("不低于"), eligibility.AT_MOST: _("不高于")}.get(
        rule.operator, ""
    )
    return f"{str(fact.question).rstrip('？?')}：{word}{eligibility.value_text(fact, rule.value)}"


def judge(policy, answers):
    """The verdict on one entry: every rule met → qualify; any rule broken → no; else maybe."""
    verdict = Verdict(policy, QUALIFY)
    for rule in policy.rules.all():
        fact = FACTS.get(rule.fact)
        if fact is None:
            continue
        result = eligibility.judge(fact, rule.operator, rule.expected, answers.get(rule.fact))
        if result is True:
            verdict.met.append(rule_text(rule))
        elif result is False:
            verdict.failed.append(rule_text(rule))
        elif fact not in verdict.unknown:
            verdict.unknown.append(fact)
    if verdict.failed:
        verdict.outcome = NO
    elif verdict.unknown:
        verdict.outcome = MAYBE
    verdict.estimate = estimate(policy, answers)
    return verdict


def estimate(policy, answers):
    """The entry's money for this person, or None when the entry states no sum.

    An age-banded entry pays the band the answer falls in; without the answer, the range of
    its bands. Rates and entries without an amount give no figure: none is made up."""
    if policy.amount_kind in (Amount.NONE, Amount.RATE):
        return None
    low, high = policy.amount_min, policy.amount_max or policy.amount_min
    bands = list(policy.bands.all())
    if bands:
        value = answers.get(bands[0].fact)
        chosen = [b for b in bands if value not in (None, UNKNOWN) and b.covers(Decimal(value))]
        amounts = [b.amount for b in (chosen or bands)]
        low, high = min(amounts), max(amounts)
    factor = 12 if policy.amount_unit == Unit.PER_MONTH else 1
    return Estimate(low * factor, high * factor, policy.amount_unit == Unit.ONE_OFF)


def evaluate(policies, answers):
    """Verdicts on `policies`, grouped, each group by value (largest first).

    A county entry that localizes a city entry replaces it when both are in play: it is the
    same benefit, applied for locally. Entries of the same exclusive group that are both in
    play know of each other (`alternatives`)."""
    verdicts = [judge(policy, answers) for policy in policies]
    localized = {v.policy.parent_id for v in verdicts if v.outcome != NO and v.policy.parent_id}
    verdicts = [v for v in verdicts if v.policy.pk not in localized]
    groups = {QUALIFY: [], MAYBE: [], NO: []}
    for verdict in verdicts:
        groups[verdict.outcome].append(verdict)
    for group in groups.values():
        group.sort(key=lambda v: -(v.estimate.high if v.estimate else -1))
    in_play = groups[QUALIFY] + groups[MAYBE]
    for verdict in in_play:
        group = verdict.policy.exclusive_group
        verdict.alternatives = [
            other.policy
            for other in in_play
            if group and other is not verdict and other.policy.exclusive_group == group
        ]
    return groups


def next_questions(policies, answers, limit=QUESTIONS_PER_STEP):
    """The facts not yet asked that still decide something: those in rules of entries no
    answer has ruled out, most widely used first."""
    uses = Counter()
    for verdict in (judge(p, answers) for p in policies):
        if verdict.outcome != NO:
            uses.update(fact.key for fact in verdict.unknown if fact.key not in answers)
    order = list(FACTS)
    ranked = sorted(uses, key=lambda key: (-uses[key], order.index(key)))
    return [FACTS[key] for key in ranked[:limit]]


@dataclass
class Total:
    yearly_low: Decimal = Decimal(0)
    yearly_high: Decimal = Decimal(0)
    one_off_low: Decimal = Decimal(0)
    one_off_high: Decimal = Decimal(0)
    counted: int = 0


def total(verdicts):
    """算清受益账: the yearly and the one-off sums of `verdicts` that state an amount. Of
    entries in the same exclusive group (可二选一) only the one worth most counts."""
    best = {}
    for verdict in verdicts:
        if verdict.estimate is None:
            continue
        group = verdict.policy.exclusive_group or f"#{verdict.policy.pk}"
        kept = best.get(group)
        if kept is None or verdict.estimate.high > kept.estimate.high:
            best[group] = verdict
    result = Total(counted=len(best))
    for verdict in best.values():
        money = verdict.estimate
        if money.one_off:
            result.one_off_low += money.low
            result.one_off_high += money.high
        else:
            result.yearly_low += money.low
            result.yearly_high += money.high
    return result


def checklist(policies):
    """Every material of `policies` once, in first-seen order, with the entries needing it."""
    items = {}
    for policy in policies:
        for material in policy.materials.all():
            key = "".join(material.name.split())
            entry = items.setdefault(key, {"name": material.name, "policies": []})
            entry["policies"].append(policy)
    return list(items.values())


def answer_label(fact, value):
    """An answer as the person would say it."""
    if value == UNKNOWN:
        return _("不清楚")
    if fact.kind == eligibility.YES_NO:
        return _("是") if value else _("否")
    if fact.kind == eligibility.NUMBER:
        return f"{value:g}{fact.unit}"
    return str(dict(fact.choices).get(value, value))
