"""The block-style YAML kubectl writes for kubeconfigs (learners, for answer files), read without PyYAML.

Importing PyYAML costs more start-up time than grading a step. `parse` reads the plain shape a
kubeconfig has (block mappings and sequences, plain and quoted one-line scalars, `{}` and `[]`)
and gives up on anything else — comments after a value, flow collections with content, block
scalars, anchors, tags, tabs, non-ASCII text, keys or scalars that YAML 1.1 would read as
something other than a string (apart from true/false/null and plain decimal integers). Giving up
returns NOT_SIMPLE and the caller reads the text with PyYAML, so the result is always PyYAML's
(tests/unit/test_simple_yaml.py holds the two side by side), and every error message is PyYAML's.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

NOT_SIMPLE: Final = object()

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-/]*\Z")
_PLAIN = re.compile(r"(?:[A-Za-z_/]|-[A-Za-z_-]|\.\.?/|~/)[\x20-\x7e]*\Z")  # starts like nothing but a string
_INT = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_BOOLS = {w: v for v, words in ((True, "yes true on"), (False, "no false off")) for w0 in words.split()
          for w in (w0, w0.capitalize(), w0.upper())}
_NULLS = {"~", "null", "Null", "NULL"}
_ESCAPES = re.compile(r'\\["\\bfnrt]')  # the ones JSON and YAML read alike


class _Give(Exception):
    """Not the simple shape: PyYAML decides."""


def parse(text: str) -> Any:
    """The document's value, or NOT_SIMPLE when it is not the simple shape."""
    if not text.isascii() or "\t" in text or "\r" in text:
        return NOT_SIMPLE
    lines = [(len(raw) - len(raw.lstrip(" ")), raw.strip(" "))
             for raw in text.split("\n") if raw.strip(" ") and not raw.lstrip(" ").startswith("#")]
    if any("#" in content or not content.isprintable() for _, content in lines):
        return NOT_SIMPLE
    if not lines:
        return None
    try:
        if lines[0][0] != 0:
            raise _Give
        value, end = _block(lines, 0, 0)
        if end != len(lines):
            raise _Give
        return value
    except _Give:
        return NOT_SIMPLE


def _is_item(content: str) -> bool:
    return content == "-" or content.startswith("- ")


def _block(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[Any, int]:
    if _is_item(lines[i][1]):
        return _sequence(lines, i, indent)
    return _mapping(lines, i, indent)


def _mapping(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    while i < len(lines) and lines[i][0] == indent:
        key, sep, rest = lines[i][1].partition(":")
        if not sep or not _KEY.match(key) or key in _BOOLS or key in _NULLS or (rest and rest[0] != " "):
            raise _Give
        rest = rest.strip(" ")
        i += 1
        if rest:
            out[key] = _scalar(rest)
        elif i < len(lines) and lines[i][0] > indent:
            out[key], i = _block(lines, i, lines[i][0])
        elif i < len(lines) and lines[i][0] == indent and _is_item(lines[i][1]):
            out[key], i = _sequence(lines, i, indent)
        else:
            out[key] = None
    if i < len(lines) and lines[i][0] > indent:
        raise _Give  # a continuation line or a stray indent
    return out, i


def _sequence(lines: list[tuple[int, str]], i: int, indent: int) -> tuple[list[Any], int]:
    out: list[Any] = []
    while i < len(lines) and lines[i][0] == indent and _is_item(lines[i][1]):
        rest = lines[i][1][1:]
        inner = indent + 1 + len(rest) - len(rest.lstrip(" "))
        rest = rest.strip(" ")
        if not rest:
            i += 1
            if i < len(lines) and lines[i][0] > indent:
                item, i = _block(lines, i, lines[i][0])
            else:
                item = None
        elif _is_item(rest):
            raise _Give  # a sequence in a sequence on one line
        elif (": " in rest or rest.endswith(":")) and rest[0] not in "\"'":
            lines[i] = (inner, rest)  # "- key: v": a mapping whose lines sit under its first key
            item, i = _mapping(lines, i, inner)
        else:
            item, i = _scalar(rest), i + 1
        out.append(item)
    if i < len(lines) and lines[i][0] > indent:
        raise _Give
    return out, i


def _scalar(text: str) -> Any:
    if text in ("{}", "[]"):
        return {} if text == "{}" else []
    if text[0] == '"':
        rest = _ESCAPES.sub("", text[1:-1])
        if len(text) < 2 or text[-1] != '"' or '"' in rest or "\\" in rest:
            raise _Give  # more after the string, or an escape JSON reads otherwise (\x, \e, \N, \u ...)
        return json.loads(text)
    if text[0] == "'":
        body = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in body.replace("''", ""):
            raise _Give
        return body.replace("''", "'")
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _NULLS:
        return None
    if _INT.match(text):
        return int(text)
    if not _PLAIN.match(text) or ": " in text or text.endswith(":"):
        raise _Give
    return text
