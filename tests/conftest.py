"""Shared test settings: Hypothesis runs the same examples every time, so a failure reproduces."""

from hypothesis import settings

settings.register_profile("bp_lessons", derandomize=True, deadline=None, max_examples=100)
settings.load_profile("bp_lessons")
