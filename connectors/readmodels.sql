-- Read models the bot queries. Written only by the Debezium JDBC sink (connectors/
-- readmodels-sink.json) from the rm_* topics, which the read-models flow derives
-- from events: drop these tables, replay the topics, and they come back.
CREATE TABLE IF NOT EXISTS rm_learners (
    user_id    text PRIMARY KEY,
    chat_id    bigint,
    language   text NOT NULL,
    consent    boolean NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS rm_answered (
    user_id          text NOT NULL,
    question_id      text NOT NULL,
    times_answered   integer NOT NULL,
    last_answered_at timestamptz NOT NULL,
    last_overall     double precision,
    due_at           timestamptz NOT NULL,
    PRIMARY KEY (user_id, question_id)
);

CREATE TABLE IF NOT EXISTS rm_balances (
    user_id    text PRIMARY KEY,
    balance    integer NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS rm_last_questions (
    user_id     text PRIMARY KEY,
    question_id text NOT NULL,
    asked_at    timestamptz NOT NULL
);

-- Progress: the scoring flow's newest window per learner.
CREATE TABLE IF NOT EXISTS rm_progress (
    user_id                 text PRIMARY KEY,
    answer_id               text NOT NULL,
    window_size             integer NOT NULL,
    answers_in_window       integer NOT NULL,
    last_n_delivery         double precision NOT NULL,
    last_n_language_use     double precision NOT NULL,
    last_n_topic_development double precision NOT NULL,
    last_n_overall          double precision NOT NULL,
    last_7_days_overall     double precision NOT NULL,
    last_7_days_count       integer NOT NULL,
    trend                   double precision NOT NULL,
    strongest               text NOT NULL,
    weakest                 text NOT NULL,
    time_to_answer_median_s double precision,
    updated_at              timestamptz NOT NULL
);

-- One row per graded answer: the points of the /stats chart, with the window average
-- the scoring flow computed at that answer.
CREATE TABLE IF NOT EXISTS rm_scores (
    user_id           text NOT NULL,
    answer_id         text NOT NULL,
    answered_at       timestamptz NOT NULL,
    delivery          double precision,
    language_use      double precision,
    topic_development double precision,
    overall           double precision,
    window_overall    double precision,
    PRIMARY KEY (user_id, answer_id)
);

-- Vocabulary: totals and the newest words a learner used.
CREATE TABLE IF NOT EXISTS rm_vocabulary (
    user_id      text PRIMARY KEY,
    unique_total integer NOT NULL,
    top_lemmas   text NOT NULL,  -- "lemma:count" comma-separated, most frequent first
    newest       text NOT NULL,  -- newest first, comma-separated
    updated_at   timestamptz NOT NULL
);
