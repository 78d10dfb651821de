-- One row per refused answer (Rejected): the stage that refused it and the machine code.
CREATE TABLE IF NOT EXISTS rejections
(
    event_id String,
    user_id String,
    answer_id String,
    stage String,
    code String,
    message String,
    occurred_at DateTime('UTC'),
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (user_id, event_id)
