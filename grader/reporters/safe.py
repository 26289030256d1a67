"""Make text that came from a cluster (logs, Event messages, exec output) safe to print or embed.

A container can write anything to its logs: terminal escape sequences that recolour or clear the
learner's screen, NUL bytes, bidi overrides that reorder what a line seems to say, lone surrogates
that make the UTF-8 encoder raise, megabytes of output. Every reporter passes such text through
`clean` (terminal, JSON, Markdown) or `clean_xml` (JUnit) before it goes anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

ELLIPSIS = "…"

# How many raw characters to look at per character kept: escape sequences and control characters
# are removed before truncating, so a little more than `limit` is read, but never the whole of a
# 5 MB log just to keep its first 2000 characters.
_READ_FACTOR = 4
_READ_SLACK = 256

# The patterns are compiled on first use (by re's own cache): most runs print only text that
# _SUSPECT finds nothing in, and compiling these costs ~2 ms of every start.
# ESC-based sequences: CSI (colours, cursor moves, clear screen), OSC (window titles, hyperlinks;
# ended by BEL or ST), DCS/SOS/PM/APC strings (ended by ST), and the two-character escapes.
_ANSI = (
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]                    # CSI ... final byte
  | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?         # OSC ... BEL | ST
  | \x1b[PX^_][^\x1b]*(?:\x1b\\)?              # DCS, SOS, PM, APC ... ST
  | \x1b[ -/]*[0-~]                            # other escapes (ESC c, ESC ( B, ESC 7, ...)
  | \x9b[0-?]*[ -/]*[@-~]                      # 8-bit CSI
    """
)
# C0 controls except TAB and LF, DEL, C1 controls; bidi embedding/override/isolate controls.
_CONTROL = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
# Code points XML 1.0 does not allow at all (after the controls above are gone), plus the
# noncharacters U+FDD0..U+FDEF that junit tooling also rejects.
_XML_ILLEGAL = ("[\ufdd0-\ufdef\ufffe\uffff"
                + "".join(chr(plane << 16 | low) for plane in range(1, 17) for low in (0xFFFE, 0xFFFF)) + "]")
_LINE_BREAKS = r"[ \t]*\n[ \t\n]*"
# anything clean() changes besides the cut: ESC/CSI (\x1b, \x9b), CR, TAB, LF, controls, bidi, surrogates
# (each of them is also one str.isprintable() is False for, which is checked first: most text is)
_SUSPECT = "[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"


def fix_surrogates(text: str) -> str:
    """Join surrogate pairs that arrived as two code points; replace lone ones with U+FFFD."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def clean(text: object, limit: int = 2000, *, newlines: bool = False) -> str:
    """`text` without escape sequences, control characters or lone surrogates, at most `limit` chars.

    With `newlines` line breaks are kept (CR LF and lone CR become LF); without, every line break
    and tab becomes one space so the result fits on one line. Longer text is cut and ends in `…`.
    """
    raw = "" if text is None else str(text)
    limit = max(limit, 1)
    if len(raw) <= limit and (raw.isprintable() or not re.search(_SUSPECT, raw)):  # nothing to remove or cut
        return raw if newlines else raw.strip()
    read = limit * _READ_FACTOR + _READ_SLACK
    cut = len(raw) > read
    if cut:
        raw = raw[:read]
    out = fix_surrogates(raw)
    out = re.sub(_ANSI, "", out, flags=re.VERBOSE)
    out = out.replace("\r\n", "\n").replace("\r", "\n")
    out = re.sub(_CONTROL, "", out)
    # tabs as spaces; on one line, each line break (with the blanks around it) as one space
    out = out.replace("\t", "    ") if newlines else re.sub(_LINE_BREAKS, " ", out).replace("\t", " ").strip()
    if cut or len(out) > limit:
        out = out[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS
    return out


def clean_xml(text: object, limit: int = 2000, *, newlines: bool = True) -> str:
    """Like `clean`, and also without the characters XML 1.0 forbids (safe in text and attributes)."""
    return re.sub(_XML_ILLEGAL, "", clean(text, limit, newlines=newlines))


def clean_map(values: Mapping[str, object] | None, limit: int = 2000, *, max_items: int = 50,
              xml: bool = False) -> dict[str, str]:
    """A cleaned copy of a str -> str mapping (keys short, values one line), at most `max_items`."""
    if not values:
        return {}
    fn = clean_xml if xml else clean
    result: dict[str, str] = {}
    for index, (key, value) in enumerate(values.items()):
        if index >= max_items:
            result[ELLIPSIS] = fn(f"+{len(values) - max_items}", 20, newlines=False)
            break
        result[fn(key, 100, newlines=False)] = fn(value, limit, newlines=False)
    return result
