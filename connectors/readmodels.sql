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
