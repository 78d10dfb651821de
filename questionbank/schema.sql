-- The question bank: seeded from questionbank/data/ by `speech-coach questions load`, then
-- owned by operators, who edit it with SQL. Debezium captures every change into the
-- compacted topic questionbank.public.questions, which the bot and the flows read.
--
-- The CHECK constraints mirror questionbank/model.py, so SQL cannot store a row the readers
-- would refuse. Remove a question with DELETE (or set active = false), never TRUNCATE:
-- Debezium skips truncates by default, so the topic would keep the rows.
CREATE TABLE IF NOT EXISTS public.questions (
    question_id   text PRIMARY KEY CHECK (question_id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    category      text NOT NULL
                  CHECK (category IN ('interview', 'independent', 'job_interview', 'workplace')),
    text          text NOT NULL CHECK (length(btrim(text)) BETWEEN 1 AND 1000),
    answer_time_s integer NOT NULL CHECK (answer_time_s BETWEEN 1 AND 300),
    preparation_s integer NOT NULL DEFAULT 0 CHECK (preparation_s BETWEEN 0 AND 300),
    active        boolean NOT NULL DEFAULT true,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Update and delete events carry the whole old row, not only the key.
ALTER TABLE public.questions REPLICA IDENTITY FULL;

-- Operators' UPDATEs need not remember updated_at.
CREATE OR REPLACE FUNCTION public.questions_touch() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER questions_touch
    BEFORE UPDATE ON public.questions
    FOR EACH ROW EXECUTE FUNCTION public.questions_touch();
