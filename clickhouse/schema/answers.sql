-- One row per graded answer, from the feedback topic (Feedback events): every metric,
-- every rubric score (0-4), the engines and why the local grader stood in, if it did.
-- A duplicate Feedback collapses into one row; a regenerated one (replay through a changed
-- flow) replaces it, being newer (version: occurred_at in microseconds).
-- question_id is '' for free practice; answered_at is the answer's time (Feedback.answered_at,
-- or the Feedback's occurred_at when the event predates that field).
CREATE TABLE IF NOT EXISTS answers
(
    answer_id String,
    user_id String,
    question_id String,
    answered_at DateTime('UTC'),
    answered_at_ms UInt16,
    graded_at DateTime('UTC'),
    language String,
    duration_s Float64,
    words UInt64,
    words_per_minute Float64,
    pause_count UInt64,
    mean_pause_s Float64,
    long_pause_count UInt64,
    filler_count UInt64,
    type_token_ratio Float64,
    time_to_answer_s Nullable(Float64),
    repetition_count Nullable(UInt64),
    rare_word_ratio Nullable(Float64),
    relevance Nullable(Float64),
    length_ratio Nullable(Float64),
    delivery Float64,
    language_use Float64,
    topic_development Float64,
    overall Float64,
    stt_engine String,
    feedback_engine String,
    fallback_reason Nullable(String),
    event_id String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (user_id, answer_id)
