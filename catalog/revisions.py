"""Versions of an entry: the back office's write path, review, history and restore.

An entry's state is written as a *snapshot*: a JSON-safe dict of its own fields, its tag sets
and the rows of its inlines (materials, steps, finder rules, amount bands). Every write of the
back office goes through `submit_edit`: city staff's edits, and anyone's edits to an entry not
yet published, are applied at once as a new version; an editor's edit to a published entry is
kept as a `ProposedChange` and the live row stays as it was until city staff approve it.
Every applied write raises `Policy.version`, leaves a django-simple-history record with who
and the change note, and reindexes the entry."""

import datetime
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import eligibility
from .access import scope_for
from .eligibility import FACTS
from .models import AmountBand, EligibilityRule, Material, Policy, ProposedChange, Step
from .models.policy import TAG_FIELDS, format_number
from .services import index_policies

# Inline relation → (model, the fields staff edit), in the order the change form shows them.
INLINES = {
    "materials": (Material, ["order", "name", "form", "copies", "note"]),
    "steps": (Step, ["order", "title", "detail"]),
    "rules": (EligibilityRule, ["fact", "operator", "value", "reason"]),
    "bands": (AmountBand, ["fact", "low", "high", "amount"]),
}
# "Not given", where None is a meaningful value.
UNKNOWN = object()
# Stamps the workflow writes; a snapshot never carries them.
STAMPS = {"published_at", "published_by", "version"}


def entry_fields():
    return [
        field
        for field in Policy._meta.concrete_fields
        if field.editable and not field.primary_key and field.name not in STAMPS
    ]


