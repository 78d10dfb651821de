"""Feedback engines: the local measured grader and the OpenAI grader, behind one protocol."""
