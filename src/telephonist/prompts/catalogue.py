"""Every prompt the system speaks, in English and French (WEB-6), in one table.

A prompt's text is a template: ``{name}``-style slots are filled when the prompt is played,
with text to speak (a user's name, a count, digits of a number) or with recorded audio (the
name a screened caller said). Texts whose slots are all audio are fixed: they are rendered
once and reused. A :class:`Plural` text picks its wording by the ``count`` slot.
French wording follows the guide where it quotes a prompt ("Merci d'avoir appelé ...",
"John, vous avez un appel", "Appel en attente, pour accepter cet appel, appuyez sur 1",
"Bonjour. Pour effectuer cet appel, appuyez sur 1.").
"""

from __future__ import annotations

import enum
import re
import string
from dataclasses import dataclass

LANGUAGES = ("en", "fr")
AUDIO_SLOTS = frozenset({"recorded_name"})
"""Slots always filled with recorded audio: the texts around them are fixed."""


@dataclass(frozen=True)
class Plural:
    """Wordings chosen by the ``count`` slot: none, exactly one, or more."""

    zero: str
    one: str
    other: str

    def choose(self, count: int) -> str:
        return self.zero if count == 0 else self.one if count == 1 else self.other


Text = str | Plural


class PromptKind(enum.Enum):
    """What a prompt says, by the feature that plays it."""

    USER_GREETING = "user-greeting"  # GS-1: {name}
    CONNECTING = "connecting"  # GS-3
    VOICEMAIL_GREETING = "voicemail-greeting"  # VM-1: {name}
    VOICEMAIL_GREETING_NO_NAME = "voicemail-greeting-no-name"  # VM-1
    UNAVAILABLE = "unavailable"
    CALL_FAILED = "call-failed"
    BLOCKED = "blocked"  # BLK-2
    PAYPHONE_BLOCKED = "payphone-blocked"  # BLK-5
    NO_CALLER_ID_BLOCKED = "no-caller-id-blocked"  # BLK-4
    ANNOUNCEMENT = "announcement"  # "play announcement and disconnect"
    SCREENING_ASK_NAME = "screening-ask-name"  # GS-2
    SCREENING_OFFER = "screening-offer"  # GS-2: {recorded_name}
    CALL_ANNOUNCEMENT = "call-announcement"  # CH-5: {name}
    CALL_ANNOUNCEMENT_NO_NAME = "call-announcement-no-name"  # CH-5
    QUEUE_CALL_ANNOUNCEMENT = "queue-call-announcement"  # CH-5
    PRESS_1_TO_ACCEPT = "press-1-to-accept"  # CH-5
    ENTER_PIN = "enter-pin"  # CH-5, VM-5
    INCORRECT_PIN = "incorrect-pin"  # VM-5
    RINGOUT_CONFIRM = "ringout-confirm"  # RingOut "press 1 before connecting"
    NEW_MESSAGES = "new-messages"  # VM-5: {count}
    SAVED_MESSAGES = "saved-messages"  # VM-5: {count}, follows NEW_MESSAGES
    MAILBOX_MENU = "mailbox-menu"  # VM-5
    MESSAGE_FROM = "message-from"  # VM-5: {caller}, a number or a name
    MESSAGE_MENU = "message-menu"  # VM-5
    MESSAGE_DELETED = "message-deleted"
    MESSAGE_SAVED = "message-saved"
    NO_MORE_MESSAGES = "no-more-messages"
    INVALID_ENTRY = "invalid-entry"
    RECORD_GREETING = "record-greeting"  # VM-5, GS-1 by phone
    GREETING_SAVED = "greeting-saved"
    MESSAGE_TOO_SHORT = "message-too-short"
    MESSAGE_RECORDED = "message-recorded"
    GOODBYE = "goodbye"


