from django.core.paginator import Paginator
from django.utils.functional import cached_property

RESULT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most RESULT_CAP results, so a very common word never counts the whole
    catalogue; pages stop there and the page says "more than 1000".

    `unranked_order`: the ordering to use instead when there are more results than the cap,
    because ranking reads every match and newest-first does not."""

    def __init__(self, object_list, per_page, *args, unranked_order=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.ranked = True
        if unranked_order and self.capped:
            self.object_list = object_list.order_by(*unranked_order)
            self.ranked = False

    @cached_property
    def matches(self):
        return self.object_list.order_by().values("pk")[: RESULT_CAP + 1].count()

    @property
    def count(self):
        return min(self.matches, RESULT_CAP)

    @property
    def capped(self):
        return self.matches > RESULT_CAP
