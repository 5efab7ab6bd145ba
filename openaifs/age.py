"""Files by age: durations (``30d``, ``12h``, ``90s``) and the "older than" filter.

Used by ``fs.rm(..., older_than=)``, the ``expires_after`` storage option and the command
line's ``--older-than`` on ``ls``, ``du`` and ``rm``, so that all of them read a duration and
measure an age the same way.

An age is measured against this machine's clock, or against the newest ``created_at`` the
service has shown if that is later: the service's "now" is at least that, and a local clock
running behind must not spare files that are old by the service's own account.
"""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Iterable
from typing import Any

Duration = float | int | str | datetime.timedelta

UNITS = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
_PIECE = re.compile(r"(\d+(?:\.\d+)?)([wdhms])")


def parse_duration(value: Duration) -> float:
    """Seconds in ``value``: a :class:`~datetime.timedelta`, a number of seconds, or a string
    such as ``"30d"``, ``"12h"``, ``"90s"``, ``"1d12h"`` (units ``w d h m s``).

    Raises
    ------
    ValueError
        For a negative duration or a string in another form, naming the accepted forms.
    """
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        pieces = _PIECE.findall(text)
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            seconds = float(text)
        elif pieces and "".join(n + u for n, u in pieces) == text:
            seconds = sum(float(n) * UNITS[u] for n, u in pieces)
        else:
            raise ValueError(
                f"{value!r} is not a duration: use a number of seconds or forms such as "
                "'30d', '12h', '15m', '90s', '2w', '1d12h'"
            )
    else:
        raise ValueError(
            f"a duration is seconds, a timedelta or a string like '30d', not {value!r}"
        )
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {value!r}")
    return seconds


def reference_now(newest_seen: float | None = None) -> float:
    """The time ages are measured from: this machine's clock, or ``newest_seen`` (the newest
    ``created_at`` the service has shown) if that is later."""
    now = time.time()
    return now if newest_seen is None else max(now, float(newest_seen))


def newest_seen(fs: Any) -> int | None:
    """The newest ``created_at`` in ``fs``'s cached listing (``None`` without one)."""
    cached = fs.metadata.listing()
    return None if cached is None else cached.seen_until


def cutoff(age: Duration, newest_seen: float | None = None) -> float:
    """Files created before this Unix time are older than ``age``."""
    return reference_now(newest_seen) - parse_duration(age)


def older_than(
    entries: Iterable[dict[str, Any]], age: Duration, newest_seen: float | None = None
) -> list[dict[str, Any]]:
    """The files among ``entries`` (detail dicts of ``ls``/``find``, or File objects) created
    more than ``age`` ago; directories and entries without ``created_at`` are left out.

    ``newest_seen``: the newest ``created_at`` the service has shown, if known beyond
    ``entries`` (see :func:`reference_now`).

    Examples
    --------
    >>> old = older_than(fs.ls("openai://user_data"), "30d")  # doctest: +SKIP
    >>> fs.rm([e["id"] for e in old])  # doctest: +SKIP
    """
    entries = list(entries)
    stamps = [e["created_at"] for e in entries if e.get("created_at") is not None]
    if newest_seen is not None:
        stamps.append(newest_seen)
    limit = cutoff(age, max(stamps, default=None))
    return [e for e in entries if e.get("created_at") is not None and e["created_at"] < limit]
