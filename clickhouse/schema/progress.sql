-- One row per Progress event (the scoring flow's windows after each graded answer):
-- mean scores over the last-N answers and over the 7 days up to the answer, and the trend.
CREATE TABLE IF NOT EXISTS progress
(
    event_id String,
    user_id String,
    answer_id String,
    occurred_at DateTime('UTC'),
    window_size UInt16,
    answers_in_window UInt16,
    last_n_delivery Float64,
    last_n_language_use Float64,
    last_n_topic_development Float64,
    last_n_overall Float64,
    last_7_days_delivery Float64,
    last_7_days_language_use Float64,
    last_7_days_topic_development Float64,
    last_7_days_overall Float64,
    last_7_days_count UInt64,
    trend Float64,
    strongest String,
    weakest String,
    time_to_answer_median_s Nullable(Float64),
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (user_id, event_id)
