"""RFC 3261 §17 transactions driven with fake time: retransmission schedules, timeouts,
absorption of retransmissions and cleanup timers (Figures 5-8)."""

from __future__ import annotations

import pytest

from telephonist.sip import (
    Peer,
    RequestReceived,
    ResponseReceived,
    SipRequest,
    TimerConfig,
    TransactionError,
    TransactionLayer,
    TransactionTerminated,
    TransactionTimedOut,
    make_response,
    parse_message,
)
from telephonist.sip.transactions import TransactionEvent, TransactionState

from .builders import request, response_to

BOB_UDP = Peer("192.0.2.4", 5060, "udp")
BOB_TCP = Peer("192.0.2.4", 5060, "tcp")
ALICE_UDP = Peer("192.0.2.101", 5060, "udp")


def run_until(layer: TransactionLayer, end: float) -> list[tuple[float, bytes]]:
    """Fire every timer up to ``end``; return (time, bytes) of everything sent."""
    sent: list[tuple[float, bytes]] = []
    while (deadline := layer.next_timer()) is not None and deadline <= end:
        layer.handle_timer(deadline)
        sent += [(deadline, data) for data, _ in layer.datagrams_to_send()]
    return sent


def events(layer: TransactionLayer) -> list[TransactionEvent]:
    out = []
    while (event := layer.next_event()) is not None:
        out.append(event)
    return out


def first_line(data: bytes) -> str:
    return data.split(b"\r\n", 1)[0].decode()


def test_invite_client_retransmits_with_doubling_interval_until_timer_b() -> None:
    # §17.1.1.2: Timer A starts at T1 and doubles; Timer B fires at 64*T1 = 32 s.
    layer = TransactionLayer()
    key = layer.send_request(request(), BOB_UDP, now=0.0)
    assert [first_line(d) for d, _ in layer.datagrams_to_send()] == [
        "INVITE sip:bob@biloxi.example.com SIP/2.0"
    ]
    sent = run_until(layer, 40.0)
    assert [t for t, _ in sent] == [0.5, 1.5, 3.5, 7.5, 15.5, 31.5]
    timeout, terminated = events(layer)
    assert isinstance(timeout, TransactionTimedOut)
    assert timeout.key == key and timeout.request.method == "INVITE"
    assert terminated == TransactionTerminated(key)
    assert layer.active_transactions == 0


def test_invite_client_over_tcp_never_retransmits_but_still_times_out() -> None:
    # §17.1.1.2: Timer A is not started on reliable transports.
    layer = TransactionLayer()
    layer.send_request(request(), BOB_TCP, now=0.0)
    layer.datagrams_to_send()
    assert run_until(layer, 40.0) == []
    assert isinstance(events(layer)[0], TransactionTimedOut)


def test_invite_client_stops_retransmitting_on_provisional_and_waits() -> None:
    layer = TransactionLayer()
    invite = request()
    key = layer.send_request(invite, BOB_UDP, now=0.0)
    layer.datagrams_to_send()
    layer.receive(response_to(invite, 180), BOB_UDP, now=0.2)
    assert layer.state(key) is TransactionState.PROCEEDING
    assert run_until(layer, 100.0) == []
    assert [type(e) for e in events(layer)] == [ResponseReceived]
    assert layer.state(key) is TransactionState.PROCEEDING


def test_invite_client_acks_a_failure_and_absorbs_its_retransmission_until_timer_d() -> None:
    # §17.1.1.2-3: 300-699 -> Completed, ACK sent by the transaction, Timer D = 32 s.
    layer = TransactionLayer()
    invite = request()
    key = layer.send_request(invite, BOB_UDP, now=0.0)
    layer.datagrams_to_send()
    busy = response_to(invite, 486)
    layer.receive(busy, BOB_UDP, now=1.0)
    ((ack_bytes, peer),) = layer.datagrams_to_send()
    ack = parse_message(ack_bytes)
    assert isinstance(ack, SipRequest) and ack.method == "ACK" and peer == BOB_UDP
    assert ack.cseq.number == invite.cseq.number and ack.cseq.method == "ACK"
    assert ack.to.tag == "8321234356" and ack.top_via.branch == invite.top_via.branch
    assert ack.uri == invite.uri
    layer.receive(busy, BOB_UDP, now=2.0)
    assert [d for d, _ in layer.datagrams_to_send()] == [ack_bytes]
    assert [type(e) for e in events(layer)] == [ResponseReceived]
    run_until(layer, 32.9)
    assert layer.state(key) is TransactionState.COMPLETED
    run_until(layer, 33.0)
    assert layer.state(key) is None


