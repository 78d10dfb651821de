"""The seed files: enough original questions per category, timed as each task is timed."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from questionbank.model import CATEGORIES
from questionbank.seed import DATA_DIR, SeedError, read_seed

# (answer, preparation) seconds of each task, from the issue: TOEFL iBT "Take an Interview"
# 45 s with no preparation; TOEFL independent 15 s + 45 s; behavioural job interview 90 s;
# workplace conversation 60 s (10 s to read the situation).
TIMING = {
    "interview": (45, 0),
    "independent": (45, 15),
    "job_interview": (90, 0),
    "workplace": (60, 10),
}


def test_every_category_has_at_least_22_questions_timed_as_its_task() -> None:
    questions = read_seed()
    assert set(TIMING) == set(CATEGORIES)
    counts = Counter(q.category for q in questions)
    assert all(counts[category] >= 22 for category in CATEGORIES), counts
    for q in questions:
        assert (q.answer_time_s, q.preparation_s) == TIMING[q.category], q.question_id
        assert q.active


def test_ids_are_stable_numbered_slugs_of_their_category() -> None:
    for q in read_seed():
        assert re.fullmatch(rf"{q.category}-\d{{3}}", q.question_id), q.question_id


def test_no_question_is_asked_twice() -> None:
    texts = [re.sub(r"\W+", " ", q.text.lower()).strip() for q in read_seed()]
    assert len(set(texts)) == len(texts)


def test_every_question_reads_as_a_prompt() -> None:
    for q in read_seed():
        assert q.text[0].isupper(), q.question_id
        assert q.text[-1] in ".?", q.question_id
        assert "  " not in q.text, q.question_id
        assert "\n" not in q.text, q.question_id


def _copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    return data


def test_an_id_used_in_two_files_refuses_the_seed(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    path = data / "workplace.yaml"
    path.write_text(path.read_text().replace("id: workplace-001", "id: interview-001"))
    with pytest.raises(SeedError, match="used twice: interview-001"):
        read_seed(data)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("category: workplace", "category: interview", "expected 'workplace'"),
        ("answer_time_s: 60", "answer_time_s: 600", "answer_time_s"),
        ("  - id: workplace-001\n", "  - id: Workplace 1\n", "question_id"),
        ("questions:", "question:", "question"),
        ("category: workplace", "category: [workplace", "while parsing"),
    ],
)
def test_a_broken_file_is_refused_with_its_path(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    data = _copy(tmp_path)
    path = data / "workplace.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(SeedError, match=message) as caught:
        read_seed(data)
    assert "workplace.yaml" in str(caught.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    data = _copy(tmp_path)
    (data / "independent.yaml").unlink()
    with pytest.raises(SeedError, match=r"independent\.yaml"):
        read_seed(data)
