"""``telephonist admin render-prompts``, which ``make run`` and ``make test`` run: every
fixed prompt and the hold music land in the data dir, and a second run has nothing to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from telephonist import cli
from telephonist.prompts import library
from telephonist.prompts.catalogue import LANGUAGES
from telephonist.prompts.library import fixed_texts
from telephonist.prompts.speech import EspeakEngine


def test_render_prompts_fills_the_data_dir_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library, "installed_engines", lambda: [EspeakEngine()])
    count = sum(len(fixed_texts(language)) for language in LANGUAGES)
    command = ["admin", "--data-dir", str(tmp_path), "render-prompts"]

    first = CliRunner().invoke(cli.main, command)
    assert first.exit_code == 0, first.output
    assert first.output == (
        f"{count} prompts and the hold music are ready in {tmp_path / 'prompts'} "
        "(en: espeak-ng, fr: espeak-ng)\n"
    )
    rendered = sorted((tmp_path / "prompts").rglob("*.wav"))
    assert len(rendered) == count + 2
    assert not list((tmp_path / "prompts").rglob("*.part"))

    modified = [path.stat().st_mtime_ns for path in rendered]
    second = CliRunner().invoke(cli.main, command)
    assert second.exit_code == 0, second.output
    assert [path.stat().st_mtime_ns for path in rendered] == modified


def test_render_prompts_fails_clearly_without_a_voice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(library, "installed_engines", list)
    result = CliRunner().invoke(cli.main, ["admin", "--data-dir", str(tmp_path), "render-prompts"])
    assert result.exit_code == 1
    assert "cannot render prompts: no speech engine speaks 'en'" in result.output