def test_invite_client_ends_on_2xx_and_hands_later_2xx_to_the_core() -> None:
    # §17.1.1.2: a 2xx terminates the transaction; retransmitted 2xx go to the TU.
    layer = TransactionLayer()
    invite = request()
    key = layer.send_request(invite, BOB_UDP, now=0.0)
    ok = response_to(invite, 200)
    layer.receive(ok, BOB_UDP, now=0.1)
    layer.receive(ok, BOB_UDP, now=0.6)
    received = [e for e in events(layer) if isinstance(e, ResponseReceived)]
    assert [e.key for e in received] == [key, None]
    assert layer.active_transactions == 0


def test_non_invite_client_retransmits_capped_at_t2_and_times_out_with_timer_f() -> None:
    # §17.1.2.2: E doubles up to T2 = 4 s; F fires at 32 s.
    layer = TransactionLayer()
    layer.send_request(request("OPTIONS"), BOB_UDP, now=0.0)
    layer.datagrams_to_send()
    sent = run_until(layer, 40.0)
    assert [t for t, _ in sent] == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]
    assert isinstance(events(layer)[0], TransactionTimedOut)


def test_non_invite_client_retransmits_every_t2_once_proceeding() -> None:
    layer = TransactionLayer()
    options = request("OPTIONS")
    layer.send_request(options, BOB_UDP, now=0.0)
    layer.datagrams_to_send()
    layer.receive(response_to(options, 100, to_tag=None), BOB_UDP, now=0.1)
    sent = run_until(layer, 10.0)
    assert [t for t, _ in sent] == [0.5, 4.5, 8.5]


def test_non_invite_client_absorbs_late_responses_until_timer_k() -> None:
    # §17.1.2.2: Completed lasts T4 = 5 s on UDP, then Terminated.
    layer = TransactionLayer()
    options = request("OPTIONS")
    key = layer.send_request(options, BOB_UDP, now=0.0)
    ok = response_to(options, 200)
    layer.receive(ok, BOB_UDP, now=0.3)
    layer.receive(ok, BOB_UDP, now=0.9)
    assert [type(e) for e in events(layer)] == [ResponseReceived]
    run_until(layer, 5.29)
    assert layer.state(key) is TransactionState.COMPLETED
    run_until(layer, 5.3)
    assert layer.state(key) is None


def test_timers_use_the_configured_t1_t2_t4() -> None:
    layer = TransactionLayer(TimerConfig(t1=0.1, t2=0.2, t4=0.3))
    layer.send_request(request("OPTIONS"), BOB_UDP, now=0.0)
    layer.datagrams_to_send()
    times = [round(t, 2) for t, _ in run_until(layer, 10.0)]
    # E: 0.1, then +0.2 (doubled), then capped at T2 = 0.2; F = 64 * 0.1 = 6.4 s.
    assert times == [0.1] + [round(0.3 + 0.2 * i, 2) for i in range(31)]
    assert isinstance(events(layer)[0], TransactionTimedOut)


def receive_request(layer: TransactionLayer, message: SipRequest, now: float) -> RequestReceived:
    layer.receive(message, ALICE_UDP, now)
    event = layer.next_event()
    assert isinstance(event, RequestReceived)
    return event


def test_non_invite_server_absorbs_retransmissions_and_replays_the_last_response() -> None:
    # §17.2.2: retransmissions in Trying are dropped, later ones get the last response.
    layer = TransactionLayer()
    register = request("REGISTER")
    event = receive_request(layer, register, 0.0)
    layer.receive(request("REGISTER"), ALICE_UDP, 0.4)
    assert layer.next_event() is None and layer.datagrams_to_send() == []
    layer.send_response(event.key, make_response(event.request, 200, to_tag="abc"), 0.5)
    ((ok, peer),) = layer.datagrams_to_send()
    assert first_line(ok) == "SIP/2.0 200 OK" and peer == Peer("192.0.2.101", 5060, "udp")
    layer.receive(request("REGISTER"), ALICE_UDP, 1.0)
    assert [d for d, _ in layer.datagrams_to_send()] == [ok]
    assert layer.next_event() is None


def test_non_invite_server_cleans_up_with_timer_j_after_64_t1() -> None:
    layer = TransactionLayer()
    event = receive_request(layer, request("BYE"), 0.0)
    assert event.key is not None
    layer.send_response(event.key, make_response(event.request, 200), 1.0)
    run_until(layer, 32.9)
    assert layer.state(event.key) is TransactionState.COMPLETED
    run_until(layer, 33.0)
    assert layer.state(event.key) is None


def test_invite_server_sends_100_trying_and_replays_it_for_retransmitted_invites() -> None:
    layer = TransactionLayer()
    receive_request(layer, request(), 0.0)
    ((trying, _),) = layer.datagrams_to_send()
    assert first_line(trying) == "SIP/2.0 100 Trying"
    layer.receive(request(), ALICE_UDP, 0.5)
    assert [d for d, _ in layer.datagrams_to_send()] == [trying]


