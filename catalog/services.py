"""Writes that span models. Every write path that changes what an entry says calls
`index_policies` afterwards, so search always reads the current text."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import caching
from .models import Message, Policy, WorkCalendarDay
from .models.supervision import new_ref
from .search import policy_document

BATCH = 500


def index_policies(policies=None):
    """Rewrite the derived columns of `policies` (a queryset; all entries when None): the
    search document, the catalogue position lists are sorted by and the list kind (its domain's).

    Returns how many were written. Runs one read and one write per batch of entries. Raises
    the catalogue generation whatever it wrote: a change of status or dates leaves the
    document alone but changes what the public sees."""
    queryset = Policy.objects.all() if policies is None else policies
    queryset = queryset.select_related("region", "domain", "department").prefetch_related(
        "audiences", "sectors", "enterprise_types", "materials", "steps"
    )
    written, batch = 0, []
    for policy in queryset.order_by("pk").iterator(chunk_size=BATCH):
        derived = (policy_document(policy), policy.catalogue_position(), policy.domain.kind)
        if derived != (policy.search_document, policy.catalog_order, policy.list_kind):
            policy.search_document, policy.catalog_order, policy.list_kind = derived
            batch.append(policy)
        if len(batch) >= BATCH:
            written += _write(batch)
            batch = []
    written += _write(batch)
    caching.bump()
    return written


def _write(batch):
    # Only derived columns change here, so nothing else is stamped or versioned.
    Policy.objects.bulk_update(batch, ["search_document", "catalog_order", "list_kind"])
    return len(batch)


def submit_message(policy, kind, body, phone="", email="", publish_consent=False, now=None):
    """Record a question or error report and give it a reference and a reply deadline:
    SUPERVISION_REPLY_WORKING_DAYS working days after the day it arrives."""
    now = now or timezone.now()
    received = timezone.localdate(now)
    due_on = WorkCalendarDay.objects.add_working_days(
        received, settings.SUPERVISION_REPLY_WORKING_DAYS
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                message = Message.objects.create(
                    ref=new_ref(received),
                    policy=policy,
                    kind=kind,
                    body=body,
                    phone=phone,
                    email=email,
                    publish_consent=publish_consent and kind == Message.Kind.QUESTION,
                    created_at=now,
                    due_on=due_on,
                )
        except IntegrityError:  # a reference drawn twice; draw again
            continue
        caching.bump()  # the evaluation page counts messages received
        return message
    raise RuntimeError("could not draw a unique message reference")


def record_reply(message, user, now=None):
    """Stamp who answered and when, the first time a message becomes answered."""
    if message.status == Message.Status.ANSWERED and message.replied_at is None:
        message.replied_at = now or timezone.now()
        message.replied_by = user
    message.full_clean()
    message.save()
    caching.bump()  # an answer may be published on the entry's page
    return message


def recompute_due_dates():
    """After staff change the calendar: every open message's deadline counted again from the
    day it arrived. Returns how many changed."""
    changed = []
    days = settings.SUPERVISION_REPLY_WORKING_DAYS
    for message in Message.objects.open().only("pk", "created_at", "due_on"):
        due_on = WorkCalendarDay.objects.add_working_days(
            timezone.localdate(message.created_at), days
        )
        if due_on != message.due_on:
            message.due_on = due_on
            changed.append(message)
    Message.objects.bulk_update(changed, ["due_on"])
    return len(changed)


def erase_expired_contacts(now=None):
    """Blank the phone and email of messages received more than
    SUPERVISION_CONTACT_RETENTION_DAYS days ago. Returns how many were erased."""
    cutoff = (now or timezone.now()) - datetime.timedelta(
        days=settings.SUPERVISION_CONTACT_RETENTION_DAYS
    )
    return (
        Message.objects.filter(created_at__lt=cutoff)
        .exclude(phone="", email="")
        .update(phone="", email="")
    )
