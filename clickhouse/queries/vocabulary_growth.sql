-- Vocabulary growth of one learner: for each answer, in the order its words were counted,
-- the distinct lemmas it used, how many of them the learner used for the first time, and
-- the cumulative number of distinct lemmas so far.
-- Parameters: {user_id:String} the learner.
-- Columns: answer_id, counted_at, lemma_count, new_lemmas, cumulative_lemmas.
-- 18.16 has no window functions: each lemma's first answer comes from argMin over the row
-- version (the WordStats event time in microseconds), the per-answer counts are gathered
-- into arrays sorted by that version, and arrayCumSum gives the running total.
SELECT answer_id, counted_at, lemma_count, new_lemmas, cumulative_lemmas
FROM
(
    SELECT
        groupArray(answer_id) AS answer_ids,
        groupArray(counted_at) AS counted_ats,
        groupArray(lemma_count) AS lemma_counts,
        groupArray(new_lemmas) AS new_counts,
        groupArray(version) AS versions
    FROM
    (
        SELECT
            answer_id,
            min(counted_at) AS counted_at,
            max(version) AS version,
            count() AS lemma_count
        FROM word_counts FINAL
        WHERE user_id = {user_id:String}
        GROUP BY answer_id
    ) AS answered
    ANY LEFT JOIN
    (
        SELECT first_answer AS answer_id, count() AS new_lemmas
        FROM
        (
            SELECT lemma, argMin(answer_id, version) AS first_answer
            FROM word_counts FINAL
            WHERE user_id = {user_id:String}
            GROUP BY lemma
        )
        GROUP BY first_answer
    ) AS firsts USING answer_id
)
ARRAY JOIN
    arraySort((x, v) -> v, answer_ids, versions) AS answer_id,
    arraySort((x, v) -> v, counted_ats, versions) AS counted_at,
    arraySort((x, v) -> v, lemma_counts, versions) AS lemma_count,
    arraySort((x, v) -> v, new_counts, versions) AS new_lemmas,
    arrayCumSum(arraySort((x, v) -> v, new_counts, versions)) AS cumulative_lemmas
