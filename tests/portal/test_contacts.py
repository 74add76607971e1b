"""EXT-5: Contacts > Company pages 25 extensions at a time and searches them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from telephonist.accounts.extensions import add_extension, find_by_number
from telephonist.domain.extensions import ExtensionType
from telephonist.store.numbers import PhoneNumber
from tests.demo_data import COMPANY_NUMBER, DULCINEA, PASSWORD
from tests.support import PortalBrowser, RunningServer, database_of

pytestmark = pytest.mark.parametrize("demo_server", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def crowded_directory(demo_server: RunningServer) -> RunningServer:
    """Twenty-five more message-only extensions, 13001 to 13025."""
    database = database_of(demo_server)
    with database.transaction() as session:
        account_id = session.scalar(
            select(PhoneNumber.account_id).where(PhoneNumber.e164 == COMPANY_NUMBER)
        )
        assert account_id is not None
        for index in range(1, 26):
            extension_number = f"130{index:02d}"
            if find_by_number(session, account_id, extension_number) is None:
                add_extension(
                    session,
                    account_id,
                    extension_type=ExtensionType.MESSAGE_ONLY,
                    number=extension_number,
                    name=f"Mailbox {index:02d}",
                )
    database.dispose()
    return demo_server


def rows(html: str) -> list[str]:
    body = html.split('id="company-contacts"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>\s*<td>([^<]*)</td>", body)


def test_company_contacts_show_25_per_page(crowded_directory: RunningServer) -> None:
    browser = PortalBrowser(crowded_directory.url)
    browser.sign_in(DULCINEA[0], PASSWORD, DULCINEA[1])
    first = browser.get("/contacts/company")
    assert len(rows(first.text)) == 25
    assert 'rel="next"' in first.text
    second = browser.get("/contacts/company?page=2")
    assert 1 <= len(rows(second.text)) <= 25
    assert set(rows(first.text)).isdisjoint(rows(second.text))


def test_company_contacts_search_by_name_extension_or_number(
    crowded_directory: RunningServer,
) -> None:
    browser = PortalBrowser(crowded_directory.url)
    browser.sign_in(DULCINEA[0], PASSWORD, DULCINEA[1])
    assert rows(browser.get("/contacts/company?q=Mailbox 07").text) == ["Mailbox 07"]
    assert rows(browser.get("/contacts/company?q=11102").text) == ["Joe"]
    assert rows(browser.get("/contacts/company?q=209-0429").text) == ["Joe"]
    assert rows(browser.get("/contacts/company?q=nobody-here").text) == []
