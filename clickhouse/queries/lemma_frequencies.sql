-- Global lemma frequencies: the {limit} lemmas used most across every learner, with the
-- number of answers and of learners that used each.
-- Parameters: {limit:UInt32} how many lemmas.
-- Columns: lemma, occurrences, answer_count, learner_count.
SELECT
    lemma,
    sum(count) AS occurrences,
    count() AS answer_count,
    uniqExact(user_id) AS learner_count
FROM word_counts FINAL
GROUP BY lemma
ORDER BY occurrences DESC, lemma
LIMIT {limit:UInt32}
