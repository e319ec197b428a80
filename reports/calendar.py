"""A user's deadlines as an iCalendar feed (RFC 5545, written by the icalendar library)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from icalendar import Calendar, Event

from reports.selectors import CalendarEvent


def calendar_ics(
    events: list[CalendarEvent], *, name: str, stamp: dt.datetime, link: Callable[[int], str]
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Cong theo doi thuc hien nghi quyet//vi")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for item in events:
        event = Event()
        event.add("uid", f"{item.uid}@nq-portal")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + dt.timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("transp", "TRANSPARENT")
        if item.url_task_id is not None:
            event.add("url", link(item.url_task_id))
        calendar.add_component(event)
    return calendar.to_ical()
