-- The question bank as a dimension, from its Debezium CDC topic: the latest row of each
-- question (version: the change record's Kafka timestamp in milliseconds). A deleted
-- question keeps its last row: answers given to it still belong to its category.
CREATE TABLE IF NOT EXISTS questions
(
    question_id String,
    category String,
    text String,
    answer_time_s UInt16,
    preparation_s UInt16,
    active UInt8,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY question_id
