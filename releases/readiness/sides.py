"""Splitting a track list onto the sides of a record or a tape. Plain Python.

Tracks keep their order (side A plays first); the split puts consecutive tracks on each side
so that the longest side is as short as it can be, on as few sides as fit under the limit.
"""

from __future__ import annotations

from collections.abc import Sequence

LETTERS = "ABCDEFGH"


def _best_partition(durations: Sequence[float], n: int) -> list[int]:
    """Where to cut ``durations`` into ``n`` consecutive groups minimising the longest group:
    the start index of each group (the classic linear-partition dynamic programme)."""
    k = len(durations)
    prefix = [0.0]
    for d in durations:
        prefix.append(prefix[-1] + d)
    inf = float("inf")
    # cost[j][i]: the best longest group cutting the first i tracks into j groups
    cost = [[inf] * (k + 1) for _ in range(n + 1)]
    cut = [[0] * (k + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for j in range(1, n + 1):
        for i in range(0, k + 1):
            for m in range(0, i):  # each group holds at least one track
                if cost[j - 1][m] == inf:
                    continue
                value = max(cost[j - 1][m], prefix[i] - prefix[m])
                if value < cost[j][i]:
                    cost[j][i], cut[j][i] = value, m
    starts = []
    i = k
    for j in range(n, 0, -1):
        m = cut[j][i]
        starts.append(m)
        i = m
    return list(reversed(starts))


def split_sides(
    durations: Sequence[float],
    *,
    limit_s: float,
    min_sides: int = 2,
    max_sides: int = 8,
    even: bool = True,
) -> list[list[int]] | None:
    """Indices of the tracks on each side (A first), or None when no split fits: a track
    longer than a side, or more music than ``max_sides`` hold. ``even``: records have two
    sides each, so a split uses 2, 4, 6 … sides (an empty last side is left empty)."""
    if any(d > limit_s for d in durations):
        return None
    n = max(min_sides, 1)
    while n <= max_sides:
        if not even or n % 2 == 0:
            filled = min(n, len(durations))
            starts = _best_partition(durations, filled) if filled else []
            ends = starts[1:] + [len(durations)]
            groups = [list(range(s, e)) for s, e in zip(starts, ends, strict=True)]
            groups += [[] for _ in range(n - filled)]  # fewer tracks than sides
            if all(sum(durations[i] for i in g) <= limit_s for g in groups):
                return groups
        n += 1
    return None
