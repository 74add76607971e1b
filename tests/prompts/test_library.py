"""The prompt library with a scripted speech engine: what is spoken as one utterance, what
is cached, what is spliced, and that synthesis never blocks the event loop."""

from __future__ import annotations

import asyncio
import math
import threading
import time
import wave
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest

from telephonist.media.engine import SAMPLE_RATE
from telephonist.media.music import MusicTrack
from telephonist.media.sources import LoopSource, PcmBytesSource, SequenceSource, SilenceSource
from telephonist.media.wav import WavFileSource
from telephonist.prompts.catalogue import LANGUAGES, PromptKind
from telephonist.prompts.library import PAUSE_SECONDS, PromptLibrary, Say, fixed_texts
from telephonist.prompts.speech import SpeechError

T = TypeVar("T")


@dataclass
class ScriptedEngine:
    """Speaks any text as a 300 Hz tone, 50 ms per character, at 16 kHz; remembers what it
    was asked to say."""

    name: str = "scripted"
    languages: tuple[str, ...] = LANGUAGES
    fails: bool = False
    delay: float = 0.0
    said: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def speaks(self, language: str) -> bool:
        return language in self.languages

    def synthesize(self, text: str, language: str, output: Path) -> None:
        with self.lock:
            self.said.append((language, text))
        time.sleep(self.delay)
        if self.fails:
            raise SpeechError("scripted failure")
        times = np.arange(round(0.05 * len(text) * 16000)) / 16000
        samples = 0.3 * np.sin(2 * math.pi * 300 * times)
        with wave.open(str(output), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(16000)
            out.writeframes(np.round(samples * 32767).astype("<i2").tobytes())

    def texts(self) -> list[str]:
        return [text for _, text in self.said]


def run(work: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        result = await work()
        await asyncio.sleep(0)
        assert asyncio.all_tasks() == {asyncio.current_task()}, "tasks left running"
        return result

    return asyncio.run(main())


def seconds_of(source: WavFileSource) -> float:
    with wave.open(str(source.path)) as reader:
        assert (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (
            SAMPLE_RATE,
            1,
            2,
        )
        return reader.getnframes() / SAMPLE_RATE


def test_a_greeting_with_a_name_is_one_utterance(tmp_path: Path) -> None:
    engine = ScriptedEngine()
    library = PromptLibrary(tmp_path, [engine])
    source = run(lambda: library.prompt("fr-FR", PromptKind.USER_GREETING, name="Ann Lee"))
    assert engine.said == [("fr", "Merci d'avoir appelé Ann Lee.")]
    assert isinstance(source, SequenceSource)
    [spoken] = source.parts
    assert isinstance(spoken, WavFileSource)
    assert seconds_of(spoken) == pytest.approx(
        0.05 * len("Merci d'avoir appelé Ann Lee."), abs=0.02
    )


def test_speech_is_cached_across_calls_and_restarts(tmp_path: Path) -> None:
    engine = ScriptedEngine()

    async def twice() -> None:
        first = await PromptLibrary(tmp_path, [engine]).prompt("en", PromptKind.CONNECTING)
        second = await PromptLibrary(tmp_path, [engine]).prompt("en", PromptKind.CONNECTING)
        assert first == second

    run(twice)
    assert engine.texts() == ["Please hold while I try to connect you."]


def test_message_counts_are_spoken_as_one_sentence_before_the_menu(tmp_path: Path) -> None:
    engine = ScriptedEngine()
    library = PromptLibrary(tmp_path, [engine])
    source = run(
        lambda: library.sequence(
            "en",
            Say(PromptKind.NEW_MESSAGES, {"count": 3}),
            Say(PromptKind.SAVED_MESSAGES, {"count": 1}),
            Say(PromptKind.MAILBOX_MENU),
        )
    )
    assert engine.texts() == [
        "You have 3 new messages and one saved message.",
        "Press 1 to play new messages, 2 for saved messages, 3 to change your greeting, "
        "or star to exit.",
    ]
    assert isinstance(source, SequenceSource)
    assert source.parts[1] == SilenceSource(PAUSE_SECONDS)


def test_the_screened_callers_recorded_name_is_spliced_between_fixed_texts(
    tmp_path: Path,
) -> None:
    engine = ScriptedEngine()
    library = PromptLibrary(tmp_path, [engine])
    name = PcmBytesSource(b"\x01\x02" * 4000)
    source = run(lambda: library.prompt("en", PromptKind.SCREENING_OFFER, recorded_name=name))
    assert engine.texts() == [
        "You have a call from",
        "Press 1 to accept, or 2 to send the call to voicemail.",
    ]
    assert isinstance(source, SequenceSource)
    _, pause, recorded, pause_again, _ = source.parts
    assert recorded is name
    assert pause == pause_again == SilenceSource(PAUSE_SECONDS)
    assert "You have a call from" in fixed_texts("en")


def test_frames_of_a_prompt_are_whole(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path, [ScriptedEngine()])
    source = run(lambda: library.prompt("en", PromptKind.MESSAGE_FROM, caller="1 6 5 0"))
    frames = list(source.frames(160))
    assert all(len(frame) == 320 for frame in frames[:-1])


def test_a_failing_engine_falls_back_to_the_next(tmp_path: Path) -> None:
    broken, spare = ScriptedEngine("broken", fails=True), ScriptedEngine("spare")
    library = PromptLibrary(tmp_path, [broken, spare])
    source = run(lambda: library.speech("en", "Goodbye."))
    assert broken.texts() == spare.texts() == ["Goodbye."]
    assert "spare" in source.path.parts


def test_an_engine_speaks_only_its_languages(tmp_path: Path) -> None:
    english_only, both = ScriptedEngine("english", ("en",)), ScriptedEngine("both")
    library = PromptLibrary(tmp_path, [english_only, both])
    run(lambda: library.prompt("fr", PromptKind.GOODBYE))
    assert english_only.said == []
    assert both.said == [("fr", "Au revoir.")]


def test_without_any_engine_speaking_the_language_it_says_so(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path, [ScriptedEngine(languages=("en",), fails=True)])
    with pytest.raises(SpeechError, match="fr"):
        run(lambda: library.prompt("fr", PromptKind.GOODBYE))
    with pytest.raises(SpeechError, match="scripted failure"):
        run(lambda: library.prompt("en", PromptKind.GOODBYE))


@pytest.mark.parametrize(
    ("kind", "values", "error"),
    [
        (PromptKind.USER_GREETING, {}, "name"),
        (PromptKind.USER_GREETING, {"name": "<>"}, "nothing to say"),
        (PromptKind.NEW_MESSAGES, {}, "count"),
    ],
)
def test_missing_values_are_programming_errors(
    kind: PromptKind, values: dict[str, str], error: str, tmp_path: Path
) -> None:
    library = PromptLibrary(tmp_path, [ScriptedEngine()])
    with pytest.raises(ValueError, match=error):
        run(lambda: library.prompt("en", kind, **values))


def test_the_same_text_wanted_by_many_calls_is_synthesised_once(tmp_path: Path) -> None:
    engine = ScriptedEngine(delay=0.2)
    library = PromptLibrary(tmp_path, [engine])

    async def many() -> list[object]:
        return list(
            await asyncio.gather(
                *(library.prompt("en", PromptKind.USER_GREETING, name="Bo") for _ in range(5))
            )
        )

    assert len(set(map(repr, run(many)))) == 1
    assert engine.texts() == ["Thank you for calling Bo."]


def test_synthesis_does_not_block_the_event_loop(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path, [ScriptedEngine(delay=0.5)])

    async def ticking_while_speaking() -> int:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        await library.prompt("en", PromptKind.GOODBYE)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return ticks

    assert run(ticking_while_speaking) >= 20


def test_rendering_ahead_covers_every_fixed_text_once(tmp_path: Path) -> None:
    engine = ScriptedEngine()
    library = PromptLibrary(tmp_path, [engine])
    count = run(library.render_fixed_prompts)
    expected = [(language, text) for language in LANGUAGES for text in fixed_texts(language)]
    assert count == len(expected)
    assert sorted(engine.said) == sorted(expected)
    assert "Please hold while I try to connect you." in fixed_texts("en")
    assert not [text for _, text in expected if "{" in text]
    assert run(library.render_fixed_prompts) == count
    assert len(engine.said) == len(expected), "the second run re-rendered"
    assert sorted(path.name for path in (tmp_path / "music").iterdir()) == [
        f"{track.value}-1.wav" for track in MusicTrack
    ]


def test_music_loops_until_stopped(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path, [])
    source = run(lambda: library.music(MusicTrack.AMBIENT))
    assert isinstance(source, LoopSource)
    assert isinstance(source.source, WavFileSource)
    loop_seconds = seconds_of(source.source)
    frames = source.frames(160)
    played = sum(1 for _ in zip(range(round(2.5 * loop_seconds * 50)), frames, strict=False))
    assert played == round(2.5 * loop_seconds * 50)
