"""Commands for instructors (batch grading, receipts): being written."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
