-- Time-to-answer histogram over every learner: answers per bucket of {bucket_s} seconds,
-- and each bucket's share of the answers whose time-to-answer is known.
-- Parameters: {bucket_s:UInt32} bucket width in seconds (e.g. 10).
-- Columns: bucket_start_s, answer_count, share.
SELECT
    intDiv(toUInt64(floor(assumeNotNull(time_to_answer_s))), {bucket_s:UInt32})
        * {bucket_s:UInt32} AS bucket_start_s,
    count() AS answer_count,
    answer_count / (
        SELECT count() FROM answers FINAL WHERE time_to_answer_s IS NOT NULL
    ) AS share
FROM answers FINAL
WHERE time_to_answer_s IS NOT NULL
GROUP BY bucket_start_s
ORDER BY bucket_start_s
