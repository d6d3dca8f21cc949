from contextlib import contextmanager

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

from . import caching

RESULT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most RESULT_CAP results, so a very common word never counts the whole
    catalogue; pages stop there and the page says "more than 1000".

    `unranked`: a function giving the results in another order, used instead when there are
    more results than the cap, because ranking reads every match and newest-first does not.

    `cache_parts`: what identifies this result list (the filters and sort); with it, the capped
    count and the entry ids of each page are kept in the shared cache (`catalog.caching`).

    `parts`: functions that count a part of the results up to a given number, cheapest first
    (e.g. the entries whose title matches), each returning that count and whether the part
    was all of the results; when one part alone holds more than the cap, so do the results,
    and they are not counted, nor after a part that was all of them.

    `by_ids`: given the ids of every result (see `ids`), those entries in the page's order,
    without the conditions that found them; without it, `object_list` narrowed to them.

    `collect`: PostgreSQL planner settings for reading the ids of every result once the parts
    have left them to count."""

    def __init__(
        self,
        object_list,
        per_page,
        *args,
        unranked=None,
        cache_parts=None,
        parts=(),
        by_ids=None,
        collect=None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.cache_parts = cache_parts
        self.collect = collect
        self.parts = parts
        self.ranked = True
        if unranked and self.capped:
            self.object_list = unranked()
            self.ranked = False
        elif self.ids is not None:  # the page reads them by primary key, not by searching again
            ids = self.ids
            self.object_list = by_ids(ids) if by_ids else object_list.filter(pk__in=ids)

    @cached_property
    def _found(self):
        if self.cache_parts is None:
            return self._find()
        return caching.cached("results", self._find, self.cache_parts)

    @property
    def matches(self):
        """How many results there are, up to RESULT_CAP + 1."""
        return self._found[0]

    @property
    def ids(self):
        """Every result's id when a search was counted in full and found no more than the cap;
        None otherwise."""
        return self._found[1]

    def _find(self):
        # The planner does not count reading each row's large search column, so for a
        # common word it would scan the table and read hundreds of them; the index is cheaper.
        # The catalogue is read from memory, where a page visited at random costs about what
        # the next one does: so told, it walks an index for a word in many titles instead of
        # first collecting all of them from the title index.
        settings = {"enable_seqscan": "off", "random_page_cost": "1.1"}
        db = self.object_list.db
        with planner_settings(db, **settings):
            for part in self.parts:
                found, whole = part(RESULT_CAP + 1)
                if found > RESULT_CAP or whole:
                    return found, None
        results = self.object_list.order_by()
        if not self.parts:  # no search: nothing costly to spare the page and the facets
            with planner_settings(db, **settings):
                return results.values("pk")[: RESULT_CAP + 1].count(), None
        with planner_settings(db, **settings, **(self.collect or {})):
            ids = list(results.values_list("pk", flat=True)[: RESULT_CAP + 1])
        return len(ids), ids if len(ids) <= RESULT_CAP else None

    @property
    def count(self):
        return min(self.matches, RESULT_CAP)

    @property
    def capped(self):
        return self.matches > RESULT_CAP

    def page(self, number):
        page = super().page(number)
        if self.cache_parts is None:
            page.object_list = self._rows(page.object_list)
            return page
        # On a hit, the page is read by primary key: no sort of every match.
        rows = None

        def ids():
            nonlocal rows
            rows = self._rows(page.object_list)
            return [row.pk for row in rows]

        wanted = caching.cached("page", ids, self.cache_parts, page.number)
        if rows is None:
            found = {row.pk: row for row in self.object_list.order_by().filter(pk__in=wanted)}
            rows = [found[pk] for pk in wanted if pk in found]
        page.object_list = rows
        return page

    def _rows(self, object_list):
        if self.ids == []:
            return []
        if self.ranked and self.ids is None:
            return list(object_list)
        # Every result's id known: they are read by primary key, not collected from the GIN
        # index again. Over a thousand matches: walking the date index finds a page after a
        # few dozen rows. PostgreSQL estimates long phrases as rare and would check every
        # candidate of the GIN index (40,000 at 100,000 entries) instead, so it is told not to.
        with planner_settings(object_list.db, enable_bitmapscan="off", enable_seqscan="off"):
            return list(object_list)


@contextmanager
def planner_settings(using, **settings):
    """PostgreSQL planner settings for the queries inside on database `using`, and only them.

    Each query is sent with the settings before it, in one round trip: psycopg2 sends them as
    one query, which PostgreSQL runs as one transaction, and gives the last statement's rows
    (psycopg 3 would need them apart, with server-side binding). No transaction of their own,
    so nothing to begin and commit around them: six round trips fewer for a search page.
    Inside a transaction (a test, a write that reads), they would last to its end: they are
    set back afterwards.

    JIT is off there: a plan type turned off still costs 10^10, far past `jit_above_cost`, so
    a query left with only that plan (a small table read whole, the reference rows a page reads
    on a cold cache) would spend about 70 ms compiling itself."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    settings = {**settings, "jit": "off"}
    prefix = "".join(f"SET LOCAL {name} = {value}; " for name, value in settings.items())

    def prefixed(execute, sql, params, many, context):
        return execute(prefix + sql, params, many, context)

    with connection.execute_wrapper(prefixed):
        yield
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("".join(f"SET LOCAL {name} TO DEFAULT; " for name in settings))
