-- Local vs OpenAI grading: per feedback engine (Feedback.engines.feedback), the answers it
-- graded and their mean scores and speaking rate, and how many of them it graded only
-- because the configured paid grader could not (fallback_reason set: no credits, timeout,
-- API error...). fallback_rate is that share of the engine's answers; the paid grader's
-- own failure rate is the local row's fallbacks over (those fallbacks + its answers).
-- Parameters: none.
-- Columns: feedback_engine, answer_count, mean_overall, mean_delivery, mean_language_use,
--   mean_topic_development, mean_words_per_minute, fallbacks, fallback_rate.
SELECT
    feedback_engine,
    count() AS answer_count,
    avg(overall) AS mean_overall,
    avg(delivery) AS mean_delivery,
    avg(language_use) AS mean_language_use,
    avg(topic_development) AS mean_topic_development,
    avg(words_per_minute) AS mean_words_per_minute,
    countIf(fallback_reason IS NOT NULL) AS fallbacks,
    fallbacks / answer_count AS fallback_rate
FROM answers FINAL
GROUP BY feedback_engine
ORDER BY feedback_engine
