"""Batch grading for instructors: rosters, concurrent runs, class outputs, receipts, merges."""

from labcheck.batch import messages as _messages  # noqa: F401  (registers the batch messages)
