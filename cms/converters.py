"""The ``id`` path converter: a row's id in a URL, for the reader site and the API alike.

Ids are 64-bit signed integers in every table (``BigAutoField``; SQLite's ``INTEGER``). Django's
``int`` converter matches any run of digits, so ``/starter-packs/99999999999999999999/`` reached
the database, which cannot even compare such a number with a column: SQLite raises
``OverflowError``, PostgreSQL an out-of-range error, and the reader got a 500. Rejected here, a
number that cannot name a row is a 404 before any view runs, whichever view it is.
"""

from __future__ import annotations

#: The largest id a column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


class IdConverter:
    """``<id:pk>``: a positive id a column can hold, without leading zeros (one URL per row)."""

    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            # Django reads a ValueError as "this pattern does not match": a 404.
            raise ValueError(f"{value} is larger than any id")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