PROMPT_TEXTS: dict[tuple[PromptKind, str], Text] = {
    (PromptKind.USER_GREETING, "en"): "Thank you for calling {name}.",
    (PromptKind.USER_GREETING, "fr"): "Merci d'avoir appelé {name}.",
    (PromptKind.CONNECTING, "en"): "Please hold while I try to connect you.",
    (PromptKind.CONNECTING, "fr"): (
        "Veuillez patienter pendant que j'essaie de vous mettre en relation."
    ),
    (PromptKind.VOICEMAIL_GREETING, "en"): (
        "{name} is not available. Please leave a message after the tone."
    ),
    (PromptKind.VOICEMAIL_GREETING, "fr"): (
        "{name} n'est pas disponible. Veuillez laisser un message après le bip."
    ),
    (PromptKind.VOICEMAIL_GREETING_NO_NAME, "en"): (
        "The person you are calling is not available. Please leave a message after the tone."
    ),
    (PromptKind.VOICEMAIL_GREETING_NO_NAME, "fr"): (
        "La personne que vous appelez n'est pas disponible. "
        "Veuillez laisser un message après le bip."
    ),
    (PromptKind.UNAVAILABLE, "en"): "The person you are calling is not available.",
    (PromptKind.UNAVAILABLE, "fr"): "La personne que vous appelez n'est pas disponible.",
    (PromptKind.CALL_FAILED, "en"): (
        "Your call cannot be completed at this time. Please try again later. Goodbye."
    ),
    (PromptKind.CALL_FAILED, "fr"): (
        "Votre appel ne peut pas aboutir pour le moment. Veuillez rappeler plus tard. Au revoir."
    ),
    (PromptKind.BLOCKED, "en"): (
        "I'm sorry. The number you dialed can not be reached from your calling area. Goodbye."
    ),
    (PromptKind.BLOCKED, "fr"): (
        "Désolé. Le numéro que vous avez composé ne peut pas être joint depuis votre zone "
        "d'appel. Au revoir."
    ),
    (PromptKind.PAYPHONE_BLOCKED, "en"): (
        "I'm sorry, the number you dialed cannot accept calls from payphones at this time. "
        "Please try your call again later. Goodbye."
    ),
    (PromptKind.PAYPHONE_BLOCKED, "fr"): (
        "Désolé, le numéro que vous avez composé ne peut pas recevoir d'appels provenant de "
        "cabines téléphoniques pour le moment. Veuillez rappeler plus tard. Au revoir."
    ),
    (PromptKind.NO_CALLER_ID_BLOCKED, "en"): (
        "I'm sorry, the number you dialed does not accept calls without caller ID. "
        "Please call again without hiding your number. Goodbye."
    ),
    (PromptKind.NO_CALLER_ID_BLOCKED, "fr"): (
        "Désolé, le numéro que vous avez composé n'accepte pas les appels masqués. "
        "Veuillez rappeler sans masquer votre numéro. Au revoir."
    ),
    (PromptKind.ANNOUNCEMENT, "en"): (
        "Thank you for calling. We cannot take your call at the moment. "
        "Please call again later. Goodbye."
    ),
    (PromptKind.ANNOUNCEMENT, "fr"): (
        "Merci de votre appel. Nous ne pouvons pas prendre votre appel pour le moment. "
        "Veuillez rappeler plus tard. Au revoir."
    ),
    (PromptKind.SCREENING_ASK_NAME, "en"): "Please say your name after the tone.",
    (PromptKind.SCREENING_ASK_NAME, "fr"): "Veuillez dire votre nom après le bip.",
    (PromptKind.SCREENING_OFFER, "en"): (
        "You have a call from {recorded_name}. "
        "Press 1 to accept, or 2 to send the call to voicemail."
    ),
    (PromptKind.SCREENING_OFFER, "fr"): (
        "Vous avez un appel de {recorded_name}. Appuyez sur 1 pour accepter, ou sur 2 pour "
        "transférer l'appel vers la messagerie vocale."
    ),
    (PromptKind.CALL_ANNOUNCEMENT, "en"): "{name}, you have a call.",
    (PromptKind.CALL_ANNOUNCEMENT, "fr"): "{name}, vous avez un appel.",
    (PromptKind.CALL_ANNOUNCEMENT_NO_NAME, "en"): "You have a call.",
    (PromptKind.CALL_ANNOUNCEMENT_NO_NAME, "fr"): "Vous avez un appel.",
    (PromptKind.QUEUE_CALL_ANNOUNCEMENT, "en"): "Queue call. To accept this call, press 1.",
    (PromptKind.QUEUE_CALL_ANNOUNCEMENT, "fr"): (
        "Appel en attente, pour accepter cet appel, appuyez sur 1."
    ),
    (PromptKind.PRESS_1_TO_ACCEPT, "en"): "To accept this call, press 1.",
    (PromptKind.PRESS_1_TO_ACCEPT, "fr"): "Pour accepter cet appel, appuyez sur 1.",
    (PromptKind.ENTER_PIN, "en"): "Please enter your PIN, followed by the pound key.",
    (PromptKind.ENTER_PIN, "fr"): "Veuillez saisir votre code PIN, suivi de la touche dièse.",
    (PromptKind.INCORRECT_PIN, "en"): "Incorrect PIN.",
    (PromptKind.INCORRECT_PIN, "fr"): "Code PIN incorrect.",
    (PromptKind.RINGOUT_CONFIRM, "en"): "Hello. To place this call, press 1.",
    (PromptKind.RINGOUT_CONFIRM, "fr"): "Bonjour. Pour effectuer cet appel, appuyez sur 1.",
    (PromptKind.NEW_MESSAGES, "en"): Plural(
        "You have no new messages", "You have one new message", "You have {count} new messages"
    ),
    (PromptKind.NEW_MESSAGES, "fr"): Plural(
        "Vous n'avez aucun nouveau message",
        "Vous avez un nouveau message",
        "Vous avez {count} nouveaux messages",
    ),
    (PromptKind.SAVED_MESSAGES, "en"): Plural(
        "and no saved messages.", "and one saved message.", "and {count} saved messages."
    ),
    (PromptKind.SAVED_MESSAGES, "fr"): Plural(
        "et aucun message sauvegardé.",
        "et un message sauvegardé.",
        "et {count} messages sauvegardés.",
    ),
    (PromptKind.MAILBOX_MENU, "en"): (
        "Press 1 to play new messages, 2 for saved messages, 3 to change your greeting, "
        "or star to exit."
    ),
    (PromptKind.MAILBOX_MENU, "fr"): (
        "Appuyez sur 1 pour écouter les nouveaux messages, sur 2 pour les messages "
        "sauvegardés, sur 3 pour modifier votre message d'accueil, ou sur étoile pour quitter."
    ),
    (PromptKind.MESSAGE_FROM, "en"): "Message from {caller}.",
    (PromptKind.MESSAGE_FROM, "fr"): "Message de {caller}.",
    (PromptKind.MESSAGE_MENU, "en"): (
        "Press 7 to delete, 9 to save, 4 to replay, 5 to call back, or pound for the next message."
    ),
    (PromptKind.MESSAGE_MENU, "fr"): (
        "Appuyez sur 7 pour supprimer, sur 9 pour sauvegarder, sur 4 pour réécouter, "
        "sur 5 pour rappeler, ou sur dièse pour le message suivant."
    ),
    (PromptKind.MESSAGE_DELETED, "en"): "Message deleted.",
    (PromptKind.MESSAGE_DELETED, "fr"): "Message supprimé.",
    (PromptKind.MESSAGE_SAVED, "en"): "Message saved.",
    (PromptKind.MESSAGE_SAVED, "fr"): "Message sauvegardé.",
    (PromptKind.NO_MORE_MESSAGES, "en"): "No more messages.",
    (PromptKind.NO_MORE_MESSAGES, "fr"): "Il n'y a plus de messages.",
    (PromptKind.INVALID_ENTRY, "en"): "Invalid entry.",
    (PromptKind.INVALID_ENTRY, "fr"): "Choix non valide.",
    (PromptKind.RECORD_GREETING, "en"): (
        "Record your greeting after the tone. Press pound when you are finished."
    ),
    (PromptKind.RECORD_GREETING, "fr"): (
        "Enregistrez votre message d'accueil après le bip. "
        "Appuyez sur dièse lorsque vous avez terminé."
    ),
    (PromptKind.GREETING_SAVED, "en"): "Your greeting has been saved.",
    (PromptKind.GREETING_SAVED, "fr"): "Votre message d'accueil a été enregistré.",
    (PromptKind.MESSAGE_TOO_SHORT, "en"): "Your message was too short to be recorded.",
    (PromptKind.MESSAGE_TOO_SHORT, "fr"): "Votre message est trop court pour être enregistré.",
    (PromptKind.MESSAGE_RECORDED, "en"): "Your message has been recorded. Goodbye.",
    (PromptKind.MESSAGE_RECORDED, "fr"): "Votre message a été enregistré. Au revoir.",
    (PromptKind.GOODBYE, "en"): "Goodbye.",
    (PromptKind.GOODBYE, "fr"): "Au revoir.",
}


