"""Reference data staff edit: the volumes, the domains, departments and tag vocabularies."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SlugManager(models.Manager):
    """Loads fixtures by slug so they never depend on primary keys."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class SlugNaturalKey:
    def natural_key(self):
        return (self.slug,)


class ListKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("惠企政策")
    RESIDENT = "resident", _("利民政策")
    PUBLIC_SERVICE = "public_service", _("基本公共服务")


# The order of the lists in print and on screen: 惠企, 利民, then 基本公共服务.
KIND_ORDER = {ListKind.ENTERPRISE: 0, ListKind.RESIDENT: 1, ListKind.PUBLIC_SERVICE: 2}


class Region(SlugNaturalKey, models.Model):
    """One volume of the "1+7" list: the city master volume or a county/district volume."""

    class Level(models.TextChoices):
        CITY = "city", _("市")
        COUNTY = "county", _("县（区）")
        ZONE = "zone", _("功能区")

    class Area(models.TextChoices):
        URBAN = "urban", _("城区")
        RURAL = "rural", _("县域")

    slug = models.SlugField(_("标识"), unique=True)
    code = models.CharField(
        _("区划代码"),
        max_length=12,
        unique=True,
        help_text=_("GB/T 2260 行政区划代码；功能区无国标代码，使用本系统固定代码。"),
    )
    name = models.CharField(_("名称"), max_length=40, unique=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # The level puts 区 and 县 together; the evaluation page compares them, so it is data too.
    area = models.CharField(
        _("城乡类别"),
        max_length=10,
        choices=Area.choices,
        blank=True,
        help_text=_("基本公共服务评价按城区、县域比较差距；市级总册留空。"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = SlugManager()

    class Meta:
        verbose_name = _("地区（分册）")
        verbose_name_plural = _("地区（分册）")
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="region_not_own_parent"
            ),
            models.CheckConstraint(
                condition=models.Q(level="city", parent__isnull=True)
                | (~models.Q(level="city") & models.Q(parent__isnull=False)),
                name="region_only_city_is_top",
            ),
            models.CheckConstraint(
                condition=models.Q(area="") | ~models.Q(level="city"),
                name="region_city_has_no_area",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:region", args=[self.slug])

    @property
    def volume_name(self):
        if self.parent_id is None:
            return _("%(name)s总册") % {"name": self.name}
        return _("%(name)s分册") % {"name": self.name}

    def clean(self):
        if self.parent is not None and self.parent.level != self.Level.CITY:
            raise ValidationError({"parent": _("县（区）和功能区的上级必须是市。")})
        if self.area and self.level == self.Level.CITY:
            raise ValidationError({"area": _("市级总册不分城区、县域，请留空。")})

    def covering_ids(self):
        """The volumes that apply to someone located here: this one and the city volume."""
        return [self.pk, self.parent_id] if self.parent_id else [self.pk]


class Domain(SlugNaturalKey, models.Model):
    """A 领域 of one list kind, in the order of the printed list."""

    slug = models.SlugField(_("标识"), unique=True)
    name = models.CharField(_("名称"), max_length=40)
    kind = models.CharField(_("清单"), max_length=20, choices=ListKind.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    description = models.CharField(_("说明"), max_length=200, blank=True)

    objects = SlugManager()

    class Meta:
        verbose_name = _("领域")
        verbose_name_plural = _("领域")
        ordering = ["kind", "order"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="domain_unique_name_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.name}"


class Department(SlugNaturalKey, models.Model):
    """A 主管部门 and where the public reaches it."""

    slug = models.SlugField(_("标识"), unique=True)
    name = models.CharField(_("名称"), max_length=80, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所属地区"), on_delete=models.PROTECT)
    phone = models.CharField(
        _("咨询电话"), max_length=60, blank=True, help_text=_("仅填写主管部门公布的号码。")
    )
    address = models.CharField(_("办公地址"), max_length=200, blank=True)
    website = models.URLField(_("网站"), blank=True)

    objects = SlugManager()

    class Meta:
        verbose_name = _("主管部门")
        verbose_name_plural = _("主管部门")
        ordering = ["region__order", "name"]

    def __str__(self):
        return self.short_name or self.name


class Tag(SlugNaturalKey, models.Model):
    slug = models.SlugField(_("标识"), unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = SlugManager()

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Audience(Tag):
    """Who benefits: 老年人, 残疾人, 高校毕业生 …"""

    class Meta(Tag.Meta):
        verbose_name = _("受益对象")
        verbose_name_plural = _("受益对象")


class Sector(Tag):
    """An enterprise's industry: 制造业, 农业, 商贸流通 …"""

    class Meta(Tag.Meta):
        verbose_name = _("行业")
        verbose_name_plural = _("行业")


class EnterpriseType(Tag):
    """An enterprise's kind: 小微企业, 高新技术企业, 个体工商户 …"""

    class Meta(Tag.Meta):
        verbose_name = _("企业类型")
        verbose_name_plural = _("企业类型")
