"""Writes that span models. Every write path that changes what an entry says calls
`index_policies` afterwards, so search always reads the current text."""

from .models import Policy
from .search import policy_document

BATCH = 500


def index_policies(policies=None):
    """Rewrite the search document of `policies` (a queryset; all entries when None).

    Returns how many were written. Runs one read and one write per batch of entries."""
    queryset = Policy.objects.all() if policies is None else policies
    queryset = queryset.select_related("region", "domain", "department").prefetch_related(
        "audiences", "sectors", "enterprise_types", "materials", "steps"
    )
    written, batch = 0, []
    for policy in queryset.order_by("pk").iterator(chunk_size=BATCH):
        document = policy_document(policy)
        if document != policy.search_document:
            policy.search_document = document
            batch.append(policy)
        if len(batch) >= BATCH:
            written += _write(batch)
            batch = []
    return written + _write(batch)


def _write(batch):
    # Only the derived search column changes here, so nothing else is stamped or versioned.
    Policy.objects.bulk_update(batch, ["search_document"])
    return len(batch)
