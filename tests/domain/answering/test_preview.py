"""The portal's rule preview: a plan in plain words, in English and in French."""

from __future__ import annotations

from dataclasses import replace

import pytest

from telephonist.domain.answering.model import (
    Attestation,
    BlockingSettings,
    CallerCondition,
    CallHandlingAction,
    DndStatus,
    Forwarding,
    ForwardingEntry,
    ForwardingNumber,
    ForwardingNumberType,
    Greeting,
    ListedNumber,
    RuleGreetings,
    Screening,
    VoicemailSettings,
)
from telephonist.domain.answering.preview import describe
from telephonist.domain.answering.route import route
from telephonist.i18n import gettext_for
from tests.domain.answering.builders import (
    DESK,
    DULCINEA,
    MONDAY_10,
    SATURDAY_10,
    call,
    custom,
    settings,
)

FRENCH = gettext_for("fr").gettext
SOFTPHONE = ForwardingNumber(
    "fn-soft", "Softphone", ForwardingNumberType.PHONE_LINE, device_id="dev-soft"
)
EVENINGS = replace(
    DULCINEA.after_hours_rule,
    action=CallHandlingAction.FORWARD_CALLS,
    greetings=RuleGreetings(introductory=Greeting()),
    forwarding=Forwarding(entries=(ForwardingEntry(1, (DESK, SOFTPHONE)),)),
)


def test_preview_of_saturday_after_hours_in_english_and_french() -> None:
    plan = route(call(), settings(after_hours_rule=EVENINGS), SATURDAY_10)
    assert describe(plan) == [
        "Saturday 10:00: the after-hours rule applies.",
        "Callers hear your greeting, then Desk phone and Softphone ring for 20 seconds, "
        "then callers can leave a voicemail.",
    ]
    assert describe(plan, FRENCH) == [
        "Samedi 10:00 : la règle En dehors des heures d'ouverture s'applique.",
        "Les appelants entendent votre message d'accueil, puis Desk phone et Softphone "
        "sonnent pendant 20 secondes, puis les appelants peuvent laisser un message vocal.",
    ]


@pytest.mark.parametrize(
    ("changes", "incoming", "english", "french"),
    [
        (
            {},
            call(),
            [
                "Monday 10:00: the user-hours rule applies.",
                "Desktop & Mobile Apps rings for 5 seconds, then Desk phone rings for 20 "
                "seconds, then Home rings for 20 seconds, then Mobile rings for 20 seconds, "
                "then callers can leave a voicemail.",
            ],
            [
                "Lundi 10:00 : la règle Heures d'ouverture s'applique.",
                "Desktop & Mobile Apps sonne pendant 5 secondes, puis Desk phone sonne pendant "
                "20 secondes, puis Home sonne pendant 20 secondes, puis Mobile sonne pendant "
                "20 secondes, puis les appelants peuvent laisser un message vocal.",
            ],
        ),
        (
            {
                "custom_rules": (
                    custom(
                        "Bay Area",
                        callers=(CallerCondition("+1650"),),
                        action=CallHandlingAction.UNCONDITIONAL_FORWARDING,
                        unconditional_forwarding_number="+16505559999",
                    ),
                )
            },
            call("+16505551234"),
            [
                'Monday 10:00: the custom rule "Bay Area" applies.',
                "The call is forwarded to +16505559999.",
            ],
            [
                "Lundi 10:00 : la règle personnalisée « Bay Area » s'applique.",
                "L'appel est renvoyé vers +16505559999.",
            ],
        ),
        (
            {"blocking": BlockingSettings(blocked=(ListedNumber("650"),))},
            call("+16505551234"),
            [
                "Monday 10:00: the caller is blocked: their number matches 650 on your block list.",
                "Callers hear the blocked-call message, then the call ends.",
            ],
            [
                "Lundi 10:00 : l'appelant est bloqué : son numéro correspond à 650 dans votre "
                "liste de numéros bloqués.",
                "Les appelants entendent le message des appels bloqués, puis l'appel se termine.",
            ],
        ),
        (
            {
                "dnd": DndStatus.DO_NOT_ACCEPT_ANY_CALLS,
                "user_hours_rule": replace(
                    DULCINEA.user_hours_rule, voicemail=VoicemailSettings(enabled=False)
                ),
            },
            call(),
            [
                "Monday 10:00: Do not disturb is on: you do not accept any calls.",
                "Callers hear that you are not available, then the call ends.",
            ],
            [
                "Lundi 10:00 : Ne pas déranger est activé : vous n'acceptez aucun appel.",
                "Les appelants entendent que vous n'êtes pas disponible, puis l'appel se termine.",
            ],
        ),
        (
            {
                "user_hours_rule": replace(
                    DULCINEA.user_hours_rule,
                    screening=Screening.ALWAYS,
                    greetings=RuleGreetings(connecting_message=Greeting()),
                    forwarding=Forwarding(entries=(ForwardingEntry(1, (DESK,), 2),)),
                    voicemail=VoicemailSettings(recipient_extension_id="11011"),
                )
            },
            call(attestation=Attestation.C),
            [
                "Monday 10:00: the user-hours rule applies.",
                "Callers are asked to say their name, then callers hear the connecting message, "
                "then Desk phone rings for 10 seconds, then callers can leave a voicemail for "
                "another extension.",
                "The caller may be a robocall; your phones ring anyway.",
            ],
            [
                "Lundi 10:00 : la règle Heures d'ouverture s'applique.",
                "Les appelants doivent dire leur nom, puis les appelants entendent le message de "
                "connexion, puis Desk phone sonne pendant 10 secondes, puis les appelants peuvent "
                "laisser un message vocal pour un autre poste.",
                "L'appelant est peut-être un appel automatisé ; vos téléphones sonnent quand même.",
            ],
        ),
        (
            {},
            call(None, fax=True),
            ["Monday 10:00: the fax is received in your messages."],
            ["Lundi 10:00 : le fax est reçu dans vos messages."],
        ),
        (
            {"dnd": DndStatus.DO_NOT_ACCEPT_DEPARTMENT_CALLS},
            call(queue_name="Sales"),
            [
                "Monday 10:00: you do not accept call queue calls.",
                "The queue offers the call to other members.",
            ],
            [
                "Lundi 10:00 : vous n'acceptez pas les appels de la file d'attente.",
                "La file d'attente propose l'appel aux autres membres.",
            ],
        ),
    ],
)
def test_preview_sentences(changes, incoming, english: list[str], french: list[str]) -> None:  # type: ignore[no-untyped-def]
    plan = route(incoming, settings(**changes), MONDAY_10)
    assert describe(plan) == english
    assert describe(plan, FRENCH) == french


def test_three_phones_are_listed_with_commas() -> None:
    rule = replace(
        DULCINEA.user_hours_rule,
        forwarding=Forwarding(
            entries=(ForwardingEntry(1, (DESK, SOFTPHONE, DULCINEA.forwarding_numbers[3])),)
        ),
    )
    plan = route(call(), settings(user_hours_rule=rule), MONDAY_10)
    assert describe(plan)[1].startswith("Desk phone, Softphone and Mobile ring for 20 seconds")
    assert describe(plan, FRENCH)[1].startswith("Desk phone, Softphone et Mobile sonnent")
