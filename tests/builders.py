"""Plain builders: each makes one valid object; keyword arguments override any field."""

import datetime
import itertools

from django.contrib.auth.models import Group, User
from django.utils import timezone

from catalog.models import Department, Domain, ListKind, Message, Policy, Region, StaffProfile
from catalog.services import index_policies

_counter = itertools.count(1)
PASSWORD = "pw-for-tests-only"


def city():
    region, _ = Region.objects.get_or_create(
        slug="huizhou",
        defaults={"code": "441300", "name": "惠州市", "level": Region.Level.CITY, "order": 0},
    )
    return region


def county(slug="boluo", name="博罗县", code="441322", order=3):
    region, _ = Region.objects.get_or_create(
        slug=slug,
        defaults={
            "code": code,
            "name": name,
            "level": Region.Level.COUNTY,
            "parent": city(),
            "order": order,
        },
    )
    return region


def domain(slug="lm-shenghuo", name="生活保障", kind=ListKind.RESIDENT, order=4):
    obj, _ = Domain.objects.get_or_create(
        slug=slug, defaults={"name": name, "kind": kind, "order": order}
    )
    return obj


def enterprise_domain():
    return domain(slug="qy-chuangye", name="创业就业", kind=ListKind.ENTERPRISE, order=7)


def department(slug="hz-minzheng", name="惠州市民政局", phone=""):
    obj, _ = Department.objects.get_or_create(
        slug=slug, defaults={"name": name, "short_name": name[3:], "region": city(), "phone": phone}
    )
    return obj


def make_policy(**overrides):
    n = next(_counter)
    fields = {
        "code": f"HZ-LM-{n:03d}",
        "name": f"测试政策{n}",
        "region": overrides.pop("region", None) or city(),
        "domain": overrides.pop("domain", None) or domain(),
        "eligibility": "本市户籍居民。",
        "benefit": "按规定发放。",
        "status": Policy.Status.PUBLISHED,
        "published_at": timezone.now(),
    }
    m2m = {
        key: overrides.pop(key)
        for key in ("audiences", "sectors", "enterprise_types")
        if key in overrides
    }
    fields.update(overrides)
    policy = Policy.objects.create(**fields)
    for key, values in m2m.items():
        getattr(policy, key).set(values)
    index_policies(Policy.objects.filter(pk=policy.pk))
    policy.refresh_from_db()
    return policy


def day(text):
    return datetime.date.fromisoformat(text)


def make_message(policy=None, **overrides):
    """A question received now (or at `created_at`), with a deadline from the calendar."""
    from catalog.services import submit_message

    fields = {"kind": Message.Kind.QUESTION, "body": "请问需要本人到场办理吗？"}
    for key in ("kind", "body", "phone", "email", "publish_consent"):
        if key in overrides:
            fields[key] = overrides.pop(key)
    message = submit_message(
        policy or make_policy(), now=overrides.pop("created_at", None), **fields
    )
    if overrides:
        Message.objects.filter(pk=message.pk).update(**overrides)
        message.refresh_from_db()
    return message


def staff_user(username, region=None, department=None, superuser=False, role=None):
    """A staff account in the group of `role` (catalog.access), by default the one its profile
    implies: a department's staff, a county's staff, or city staff for the city volume; with
    neither region nor department, no role and so nothing in scope."""
    from catalog import access

    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.is_superuser = superuser
    user.save()
    if role is None and department is not None:
        role = access.DEPARTMENT
    elif role is None and region is not None:
        role = access.CITY if region.parent_id is None else access.COUNTY
    if role:
        if not Group.objects.filter(name=access.GROUPS[role]).exists():
            ensure_roles()
        user.groups.add(Group.objects.get(name=access.GROUPS[role]))
    if region or department:
        StaffProfile.objects.create(user=user, region=region, department=department)
    return user


def ensure_roles():
    """The role groups again, after a transactional test's flush emptied the tables the
    migration filled."""
    import importlib

    from django.apps import apps

    importlib.import_module("catalog.migrations.0010_backoffice_roles").create_roles(apps, None)


def review_form(policy, **data):
    """What the review page posts: the entry's version and pending proposal it showed."""
    from catalog import revisions

    policy = Policy.objects.get(pk=policy.pk)
    proposal = revisions.pending_proposal(policy)
    return {
        "seen_version": policy.version,
        "seen_proposal": proposal.pk if proposal else "",
        **data,
    }
