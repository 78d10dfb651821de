-- One row per (answer, lemma) from the word-stats topic (WordStats.lemma_counts): how often
-- the learner used the lemma in that answer. counted_at is the WordStats event's time.
CREATE TABLE IF NOT EXISTS word_counts
(
    user_id String,
    answer_id String,
    lemma String,
    count UInt64,
    counted_at DateTime('UTC'),
    event_id String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (user_id, answer_id, lemma)
