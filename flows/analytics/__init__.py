"""Analytics: every learner-loop event as flat rows in ClickHouse, for research SQL."""
