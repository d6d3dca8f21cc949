"""Application windows as iCalendar events, so a person or an accountant never misses one."""

import datetime

from django.utils import timezone
from icalendar import Calendar, Event

from .models import Period
from .models.policy import date_in_year


def calendar(policies, base_url, name):
    """An ICS calendar with one all-day event per window: a dated window once, an annual
    window every year. Entries without a window (常年受理, 免申即享) have no event."""
    cal = Calendar()
    cal.add("prodid", "-//policy-portal//zh-CN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = timezone.now()
    this_year = timezone.localdate().year
    for policy in policies:
        if policy.period_mode == Period.WINDOW:
            start, end, rule = policy.window_opens, policy.window_closes, None
        elif policy.period_mode == Period.ANNUAL:
            opens = (policy.annual_open_month, policy.annual_open_day)
            closes = (policy.annual_close_month, policy.annual_close_day)
            start = date_in_year(this_year, *opens)
            end = date_in_year(this_year + (closes < opens), *closes)  # across New Year
            rule = {"freq": "yearly"}
        else:
            continue
        event = Event()
        event.add("uid", f"{policy.code}-{policy.edition}@policy-portal")
        event.add("summary", f"{policy.name}（申报期）")
        event.add("dtstart", start)
        event.add("dtend", end + datetime.timedelta(days=1))  # all-day end is exclusive
        event.add("dtstamp", stamp)
        event.add("url", base_url + policy.get_absolute_url())
        event.add(
            "description", f"{policy.period_display}。{policy.period_note}".rstrip("。") + "。"
        )
        if rule:
            event.add("rrule", rule)
        cal.add_component(event)
    return cal.to_ical()
