import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.search import normalize


class SynonymGroup(models.Model):
    """Words people use for the same thing; a search for one finds the others."""

    words = models.CharField(
        _("同义词"),
        max_length=200,
        unique=True,
        help_text=_("用空格或逗号分隔，如：老人 老年人 长者"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("同义词组")
        verbose_name_plural = _("同义词组")
        ordering = ["words"]

    def __str__(self):
        return self.words

    def clean(self):
        if len(self.members()) < 2:
            raise ValidationError({"words": _("一组同义词至少要有两个词。")})

    def members(self):
        return list(dict.fromkeys(w for w in re.split(r"[\s,;、]+", normalize(self.words)) if w))

    @classmethod
    def groups(cls):
        return [group.members() for group in cls.objects.all()]
