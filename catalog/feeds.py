from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .filters import PolicyFilter
from .models import Policy

FEED_SIZE = 50


class PolicyFeed(Feed):
    """New and changed published entries, newest first; any filter of /policies/ applies,
    so a search can be subscribed to."""

    feed_type = Atom1Feed
    title = _("民生政策直达清单：新增和更新的政策")
    subtitle = _("惠企、利民政策的新增与修改，按更新时间排列。")

    def get_object(self, request):
        return PolicyFilter(request.GET, queryset=Policy.objects.published())

    def link(self, filterset):
        query = filterset.data.urlencode() if filterset.data else ""
        return "/policies/" + (f"?{query}" if query else "")

    def items(self, filterset):
        return filterset.qs.select_related("region", "domain", "department").order_by(
            "-updated_at", "code"
        )[:FEED_SIZE]

    def item_title(self, policy):
        return f"{policy.name}（{policy.region.volume_name}）"

    def item_description(self, policy):
        return " ".join(
            filter(None, [policy.summary, policy.amount_display, str(policy.period_display)])
        )

    def item_updateddate(self, policy):
        return policy.updated_at

    def item_pubdate(self, policy):
        return policy.published_at

    def item_guid(self, policy):
        return f"policy:{policy.code}:{policy.edition}"

    item_guid_is_permalink = False

    def item_author_name(self, policy):
        return policy.department.name if policy.department else None
