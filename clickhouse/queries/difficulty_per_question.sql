-- Difficulty of each question: how many graded answers it got and their mean scores,
-- hardest (lowest mean overall) first. The category comes from the question bank
-- dimension (the `questions` table); '' for a question the bank never had.
-- Parameters: none.
-- Columns: question_id, category, answer_count, mean_overall, mean_delivery,
--   mean_language_use, mean_topic_development.
SELECT
    question_id,
    category,
    answer_count,
    mean_overall,
    mean_delivery,
    mean_language_use,
    mean_topic_development
FROM
(
    SELECT
        question_id,
        count() AS answer_count,
        avg(overall) AS mean_overall,
        avg(delivery) AS mean_delivery,
        avg(language_use) AS mean_language_use,
        avg(topic_development) AS mean_topic_development
    FROM answers FINAL
    WHERE question_id != ''
    GROUP BY question_id
) AS graded
ANY LEFT JOIN
(
    SELECT question_id, category
    FROM questions FINAL
) AS bank USING question_id
ORDER BY mean_overall, question_id
