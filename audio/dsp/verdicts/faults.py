"""Checks on faults in the audio: DC offset, silence at the ends, stereo, noise, vinyl."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..profiles import Profile
from ..timecode import HOUR_S, RESOLUTION_S, clock
from .findings import _Findings
from .limits import (
    DC_OFFSET_WARN,
    MONO_LOSS_WARN_DB,
    NOISE_BELOW_PROGRAMME_DB,
    NOISE_FLOOR_INFO_DBFS,
    NOISE_FLOOR_WARN_DBFS,
)
from .values import _clean, _click_time, _finite, _int
from .words import _amount, _n

EXAMPLES = 3  # places to listen named in a finding


def _dc_offset(a: Mapping[str, Any], found: _Findings) -> None:
    raw = a.get("dc_offset")
    values = list(raw) if isinstance(raw, list | tuple) else [raw]
    offsets = [(i, abs(v)) for i, v in enumerate(map(_finite, values)) if v is not None]
    if not offsets:
        return
    channel, worst = max(offsets, key=lambda item: item[1])
    if worst <= DC_OFFSET_WARN:
        return
    if len(values) == 2:
        who = f"The {('left', 'right')[channel]} channel"
    elif len(values) == 1:
        who = "The audio"
    else:
        who = f"Channel {channel + 1}"
    found.warn(
        "dc_offset",
        f"{who} sits off centre by {worst * 100:.1f} % of full scale (DC offset). It wastes "
        f"headroom and can thump at edits; DC removal or a high-pass filter around 10-20 Hz "
        f"fixes it.",
    )


def _silence(profile: Profile, a: Mapping[str, Any], found: _Findings) -> None:
    if any(f["code"] == "silent_file" for f in found.items):
        return
    head = _finite(a.get("silence_head_s"))
    tail = _finite(a.get("silence_tail_s"))
    most_head, most_tail = profile.max_head_silence_s, profile.max_tail_silence_s
    if head is not None and most_head is not None and _clean(head, 1) > most_head:
        found.warn(
            "long_silence_head",
            f"The track starts with {head:.1f} s of silence; on {profile.name} listeners may "
            f"think it isn't playing. Trim it to under {most_head:g} s.",
        )
    if tail is not None and most_tail is not None and _clean(tail, 1) > most_tail:
        found.warn(
            "long_silence_tail",
            f"The track ends with {tail:.1f} s of silence; trim it to under {most_tail:g} s "
            f"(fade-outs are fine: this counts only what stays below -60 dBFS).",
        )


def _stereo(profile: Profile, a: Mapping[str, Any], found: _Findings) -> None:
    if _int(a.get("channels")) == 1:
        return
    inverted = a.get("phase_inverted")
    if isinstance(inverted, list | tuple):
        inverted = any(inverted)
    correlation = _finite(a.get("stereo_correlation"))
    loss = _finite(a.get("mono_loss_db"))
    if inverted:
        message = (
            "One channel is polarity-inverted against the other: in mono (phone speakers, "
            "club systems, radio) much of the mix cancels out. Flip the polarity of one channel."
        )
        if "mono_low_end" in profile.extra_checks:
            message += " On vinyl it also cuts a groove the stylus can be thrown out of."
        severe = profile.kind == "broadcast" or "mono_low_end" in profile.extra_checks
        found.add("fail" if severe else "warn", "phase_inverted", message)
        return
    problems = []
    if correlation is not None and correlation < 0:
        problems.append(f"the stereo correlation averages {_n(correlation)}")
    if loss is not None and loss > MONO_LOSS_WARN_DB:
        problems.append(f"the mix loses {loss:.1f} dB when summed to mono")
    if problems:
        found.warn(
            "poor_mono_compatibility",
            f"Poor mono compatibility: {' and '.join(problems)}. Parts of it will vanish on mono "
            f"speakers; check wide stereo effects and layers that are out of phase.",
        )
    least = profile.min_low_end_correlation
    low = _finite(a.get("low_end_correlation"))
    if least is not None and low is not None and low < least:
        if low < 0:
            found.fail(
                "low_end_out_of_phase",
                f"Below 150 Hz the channels are out of phase (correlation {low:.2f}). On vinyl "
                f"that cuts a groove that moves up and down more than sideways, which the lathe "
                f"may refuse and a stylus can jump out of. Put bass and kick in mono and check "
                f"the polarity of stereo bass layers.",
            )
        else:
            found.warn(
                "stereo_low_end",
                f"Below 150 Hz the stereo correlation is {low:.2f}: the low end is partly in "
                f"stereo. A cutting master wants bass and kick centred in mono; the cutting "
                f"engineer will fold the lows to mono if you don't, so do it yourself and hear "
                f"what it does to the mix.",
            )


def _noise(a: Mapping[str, Any], found: _Findings) -> None:
    hum = _finite(a.get("hum_hz"))
    if hum:
        found.warn(
            "hum",
            f"There is mains hum at {hum:g} Hz (and probably its multiples). A hum-removal "
            f"filter or narrow notches at {hum:g} Hz and its harmonics take it out; check quiet "
            f"passages and fades after.",
        )
    count, where = _events(a, "clicks", "click_count")
    if count:
        amount = str(count) if "click_count" in a else _amount(count)
        found.warn(
            "clicks",
            f"Liner found {amount} {'click or pop' if count == 1 else 'clicks or pops'}{where}. "
            f"Listen there: a declicker or a small edit usually fixes them.",
        )
    floor = _finite(a.get("noise_floor_dbfs"))
    loudness = _finite(a.get("integrated_lufs"))
    # The floor is the level of the quietest stretches; when those are close to the
    # programme's loudness they are music, not noise, and there is nothing to judge.
    if (
        floor is not None
        and floor > NOISE_FLOOR_INFO_DBFS
        and (loudness is None or floor <= loudness - NOISE_BELOW_PROGRAMME_DB)
    ):
        message = (
            f"The quietest passages sit at about {_n(floor)} dBFS. If that is hiss, hum or room "
            f"noise rather than music"
        )
        if floor > NOISE_FLOOR_WARN_DBFS:
            found.warn(
                "noise_floor",
                f"{message}, listeners will hear it in quiet passages and fades; noise "
                f"reduction or a cleaner take of the quiet parts would help.",
            )
        else:
            found.info(
                "noise_floor",
                f"{message}, some listeners may hear it in quiet passages at high volume.",
            )


def _vinyl(profile: Profile, a: Mapping[str, Any], found: _Findings) -> None:
    least = profile.min_plr_db
    if least is not None and "no_brickwall" in profile.extra_checks:
        plr = _finite(a.get("plr_db"))
        if plr is None:
            peak, loudness = _finite(a.get("true_peak_dbtp")), _finite(a.get("integrated_lufs"))
            plr = None if peak is None or loudness is None else peak - loudness
        if plr is not None and _clean(plr, 1) < least:
            found.warn(
                "brickwalled",
                f"The peak-to-loudness ratio is {plr:.1f} dB: this master is heavily limited. "
                f"Brick-wall limiting distorts when cut to lacquer; give the cutting engineer a "
                f"version with more dynamics (a ratio of {least:g} dB or more).",
            )
    if "sibilance" in profile.extra_checks:
        count, where = _events(a, "sibilance", "sibilance_count")
        if count:
            sounds = "sound" if count == 1 else "sounds"
            found.warn(
                "sibilance",
                f"Liner found {count} loud sibilant {sounds} ('s', 'sh') in the 5-10 kHz "
                f"band{where}. High frequencies at high level distort when cut to lacquer and "
                f"mistrack on playback; listen there and de-ess the vocal before the cut.",
            )


def _events(a: Mapping[str, Any], list_key: str, count_key: str) -> tuple[int, str]:
    """How many events the analysis counts (or lists, when it has no count), and where to
    listen: ", at 0:12.5 and 1:05.0", or ", for example 2 at 0:00.0, 1 at 0:15.2 and 3 within
    1:30.0–1:30.4" ("" when none has a time).

    Listed events closer together than the tenth of a second the times are shown to are one
    place to listen (a click on both channels at once, a burst of crackle), said with how many
    it holds; up to EXAMPLES places, spread from the first to the last; every time in the same
    form, with hours when the file is an hour long or more."""
    raw = a.get(list_key)
    listed = list(raw) if isinstance(raw, list | tuple) else []
    count = _int(a.get(count_key))
    count = len(listed) if count is None else count
    times = sorted(t for t in (_click_time(e) for e in listed) if t is not None and t >= 0)
    if not times:
        return count, ""
    places = _places(times)
    shown = _spread(places, EXAMPLES)
    duration = _finite(a.get("duration_s"))
    hours = max(duration or 0.0, times[-1]) >= HOUR_S
    every = count <= len(times) and len(shown) == len(places)
    lead = "" if every else "for example "
    if all(n == 1 for _, _, n in shown):
        return count, f", {lead}at {_and_list(clock(t, hours=hours) for t, _, _ in shown)}"
    parts = []
    for first, last, n in shown:
        start, end = clock(first, hours=hours), clock(last, hours=hours)
        parts.append(f"{n} at {start}" if start == end else f"{n} within {start}–{end}")
    return count, f", {lead}{_and_list(parts)}"


def _places(times: list[float]) -> list[tuple[float, float, int]]:
    """Sorted times grouped where each is less than RESOLUTION_S after the one before:
    (first, last, how many) per group."""
    places = [[times[0], times[0], 1]]
    for t in times[1:]:
        place = places[-1]
        if t - place[1] < RESOLUTION_S:
            place[1], place[2] = t, place[2] + 1
        else:
            places.append([t, t, 1])
    return [(first, last, n) for first, last, n in places]


def _spread(places: list, k: int) -> list:
    """Up to ``k`` of the places, in time order: the first, the last, and those nearest to
    even steps in time between them."""
    if len(places) <= k:
        return places
    first, last = places[0][0], places[-1][0]
    chosen = {0, len(places) - 1}
    starts = [p[0] for p in places]
    for i in range(1, k - 1):
        target = first + (last - first) * i / (k - 1)
        free = [j for j in range(len(places)) if j not in chosen]
        chosen.add(min(free, key=lambda j: abs(starts[j] - target)))
    return [places[j] for j in sorted(chosen)]


def _and_list(items) -> str:
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
