"""Text that is safe to print on a terminal: control characters shown, never obeyed.

Labels, definitions and file contents come from data that anyone may have written. A label
holding ``ESC ] 0 ; ... BEL`` would retitle the terminal window, ``ESC [ 31 m`` would recolour
it, and worse sequences exist. Every human-readable output (the text formats, tables, error
messages) goes through :func:`escape_controls`, which writes each C0 and C1 control character
(and DEL) as a visible ``\\xNN`` escape. Newlines (LF or CRLF) and tabs, which lay the text out,
are kept.

Machine formats keep the data as it is: JSON escapes C0 characters itself (:func:`json_safe`
escapes C1 ones too, which stays valid JSON), and CSV, TSV or RDF written to a file keep every
byte.

Examples
--------
>>> escape_controls("Evil\\x1b]0;pwned\\x07 label")
'Evil\\\\x1b]0;pwned\\\\x07 label'
>>> print(escape_controls("red \\x1b[31mtext\\x9b"))
red \\x1b[31mtext\\x9b
>>> escape_controls("two\\nlines\\tand a tab\\r\\n, a lone \\r")
'two\\nlines\\tand a tab\\r\\n, a lone \\\\x0d'
>>> escape_controls(escape_controls("\\x1b")) == escape_controls("\\x1b")
True
>>> json_safe('"a\\x9bb"')
'"a\\\\u009bb"'
"""

from __future__ import annotations

import re

__all__ = ["escape_controls", "has_controls", "json_safe"]

# C0 controls except TAB (09), LF (0A) and the CR of a CRLF line end; DEL (7F); C1 controls (80-9F).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
_C1 = re.compile(r"[\x7f-\x9f]")


def _hex(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group()):02x}"


def escape_controls(text: str) -> str:
    """``text`` with every control character but newline and tab written as ``\\xNN``.

    Idempotent: escaped text has no control character left, so escaping it again changes
    nothing.

    Parameters
    ----------
    text : str
        Text about to be shown to a person (on a terminal or in a text file).

    Returns
    -------
    str
    """
    return _CONTROLS.sub(_hex, text)


def has_controls(text: str) -> bool:
    """True when ``text`` holds a character :func:`escape_controls` would escape.

    >>> has_controls("plain"), has_controls("bell\\x07")
    (False, True)
    """
    return _CONTROLS.search(text) is not None


def json_safe(text: str) -> str:
    """JSON text with C1 controls and DEL escaped as ``\\u00NN`` too (:mod:`json` escapes C0 only).

    The result is the same JSON value, and no byte of it is a terminal control.
    """
    return _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
