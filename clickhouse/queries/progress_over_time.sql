-- Progress of one learner over time: per day (UTC), the answers graded and their mean
-- rubric scores, with the scoring flow's last-N mean and trend after that day's last update
-- (0 on a day without a Progress event).
-- Parameters: {user_id:String} the learner.
-- Columns: day, answer_count, mean_overall, mean_delivery, mean_language_use,
--   mean_topic_development, last_n_overall, trend.
SELECT
    day,
    answer_count,
    mean_overall,
    mean_delivery,
    mean_language_use,
    mean_topic_development,
    last_n_overall,
    trend
FROM
(
    SELECT
        toDate(answered_at) AS day,
        count() AS answer_count,
        avg(overall) AS mean_overall,
        avg(delivery) AS mean_delivery,
        avg(language_use) AS mean_language_use,
        avg(topic_development) AS mean_topic_development
    FROM answers FINAL
    WHERE user_id = {user_id:String}
    GROUP BY day
) AS daily
ANY LEFT JOIN
(
    SELECT
        toDate(occurred_at) AS day,
        argMax(last_n_overall, version) AS last_n_overall,
        argMax(trend, version) AS trend
    FROM progress FINAL
    WHERE user_id = {user_id:String}
    GROUP BY day
) AS windows USING day
ORDER BY day
