-- Time-to-answer distribution per learner: from the question reaching the learner to the
-- start of their speech, both Telegram dates (docs/learner-loop.md), over the graded answers
-- where it is known (answers to a question the bot asked).
-- Quantiles interpolate, and are exact up to 8192 answers per learner (reservoir beyond).
-- Parameters: none.
-- Columns: user_id, answer_count, mean_s, p50_s, p90_s, p99_s, max_s.
SELECT
    user_id,
    answer_count,
    mean_s,
    q[1] AS p50_s,
    q[2] AS p90_s,
    q[3] AS p99_s,
    max_s
FROM
(
    SELECT
        user_id,
        count() AS answer_count,
        avg(time_to_answer_s) AS mean_s,
        quantiles(0.5, 0.9, 0.99)(time_to_answer_s) AS q,
        max(time_to_answer_s) AS max_s
    FROM answers FINAL
    WHERE time_to_answer_s IS NOT NULL
    GROUP BY user_id
)
ORDER BY user_id
