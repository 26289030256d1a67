"""What the check kinds and the engine both need: results, messages, kinds, HTTP answers.

The layer below both: it imports nothing else of labcheck, so `labcheck.checks` can use it
without reaching up into the engine that runs the checks.
"""
