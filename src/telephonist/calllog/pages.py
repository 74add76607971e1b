"""The Call Log tab (LOG-1, LOG-2): the user's own calls of the last 7 days (the
default), the last 30 days or chosen dates, all or only incoming, outgoing or missed
ones, newest first, 50 per page. Days are the user's calendar days, in their time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from telephonist.accounts.users import effective_regional
from telephonist.calllog.display import call_lines
from telephonist.calllog.records import CallResult, Direction
from telephonist.calllog.search import CallLogFilter, search_call_log
from telephonist.domain.text import N_
from telephonist.portal.rendering import render
from telephonist.portal.visitors import CurrentUser, runtime_of
from telephonist.store.base import utcnow

router = APIRouter()

PAGE_SIZE = 50
PERIODS = {"7": N_("Last 7 days"), "30": N_("Last 30 days"), "custom": N_("Custom dates")}
DEFAULT_PERIOD = "7"
DIRECTIONS = {
    "all": N_("All calls"),
    "incoming": N_("Incoming"),
    "outgoing": N_("Outgoing"),
    "missed": N_("Missed"),
}


@dataclass(frozen=True)
class Period:
    """Chosen days, from the first to the last, both included."""

    first: date
    last: date

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """From the first day's midnight to the midnight after the last, in ``zone``."""
        start = datetime.combine(self.first, time(), tzinfo=zone)
        end = datetime.combine(self.last + timedelta(days=1), time(), tzinfo=zone)
        return start, end


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def chosen_period(
    period: str, first: str, last: str, today: date
) -> tuple[Period | None, dict[str, list[str]]]:
    """The days the filter names, or the problems with the custom dates (by input name)."""
    if period != "custom":
        days = int(period if period in PERIODS else DEFAULT_PERIOD)
        return Period(today - timedelta(days=days - 1), today), {}
    errors: dict[str, list[str]] = {}
    first_day, last_day = _day(first), _day(last)
    if first_day is None:
        errors["from"] = [N_("Enter the date as YYYY-MM-DD")]
    if last_day is None:
        errors["to"] = [N_("Enter the date as YYYY-MM-DD")]
    if first_day and last_day and last_day < first_day:
        errors["to"] = [N_("The end date must not be before the start date")]
    if errors or first_day is None or last_day is None:
        return None, errors
    return Period(first_day, last_day), {}


def _direction_filter(direction: str) -> dict[str, Any]:
    if direction == "incoming":
        return {"directions": [Direction.INBOUND.value]}
    if direction == "outgoing":
        return {"directions": [Direction.OUTBOUND.value]}
    if direction == "missed":
        return {"directions": [Direction.INBOUND.value], "results": [CallResult.MISSED.value]}
    return {}


@router.get("/call-log")
def call_log(
    request: Request,
    me: CurrentUser,
    period: str = DEFAULT_PERIOD,
    first: Annotated[str, Query(alias="from")] = "",
    last: Annotated[str, Query(alias="to")] = "",
    direction: str = "all",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    """LOG-1: the signed-in user's calls."""
    settings = effective_regional(me.account, me.extension)
    zone = ZoneInfo(settings.time_zone)
    period = period if period in PERIODS else DEFAULT_PERIOD
    direction = direction if direction in DIRECTIONS else "all"
    chosen, errors = chosen_period(period, first, last, utcnow().astimezone(zone).date())
    context: dict[str, Any] = {
        "tab": "call-log",
        "periods": list(PERIODS.items()),
        "directions": list(DIRECTIONS.items()),
        "values": {"period": period, "from": first, "to": last, "direction": direction},
        "errors": errors,
        "lines": [],
        "page": None,
        "filters": "",
    }
    if chosen is None:
        return render(request, "calllog/call_log.html", context, status_code=400)
    start, end = chosen.bounds(zone)
    wanted = CallLogFilter(
        extension_id=me.extension.id, date_from=start, date_to=end, **_direction_filter(direction)
    )
    with runtime_of(request).db.transaction() as session:
        found = search_call_log(session, me.account.id, wanted, page, PAGE_SIZE)
        lines = call_lines(found.rows, settings)
    filters = {"period": period, "direction": direction}
    if period == "custom":
        filters.update({"from": chosen.first.isoformat(), "to": chosen.last.isoformat()})
    context["values"].update({"from": chosen.first.isoformat(), "to": chosen.last.isoformat()})
    context.update(lines=lines, page=found, filters=urlencode(filters))
    return render(request, "calllog/call_log.html", context)
