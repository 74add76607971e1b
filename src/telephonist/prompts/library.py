"""The prompts a voice application plays: ``await library.prompt(channel.language,
PromptKind.USER_GREETING, name="Ann Lee")`` returns a PcmSource for ``Channel.play``.

Speech is cached as 8 kHz WAV files under the data dir, keyed by engine, language and
text, so any text is synthesised once per voice and then read from disk. Fixed texts are
rendered ahead by ``telephonist admin render-prompts`` (``make run`` and ``make test``
run it); whatever is missing, because that step was skipped or the text is dynamic (a
name, a count), is synthesised on first use in a worker thread, never on the event loop.

A text with dynamic slots is spoken as one utterance with its values ("Thank you for
calling Ann Lee."), so names and numbers get natural intonation; consecutive dynamic items
are joined too ("You have 3 new messages and 1 saved message."). Recorded audio (a
screened caller's name) is spliced between the spoken parts around it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from telephonist.media.convert import wav_bytes
from telephonist.media.engine import PcmSource
from telephonist.media.music import MUSIC_VERSION, MusicTrack, render_track
from telephonist.media.sources import LoopSource, SequenceSource, SilenceSource
from telephonist.media.wav import WavFileSource
from telephonist.prompts.catalogue import (
    AUDIO_SLOTS,
    LANGUAGES,
    PROMPT_TEXTS,
    Plural,
    PromptKind,
    prompt_language,
    prompt_text,
    speakable,
    template_parts,
)
from telephonist.prompts.speech import (
    SpeechEngine,
    SpeechError,
    installed_engines,
    telephone_pcm,
)

logger = logging.getLogger(__name__)

SlotValue = str | int | PcmSource
"""Text to speak (a name, digits), a number, or recorded audio."""

PAUSE_SECONDS = 0.3
"""Silence between two spoken parts, or around recorded audio."""


@dataclass(frozen=True)
class Say:
    """One prompt of a sequence, with the values of its slots."""

    kind: PromptKind
    values: Mapping[str, SlotValue] = field(default_factory=dict)


@dataclass(frozen=True)
class _Speech:
    text: str
    dynamic: bool


_Piece = _Speech | PcmSource


def _pieces(item: Say, language: str) -> list[_Piece]:
    """The spoken texts and audio of one item, in order. Texts holding a value, or worded
    by a count, are dynamic."""
    count = item.values.get("count")
    template = prompt_text(item.kind, language, count if isinstance(count, int) else None)
    counted = isinstance(PROMPT_TEXTS[item.kind, language], Plural)
    pieces: list[_Piece] = []
    text, dynamic = "", counted
    for literal, slot in template_parts(template):
        text += literal
        if slot is None:
            continue
        if slot not in item.values:
            raise ValueError(f"prompt {item.kind.value} needs a value for {{{slot}}}")
        value = item.values[slot]
        if isinstance(value, str | int):
            spoken = str(value) if isinstance(value, int) else speakable(value)
            if not spoken:
                raise ValueError(f"nothing to say for {{{slot}}} in {item.kind.value}")
            text, dynamic = text + spoken, True
            continue
        pieces.append(_Speech(text, dynamic))
        pieces.append(value)
        text, dynamic = "", counted
    pieces.append(_Speech(text, dynamic))
    return [piece for piece in map(_tidy, pieces) if piece is not None]


def _tidy(piece: _Piece) -> _Piece | None:
    """Drop the punctuation a slot left at the start of a text, and empty texts."""
    if not isinstance(piece, _Speech):
        return piece
    text = piece.text.lstrip(" ,.;:!?").rstrip()
    return _Speech(text, piece.dynamic) if text else None


def _joined(pieces: list[_Piece]) -> list[_Piece]:
    """Consecutive dynamic texts become one utterance."""
    joined: list[_Piece] = []
    for piece in pieces:
        previous = joined[-1] if joined else None
        if (
            isinstance(piece, _Speech)
            and isinstance(previous, _Speech)
            and piece.dynamic
            and previous.dynamic
        ):
            joined[-1] = _Speech(f"{previous.text} {piece.text}", True)
        else:
            joined.append(piece)
    return joined


def fixed_texts(language: str) -> list[str]:
    """The texts of every prompt that has no text slot: what is rendered ahead."""
    texts: list[str] = []
    for (kind, text_language), text in PROMPT_TEXTS.items():
        if text_language != language or isinstance(text, Plural):
            continue
        parts = template_parts(text)
        if any(slot is not None and slot not in AUDIO_SLOTS for _, slot in parts):
            continue
        for piece in _pieces(Say(kind, dict.fromkeys(AUDIO_SLOTS, SilenceSource(0))), language):
            if isinstance(piece, _Speech) and piece.text not in texts:
                texts.append(piece.text)
    return texts


class PromptLibrary:
    """Turns prompt kinds, languages and slot values into audio to play."""

    def __init__(self, cache_dir: Path, engines: Sequence[SpeechEngine] | None = None) -> None:
        self.cache_dir = cache_dir
        self.engines = list(installed_engines() if engines is None else engines)
        self._pending: dict[Path, asyncio.Future[Path]] = {}

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> PromptLibrary:
        """The library whose cache lives in the data dir, with the installed engines."""
        return cls(data_dir / "prompts")

    def engines_for(self, language: str) -> list[SpeechEngine]:
        """The engines able to speak ``language``, best first."""
        return [engine for engine in self.engines if engine.speaks(prompt_language(language))]

    async def prompt(self, language: str, kind: PromptKind, /, **values: SlotValue) -> PcmSource:
        """One prompt, e.g. ``prompt("fr", PromptKind.VOICEMAIL_GREETING, name="Ann")``."""
        return await self.sequence(language, Say(kind, values))

    async def sequence(self, language: str, *items: Say) -> PcmSource:
        """Several prompts played as one, with a short pause between parts."""
        language = prompt_language(language)
        pieces = _joined([piece for item in items for piece in _pieces(item, language)])
        parts: list[PcmSource] = []
        for piece in pieces:
            if parts:
                parts.append(SilenceSource(PAUSE_SECONDS))
            if isinstance(piece, _Speech):
                parts.append(await self.speech(language, piece.text))
            else:
                parts.append(piece)
        return SequenceSource(tuple(parts))

    async def speech(self, language: str, text: str) -> WavFileSource:
        """``text`` spoken in ``language``, from the cache or synthesised now."""
        language = prompt_language(language)
        engines = self.engines_for(language)
        if not engines:
            raise SpeechError(f"no speech engine speaks {language!r}")
        failures: list[str] = []
        for engine in engines:
            path = self._speech_path(engine, language, text)
            if path.exists():
                return WavFileSource(path)
            try:
                synthesize = partial(_synthesize, path, engine, language, text)
                return WavFileSource(await self._once(path, synthesize))
            except SpeechError as error:
                logger.warning("%s could not say %r: %s", engine.name, text, error)
                failures.append(f"{engine.name}: {error}")
        raise SpeechError("; ".join(failures))

    async def music(self, track: MusicTrack) -> PcmSource:
        """``track`` looping until the engine stops playing it."""
        path = self.cache_dir / "music" / f"{track.value}-{MUSIC_VERSION}.wav"
        if not path.exists():
            await self._once(path, lambda: _write(path, wav_bytes(render_track(track))))
        return LoopSource(WavFileSource(path))

    async def render_fixed_prompts(self, languages: Sequence[str] = LANGUAGES) -> int:
        """Render every fixed prompt in ``languages`` and every music track that is not
        cached yet; returns how many texts are ready. Runs as many syntheses at a time as
        there are cores."""
        limit = asyncio.Semaphore(os.cpu_count() or 1)

        async def render(language: str, text: str) -> None:
            async with limit:
                await self.speech(language, text)

        jobs = [render(language, text) for language in languages for text in fixed_texts(language)]
        await asyncio.gather(*jobs, *(self.music(track) for track in MusicTrack))
        return len(jobs)

    def _speech_path(self, engine: SpeechEngine, language: str, text: str) -> Path:
        digest = hashlib.sha256(f"{language}\n{text}".encode()).hexdigest()[:32]
        return self.cache_dir / "speech" / engine.name / language / f"{digest}.wav"

    async def _once(self, path: Path, render: Callable[[], Path]) -> Path:
        """Run ``render`` (which writes ``path``) in a thread, once even when several
        calls want ``path`` at the same time."""
        pending = self._pending.get(path)
        if pending is None:
            pending = asyncio.ensure_future(asyncio.to_thread(render))
            self._pending[path] = pending
            pending.add_done_callback(lambda _: self._pending.pop(path, None))
        return await asyncio.shield(pending)


def _synthesize(path: Path, engine: SpeechEngine, language: str, text: str) -> Path:
    with tempfile.TemporaryDirectory(prefix="speech-") as directory:
        raw = Path(directory) / "speech.wav"
        engine.synthesize(text, language, raw)
        pcm = telephone_pcm(raw)
    return _write(path, wav_bytes(pcm))


def _write(path: Path, data: bytes) -> Path:
    """Write through a temporary file in the same folder, renamed into place, so readers
    (and other processes rendering the same file) never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    Path(temporary).replace(path)
    return path
