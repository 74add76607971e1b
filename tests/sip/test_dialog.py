"""Dialogs (RFC 3261 §12): creation as UAC and UAS, route sets, CSeq rules, target
refresh and in-dialog requests (BYE, re-INVITE, ACK for 2xx)."""

from __future__ import annotations

import pytest

from telephonist.sip import (
    Dialog,
    DialogError,
    NameAddress,
    SipUri,
    Via,
    dialog_id_of_request,
    dialog_id_of_response,
    new_branch,
)

from .builders import request, response_to

RECORD_ROUTE = "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n"
OUR_VIA = Via("UDP", "client.atlanta.example.com", 5060, (("branch", "z9hG4bKfixed"),))


def uac_dialog() -> Dialog:
    invite = request(extra=RECORD_ROUTE)
    ok = response_to(invite, 200, extra=RECORD_ROUTE + "Contact: <sip:bob@192.0.2.4>\r\n")
    return Dialog.as_uac(invite, ok)


def test_uac_dialog_takes_reversed_record_route_and_contact_as_target() -> None:
    dialog = uac_dialog()
    assert [str(r.uri) for r in dialog.route_set] == [
        "sip:p1.example.com;lr",
        "sip:p2.example.com;lr",
    ]
    assert str(dialog.remote_target) == "sip:bob@192.0.2.4"
    assert dialog.id == ("3848276298220188511@atlanta.example.com", "9fxced76sl", "8321234356")
    assert dialog.local_cseq == 1 and not dialog.early


def test_bye_goes_to_remote_target_with_loose_route_set_and_next_cseq() -> None:
    dialog = uac_dialog()
    bye = dialog.create_request("BYE", OUR_VIA)
    assert str(bye.uri) == "sip:bob@192.0.2.4"
    assert bye.headers.get_all("Route") == ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]
    assert bye.cseq.number == 2 and bye.cseq.method == "BYE"
    assert bye.to.tag == "8321234356" and bye.from_.tag == "9fxced76sl"
    assert dialog_id_of_response(response_to(bye, 200, to_tag="8321234356")) == dialog.id


def test_ack_for_2xx_reuses_the_invite_cseq_number() -> None:
    # §13.2.2.4: the ACK has the INVITE's CSeq number and method ACK.
    dialog = uac_dialog()
    ack = dialog.create_ack(1, OUR_VIA)
    assert ack.cseq.number == 1 and ack.cseq.method == "ACK" and dialog.local_cseq == 1
    with pytest.raises(DialogError):
        dialog.create_request("ACK", OUR_VIA)


def test_strict_route_puts_first_route_in_request_uri_and_target_last() -> None:
    dialog = uac_dialog()
    dialog.route_set = dialog.route_set[:1]
    dialog.route_set[0] = NameAddress(uri=SipUri("strict.example.com"))
    bye = dialog.create_request("BYE", OUR_VIA)
    assert str(bye.uri) == "sip:strict.example.com"
    assert bye.headers.get_all("Route") == ["<sip:bob@192.0.2.4>"]


def test_uas_dialog_keeps_record_route_order_and_rejects_lower_cseq() -> None:
    invite = request(extra=RECORD_ROUTE, cseq=10)
    dialog = Dialog.as_uas(invite, "ourtag")
    assert [str(r.uri) for r in dialog.route_set] == [
        "sip:p2.example.com;lr",
        "sip:p1.example.com;lr",
    ]
    bye = request("BYE", cseq=11)
    bye.headers.set("To", "Bob <sip:bob@biloxi.example.com>;tag=ourtag")
    assert dialog_id_of_request(bye) == dialog.id
    dialog.receive_request(bye)
    assert dialog.remote_cseq == 11
    with pytest.raises(DialogError):
        dialog.receive_request(request("INFO", cseq=5))


def test_reinvite_refreshes_the_remote_target() -> None:
    dialog = Dialog.as_uas(request(), "ourtag")
    reinvite = request(cseq=2)
    reinvite.headers.set("Contact", "<sip:alice@198.51.100.7:5062>")
    dialog.receive_request(reinvite)
    assert str(dialog.remote_target) == "sip:alice@198.51.100.7:5062"


def test_uac_reinvite_2xx_refreshes_target_and_early_dialog_confirms() -> None:
    invite = request()
    ringing = response_to(invite, 180, extra="Contact: <sip:bob@192.0.2.4>\r\n")
    dialog = Dialog.as_uac(invite, ringing)
    assert dialog.early
    dialog.confirm(response_to(invite, 200, extra="Contact: <sip:bob@192.0.2.5>\r\n"))
    assert not dialog.early and str(dialog.remote_target) == "sip:bob@192.0.2.5"
    reinvite = dialog.create_request("INVITE", OUR_VIA.with_param("branch", new_branch()))
    dialog.receive_response(
        reinvite, response_to(reinvite, 200, extra="Contact: <sip:bob@192.0.2.6>\r\n")
    )
    assert str(dialog.remote_target) == "sip:bob@192.0.2.6"


def test_responses_without_contact_or_final_failures_create_no_dialog() -> None:
    invite = request()
    with pytest.raises(DialogError):
        Dialog.as_uac(invite, response_to(invite, 200))
    with pytest.raises(DialogError):
        Dialog.as_uac(invite, response_to(invite, 486, extra="Contact: <sip:b@h>\r\n"))
