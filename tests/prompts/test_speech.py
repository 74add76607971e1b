"""Real speech engines (WEB-6): every engine installed here says every fixed prompt in the
languages it speaks as telephone audio (8 kHz mono, even loudness, speech-like, plausible
length), and none of it sounds like a key press. espeak-ng is always there, so a machine
with nothing else still speaks English and French."""

from __future__ import annotations

import asyncio
import wave
from pathlib import Path

import numpy as np
import pytest

from telephonist.media.engine import SAMPLE_RATE
from telephonist.media.inband_dtmf import InbandDtmfDetector
from telephonist.media.sources import take_seconds
from telephonist.prompts.catalogue import LANGUAGES, PromptKind
from telephonist.prompts.library import PromptLibrary, fixed_texts
from telephonist.prompts.speech import (
    EspeakEngine,
    SpeechEngine,
    SpeechError,
    engine_summary,
    installed_engines,
    telephone_pcm,
)
from tests.telephony.audio import sound_frames

ENGINES = installed_engines()


def read_pcm(path: Path) -> bytes:
    with wave.open(str(path)) as reader:
        assert (reader.getframerate(), reader.getnchannels(), reader.getsampwidth()) == (
            SAMPLE_RATE,
            1,
            2,
        )
        return reader.readframes(reader.getnframes())


def assert_speech(pcm: bytes, text: str) -> None:
    """Sound for most of its length, at about -20 dBFS, with the ups and downs of
    syllables, lasting as long as ``text`` takes to say."""
    samples = np.frombuffer(pcm, "<i2") / 32768
    seconds = len(samples) / SAMPLE_RATE
    assert 0.035 * len(text) <= seconds <= 0.15 * len(text) + 0.5, f"{seconds:.2f} s: {text}"
    loud = sound_frames(samples)
    assert loud.mean() > 0.4, f"mostly silent: {text}"
    frames = samples[: len(samples) // 160 * 160].reshape(-1, 160)
    levels = 20 * np.log10(np.sqrt(np.mean(frames**2, axis=1)) + 1e-9)
    voiced = levels[loud[: len(levels)]]
    assert 10 * np.log10(np.mean(10 ** (voiced / 10))) == pytest.approx(-20, abs=3)
    assert np.std(voiced) > 3, f"too steady to be speech: {text}"


@pytest.fixture(scope="module", params=ENGINES, ids=lambda engine: engine.name)
def rendered(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SpeechEngine, PromptLibrary]:
    """Every fixed prompt rendered once by one engine."""
    library = PromptLibrary(tmp_path_factory.mktemp("prompts"), [request.param])
    asyncio.run(library.render_fixed_prompts(list(filter(request.param.speaks, LANGUAGES))))
    return request.param, library


def spoken(library: PromptLibrary, language: str, text: str) -> bytes:
    return read_pcm(asyncio.run(library.speech(language, text)).path)


def test_espeak_ng_is_always_there_as_the_last_resort() -> None:
    assert isinstance(ENGINES[-1], EspeakEngine)
    assert all(ENGINES[-1].speaks(language) for language in LANGUAGES)


def test_every_language_has_a_voice_and_the_best_one_is_chosen() -> None:
    summary = engine_summary(ENGINES, LANGUAGES)
    assert "none" not in summary.values()
    for language, name in summary.items():
        assert name == PromptLibrary(Path("unused"), ENGINES).engines_for(language)[0].name


def test_every_fixed_prompt_is_speech(rendered: tuple[SpeechEngine, PromptLibrary]) -> None:
    engine, library = rendered
    for language in filter(engine.speaks, LANGUAGES):
        for text in fixed_texts(language):
            assert_speech(spoken(library, language, text), text)


def test_no_prompt_is_taken_for_a_key_press(rendered: tuple[SpeechEngine, PromptLibrary]) -> None:
    engine, library = rendered
    for language in filter(engine.speaks, LANGUAGES):
        for text in fixed_texts(language):
            assert InbandDtmfDetector().feed(spoken(library, language, text)) == [], text


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_greeting_with_a_name_is_spoken_by_the_available_engine(
    language: str, tmp_path: Path
) -> None:
    library = PromptLibrary(tmp_path)
    source = asyncio.run(library.prompt(language, PromptKind.USER_GREETING, name="Dulcinea Dunn"))
    pcm = take_seconds(source, 30)
    assert_speech(pcm, "Thank you for calling Dulcinea Dunn.")
    assert InbandDtmfDetector().feed(pcm) == []


def test_a_french_count_and_an_english_count_are_spoken(tmp_path: Path) -> None:
    library = PromptLibrary(tmp_path, [EspeakEngine()])
    for language in LANGUAGES:
        source = asyncio.run(library.prompt(language, PromptKind.NEW_MESSAGES, count=12))
        assert_speech(take_seconds(source, 30), "You have 12 new messages")


def test_text_that_looks_like_an_option_is_spoken_not_obeyed(tmp_path: Path) -> None:
    engine = ENGINES[-1]
    engine.synthesize("--help -w /etc/passwd", "en", tmp_path / "out.wav")
    assert len(telephone_pcm(tmp_path / "out.wav")) > SAMPLE_RATE


def test_an_engine_that_says_nothing_is_an_error(tmp_path: Path) -> None:
    silent = tmp_path / "silent.wav"
    with wave.open(str(silent), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        out.writeframes(bytes(44100))
    with pytest.raises(SpeechError, match="no sound"):
        telephone_pcm(silent)
