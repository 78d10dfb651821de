"""Feedback dataflow: grading a transcribed answer into metrics, rubric scores and advice."""
