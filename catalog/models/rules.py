"""What 政策找人 knows about an entry: structured conditions and age-banded amounts."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from catalog import eligibility

from .policy import Policy


class EligibilityRule(models.Model):
    """One condition of an entry on one fact of the finder's vocabulary; all must hold."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="rules")
    fact = models.CharField(_("条件项"), max_length=30, choices=eligibility.FACT_CHOICES)
    operator = models.CharField(
        _("判断"), max_length=5, choices=eligibility.OPERATORS, default=eligibility.EQUALS
    )
    value = models.CharField(
        _("取值"),
        max_length=200,
        help_text=_("数字填阿拉伯数字；是/否填 yes 或 no；多个取值用逗号分隔。"),
    )
    reason = models.CharField(
        _("说明"),
        max_length=100,
        blank=True,
        help_text=_("符合时给申请人看的话，如“年满80周岁”。留空则自动生成。"),
    )

    history = HistoricalRecords(verbose_name=_("结构化申领条件历史版本"))

    class Meta:
        verbose_name = _("申领条件（结构化）")
        verbose_name_plural = _("申领条件（结构化）")
        ordering = ["policy", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(operator__in=[op for op, _label in eligibility.OPERATORS]),
                name="rule_operator_known",
            ),
        ]

    def __str__(self):
        return f"{self.fact} {self.operator} {self.value}"

    def clean(self):
        fact = eligibility.FACTS.get(self.fact)
        if fact is None:
            raise ValidationError({"fact": _("未知的条件项。")})
        try:
            eligibility.parse_rule_value(fact, self.operator, self.value)
        except (ValueError, KeyError):
            raise ValidationError(
                {
                    "value": _(
                        "取值与条件项不符：数字条件填数字，是/否条件填 yes 或 no，选项填选项代码。"
                    )
                }
            ) from None

    @property
    def expected(self):
        fact = eligibility.FACTS[self.fact]
        return eligibility.parse_rule_value(fact, self.operator, self.value)


class AmountBand(models.Model):
    """A different amount for a range of one numeric fact, e.g. 90–99 岁 每月200元."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="bands")
    fact = models.CharField(
        _("按哪一项分档"),
        max_length=30,
        choices=[(k, f.question) for k, f in eligibility.FACTS.items() if f.kind == "number"],
        default="age",
    )
    low = models.DecimalField(_("自（含）"), max_digits=12, decimal_places=2)
    high = models.DecimalField(
        _("至（含）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("留空表示不封顶。"),
    )
    amount = models.DecimalField(
        _("金额（元）"), max_digits=12, decimal_places=2, help_text=_("计发周期同条目。")
    )

    history = HistoricalRecords(verbose_name=_("分档金额历史版本"))

    class Meta:
        verbose_name = _("分档金额")
        verbose_name_plural = _("分档金额")
        ordering = ["policy", "fact", "low"]
        constraints = [
            models.CheckConstraint(
                condition=Q(high__isnull=True) | Q(low__lte=F("high")), name="band_ordered"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="band_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.fact} {self.low}–{self.high or '∞'}: {self.amount}"

    def clean(self):
        if self.high is not None and self.low is not None and self.low > self.high:
            raise ValidationError({"high": _("分档上限不能小于下限。")})

    def covers(self, value):
        return self.low <= value and (self.high is None or value <= self.high)
