"""基本公共服务 (SPEC §9): how far each region provides the standard items every 村(居) must offer.
The items themselves are entries (`Policy` with `village_standard`)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .policy import Policy
from .reference import ListKind, Region


class Provision(models.TextChoices):
    PROVIDED = "provided", _("已全面提供")
    PARTLY = "partly", _("部分提供")
    NOT_YET = "not_yet", _("尚未提供")


class VillageItemStatusManager(models.Manager):
    """Loads fixtures by region slug and item code and edition, never by primary keys."""

    def get_by_natural_key(self, region, code, edition):
        return self.get(region__slug=region, item__code=code, item__edition=edition)


class VillageItemStatus(models.Model):
    """Whether the 村(居) of one county/district provide one village standard item. One row per
    region and item; a missing row counts as 尚未提供."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("县（区）"),
        on_delete=models.PROTECT,
        related_name="village_statuses",
    )
    item = models.ForeignKey(
        Policy,
        verbose_name=_("村（居）标准项目"),
        on_delete=models.CASCADE,
        related_name="village_statuses",
        limit_choices_to={"village_standard": True, "domain__kind": ListKind.PUBLIC_SERVICE},
    )
    status = models.CharField(
        _("落实情况"), max_length=10, choices=Provision.choices, default=Provision.NOT_YET
    )
    note = models.CharField(
        _("说明"), max_length=200, blank=True, help_text=_("如：已覆盖的村（居）数、计划完成时间。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = VillageItemStatusManager()

    class Meta:
        verbose_name = _("村（居）标准项目落实情况")
        verbose_name_plural = _("村（居）标准项目落实情况")
        ordering = ["region__order", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "item"], name="village_status_once"),
            models.CheckConstraint(
                condition=Q(status__in=Provision.values), name="village_status_known"
            ),
        ]

    def __str__(self):
        return f"{self.region} · {self.item.name}"

    def natural_key(self):
        return (self.region.slug, *self.item.natural_key())

    natural_key.dependencies = ["catalog.region", "catalog.policy"]

    def clean(self):
        errors = {}
        if self.region_id and self.region.parent_id is None:
            errors["region"] = _("落实情况按县（区）、功能区填写，市级总册不单独填写。")
        if self.item_id and not (self.item.village_standard and self.item.is_service):
            errors["item"] = _("只能选择标注为村（居）标准项目的基本公共服务。")
        if errors:
            raise ValidationError(errors)
