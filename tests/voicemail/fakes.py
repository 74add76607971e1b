"""An in-memory call for the voicemail applications: keys and recordings are scripted,
prompts are remembered by kind, and no clock is involved.

The key script is a list of single keys and two markers: ``WAIT`` is time passing with no
key (a prompt plays to its end, a wait for a key times out) and ``HANG_UP`` is the caller
hanging up. Keys before the next ``WAIT`` count as already pressed (type-ahead)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from telephonist.calls.channel import HungUp, Party, Recorded, RecordingEnd
from telephonist.media.engine import PcmSink, PcmSource
from telephonist.prompts.catalogue import PromptKind
from telephonist.prompts.library import Say, SlotValue
from telephonist.voicemail.deposit import BEEP

WAIT = "<wait>"
HANG_UP = "<hang-up>"
FRAME_BYTES = 320
NEW_YORK = Party("+12125550100", "NEW YORK NY")


@dataclass(frozen=True)
class Said:
    """A prompt, by kind, language and slot values; it has no audio. A sequence is
    several ``Said`` in ``items``."""

    kind: str
    language: str = ""
    values: tuple[tuple[str, Any], ...] = ()
    items: tuple[Said, ...] = ()

    def frames(self, samples: int) -> Iterator[bytes]:
        return iter(())


class FakePrompts:
    """The ``voicemail.prompts.Prompts`` role, remembering what was asked for."""

    async def prompt(self, language: str, kind: PromptKind, /, **values: SlotValue) -> PcmSource:
        return Said(kind.value, language, tuple(sorted(values.items())))

    async def sequence(self, language: str, *items: Say) -> PcmSource:
        said = tuple(Said(i.kind.value, language, tuple(sorted(i.values.items()))) for i in items)
        return Said("sequence", language, items=said)


@dataclass(frozen=True)
class Speech:
    """What the caller says into one recording, and how the recording ends."""

    pcm: bytes
    end: RecordingEnd = RecordingEnd.KEY
    key: str | None = "#"


@dataclass
class RecordCall:
    sink: PcmSink
    max_seconds: float
    stop_keys: str
    silence_seconds: float | None


@dataclass
class FakeChannel:
    """The ``calls.channel.Channel`` protocol, scripted."""

    keys: Iterable[str] = ()
    speech: Iterable[Speech] = ()
    caller_party: Party = NEW_YORK
    prompt_language: str = "en"
    on_record: Callable[[PcmSink], None] | None = None
    played: list[PcmSource] = field(default_factory=list)
    recordings: list[RecordCall] = field(default_factory=list)
    caller_hung_up: bool = False
    we_hung_up: bool = False

    def __post_init__(self) -> None:
        self._script: deque[str] = deque(self.keys)
        self._speech: deque[Speech] = deque(self.speech)

    @property
    def caller(self) -> Party:
        return self.caller_party

    @property
    def language(self) -> str:
        return self.prompt_language

    @property
    def said(self) -> list[str]:
        """The kinds of the prompts played, in order ("beep" included, sequences
        flattened)."""
        kinds = []
        for source in self.played:
            if source is BEEP:
                kinds.append("beep")
            elif isinstance(source, Said):
                kinds.extend([item.kind for item in source.items] or [source.kind])
        return kinds

    @property
    def ended(self) -> bool:
        return self.caller_hung_up or self.we_hung_up

    def _alive(self) -> None:
        if self.ended:
            raise HungUp
        if self._script and self._script[0] == HANG_UP:
            self._script.popleft()
            self.caller_hung_up = True
            raise HungUp

    async def play(self, source: PcmSource, *, interruptible: bool = False) -> str | None:
        self._alive()
        self.played.append(source)
        if not interruptible or not self._script:
            return None
        if self._script[0] == WAIT:
            self._script.popleft()
            return None
        return self._script[0]

    async def record(
        self,
        sink: PcmSink,
        *,
        max_seconds: float,
        stop_keys: str = "#",
        silence_seconds: float | None = None,
    ) -> Recorded:
        self.recordings.append(RecordCall(sink, max_seconds, stop_keys, silence_seconds))
        if self.ended:
            return Recorded(RecordingEnd.HANG_UP, 0.0)
        if self.on_record is not None:
            self.on_record(sink)
        speech = self._speech.popleft()
        writer = sink.open()
        for start in range(0, len(speech.pcm), FRAME_BYTES):
            writer.write(speech.pcm[start : start + FRAME_BYTES])
        writer.close()
        if speech.end is RecordingEnd.HANG_UP:
            self.caller_hung_up = True
        key = speech.key if speech.end is RecordingEnd.KEY else None
        return Recorded(speech.end, len(speech.pcm) / 16000, key)

    async def read_keys(self, count: int, *, timeout: float, terminators: str = "#") -> str:
        self._alive()
        keys = ""
        while len(keys) < count and self._script:
            head = self._script[0]
            if head == HANG_UP:
                self._alive()
            self._script.popleft()
            if head == WAIT or head in terminators:
                break
            keys += head
        return keys

    def flush_keys(self) -> None:
        while self._script and self._script[0] not in (WAIT, HANG_UP):
            self._script.popleft()

    async def hang_up(self) -> None:
        self.we_hung_up = True
