"""Admin Portal > Trunks in French: Hank adds a trunk (errors show next to the fields and
what he typed stays), changes it without retyping the password, and deletes it; a
standard user may not see the page."""

from __future__ import annotations

import html
import re
import secrets

import pytest

from tests.demo_data import DULCINEA, HANK, PASSWORD
from tests.support import PortalBrowser, RunningServer

pytestmark = pytest.mark.parametrize("demo_server", ["sqlite"], indirect=True)


def field_errors(page: str) -> dict[str, str]:
    return {
        field: html.unescape(message.strip())
        for field, message in re.findall(
            r'<p class="field-error" data-field="(\w+)">([^<]*)</p>', page
        )
    }


def row_of(page: str, name: str) -> str | None:
    body = page.split('id="trunks"', 1)[1].split("</tbody>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL):
        if f'<td class="trunk-name">{name}</td>' in row:
            return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", row))).strip()
    return None


def test_an_admin_adds_changes_and_deletes_a_trunk(demo_server: RunningServer) -> None:
    hank = PortalBrowser(demo_server.url)
    hank.sign_in(HANK[0], PASSWORD, HANK[1])
    page = hank.get("/admin/trunks")
    assert page.status_code == 200
    assert '<a href="/admin/trunks" aria-current="page">Trunks SIP</a>' in page.text
    name = f"Opérateur {secrets.token_hex(3)}"

    refused = hank.post_form(
        "/admin/trunks",
        {
            "name": name,
            "host": "pas un hôte",
            "port": "cinq",
            "transport": "udp",
            "auth_mode": "registration",
            "number_format": "national",
            "allowed_addresses": "203.0.113.5/24",
            "enabled": "on",
        },
        page.text,
    )
    assert refused.status_code == 400
    assert field_errors(refused.text) == {
        "host": "L'hôte doit être un nom d'hôte (sip.carrier.example) ou une adresse IP",
        "port": "Le port doit être un nombre de 1 à 65535",
        "username": "L'enregistrement nécessite le nom d'utilisateur de l'opérateur",
        "password": "L'enregistrement nécessite le mot de passe de l'opérateur",
        "allowed_addresses": "Un réseau ne doit pas avoir de bits d'hôte, par ex. 203.0.113.0/24",
    }
    assert f'value="{html.escape(name)}"' in refused.text
    assert '<option value="national" selected>National (4155550100)</option>' in refused.text
    assert row_of(refused.text, name) is None

    added = hank.post_form(
        "/admin/trunks",
        {
            "name": name,
            "host": "sip.carrier.example",
            "port": "5060",
            "transport": "tls",
            "auth_mode": "registration",
            "username": "acme",
            "password": "s3cret-Trunk",
            "number_format": "1+10",
            "allowed_addresses": "",
            "enabled": "on",
        },
        refused.text,
    )
    assert "Le trunk a été ajouté." in added.text
    assert row_of(added.text, name) == (
        f"{name} sip.carrier.example:5060 TLS Par enregistrement "
        "1 + 10 chiffres (14155550100) Activé Modifier"
    )
    trunk_id = re.search(
        rf"{re.escape(name)}</td>.*?href=\"/admin/trunks/(\d+)\"", added.text, re.DOTALL
    )
    assert trunk_id is not None
    edit_path = f"/admin/trunks/{trunk_id.group(1)}"

    edit = hank.get(edit_path)
    assert 'name="password" id="field-password"\n         value=""' in edit.text
    assert 'placeholder="Inchangé"' in edit.text
    saved = hank.post_form(
        edit_path,
        {
            "name": name,
            "host": "sip.carrier.example",
            "port": "5061",
            "transport": "tls",
            "auth_mode": "registration",
            "username": "acme",
            "password": "",
            "number_format": "1+10",
            "allowed_addresses": "",
        },
        edit.text,
    )
    assert "Vos modifications ont été enregistrées." in saved.text
    assert row_of(saved.text, name) == (
        f"{name} sip.carrier.example:5061 TLS Par enregistrement "
        "1 + 10 chiffres (14155550100) Désactivé Modifier"
    )

    bad_edit = hank.post_form(edit_path, {"name": name, "host": "", "port": "5061"}, edit.text)
    assert bad_edit.status_code == 400
    assert field_errors(bad_edit.text)["host"] == (
        "Saisissez le nom d'hôte ou l'adresse IP de l'opérateur"
    )

    deleted = hank.post_form(f"{edit_path}/delete", {}, edit.text)
    assert "Le trunk a été supprimé." in deleted.text
    assert row_of(deleted.text, name) is None
    assert hank.get(edit_path).status_code == 404


def test_a_standard_user_may_not_see_the_trunks(demo_server: RunningServer) -> None:
    dulcinea = PortalBrowser(demo_server.url)
    dulcinea.sign_in(DULCINEA[0], PASSWORD, DULCINEA[1])
    assert dulcinea.get("/admin/trunks").status_code == 403
