-- Difficulty of each question bank category: graded answers, distinct questions answered
-- and mean scores, hardest (lowest mean overall) first. Answers to a question the bank
-- never had fall in category ''.
-- Parameters: none.
-- Columns: category, answer_count, question_count, mean_overall, mean_delivery,
--   mean_language_use, mean_topic_development.
SELECT
    category,
    count() AS answer_count,
    uniqExact(question_id) AS question_count,
    avg(overall) AS mean_overall,
    avg(delivery) AS mean_delivery,
    avg(language_use) AS mean_language_use,
    avg(topic_development) AS mean_topic_development
FROM
(
    SELECT question_id, overall, delivery, language_use, topic_development
    FROM answers FINAL
    WHERE question_id != ''
) AS graded
ANY LEFT JOIN
(
    SELECT question_id, category
    FROM questions FINAL
) AS bank USING question_id
GROUP BY category
ORDER BY mean_overall, category
