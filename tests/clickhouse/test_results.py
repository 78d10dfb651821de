"""The research queries answer what they say: their rows (on chdb, which the parity test
holds equal to 18.16) checked against the same figures computed here from the history."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping

import pytest

from flows.analytics.queries import Param, literal, load, render
from tests.clickhouse import dataset
from tests.clickhouse.dataset import QUERY_CASES
from tests.clickhouse.engines import Chdb, Normalized


def _run(engine: Chdb, name: str, **params: Param) -> list[Normalized]:
    return engine.query(render(load(name), params))


def _answers() -> list[dataset.Answer]:
    _, regraded_answer, overall = dataset.REGRADED
    return [
        a._replace(overall=overall) if a.answer == regraded_answer else a for a in dataset.ANSWERS
    ]


@pytest.mark.parametrize("user", ["u1", "u2", "u3"])
def test_vocabulary_growth_counts_first_uses_cumulatively(loaded_chdb: Chdb, user: str) -> None:
    seen: set[str] = set()
    expected = []
    for a in dataset.ANSWERS:
        if a.user == user:
            new = set(a.lemmas) - seen
            seen |= new
            expected.append((a.answer, float(len(a.lemmas)), float(len(new)), float(len(seen))))
    found = _run(loaded_chdb, "vocabulary_growth", user_id=user)
    assert [(r[0], r[2], r[3], r[4]) for r in found] == expected


def test_lemma_frequencies_sum_every_learner(loaded_chdb: Chdb) -> None:
    occurrences: Counter[str] = Counter()
    learners: dict[str, set[str]] = defaultdict(set)
    for a in dataset.ANSWERS:
        occurrences.update(a.lemmas)
        for lemma in a.lemmas:
            learners[lemma].add(a.user)
    top = sorted(occurrences.items(), key=lambda item: (-item[1], item[0]))[:4]
    found = _run(loaded_chdb, "lemma_frequencies", limit=4)
    assert [(r[0], r[1], r[3]) for r in found] == [
        (lemma, float(n), float(len(learners[lemma]))) for lemma, n in top
    ]


def test_engine_comparison_counts_fallbacks_per_grader(loaded_chdb: Chdb) -> None:
    found = {r[0]: r for r in _run(loaded_chdb, "engine_comparison")}
    for grader in {a.grader for a in dataset.ANSWERS}:
        graded = [a for a in _answers() if a.grader == grader]
        fallbacks = sum(a.fallback is not None for a in graded)
        row = found[grader]
        assert row[1] == len(graded)
        assert row[2] == round(statistics.fmean(a.overall for a in graded), 6)
        assert row[7] == fallbacks
        assert row[8] == round(fallbacks / len(graded), 6)


def test_difficulty_per_category_uses_the_bank_and_the_newest_grade(loaded_chdb: Chdb) -> None:
    bank = {q.question_id: q.category for q in dataset.QUESTIONS}
    by_category: dict[str, list[float]] = defaultdict(list)
    for a in _answers():
        if a.question:
            by_category[bank.get(a.question, "")].append(a.overall)
    found = {r[0]: (r[1], r[3]) for r in _run(loaded_chdb, "difficulty_per_category")}
    assert found == {
        category: (float(len(scores)), round(statistics.fmean(scores), 6))
        for category, scores in by_category.items()
    }


def test_time_to_answer_median_and_histogram(loaded_chdb: Chdb) -> None:
    known = [a for a in dataset.ANSWERS if a.time_to_answer_s is not None]
    medians = {r[0]: r[3] for r in _run(loaded_chdb, "time_to_answer_quantiles")}
    for user in {a.user for a in known}:
        times = [a.time_to_answer_s for a in known if a.user == user]
        assert medians[user] == round(statistics.median(t for t in times if t is not None), 6)
    buckets = Counter(int((a.time_to_answer_s or 0) // 10) * 10 for a in known)
    histogram = _run(loaded_chdb, "time_to_answer_histogram", bucket_s=10)
    assert [(r[0], r[1]) for r in histogram] == [
        (float(b), float(n)) for b, n in sorted(buckets.items())
    ]
    assert sum(r[2] for r in histogram) == pytest.approx(1.0, abs=1e-5)  # shares, 6 places


@pytest.mark.parametrize(("name", "params"), QUERY_CASES, ids=[f"{n}{p}" for n, p in QUERY_CASES])
def test_files_run_unchanged_with_native_parameters_on_current_clickhouse(
    loaded_chdb: Chdb, name: str, params: Mapping[str, Param]
) -> None:
    for key, value in params.items():
        loaded_chdb.session.query(f"SET param_{key} = {literal(str(value), 'String')}")
    assert loaded_chdb.query(load(name)) == loaded_chdb.query(render(load(name), params))
