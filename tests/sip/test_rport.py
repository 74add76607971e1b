"""RFC 3581 rport and RFC 3261 §18.2 response routing."""

from __future__ import annotations

from telephonist.sip import Peer, response_destination, stamp_received

from .builders import request


def test_rport_request_gets_received_and_rport_and_answers_go_to_the_nat_address() -> None:
    # RFC 3581 §4 example: the response goes to the source IP and port.
    invite = request(extra="")
    invite.headers.set_first("Via", "SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff")
    source = Peer("192.0.2.1", 9988)
    stamp_received(invite, source)
    assert invite.headers.get("Via") == (
        "SIP/2.0/UDP 10.1.1.1:4540;rport=9988;branch=z9hG4bKkjshdyff;received=192.0.2.1"
    )
    assert response_destination(invite, source) == Peer("192.0.2.1", 9988, "udp")


def test_received_added_only_when_sent_by_differs_and_port_from_via_without_rport() -> None:
    # §18.2.2: received address, sent-by port.
    invite = request(via_host="pc33.atlanta.example.com:5070")
    stamp_received(invite, Peer("192.0.2.1", 40000))
    assert invite.top_via.received == "192.0.2.1"
    assert response_destination(invite, Peer("192.0.2.1", 40000)) == Peer("192.0.2.1", 5070)
    same = request(via_host="192.0.2.1")
    stamp_received(same, Peer("192.0.2.1", 5060))
    assert same.top_via.received is None


def test_maddr_wins_and_reliable_transports_answer_on_the_connection() -> None:
    invite = request()
    invite.headers.set_first("Via", "SIP/2.0/UDP h.example.com;maddr=239.1.1.1;branch=z9hG4bKx")
    assert response_destination(invite, Peer("192.0.2.1", 1)) == Peer("239.1.1.1", 5060)
    tcp = Peer("192.0.2.1", 50000, "tcp")
    assert response_destination(invite, tcp) == tcp


def test_stamping_keeps_other_vias_on_a_combined_line() -> None:
    invite = request()
    invite.headers.set_first(
        "Via", "SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKa, SIP/2.0/UDP 192.0.2.1"
    )
    stamp_received(invite, Peer("2001:db8::9:2", 6050))
    assert [via.received for via in invite.vias] == ["2001:db8::9:2", None]
    assert response_destination(invite, Peer("2001:db8::9:2", 6050)).host == "2001:db8::9:2"
