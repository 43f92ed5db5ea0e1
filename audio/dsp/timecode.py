"""Times in a file as people read them: m:ss.s, or h:mm:ss.s past an hour."""

from __future__ import annotations

import math

RESOLUTION_S = 0.1  # times are shown to a tenth of a second
HOUR_S = 3600.0


def clock(seconds: float, *, hours: bool | None = None) -> str:
    """``seconds`` as m:ss.s ("1:05.0"), or h:mm:ss.s ("1:02:05.0") when ``hours`` is true;
    by default when the time itself is an hour or more. Pass ``hours`` to give every time of a
    file the same shape (all with hours when the file is an hour long or more).

    Rounded to the tenth first, half up, so 59.96 s reads 1:00.0, never 0:60.0."""
    tenths = math.floor(max(0.0, seconds) / RESOLUTION_S + 0.5)
    whole, tenth = divmod(tenths, 10)
    minutes, secs = divmod(whole, 60)
    if hours is None:
        hours = minutes >= 60
    if hours:
        h, m = divmod(minutes, 60)
        return f"{h}:{m:02d}:{secs:02d}.{tenth}"
    return f"{minutes}:{secs:02d}.{tenth}"
