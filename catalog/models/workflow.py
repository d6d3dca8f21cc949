"""The back office's review queue: a change an editor proposed to a published entry, kept
apart from the live row so the public keeps seeing the published version until it is
approved."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .policy import Policy


class ProposedChange(models.Model):
    """A complete proposed state of one published entry (its fields, tags and inline rows, as
    `catalog.revisions.snapshot` writes them), waiting for city staff to approve or reject it.
    At most one per entry is pending; a new proposal replaces it."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("已退回")

    policy = models.ForeignKey(
        Policy, verbose_name=_("政策条目"), on_delete=models.CASCADE, related_name="proposals"
    )
    data = models.JSONField(_("修改后的内容"))
    base_version = models.PositiveIntegerField(_("基于版本号"))
    note = models.CharField(_("修改说明"), max_length=200)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    state = models.CharField(
        _("审核状态"), max_length=10, choices=State.choices, default=State.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.CharField(_("审核意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("待审核修改")
        verbose_name_plural = _("待审核修改")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy"],
                condition=Q(state="pending"),
                name="proposal_one_pending_per_policy",
            ),
            models.CheckConstraint(
                condition=Q(state="pending")
                | Q(decided_by__isnull=False, decided_at__isnull=False),
                name="proposal_decision_stamped",
            ),
        ]

    def __str__(self):
        return f"{self.policy} · {self.get_state_display()}"
