"""The Call Log tab (LOG-1, LOG-2) in French: the guide's columns, the user's time zone,
period and direction filters, paging, and the Overview's recent calls."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest

from telephonist.calllog import records
from tests.calllog.conftest import CallHistory
from tests.demo_data import DULCINEA, PASSWORD
from tests.support import PortalBrowser, RunningServer, database_of

pytestmark = pytest.mark.parametrize("demo_server", ["sqlite"], indirect=True)

CELLS = ("call-kind", "call-party", "call-name", "call-when", "call-action", "call-result")


def rows(page: str, table: str = "call-log") -> list[tuple[str, ...]]:
    """Each row's texts: kind, party, name, date/time, action, result, length."""
    body = page.split(f'id="{table}"', 1)[1].split("</tbody>", 1)[0]
    found = []
    for row in re.findall(r'<tr class="call \w+">(.*?)</tr>', body, re.DOTALL):
        cells = [
            html.unescape(re.sub(r"\s+", " ", match).strip())
            for match in re.findall(
                r'class="(?:sr )?(?:call-\w+)">(.*?)</(?:span|td)>', row, re.DOTALL
            )
        ]
        found.append(tuple(cells))
    return found


@pytest.fixture
def dulcinea(demo_server: RunningServer, call_history: CallHistory) -> PortalBrowser:
    browser = PortalBrowser(demo_server.url)
    browser.sign_in(DULCINEA[0], PASSWORD, DULCINEA[1])
    return browser


def test_the_call_log_shows_the_guides_columns_in_french(dulcinea: PortalBrowser) -> None:
    page = dulcinea.get("/call-log?period=custom&from=2025-05-12&to=2025-05-12")
    assert page.status_code == 200
    assert "Journal des appels" in page.text
    assert rows(page.text) == [
        (
            "Appel entrant",
            "De : (212) 555-0100",
            "NEW YORK NY",
            "12/05/2025 1:00 PM",
            "Appel téléphonique",
            "Messagerie vocale",
            "0:00:00",
        ),
        (
            "Appel manqué",
            "De : (212) 555-0100",
            "NEW YORK NY",
            "12/05/2025 12:00 PM",
            "Appel téléphonique",
            "Manqué",
            "0:00:00",
        ),
        (
            "Appel sortant",
            "À : (415) 555-0100",
            "Golden Gate Bakery",
            "12/05/2025 11:00 AM",
            "Appel VoIP",
            "Appel connecté",
            "0:00:26",
        ),
        (
            "Appel entrant",
            "De : 11101",
            "Hank Hillos",
            "12/05/2025 10:00 AM",
            "Appel téléphonique",
            "Accepté",
            "0:01:27",
        ),
    ]


def test_the_direction_filter_keeps_missed_or_outgoing_calls(dulcinea: PortalBrowser) -> None:
    day = "period=custom&from=2025-05-12&to=2025-05-12"
    missed = rows(dulcinea.get(f"/call-log?{day}&direction=missed").text)
    assert [row[0] for row in missed] == ["Appel manqué"]
    outgoing = rows(dulcinea.get(f"/call-log?{day}&direction=outgoing").text)
    assert [row[1] for row in outgoing] == ["À : (415) 555-0100"]
    incoming = rows(dulcinea.get(f"/call-log?{day}&direction=incoming").text)
    assert len(incoming) == 3


def test_the_last_7_days_are_the_default(
    dulcinea: PortalBrowser, call_history: CallHistory
) -> None:
    page = dulcinea.get("/call-log").text
    assert 'value="7" selected' in page
    listed = rows(page)
    assert ("Appel sortant", "À : (415) 555-0100") in [row[:2] for row in listed]
    assert all("12/05/2025" not in row[3] for row in listed)


def test_wrong_custom_dates_are_shown_next_to_the_fields(dulcinea: PortalBrowser) -> None:
    page = dulcinea.get("/call-log?period=custom&from=12/05/2025&to=2025-05-01")
    assert page.status_code == 400
    assert '<p class="field-error" data-field="from">Saisissez la date au format AAAA-MM-JJ' in (
        page.text
    )
    reversed_dates = dulcinea.get("/call-log?period=custom&from=2025-05-12&to=2025-05-01")
    assert reversed_dates.status_code == 400
    assert 'data-field="to"' in reversed_dates.text


def test_a_long_day_pages_50_calls_at_a_time(
    demo_server: RunningServer, call_history: CallHistory, dulcinea: PortalBrowser
) -> None:
    start = datetime(2025, 6, 2, 14, 0, tzinfo=UTC)
    database = database_of(demo_server)
    with database.transaction() as session:
        for minute in range(52):
            record_id = records.open_record(
                session,
                account_id=call_history.account_id,
                extension_id=call_history.dulcinea_id,
                session_id=f"busy-day-{minute}",
                direction="Outbound",
                action="Phone Call",
                from_number="",
                from_name="",
                from_extension="11103",
                to_number="",
                to_name=f"Customer {minute:02d}",
                to_extension="",
                transport="PSTN",
                start=start + timedelta(minutes=minute),
            )
            records.close_record(
                session, record_id, result="No Answer", reason="No Answer", end=start
            )
    database.dispose()
    day = "/call-log?period=custom&from=2025-06-02&to=2025-06-02&direction=all"
    first = dulcinea.get(day)
    names = [row[2] for row in rows(first.text)]
    assert len(names) == 50 and names[0] == "Customer 51"
    assert rows(first.text)[0][1] == "À : Inconnu"
    assert "Total : 52" in first.text or "Total: 52" in first.text
    next_link = re.search(r'href="\?([^"]+)" rel="next"', first.text)
    assert next_link is not None
    second = dulcinea.get("/call-log?" + html.unescape(next_link.group(1)))
    assert [row[2] for row in rows(second.text)] == ["Customer 01", "Customer 00"]


def test_the_overview_shows_the_last_calls(dulcinea: PortalBrowser) -> None:
    page = dulcinea.get("/overview").text
    recent = rows(page, "recent-calls")
    assert 1 <= len(recent) <= 5
    assert "Appels récents" in page
