"""The offline recogniser on a synthetic answer of known text, sent as a voice note.

Transcriptions cost 1-3 s of CPU each: the answer is transcribed once per module.
"""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import numpy as np
import pytest

from flows.transcription.engines.base import EngineUnavailable, RecognizedSpeech
from flows.transcription.engines.local import (
    MODEL_SHA256,
    LocalWhisper,
    ModelIntegrityError,
    bundled_model_dir,
)
from flows.transcription.measure import SAMPLES
from flows.transcription.synth import (
    decode_voice_note,
    encode_voice_note,
    speech_span,
    synthesize,
)
from flows.transcription.wer import normalize, word_errors

# 31 s with four fillers, which tiny.en drops without its prompt; decoded in about 2 s.
ANSWER = next(sample for sample in SAMPLES if sample.name == "teacher")


@pytest.fixture(scope="module")
def engine() -> LocalWhisper:
    return LocalWhisper()


@pytest.fixture(scope="module")
def clean_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("answer")
    return synthesize(ANSWER.text, workdir / "clean.wav", wpm=ANSWER.wpm)


@pytest.fixture(scope="module")
def heard_wav(clean_wav: Path) -> Path:
    note = encode_voice_note(clean_wav, clean_wav.with_suffix(".ogg"))
    return decode_voice_note(note, clean_wav.with_name("heard.wav"))


@pytest.fixture(scope="module")
def speech(engine: LocalWhisper, heard_wav: Path) -> RecognizedSpeech:
    return engine.transcribe(heard_wav)


def _seconds(wav: Path) -> float:
    with wave.open(str(wav), "rb") as reader:
        return reader.getnframes() / reader.getframerate()


@pytest.mark.slow
def test_transcript_is_close_to_the_text(speech: RecognizedSpeech) -> None:
    assert speech.language == "en"
    assert word_errors(ANSWER.text, speech.text).rate <= 0.25
    assert normalize(" ".join(w.word for w in speech.words)) == normalize(speech.text)


@pytest.mark.slow
def test_fillers_are_kept(speech: RecognizedSpeech) -> None:
    fillers = {"um", "uh"}
    spoken = sum(word in fillers for word in normalize(ANSWER.text))
    heard = sum(word in fillers for word in normalize(speech.text))
    assert spoken == 4
    assert heard >= 3


@pytest.mark.slow
def test_leftover_window_is_not_transcribed(speech: RecognizedSpeech) -> None:
    # Whisper decodes the 0.7 s left after its first window again and hears "That's good."
    # there (see `hallucination`); the answer ends "...learn faster."
    assert normalize(speech.text)[-2:] != ["thats", "good"]


@pytest.mark.slow
def test_word_timings_are_ordered_and_inside_the_audio(
    speech: RecognizedSpeech, heard_wav: Path
) -> None:
    duration = _seconds(heard_wav)
    assert speech.duration_s == pytest.approx(duration)
    for word in speech.words:
        assert 0 <= word.start_s <= word.end_s <= duration
        assert word.probability is not None
        assert word.word == word.word.strip()
    for before, after in zip(speech.words, speech.words[1:], strict=False):
        assert before.end_s <= after.start_s


@pytest.mark.slow
def test_speaking_rate_from_words_matches_the_synthesis(
    speech: RecognizedSpeech, clean_wav: Path
) -> None:
    start, end = speech_span(clean_wav)
    truth = len(ANSWER.text.split()) / (end - start) * 60
    words = speech.words
    measured = len(words) / (words[-1].end_s - words[0].start_s) * 60
    assert measured == pytest.approx(truth, rel=0.15)


@pytest.mark.slow
def test_transcription_is_repeatable(
    engine: LocalWhisper, heard_wav: Path, speech: RecognizedSpeech
) -> None:
    assert engine.transcribe(heard_wav) == speech


@pytest.mark.slow
def test_silence_gives_no_words(engine: LocalWhisper, tmp_path: Path) -> None:
    # Whisper alone hears "Yeah. Yeah. Yeah..." in 3 s of digital silence.
    path = tmp_path / "silence.wav"
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16_000)
        writer.writeframes(np.zeros(3 * 16_000, dtype="<i2").tobytes())
    speech = engine.transcribe(path)
    assert (speech.text, speech.words) == ("", ())
    assert speech.duration_s == pytest.approx(3.0)


def test_audio_that_is_not_16k_mono_wav_is_refused(engine: LocalWhisper, tmp_path: Path) -> None:
    path = tmp_path / "note.ogg"
    path.write_bytes(b"OggS....")
    with pytest.raises(EngineUnavailable, match="not a readable WAV") as caught:
        engine.transcribe(path)
    assert "not a readable WAV" in caught.value.reason


def _model_copy(tmp_path: Path, *, without: str) -> Path:
    # The small files are copied; model.bin (75 MB) is left to each test.
    for name in MODEL_SHA256:
        if name not in {"model.bin", without}:
            shutil.copy(bundled_model_dir() / name, tmp_path / name)
    return tmp_path


def test_a_changed_model_file_is_refused_before_loading(tmp_path: Path) -> None:
    model_dir = _model_copy(tmp_path, without="model.bin")
    (model_dir / "model.bin").write_bytes(b"weights from another release")
    with pytest.raises(ModelIntegrityError) as caught:
        LocalWhisper(model_dir=model_dir)
    reason = caught.value.reason
    assert "model.bin" in reason
    assert MODEL_SHA256["model.bin"] in reason
    assert isinstance(caught.value, EngineUnavailable)


def test_a_missing_model_file_is_refused(tmp_path: Path) -> None:
    model_dir = _model_copy(tmp_path, without="tokenizer.json")
    shutil.copy(bundled_model_dir() / "model.bin", model_dir / "model.bin")
    with pytest.raises(ModelIntegrityError, match=r"tokenizer\.json"):
        LocalWhisper(model_dir=model_dir)


# Whisper ended its first window's decode after 11 s of this 31 s answer (espeak-ng's
# en-gb+f3 at 220 wpm) and moved on: 62 % of the words were lost until decoding resumed
# after the last word heard.
FAST_ANSWER = (
    "I would prefer to work for a small company rather than a large one. In a small "
    "company, a team brings together people with diverse talents, and everyone learns "
    "remarkably quickly. My cousin joined a modest architecture studio, and within months "
    "he could finish elaborate projects alone. His manager trusts him, and every week he "
    "goes to meetings with important clients. Large corporations often have rigid "
    "hierarchies, and managers rarely share information with newcomers. Besides, I think "
    "employers reward initiative, and a modest workplace lets you demonstrate it daily. The "
    "salary might be lower at first, but the experience is priceless. That is why my "
    "preference is clearly a smaller firm."
)


def test_an_early_end_of_decoding_resumes_after_the_last_word(
    engine: LocalWhisper, tmp_path: Path
) -> None:
    clean = synthesize(FAST_ANSWER, tmp_path / "fast.wav", wpm=220, voice="en-gb+f3")
    heard = decode_voice_note(encode_voice_note(clean, tmp_path / "fast.ogg"), tmp_path / "h.wav")
    speech = engine.transcribe(heard)
    assert word_errors(FAST_ANSWER, speech.text).rate < 0.3, speech.text
    assert speech.text.endswith("smaller firm.")
    starts = [w.start_s for w in speech.words]
    assert starts == sorted(starts)
    assert speech.words[-1].end_s <= speech.duration_s
