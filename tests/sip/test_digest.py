"""Digest authentication: RFC 7616 §3.9.1 and RFC 2617 §3.5 vectors, stateless nonces
with expiry (stale=true), replay of nonce counts, and user-independent challenges."""

from __future__ import annotations

import pytest

from telephonist.sip import (
    AuthHeader,
    ClientCredentials,
    DigestAuthenticator,
    DigestError,
    Verdict,
    authorization_for,
    pick_challenge,
)
from telephonist.sip.digest import compute_ha1, compute_response

RFC7616_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
RFC7616_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"


@pytest.mark.parametrize(
    ("algorithm", "realm", "password", "nonce", "cnonce", "expected"),
    [
        # RFC 7616 §3.9.1, MD5 and SHA-256.
        (
            "MD5",
            "http-auth@example.org",
            "Circle of Life",
            RFC7616_NONCE,
            RFC7616_CNONCE,
            "8ca523f5e9506fed4657c9700eebdbec",
        ),
        (
            "SHA-256",
            "http-auth@example.org",
            "Circle of Life",
            RFC7616_NONCE,
            RFC7616_CNONCE,
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
        ),
        # RFC 2617 §3.5.
        (
            "MD5",
            "testrealm@host.com",
            "Circle Of Life",
            "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            "0a4f113b",
            "6629fae49393a05397450978507c4ef1",
        ),
    ],
)
def test_response_matches_the_rfc_examples(
    algorithm: str, realm: str, password: str, nonce: str, cnonce: str, expected: str
) -> None:
    ha1 = compute_ha1(algorithm, "Mufasa", realm, password)
    response = compute_response(
        algorithm=algorithm,
        ha1=ha1,
        nonce=nonce,
        method="GET",
        uri="/dir/index.html",
        qop="auth",
        nc="00000001",
        cnonce=cnonce,
    )
    assert response == expected


def test_client_authorization_reproduces_rfc7616_sha256_example() -> None:
    challenge = AuthHeader.parse(
        'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, '
        f'nonce="{RFC7616_NONCE}", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"'
    )
    header = authorization_for(
        challenge,
        ClientCredentials("Mufasa", "Circle of Life"),
        method="GET",
        uri="/dir/index.html",
        cnonce=RFC7616_CNONCE,
    )
    assert header.get("response") == (
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    )
    assert header.get("nc") == "00000001" and header.get("qop") == "auth"
    assert AuthHeader.parse(header.serialize()) == header


def authenticator() -> DigestAuthenticator:
    return DigestAuthenticator("telephonist.example", b"server-secret", nonce_lifetime=60)


def answer(challenge: AuthHeader, attempt: str = "s3cret", nc: int = 1) -> AuthHeader:
    return authorization_for(
        challenge,
        ClientCredentials("101", attempt),
        method="REGISTER",
        uri="sip:telephonist.example",
        nc=nc,
    )


@pytest.mark.parametrize("algorithm_index", [0, 1], ids=["SHA-256", "MD5"])
def test_server_accepts_right_password_and_rejects_wrong_one(algorithm_index: int) -> None:
    server = authenticator()
    challenge = server.challenges(now=1000.0)[algorithm_index]
    ok = answer(challenge)
    assert server.verify(ok, method="REGISTER", password="s3cret", now=1001.0) is Verdict.ACCEPTED
    wrong = answer(challenge, attempt="guess", nc=2)
    assert server.verify(wrong, method="REGISTER", password="s3cret", now=1001.0) is (
        Verdict.REJECTED
    )


def test_expired_nonce_with_right_password_is_stale_not_rejected() -> None:
    # RFC 7616 §3.3: stale=true lets the client retry without asking the user again.
    server = authenticator()
    credentials = answer(server.challenges(now=0.0)[0])
    assert server.verify(credentials, method="REGISTER", password="s3cret", now=61.0) is (
        Verdict.STALE
    )
    assert server.challenges(now=61.0, stale=True)[0].get("stale") == "true"


def test_nonce_from_another_secret_is_rejected() -> None:
    other = DigestAuthenticator("telephonist.example", b"other-secret")
    credentials = answer(other.challenges(now=0.0)[0])
    assert authenticator().verify(credentials, method="REGISTER", password="s3cret", now=1.0) is (
        Verdict.REJECTED
    )


def test_replayed_nonce_count_is_rejected() -> None:
    server = authenticator()
    challenge = server.challenges(now=0.0)[0]
    first = answer(challenge, nc=1)
    assert server.verify(first, method="REGISTER", password="s3cret", now=1.0) is Verdict.ACCEPTED
    assert server.verify(first, method="REGISTER", password="s3cret", now=2.0) is Verdict.REJECTED
    second = answer(challenge, nc=2)
    assert server.verify(second, method="REGISTER", password="s3cret", now=3.0) is (
        Verdict.ACCEPTED
    )


def test_stored_ha1_works_instead_of_the_password() -> None:
    server = authenticator()
    credentials = answer(server.challenges(now=0.0)[1])
    ha1 = compute_ha1("MD5", "101", "telephonist.example", "s3cret")
    assert server.verify(credentials, method="REGISTER", ha1=ha1, now=1.0) is Verdict.ACCEPTED


def test_challenges_for_known_and_unknown_users_have_the_same_shape() -> None:
    server = authenticator()
    first, second = server.challenges(now=5.0), server.challenges(now=5.0)
    assert [[name for name, _ in c.params] for c in first] == [
        [name for name, _ in c.params] for c in second
    ]
    assert [c.get("algorithm") for c in first] == ["SHA-256", "MD5"]
    assert first[0].get("nonce") != second[0].get("nonce")


def test_unknown_scheme_is_rejected_like_rfc4475_regaut01() -> None:
    server = authenticator()
    odd = AuthHeader.parse("NoOneKnowsThisScheme opaque-data=here")
    assert server.verify(odd, method="REGISTER", password="x", now=0.0) is Verdict.REJECTED


def test_client_prefers_sha256_and_refuses_unknown_algorithms() -> None:
    md5 = AuthHeader.parse('Digest realm="r", nonce="n", algorithm=MD5')
    sha = AuthHeader.parse('Digest realm="r", nonce="n", algorithm=SHA-256')
    assert pick_challenge([md5, sha]) is sha
    with pytest.raises(DigestError):
        pick_challenge([AuthHeader.parse('Digest realm="r", nonce="n", algorithm=SHA-512-256')])


def test_rfc2069_style_challenge_without_qop_is_answered_without_qop() -> None:
    challenge = AuthHeader.parse('Digest realm="r", nonce="abc"')
    header = answer(challenge)
    assert header.get("qop") is None and header.get("cnonce") is None