def prompt_language(code: str | None) -> str:
    """The prompt language for a user's language or greeting language ("fr-CA" -> "fr");
    English when unknown."""
    base = (code or "").replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else "en"


def prompt_text(kind: PromptKind, language: str, count: int | None = None) -> str:
    """The template of ``kind`` in ``language`` (a Plural chosen by ``count``)."""
    text = PROMPT_TEXTS[kind, prompt_language(language)]
    if isinstance(text, Plural):
        if count is None:
            raise ValueError(f"prompt {kind.value} needs a count")
        return text.choose(count)
    return text


def slots(template: str) -> list[str]:
    """The slot names of a template, in order."""
    return [field for _, field, _, _ in string.Formatter().parse(template) if field]


def template_parts(template: str) -> list[tuple[str, str | None]]:
    """The template as (literal text, following slot name or None) pairs."""
    return [(literal, field) for literal, field, _, _ in string.Formatter().parse(template)]


_UNSPEAKABLE = re.compile(r"[^\w\s'.,\-&]+")


def speakable(value: str, limit: int = 80) -> str:
    """A name or label as text safe to give a speech engine: letters, digits, spaces and
    simple punctuation only, at most ``limit`` characters, never starting with a dash."""
    cleaned = " ".join(_UNSPEAKABLE.sub(" ", value).split())[:limit]
    return cleaned.lstrip("-").strip()


def spoken_digits(number: str) -> str:
    """A phone number read digit by digit ("+1 (650) 555" -> "1 6 5 0 5 5 5")."""
    return " ".join(character for character in number if character.isdigit())
