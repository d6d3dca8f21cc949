"""Printed booklets as PDF files, built offline (a browser per web request would swamp the
server) and kept in the database, which every app server shares."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .reference import Region


class Booklet(models.Model):
    """One PDF of a volume's booklet, or of one part of a volume too large for one booklet.

    `part` is the booklet page's query string for that part ("" for the whole volume).
    `fingerprint` is `booklets.fingerprint()` of the entries it printed: the file is served
    only while the catalogue still gives the same value."""

    region = models.ForeignKey(
        Region, verbose_name=_("分册"), on_delete=models.CASCADE, related_name="booklets"
    )
    part = models.CharField(_("部分"), max_length=200, blank=True)
    fingerprint = models.CharField(_("内容指纹"), max_length=64)
    pdf = models.BinaryField(_("PDF 文件"))
    pages = models.PositiveIntegerField(_("页数"))
    built_at = models.DateTimeField(_("生成时间"))

    class Meta:
        verbose_name = _("PDF 分册")
        verbose_name_plural = _("PDF 分册")
        ordering = ["region", "part"]
        constraints = [
            models.UniqueConstraint(fields=["region", "part"], name="booklet_unique_part"),
        ]

    def __str__(self):
        return f"{self.region} {self.part}".strip()
