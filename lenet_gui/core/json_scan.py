"""Read a big JSON document value by value (no Qt).

Why: ``json.loads`` of a 50 MB file is one C call that holds the GIL for about a
second, freezing the window even when it runs in a worker. Decoding one object
member or array element at a time (``JSONDecoder.raw_decode``) lets other threads
run between values, and lets a reader stop at a limit or keep a value's source text.
"""

from __future__ import annotations

import json
import re
from typing import Callable

_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")

# parse(key_or_index, start) -> (value, end), or None to decode the value as usual
Parser = Callable[[object, int], "tuple[object, int] | None"]


def skip(text: str, pos: int) -> int:
    """The position of the next non-whitespace character."""
    return _WS.match(text, pos).end()


def value(text: str, pos: int) -> tuple[object, int]:
    """One JSON value at ``pos`` -> (value, end). ValueError if there is none."""
    return _DECODER.raw_decode(text, pos)


def members(text: str, pos: int, parse: Parser | None = None) -> tuple[dict, int]:
    """The object at ``pos``, member by member: ({key: (value, start, end)}, end)."""
    if not text.startswith("{", pos):
        raise ValueError(f"expected an object at char {pos}")
    out: dict = {}
    pos = skip(text, pos + 1)
    if text.startswith("}", pos):
        return out, pos + 1
    while True:
        if not text.startswith('"', pos):
            raise ValueError(f"expected a member name at char {pos}")
        key, pos = value(text, pos)
        pos = skip(text, pos)
        if not text.startswith(":", pos):
            raise ValueError(f"expected ':' at char {pos}")
        start = skip(text, pos + 1)
        got = parse(key, start) if parse is not None else None
        item, pos = got if got is not None else value(text, start)
        out[key] = (item, start, pos)
        pos = skip(text, pos)
        if text.startswith(",", pos):
            pos = skip(text, pos + 1)
        elif text.startswith("}", pos):
            return out, pos + 1
        else:
            raise ValueError(f"expected ',' or '}}' at char {pos}")


def elements(text: str, pos: int, parse: Parser | None = None) -> tuple[list, int]:
    """The array at ``pos``, element by element: ([value, ...], end)."""
    if not text.startswith("[", pos):
        raise ValueError(f"expected an array at char {pos}")
    out: list = []
    pos = skip(text, pos + 1)
    if text.startswith("]", pos):
        return out, pos + 1
    while True:
        got = parse(len(out), pos) if parse is not None else None
        item, pos = got if got is not None else value(text, pos)
        out.append(item)
        pos = skip(text, pos)
        if text.startswith(",", pos):
            pos = skip(text, pos + 1)
        elif text.startswith("]", pos):
            return out, pos + 1
        else:
            raise ValueError(f"expected ',' or ']' at char {pos}")


__all__ = ["elements", "members", "skip", "value"]
