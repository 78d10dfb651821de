-- One row per question the bot sent (QuestionAsked): time-to-answer starts at asked_at.
CREATE TABLE IF NOT EXISTS questions_asked
(
    event_id String,
    user_id String,
    question_id String,
    category String,
    chat_id Int64,
    asked_at DateTime('UTC'),
    asked_at_ms UInt16,
    repetition UInt8,
    occurred_at DateTime('UTC'),
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (user_id, event_id)
