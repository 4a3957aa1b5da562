"""Payment references: what an investor writes on a wire so the bank statement finds its call.

An ISO 11649 creditor reference ("RF" + two check digits + up to 21 letters and digits), the
structured reference European banks carry end to end. Its check digits catch a mistyped
reference before it is matched to the wrong investor: a reference that fails them is never
matched automatically, it goes to the manual match queue.
"""

from __future__ import annotations

import re

_BODY = re.compile(r"[0-9A-Z]{1,21}")
_REFERENCE = re.compile(r"RF[0-9]{2}[0-9A-Z]{1,21}")


def _mod97(text: str) -> int:
    digits = "".join(str(int(ch, 36)) for ch in text)
    return int(digits) % 97


def creditor_reference(body: str) -> str:
    """The RF reference for `body` (letters and digits, at most 21)."""
    body = body.upper()
    if not _BODY.fullmatch(body):
        raise ValueError(f"reference body must be 1-21 letters or digits, got {body!r}")
    check = 98 - _mod97(body + "RF00")
    return f"RF{check:02d}{body}"


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rest] + digits
        if number == 0:
            return digits


def request_reference(source_entry_id: int, investor_id: int) -> str:
    """The reference of one investor's payment request for one capital call: C<entry>I<investor>
    (journal entry ids are unique across pools), readable by an operator without a lookup.
    Ids too long for the 21 characters go in base 36 as X<entry>Y<investor>: a journal entry
    id fits in 13 base-36 digits and an investor id in 6, and the other letters keep the two
    forms from ever colliding."""
    body = f"C{source_entry_id}I{investor_id}"
    if len(body) > 21:
        body = f"X{_base36(source_entry_id)}Y{_base36(investor_id)}"
    return creditor_reference(body)


def reference_candidates(text: str) -> list[str]:
    """Every RF reference whose check digits hold inside free text (a statement's remittance
    line), spaces removed and upper-cased, longest first; the caller keeps the first that
    names a real request.

    References are printed in groups of four, so a space cannot end one, and text may run on
    after it ("...I12 THANKS"), so shorter prefixes are tried too. Each has a 1 in 97 chance
    of passing the check by accident, so a candidate must end where a word of the original
    text ends: the chance-valid prefix of a mistyped reference ("RF22C1178I185" -> "...I18")
    ends inside a word and is never offered, so it cannot name another investor's request."""
    upper = text.upper()
    kept = [(i, ch) for i, ch in enumerate(upper) if not ch.isspace()]
    compact = "".join(ch for _, ch in kept)
    found: list[str] = []
    for match in re.finditer(r"RF[0-9]{2}[0-9A-Z]{1,21}", compact):
        candidate = match.group(0)
        for end in range(len(candidate), 4, -1):
            piece = candidate[:end]
            # Check digits are 02..98 by construction; 00 and 97 would pass mod 97 alike.
            if not (2 <= int(piece[2:4]) <= 98 and _mod97(piece[4:] + piece[:4]) == 1):
                continue
            after = kept[match.start() + end - 1][0] + 1
            if after >= len(upper) or not upper[after].isalnum():
                found.append(piece)
    return found