def _encode(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def inline_row(key, obj):
    """One inline row (`key` of INLINES) as a snapshot holds it."""
    return _row(obj, INLINES[key][1])


def _row(obj, names):
    return {name: _encode(getattr(obj, obj._meta.get_field(name).attname)) for name in names}


def _sort_key(model):
    ordering = [name for name in model._meta.ordering if name != "policy"]
    return lambda obj: tuple(getattr(obj, name) for name in ordering)


def snapshot(policy, tags=None, rows=None):
    """The state of `policy` as it is in memory (fields) and in the database (tags and inline
    rows), unless `tags` / `rows` are given."""
    fields = {field.attname: _encode(getattr(policy, field.attname)) for field in entry_fields()}
    if tags is None:
        tags = {
            name: sorted(getattr(policy, name).values_list("pk", flat=True)) for name in TAG_FIELDS
        }
    if rows is None:
        rows = {
            key: [_row(obj, names) for obj in getattr(policy, key).all()]
            for key, (_model, names) in INLINES.items()
        }
    return {"fields": fields, "tags": tags, "rows": rows}


def snapshot_from_form(form, formsets):
    """The state the admin's change form (validated, with its inline formsets) asks for."""
    tags = {
        name: sorted(obj.pk for obj in form.cleaned_data.get(name, []))
        for name in TAG_FIELDS
        if name in form.cleaned_data
    }
    rows = {}
    for formset in formsets:
        names = INLINES[formset.prefix][1]
        rows[formset.prefix] = [
            _row(inline.instance, names)
            for inline in formset.forms
            if not (formset.can_delete and formset._should_delete_form(inline))
            and (inline.instance.pk or inline.has_changed())
        ]
    base = snapshot(form.instance, tags={}, rows={}) if form.instance.pk is None else None
    if base is None:
        base = snapshot(form.instance)
    base["tags"].update(tags)
    base["rows"].update(rows)
    return base


def snapshot_at(record, later=UNKNOWN):
    """The state of the entry when the history `record` was written: its own columns and tags
    from the record, its inline rows as they stood until the next version (`later`, looked up
    unless the caller knows it; None for the newest) was written."""
    fields = {field.attname: _encode(getattr(record, field.attname)) for field in entry_fields()}
    if later is UNKNOWN:
        later = (
            Policy.history.filter(id=record.id, history_date__gt=record.history_date)
            .order_by("history_date")
            .first()
        )
    until = later.history_date - datetime.timedelta(microseconds=1) if later else timezone.now()
    rows = {}
    for key, (model, names) in INLINES.items():
        objs = sorted(model.history.as_of(until).filter(policy_id=record.id), key=_sort_key(model))
        rows[key] = [_row(obj, names) for obj in objs]
    tags = {name: record.tags.get(name, []) for name in TAG_FIELDS}
    return {"fields": fields, "tags": tags, "rows": rows}


class Conflict(ValidationError):
    """The entry was saved by someone else after this edit started."""


def _load(policy, data):
    for field in entry_fields():
        if field.attname in data["fields"]:
            setattr(policy, field.attname, field.to_python(data["fields"][field.attname]))


def _stamp(obj, user, note):
    obj._history_user = user
    obj._change_reason = note
    return obj


def _write_rows(policy, key, rows, user, note):
    """Rewrite one inline list in place: row i of the snapshot onto the i-th existing row, so
    only rows whose values change get a new history record."""
    model, names = INLINES[key]
    existing = sorted(getattr(policy, key).all(), key=_sort_key(model))
    for index, values in enumerate(rows):
        obj = existing[index] if index < len(existing) else model(policy=policy)
        before = _row(obj, names) if obj.pk else None
        for name in names:
            field = model._meta.get_field(name)
            setattr(obj, field.attname, field.to_python(values.get(name)))
        if _row(obj, names) != before:
            obj.full_clean(exclude=["policy"])
            _stamp(obj, user, note).save()
    for obj in existing[len(rows) :]:
        _stamp(obj, user, note).delete()


@transaction.atomic
def apply(policy, data, user, note, expected_version=None, index=True, **stamps):
    """Write `data` onto `policy` as its next version; returns the policy. A caller writing
    many entries passes `index=False` and indexes them together afterwards.

    Refuses (raises `Conflict`) when `expected_version` is given and the entry has been saved
    since; raises ValidationError when the result breaks a rule of the entry or its rows."""
    creating = policy.pk is None
    if not creating:
        current = Policy.objects.select_for_update().get(pk=policy.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(conflict_message(policy, expected_version))
        policy.version = current.version + 1
    _load(policy, data)
    for name, value in stamps.items():
        setattr(policy, name, value)
    if policy.status == Policy.Status.PUBLISHED and policy.published_at is None:
        policy.published_at = timezone.now()
    policy.full_clean()
    if not creating:
        for name in TAG_FIELDS:
            getattr(policy, name).set(data["tags"].get(name, []))
    _stamp(policy, user, note).save()
    if creating:
        for name in TAG_FIELDS:
            getattr(policy, name).set(data["tags"].get(name, []))
        policy.history.filter(version=policy.version).update(tags=data["tags"])
    for key in INLINES:
        if key in data["rows"]:
            _write_rows(policy, key, data["rows"][key], user, note)
    if index:
        index_policies(Policy.objects.filter(pk=policy.pk))
    return policy


@dataclass
class Outcome:
    policy: Policy
    proposal: ProposedChange | None = None

    @property
    def proposed(self):
        return self.proposal is not None


def submit_edit(policy, data, user, note, expected_version=None):
    """An edit by `user`: applied at once, or, when an editor changes a published entry, kept
    as the entry's pending proposal. Refused when the entry or the result is outside the
    user's scope (an editor cannot move an entry to another region or department)."""
    scope = scope_for(user)
    proposed = Policy(pk=policy.pk)
    _load(proposed, data)
    check_scope(scope, policy.pk, proposed)
    live = Policy.objects.filter(pk=policy.pk).first() if policy.pk else None
    if live is not None and live.status == Policy.Status.PUBLISHED and not scope.can_publish:
        return Outcome(live, propose(live, data, user, note, expected_version))
    return Outcome(apply(policy, data, user, note, expected_version))


def check_scope(scope, pk, proposed):
    """Refuse an edit of an entry outside `scope`, or one that would move it out: to a region
    or department the account does not answer for."""
    if scope.read_only or (pk and not scope.allows(Policy.objects.get(pk=pk))):
        raise PermissionDenied
    outside = not scope.allows(proposed) or not scope.allows_region(proposed.region)
    if proposed.department_id and not scope.allows_department(proposed.department):
        outside = True
    if outside:
        raise ValidationError(_("修改后的条目不在您的管理范围内（所属分册或主管部门），未保存。"))


@transaction.atomic
def propose(policy, data, user, note, expected_version=None):
    """Keep `data` as the entry's pending change. The author's own earlier pending change is
    set aside (replaced); someone else's is never overwritten: the edit is refused until that
    one has been reviewed."""
    live = Policy.objects.select_for_update().get(pk=policy.pk)
    if expected_version is not None and live.version != expected_version:
        raise Conflict(conflict_message(live, expected_version))
    check_no_foreign_proposal(live, user)
    preview = Policy.objects.get(pk=policy.pk)
    _load(preview, data)
    preview.full_clean()
    now = timezone.now()
    for earlier in live.proposals.filter(state=ProposedChange.State.PENDING):
        earlier.state = ProposedChange.State.REJECTED
        earlier.decided_by, earlier.decided_at = user, now
        earlier.decision_note = _("已被提交人新的修改申请替代")
        earlier.save()
    return ProposedChange.objects.create(
        policy=live, data=data, base_version=live.version, note=note, proposed_by=user
    )


def check_no_foreign_proposal(policy, user):
    """Refuse (raise `Conflict`) an edit of `policy` while someone else's change to it waits
    for review: saving would replace theirs."""
    waiting = pending_proposal(policy)
    if waiting is not None and waiting.proposed_by_id != user.pk:
        raise Conflict(
            _(
                "%(author)s 已于 %(when)s 提交了对该条目的修改（%(note)s），正在等待审核；"
                "为免覆盖，请在审核完成后再修改。"
            )
            % {
                "author": waiting.proposed_by,
                "when": timezone.localtime(waiting.proposed_at).strftime("%Y-%m-%d %H:%M"),
                "note": waiting.note,
            }
        )


def pending_proposal(policy):
    return policy.proposals.filter(state=ProposedChange.State.PENDING).first()


def last_editor_id(policy):
    record = policy.history.order_by("-history_date").first()
    return record.history_user_id if record else None


def check_reviewer(policy, reviewer, author_id):
    if not scope_for(reviewer).can_publish:
        raise PermissionDenied
    if author_id is not None and author_id == reviewer.pk:
        raise ValidationError(_("审核人不能是该条目的最后修改人，请由另一位市财政局工作人员审核。"))


@transaction.atomic
def approve(policy, reviewer, note, seen_version=None, seen_proposal=None):
    """City staff approve: the pending proposal goes live, or an entry in review is published.
    Publishing stamps who and when. `seen_version` / `seen_proposal` are what the review page
    showed; when the entry or its pending proposal has changed since, nothing is approved."""
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    proposal = pending_proposal(policy)
    shown = (seen_version, seen_proposal)
    if seen_version is not None and shown != (policy.version, proposal and proposal.pk):
        raise ValidationError(
            _("您查看审核页之后，该条目或其修改申请又有变动；请重新查看后再审核。")
        )
    now = timezone.now()
    if proposal is not None:
        check_reviewer(policy, reviewer, proposal.proposed_by_id)
        if policy.version != proposal.base_version:
            raise ValidationError(
                _("提交修改后，发布版本已被他人修改；请退回，由提交人在最新版本上重新修改。")
            )
        data = proposal.data
        reason = _("审核通过（%(author)s 提交：%(note)s）%(review)s") % {
            "author": proposal.proposed_by,
            "note": proposal.note,
            "review": f"：{note}" if note else "",
        }
        stamps = {}
        if data["fields"].get("status") == Policy.Status.PUBLISHED:
            stamps = {"published_by": reviewer, "published_at": now}
        apply(policy, data, reviewer, reason, **stamps)
        proposal.state = ProposedChange.State.APPROVED
        proposal.decided_by, proposal.decided_at, proposal.decision_note = reviewer, now, note
        proposal.save()
        return policy
    if policy.status != Policy.Status.REVIEW:
        raise ValidationError(_("该条目没有待审核的内容。"))
    check_reviewer(policy, reviewer, last_editor_id(policy))
    data = snapshot(policy)
    data["fields"]["status"] = Policy.Status.PUBLISHED
    reason = _("审核通过并发布") + (f"：{note}" if note else "")
    return apply(policy, data, reviewer, reason, published_by=reviewer, published_at=now)


@transaction.atomic
def reject(policy, reviewer, note):
    """City staff send the change back: a pending proposal is closed unapplied; an entry in
    review returns to draft. The note says why."""
    if not scope_for(reviewer).can_publish:
        raise PermissionDenied
    if not note:
        raise ValidationError(_("退回时请填写审核意见，说明需要修改什么。"))
    proposal = pending_proposal(policy)
    if proposal is not None:
        proposal.state = ProposedChange.State.REJECTED
        proposal.decided_by, proposal.decided_at = reviewer, timezone.now()
        proposal.decision_note = note
        proposal.save()
        return policy
    if policy.status != Policy.Status.REVIEW:
        raise ValidationError(_("该条目没有待审核的内容。"))
    data = snapshot(policy)
    data["fields"]["status"] = Policy.Status.DRAFT
    return apply(policy, data, reviewer, _("退回修改：%(note)s") % {"note": note})


def restore(policy, record, user, note):
    """Bring back the content of an earlier version as a new edit: the entry keeps its current
    status, and the edit goes through review like any other."""
    data = snapshot_at(record)
    data["fields"]["status"] = policy.status
    reason = _("恢复到第 %(version)s 版：%(note)s") % {"version": record.version, "note": note}
    return submit_edit(policy, data, user, reason, expected_version=policy.version)


# --- Reading versions ------------------------------------------------------------------------


def _display_field(field, value):
    if value in (None, ""):
        return "—"
    if field.is_relation:
        target = field.related_model._default_manager.filter(pk=value).first()
        return str(target) if target else f"#{value}"
    if field.choices:
        return str(dict(field.flatchoices).get(field.to_python(value), value))
    if field.get_internal_type() == "BooleanField":
        return _("是") if value else _("否")
    if field.get_internal_type() == "DecimalField":
        return format_number(field.to_python(value))
    return str(value)


def _display_row(model, names, row):
    parts = [_display_field(model._meta.get_field(name), row.get(name)) for name in names]
    fact = FACTS.get(row.get("fact")) if model is EligibilityRule else None
    if fact and row.get("value"):  # option codes and yes/no in words, as the finder says them
        parts[names.index("value")] = eligibility.value_text(fact, row["value"])
    return " · ".join(part for part in parts if part != "—")


@dataclass
class Change:
    label: str
    before: str
    after: str


def diff(old, new):
    """What differs between two snapshots, in the words of the change form: a Change per
    field (by its Chinese label), per tag set and per inline list (one line per row).
    `old` may be None, for an entry with no earlier state."""
    changes = []
    for field in entry_fields():
        before = old["fields"].get(field.attname) if old else None
        after = new["fields"].get(field.attname)
        if before != after:
            changes.append(
                Change(
                    str(field.verbose_name),
                    _display_field(field, before),
                    _display_field(field, after),
                )
            )
    for name in TAG_FIELDS:
        field = Policy._meta.get_field(name)
        before = sorted(old["tags"].get(name, [])) if old else []
        after = sorted(new["tags"].get(name, []))
        if before != after:
            names = dict(
                field.related_model.objects.filter(pk__in=before + after).values_list("pk", "name")
            )
            changes.append(
                Change(
                    str(field.verbose_name),
                    "、".join(names.get(pk, "?") for pk in before) or "—",
                    "、".join(names.get(pk, "?") for pk in after) or "—",
                )
            )
    for key, (model, names) in INLINES.items():
        before = [
            _display_row(model, names, row) for row in (old["rows"].get(key, []) if old else [])
        ]
        after = [_display_row(model, names, row) for row in new["rows"].get(key, [])]
        if before != after:
            changes.append(
                Change(
                    str(model._meta.verbose_name_plural),
                    "\n".join(before) or "—",
                    "\n".join(after) or "—",
                )
            )
    return changes


def conflict_message(policy, seen_version):
    """Why a save was refused: who saved the entry meanwhile and what they changed."""
    history = policy.history.order_by("-history_date")
    seen = history.filter(version=seen_version).first()
    latest = history.first()
    changed = diff(snapshot_at(seen), snapshot_at(latest)) if seen and latest else []
    labels = "、".join(change.label for change in changed) or _("（仅状态或审核信息）")
    return _(
        "保存未执行：您打开此条目后，%(user)s 已于 %(when)s 保存了第 %(version)s 版，"
        "改动了：%(labels)s。为免覆盖他人的修改，请重新打开条目，核对后再修改。"
    ) % {
        "user": (latest.history_user if latest and latest.history_user else _("系统")),
        "when": timezone.localtime(latest.history_date).strftime("%Y-%m-%d %H:%M")
        if latest
        else "—",
        "version": latest.version if latest else "?",
        "labels": labels,
    }


@dataclass
class Version:
    record: object
    changes: list

    @property
    def number(self):
        return self.record.version


def versions(policy):
    """Every recorded version of the entry, newest first, each with what it changed from the
    version before it."""
    records = list(policy.history.order_by("history_date").select_related("history_user"))
    result, previous = [], None
    for record, later in zip(records, [*records[1:], None], strict=True):
        state = snapshot_at(record, later)
        result.append(Version(record, diff(previous, state)))
        previous = state
    return list(reversed(result))
