"""The root of wheelfix's exception families.

Each concept (records, index, wheels, signatures, audit, ...) defines its own
family below :class:`WheelfixError`.  The command line catches this root at the
edge and turns it into one line plus a hint; anything else that escapes is a
bug and is reported as such.
"""

from __future__ import annotations

from typing import Optional


class WheelfixError(ValueError):
    """An error caused by the user's input or environment, not by wheelfix.

    ``hint`` says what to check or do next; the CLI prints it under the
    message.  ``exit_code`` is what ``wheelfix`` exits with when this error
    reaches the edge (2: usage or input error).
    """

    exit_code = 2
    #: Whether the message is a list of problems, one a line (every problem of the KB);
    #: any other message is shown on one line, line breaks escaped.
    multiline = False

    def __init__(self, message: str, *, hint: Optional[str] = None) -> None:
        super().__init__(message)
        self.hint = hint


def printable(text: str) -> str:
    """``text`` with every character a terminal would act on written as a Python escape.

    Line breaks count (``\\n``, ``\\u2028``): untrusted input quoted in a message
    stays inert and on one line.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)
