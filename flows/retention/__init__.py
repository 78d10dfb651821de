"""Retention flow: recordings deleted once graded, kept only for learners who ask, swept."""
