-- Why answers are refused: per stage and machine code, how many answers and learners.
-- Parameters: none.
-- Columns: stage, code, rejection_count, learner_count.
SELECT
    stage,
    code,
    count() AS rejection_count,
    uniqExact(user_id) AS learner_count
FROM rejections FINAL
GROUP BY stage, code
ORDER BY rejection_count DESC, stage, code
