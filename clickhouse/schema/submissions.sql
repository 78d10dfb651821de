-- One row per submitted answer (AnswerSubmitted), graded or not: where it came from, its
-- size and the duration the client declared. question_id is '' for free practice.
CREATE TABLE IF NOT EXISTS submissions
(
    answer_id String,
    user_id String,
    question_id String,
    answered_at DateTime('UTC'),
    answered_at_ms UInt16,
    source String,
    mime_type String,
    size_bytes UInt64,
    declared_duration_s Nullable(Float64),
    language String,
    event_id String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (user_id, answer_id)
