"""Sentences built from translatable templates, for the rule preview and "Validate
rules". Pure code keeps English templates marked with N_; the portal passes its gettext
(French or English) to ``render``. Parameters are plain text (names, numbers, times) or
nested sentences that are translated too (day names, rule kinds, lists)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from telephonist.domain.text import N_

Translate = Callable[[str], str]


def untranslated(message: str) -> str:
    """The English text: what ``render`` uses when no catalogue is given."""
    return message


@dataclass(frozen=True)
class Sentence:
    """A template with named ``{placeholders}`` and their values."""

    template: str
    params: tuple[tuple[str, str | Sentence], ...] = ()

    @classmethod
    def of(cls, template: str, **params: str | Sentence) -> Sentence:
        return cls(template, tuple(params.items()))

    def render(self, translate: Translate = untranslated) -> str:
        values = {
            key: value if isinstance(value, str) else value.render(translate)
            for key, value in self.params
        }
        return translate(self.template).format(**values)


def join_and(items: list[str | Sentence]) -> str | Sentence:
    """ "A", "A and B", "A, B and C" (the conjunction translated)."""
    if len(items) == 1:
        return items[0]
    if len(items) == 2:
        return Sentence.of(N_("{first} and {last}"), first=items[0], last=items[1])
    return Sentence.of(N_("{first}, {rest}"), first=items[0], rest=join_and(items[1:]))
