"""What every exercise check shares: the :class:`Check` result and the ``_checked`` wrapper.

Each ``check_...`` function inspects the student's cloud (not only a returned value) and
returns a :class:`Check`: displayed, it is a green PASS badge, or a hint that names the
concept to revisit. A check never raises on a wrong answer: anything unexpected, including
an exception, becomes a hint.
"""

from __future__ import annotations

import html

PASS = "PASS"


class Check:
    """The outcome of an exercise check: ``passed`` and a one-line ``message``."""

    def __init__(self, name: str, passed: bool, message: str):
        self.name = name
        self.passed = passed
        self.message = message

    @property
    def text(self) -> str:
        if self.passed:
            return f"PASS ({self.name}): {self.message}"
        return f"Not yet ({self.name}): {self.message}"

    def _repr_mimebundle_(self, include=None, exclude=None):
        colour = "#1D8102" if self.passed else "#C7511F"
        badge = "PASS" if self.passed else "NOT YET"
        return {"text/plain": self.text,
                "text/html": (f'<div class="awskit-check" style="font-family:Helvetica,Arial;'
                              f'margin:4px 0"><span style="background:{colour};color:white;'
                              f'border-radius:4px;padding:2px 8px;font-weight:bold">{badge}'
                              f'</span> <b>{html.escape(self.name)}</b>: '
                              f'{html.escape(self.message)}</div>')}

    def __repr__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return self.passed


def _checked(name: str):
    """Run a check body; turn a hint (``Hint``) or any error into a 'Not yet' result."""
    def decorate(body):
        def run(*args, **kwargs) -> Check:
            try:
                message = body(*args, **kwargs)
            except Hint as hint:
                return Check(name, False, str(hint))
            except Exception as exc:   # a wrong answer must never raise in a check cell
                return Check(name, False, f"the check could not read your answer ({exc}); "
                                          "run the cells above it first")
            return Check(name, True, message)
        run.__name__ = body.__name__
        run.__doc__ = body.__doc__
        return run
    return decorate


class Hint(Exception):
    """Raised inside a check body: the student's work is not there yet, and why."""
