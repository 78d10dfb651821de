"""Accuracy and speed of a recogniser on synthetic answers sent as Opus voice notes.

    python -m flows.transcription.measure [--beam-size N] [--cpu-threads N] [--initial-prompt P]

Each sample is spoken by espeak-ng, encoded as a Telegram-like voice note (Opus in OGG,
24 kbit/s) and decoded back to 16 kHz WAV, as an answer travels; the recogniser then
transcribes the decoded WAV. Prints, per sample: audio length, word error rate, real-time
factor (transcription time / audio length), and fillers ("um", "uh") spoken and heard.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flows.transcription.engines.base import SpeechRecognizer
from flows.transcription.engines.local import LocalWhisper, LocalWhisperSettings
from flows.transcription.synth import decode_voice_note, encode_voice_note, synthesize
from flows.transcription.wav import duration_s, read_samples
from flows.transcription.wer import WordErrors, normalize, word_errors

FILLERS = frozenset({"um", "uh", "er", "erm", "ah", "hmm", "mm"})


@dataclass(frozen=True)
class Sample:
    name: str
    wpm: int
    text: str


# TOEFL-style independent-speaking answers; every other one has fillers, as learners do.
SAMPLES = (
    Sample(
        "city",
        150,
        "I would rather live in a big city than in the countryside. The main reason is that "
        "cities offer many more opportunities for work and study. For example, when I moved "
        "to the capital three years ago, I found a job at a software company within two "
        "months, which would have been impossible in my hometown. Another reason is culture. "
        "In a city you can visit museums, concerts and theaters almost every weekend. So for "
        "these reasons, I prefer the city.",
    ),
    Sample(
        "teacher",
        140,
        "Um, I think the most important quality of a good teacher is patience. Uh, when I was "
        "in high school, I had a math teacher who, um, explained the same problem to me four "
        "or five times without getting angry. Because of that, I stopped being afraid of "
        "asking questions, and my grades improved a lot. So, uh, I believe patient teachers "
        "help students feel safe, and students who feel safe learn faster.",
    ),
    Sample(
        "sports",
        160,
        "In my opinion, students should be required to take part in sports at school. First "
        "of all, regular exercise keeps young people healthy and helps them concentrate in "
        "class. Second, team sports teach important skills such as cooperation, leadership "
        "and dealing with failure. When my basketball team lost the final game last year, our "
        "coach showed us how to analyze our mistakes instead of blaming each other. That "
        "lesson has been useful in many other parts of my life.",
    ),
    Sample(
        "travel",
        150,
        "Well, if I could travel anywhere, I would, um, go to Japan. I have always been "
        "interested in Japanese history and food. Uh, I would like to visit the old temples "
        "in Kyoto and try real ramen in a small local restaurant. I think traveling to a "
        "country with a very different culture, um, helps you understand your own culture "
        "better, and it also makes you more open minded.",
    ),
    Sample(
        "technology",
        170,
        "I disagree with the idea that technology makes people less social. Of course, some "
        "people spend too much time looking at their phones, but technology also helps us "
        "stay in touch with friends and family who live far away. My grandmother lives in "
        "another country, and thanks to video calls we talk every Sunday. Online communities "
        "also allow people with unusual hobbies to find others who share their interests. So "
        "I believe technology mostly brings people together.",
    ),
    Sample(
        "book",
        145,
        "The book that influenced me the most is, uh, a biography of Marie Curie. Um, I read "
        "it when I was fifteen years old. It describes how she worked for years in difficult "
        "conditions and still made discoveries that changed science. What impressed me most "
        "was her persistence. Uh, after reading it, I decided to study chemistry at "
        "university, and, um, whenever my experiments fail, I remember her story.",
    ),
    Sample(
        "teamwork",
        155,
        "Some people prefer to work alone, but I prefer working in a group. When several "
        "people share ideas, the final result is usually more creative than anything one "
        "person could produce. Last semester I worked on a research project with three "
        "classmates. One of them was great at statistics, another wrote very clearly, and I "
        "was good at organizing our schedule. Together we finished two weeks early and "
        "received the highest grade in the class. I could never have done that alone.",
    ),
    Sample(
        "transport",
        165,
        "I think the government should spend more money on public transportation than on "
        "building new roads. New roads often lead to even more traffic, because they "
        "encourage people to drive. Good buses and trains, on the other hand, reduce "
        "pollution and save time for everyone. In my city the new subway line carries about "
        "one hundred thousand passengers a day, and the streets in the center are much "
        "quieter now.",
    ),
    Sample(
        "cooking",
        150,
        "So, uh, my favorite way to relax is cooking. After a long day at work, I like to, "
        "um, put on some music and prepare dinner for my family. Cooking lets me focus on "
        "something simple and creative at the same time. Uh, last weekend I tried to make "
        "homemade pasta for the first time. It was not perfect, but, um, everyone enjoyed "
        "it, and I felt really proud.",
    ),
    Sample(
        "online",
        160,
        "Online classes and classroom classes both have advantages, but I believe classroom "
        "learning is more effective for most students. In a classroom, you can ask the "
        "teacher questions immediately and discuss ideas with your classmates face to face. "
        "It is also easier to stay motivated when other people around you are working hard. "
        "During the pandemic I took online courses for a whole year, and I often felt "
        "distracted and lonely. When we returned to school, my concentration improved right "
        "away.",
    ),
)


@dataclass(frozen=True)
class Clip:
    """A sample as the recogniser receives it: decoded from its voice note."""

    sample: Sample
    wav: Path
    duration_s: float


@dataclass(frozen=True)
class Result:
    clip: Clip
    errors: WordErrors
    seconds: float  # spent transcribing
    fillers_said: int
    fillers_heard: int

    @property
    def rtf(self) -> float:
        return self.seconds / self.clip.duration_s


def prepare(samples: Sequence[Sample], workdir: Path) -> list[Clip]:
    clips = []
    for sample in samples:
        clean = synthesize(sample.text, workdir / f"{sample.name}.wav", wpm=sample.wpm)
        note = encode_voice_note(clean, workdir / f"{sample.name}.ogg")
        heard = decode_voice_note(note, workdir / f"{sample.name}.decoded.wav")
        clips.append(Clip(sample, heard, duration_s(read_samples(heard))))
    return clips


def _fillers(text: str) -> int:
    return sum(word in FILLERS for word in normalize(text))


def measure(engine: SpeechRecognizer, clips: Sequence[Clip]) -> list[Result]:
    results = []
    for clip in clips:
        started = time.perf_counter()
        speech = engine.transcribe(clip.wav)
        seconds = time.perf_counter() - started
        results.append(
            Result(
                clip=clip,
                errors=word_errors(clip.sample.text, speech.text),
                seconds=seconds,
                fillers_said=_fillers(clip.sample.text),
                fillers_heard=_fillers(speech.text),
            )
        )
    return results


def render(engine: str, results: Sequence[Result]) -> str:
    lines = [
        f"engine: {engine}",
        f"{'sample':<12}{'wpm':>5}{'audio s':>9}{'WER %':>8}{'RTF':>8}{'fillers':>10}",
    ]
    for r in results:
        fillers = f"{r.fillers_heard}/{r.fillers_said}"
        lines.append(
            f"{r.clip.sample.name:<12}{r.clip.sample.wpm:>5}{r.clip.duration_s:>9.1f}"
            f"{100 * r.errors.rate:>8.1f}{r.rtf:>8.3f}{fillers:>10}"
        )
    audio = sum(r.clip.duration_s for r in results)
    pooled = sum(r.errors.edits for r in results) / sum(r.errors.reference_words for r in results)
    said, heard = sum(r.fillers_said for r in results), sum(r.fillers_heard for r in results)
    lines.append(
        f"{'all':<12}{'':>5}{audio:>9.1f}{100 * pooled:>8.1f}"
        f"{sum(r.seconds for r in results) / audio:>8.3f}{f'{heard}/{said}':>10}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = LocalWhisperSettings()
    parser.add_argument("--beam-size", type=int, default=defaults.beam_size)
    parser.add_argument("--cpu-threads", type=int, default=defaults.cpu_threads)
    parser.add_argument("--initial-prompt", default=defaults.initial_prompt, help='"" for none')
    args = parser.parse_args(argv)
    settings = LocalWhisperSettings(
        beam_size=args.beam_size,
        cpu_threads=args.cpu_threads,
        initial_prompt=args.initial_prompt or None,
    )
    engine = LocalWhisper(settings)
    with tempfile.TemporaryDirectory(prefix="speech-coach-measure-") as workdir:
        results = measure(engine, prepare(SAMPLES, Path(workdir)))
    print(
        render(f"{engine.name} beam={settings.beam_size} threads={settings.cpu_threads}", results)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