def test_invite_server_retransmits_failure_with_timer_g_until_timer_h() -> None:
    # §17.2.1: G starts at T1, doubles to T2; H = 64*T1 ends it and tells the TU.
    layer = TransactionLayer()
    event = receive_request(layer, request(), 0.0)
    assert event.key is not None
    layer.datagrams_to_send()
    layer.send_response(event.key, make_response(event.request, 486, to_tag="x"), 0.0)
    layer.datagrams_to_send()
    sent = run_until(layer, 40.0)
    assert [t for t, _ in sent] == [0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5]
    assert [type(e) for e in events(layer)] == [TransactionTimedOut, TransactionTerminated]


def test_invite_server_stops_on_ack_and_absorbs_acks_until_timer_i() -> None:
    layer = TransactionLayer()
    invite = request()
    event = receive_request(layer, invite, 0.0)
    assert event.key is not None
    layer.send_response(event.key, make_response(invite, 486, to_tag="x"), 0.0)
    layer.datagrams_to_send()
    ack = request("ACK")
    layer.receive(ack, ALICE_UDP, 0.2)
    assert layer.state(event.key) is TransactionState.CONFIRMED
    layer.receive(ack, ALICE_UDP, 0.3)
    assert run_until(layer, 5.19) == []
    assert layer.state(event.key) is TransactionState.CONFIRMED
    run_until(layer, 5.2)
    assert layer.state(event.key) is None
    assert [type(e) for e in events(layer)] == [TransactionTerminated]


def test_invite_server_accepts_2xx_and_absorbs_invite_retransmissions_for_64_t1() -> None:
    # RFC 6026 §7.1: Accepted state; the TU retransmits the 2xx itself.
    layer = TransactionLayer()
    invite = request()
    event = receive_request(layer, invite, 0.0)
    assert event.key is not None
    layer.send_response(event.key, make_response(invite, 200, to_tag="x"), 0.1)
    layer.datagrams_to_send()
    layer.receive(request(), ALICE_UDP, 0.5)
    assert layer.next_event() is None and layer.datagrams_to_send() == []
    run_until(layer, 32.1)
    assert layer.state(event.key) is None


def test_ack_for_2xx_has_its_own_branch_and_reaches_the_tu_without_a_transaction() -> None:
    layer = TransactionLayer()
    event = receive_request(layer, request("ACK", branch="z9hG4bKnew"), 0.0)
    assert event.key is None


def test_reliable_transport_sets_cleanup_timers_to_zero() -> None:
    # §17.2.2: Timer J is 0 for reliable transports.
    layer = TransactionLayer()
    layer.receive(request("BYE"), Peer("192.0.2.101", 40123, "tcp"), 0.0)
    event = layer.next_event()
    assert isinstance(event, RequestReceived) and event.key is not None
    layer.send_response(event.key, make_response(event.request, 200), 1.0)
    ((_, peer),) = layer.datagrams_to_send()
    assert peer == Peer("192.0.2.101", 40123, "tcp")
    layer.handle_timer(1.0)
    assert layer.active_transactions == 0


def test_server_matching_falls_back_to_rfc_2543_without_magic_cookie() -> None:
    # §17.2.3: requests without z9hG4bK are matched on Request-URI, tags, Call-ID, CSeq, Via.
    layer = TransactionLayer()
    receive_request(layer, request("OPTIONS", branch="old1"), 0.0)
    layer.receive(request("OPTIONS", branch="old1"), ALICE_UDP, 0.5)
    assert layer.next_event() is None
    layer.receive(request("OPTIONS", branch="old1", cseq=2), ALICE_UDP, 0.6)
    assert isinstance(layer.next_event(), RequestReceived)


def test_same_branch_from_different_sent_by_is_a_different_transaction() -> None:
    layer = TransactionLayer()
    receive_request(layer, request("OPTIONS"), 0.0)
    receive_request(layer, request("OPTIONS", via_host="other.example.com"), 0.0)
    assert layer.active_transactions == 2


def test_cancel_finds_the_invite_server_transaction() -> None:
    layer = TransactionLayer()
    invite_event = receive_request(layer, request(), 0.0)
    cancel_event = receive_request(layer, request("CANCEL"), 1.0)
    assert layer.invite_for_cancel(cancel_event.request) == invite_event.key
    assert cancel_event.key != invite_event.key


def test_client_requests_need_an_rfc3261_branch_and_acks_need_no_transaction() -> None:
    layer = TransactionLayer()
    with pytest.raises(TransactionError):
        layer.send_request(request("OPTIONS", branch="nocookie"), BOB_UDP, 0.0)
    with pytest.raises(TransactionError):
        layer.send_request(request("ACK"), BOB_UDP, 0.0)
