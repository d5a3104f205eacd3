"""Reading a menu option out of whatever text a model produced.

Small models answer with the option text, its number, a JSON object, a sentence around the option or
garbage. Every agent shares this one reader so a reply is repaired the same way everywhere, and what
cannot be repaired is a `ParseError` the caller turns into a counted fallback.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence

from agents.llm import model

FUZZY_THRESHOLD = 0.75
_NUMBER = re.compile(r"^\s*(?:option\s*)?#?(\d+)\s*(?:[).:\]-]|$)", re.IGNORECASE)
_PUNCT = " \t\r\n\"'`.,;:!?()[]{}*-"


def _normal(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split()).strip(_PUNCT)


def _from_json(text: str) -> str | None:
    """The `choice` of a JSON object somewhere in the text (servers asked for JSON reply so)."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(text[start : end + 1])
    except json.JSONDecodeError:
        return None
    if isinstance(data, dict):
        value = data.get("choice", data.get("option", data.get("answer")))
        if isinstance(value, str | int):
            return str(value)
    return None


def parse_choice(
    text: str, options: Sequence[str], *, threshold: float = FUZZY_THRESHOLD
) -> int | None:
    """The index of the option `text` names, or None.

    Tried in order: a JSON `{"choice": ...}`; exact, then case/space-insensitive match; a 1-based
    option number ("2", "2)", "option 2"); the one option the text contains (the longer when one
    contains another: "collect stone" beats "collect"); the best fuzzy match above `threshold`.
    A reply naming two unrelated options is ambiguous and gives None.
    """
    if not options:
        return None
    candidate = _from_json(text)
    texts = [candidate, text] if candidate is not None else [text]
    normal_options = [_normal(o) for o in options]
    for current in texts:
        if current in options:
            return list(options).index(current)
        normal = _normal(current)
        if not normal:
            continue
        if normal in normal_options:
            return normal_options.index(normal)
        number = _NUMBER.match(current)
        if number and 1 <= int(number.group(1)) <= len(options):
            return int(number.group(1)) - 1
        contained = [i for i, o in enumerate(normal_options) if o and o in normal]
        if contained:
            # Only the first line counts when the model rambles on through the whole menu.
            first_line = _normal(current.strip().splitlines()[0]) if current.strip() else ""
            in_first = [i for i in contained if normal_options[i] in first_line]
            pool = in_first or contained
            # An option inside a longer contained one ("collect" in "collect stone") is not named.
            best = [
                i
                for i in pool
                if not any(j != i and normal_options[i] in normal_options[j] for j in pool)
            ]
            if len(best) == 1:
                return best[0]
        ratios = [difflib.SequenceMatcher(None, normal, o).ratio() for o in normal_options]
        top = max(ratios)
        if top >= threshold and ratios.count(top) == 1:
            return ratios.index(top)
    return None


def require_choice(text: str, options: Sequence[str], **kwargs: float) -> int:
    """Like `parse_choice`, but a reply naming no option raises `ParseError`."""
    index = parse_choice(text, options, **kwargs)
    if index is None:
        shown = text if len(text) <= 80 else text[:77] + "..."
        raise model.ParseError(f"reply {shown!r} names none of {len(options)} options")
    return index
