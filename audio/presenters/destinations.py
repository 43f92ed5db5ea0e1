"""The audio page's table of destinations: one row per delivery profile with its verdict, its
targets, what its player does with the file and what is particular to it, and the findings
that many destinations share, said once above the table.

Only the page is shaped here: the API and ``audio_qc --json`` keep each profile's verdict whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..dsp.profiles import Profile, all_profiles

# A shared finding: its code and its words with the destination's name taken out.
Key = tuple[str, str]

# Findings about the level each destination plays the file at: its row says them in a few
# words ("turns it down 8.6 dB") and its detail in full; they are never shared, since the
# numbers differ from one destination to the next.
LEVEL_CODES = frozenset({
    "turned_down", "turned_up", "loudness_as_mastered", "loudness_on_target", "plays_quieter",
    "loudness_off_target", "loudness_raise_unknown",
})  # fmt: skip
SEVERITY_WORDS = {"fail": "fail", "warn": "warn", "info": "note"}
SEVERITY_ORDER = {"fail": 0, "warn": 1, "info": 2}

# A finding in a few words, for a destination's row; the whole message is in its detail.
# Callables get the destination's profile.
LABELS: dict[str, str | Callable[[Profile], str]] = {
    "silent_file": "silent file",
    "loudness_unknown": "no loudness reading",
    "true_peak_over": lambda p: f"true peak over its {_db(p.true_peak_fail_dbtp)} dBTP limit",
    "true_peak_high": lambda p: f"true peak above its {_db(p.true_peak_ceiling_dbtp)} dBTP ceiling",
    "loud_master_peaks": lambda p: f"loud, peaks above {_db(p.loud_master_peak_dbtp)} dBTP",
    "clipping": "clipped passages",
    "codec_clips": "clips after encoding",
    "lossy_source": "lossy source",
    "fake_lossless": "made from an MP3 or AAC",
    "sample_rate_low": "sample rate too low",
    "bit_depth_low": "bit depth too low",
    "channels_unsupported": "channels",
    "conversion_needed": "converted when rendered",
    "dc_offset": "DC offset",
    "long_silence_head": "long silence at the start",
    "long_silence_tail": "long silence at the end",
    "phase_inverted": "one channel inverted",
    "poor_mono_compatibility": "poor mono compatibility",
    "low_end_out_of_phase": "low end out of phase",
    "stereo_low_end": "low end in stereo",
    "hum": "mains hum",
    "clicks": "clicks",
    "noise_floor": "noise floor",
    "brickwalled": "too limited for a cut",
    "sibilance": "sibilant bursts",
}

# In a message said once for several destinations, the destination's name becomes these.
NAME, POSSESSIVE = "\x00", "\x01"


def _db(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _label(finding: dict[str, Any], profile: Profile | None) -> str:
    label = LABELS.get(finding.get("code", ""))
    if callable(label):
        return label(profile) if profile is not None else finding.get("code", "")
    if label:
        return label
    # A finding this table does not know yet: its first clause.
    return re.split(r"[.:;(]", finding.get("message", ""), maxsplit=1)[0].strip()


def _generic(message: str, name: str) -> str:
    """The message with this destination's name taken out, so that messages which differ only
    by the name compare equal."""
    if not name:
        return message
    message = re.sub(rf"(?<!\w){re.escape(name)}'s\b", POSSESSIVE, message)
    return re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", NAME, message)


def _for_all(generic: str) -> str:
    """A generic message read for several destinations at once."""
    text = generic.replace(POSSESSIVE, "its").replace(NAME, "each of them")
    return re.sub(r"(^|[.!?] )(each of them|its)", lambda m: m[1] + m[2].capitalize(), text)


def _where(names: list[str], every: list[str]) -> str:
    if len(names) == len(every):
        return "Every destination"
    left_out = [n for n in every if n not in names]
    if len(left_out) <= 3:
        return f"All but {_and_list(left_out)}"
    return _and_list(names)


def _and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _loudness_words(profile: Profile | None) -> tuple[str, str]:
    """A destination's loudness target, and a word on it ("" when there is nothing to add)."""
    if profile is None:
        return "–", ""
    if profile.tolerance_lu is not None and profile.target_lufs is not None:
        return f"{_db(profile.target_lufs)} ± {profile.tolerance_lu:g} LUFS", ""
    if profile.target_lufs is not None:
        return f"{_db(profile.target_lufs)} LUFS", ""
    if profile.recommended_lufs is not None:
        return "not normalised", f"{_db(profile.recommended_lufs)} LUFS suggested"
    return "not normalised", ""


def _player_words(
    code: str | None, verdict: dict[str, Any], profile: Profile | None, lufs: Any
) -> str:
    """What the destination does with the file's level, in a few words."""
    gain = verdict.get("normalisation_gain_db")
    target = profile.target_lufs if profile else None
    if code == "turned_down" and gain is not None:
        return f"turns it down {abs(gain):.1f} dB"
    if code == "turned_up" and gain is not None:
        return f"turns it up {gain:.1f} dB"
    if code == "loudness_as_mastered":
        return "plays it as mastered"
    if code == "loudness_on_target":
        spec = profile is not None and profile.tolerance_lu is not None
        return "on target" if spec else "plays it as it is"
    if code == "loudness_raise_unknown":
        return "turns it up; how far is unknown"
    if not isinstance(lufs, int | float) or target is None:
        return "–"
    if code == "plays_quieter":
        short = target - lufs - max(gain or 0.0, 0.0)
        if gain is not None and gain >= 0.05:
            return f"turns it up only {gain:.1f} dB: still {short:.1f} dB quieter than others"
        return f"won't turn it up: {short:.1f} dB quieter than others"
    if code == "loudness_off_target":
        off = round(lufs - target, 1)
        return f"needs it {abs(off):.1f} dB {'quieter' if off > 0 else 'louder'}"
    return "–"


def _behaviour(profile: Profile) -> str:
    """How the destination treats loudness and true peaks, where its level finding does not
    say it already: the rule a normalising player follows, and the peak ceiling."""
    target = _db(profile.target_lufs)
    words = ""
    if profile.tolerance_lu is None and profile.target_lufs is not None:
        if profile.normalisation == "down_only":
            words = f"Turns loud tracks down to {target} LUFS and never turns quiet ones up. "
        elif profile.normalisation == "both":
            words = f"Turns every track to {target} LUFS, down or up. "
        elif profile.normalisation == "both_with_headroom":
            limit = profile.raise_peak_limit_dbtp
            limit = profile.true_peak_ceiling_dbtp if limit is None else limit
            words = (
                f"Turns loud tracks down to {target} LUFS, and quiet ones up only while their "
                f"true peaks stay at or below {_db(limit)} dBTP. "
            )
    words += f"Asks for true peaks at or below {_db(profile.true_peak_ceiling_dbtp)} dBTP"
    hard = profile.true_peak_fail_dbtp
    if hard is not None:
        words += f"; above {_db(hard)} dBTP the file fails"
    return words + "."


def _shared(
    verdicts: list[dict[str, Any]],
) -> tuple[dict[Key, list[str]], dict[tuple[int, int], tuple[Key, str]]]:
    """Which findings more than half the destinations share.

    Returns the shared groups, (code, generic message) -> the names of the destinations in it,
    and for each finding in one, (verdict index, finding index) -> (its group, what that
    destination says beyond the shared words, "" for nothing). A longer message that begins
    with a shared one belongs to it: vinyl's clipping finding adds a sentence about cutting.
    """
    items = [
        (i, j, (f.get("code", ""), _generic(f.get("message", ""), v["name"])))
        for i, v in enumerate(verdicts)
        for j, f in enumerate(v["findings"])
        if f.get("code") not in LEVEL_CODES
    ]
    counts: dict[Key, int] = {}
    for _, _, key in items:
        counts[key] = counts.get(key, 0) + 1
    groups: dict[Key, list[str]] = {
        key: [] for key, n in counts.items() if len(verdicts) > 1 and 2 * n > len(verdicts)
    }
    parts: dict[tuple[int, int], tuple[Key, str]] = {}
    for i, j, (code, generic) in items:
        exact = [(code, generic)] if (code, generic) in groups else []
        for key in exact or groups:
            if key[0] == code and generic.startswith(key[1]):
                rest = generic[len(key[1]) :].strip()
                name = verdicts[i]["name"]
                parts[(i, j)] = (key, rest.replace(POSSESSIVE, f"{name}'s").replace(NAME, name))
                groups[key].append(name)
                break
    return groups, parts


def destination_rows(report: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One row per destination, and the findings said once for several of them.

    A finding that more than half the destinations share (the same code, and the same words
    once each destination's name is taken out) is said once, with the destinations it concerns;
    a destination that says more than the shared words keeps the rest in its row. Every other
    finding, and each destination's word on the level it plays the file at, stays in its row.
    """
    verdicts = report.get("verdicts") or []
    profiles = {p.slug: p for p in all_profiles()}
    every = [v["name"] for v in verdicts]
    groups, parts = _shared(verdicts)
    common: dict[Key, dict[str, Any]] = {}
    for key, members in groups.items():
        names = [n for n in every if n in members]
        severities = [
            (verdicts[i]["name"], verdicts[i]["findings"][j].get("severity", "info"))
            for (i, j), (k, _) in parts.items() if k == key
        ]  # fmt: skip
        worst = min((s for _, s in severities), key=lambda s: SEVERITY_ORDER.get(s, 3))
        fails = [n for n in every if (n, "fail") in severities]
        common[key] = {
            "code": key[0], "severity": worst, "word": SEVERITY_WORDS.get(worst, worst),
            "message": _for_all(key[1]), "where": _where(names, every), "names": names,
            "fails_on": fails if len(fails) < len(names) else [],
        }  # fmt: skip
    lufs = report.get("integrated_lufs")
    rows = []
    for i, v in enumerate(verdicts):
        profile = profiles.get(v["profile"])
        level, own, tags = None, [], []
        for j, f in enumerate(v["findings"]):
            if f.get("code") in LEVEL_CODES:
                level = level or f
            elif (i, j) in parts:
                rest = parts[(i, j)][1]
                if not rest:
                    continue
                f = {**f, "message": rest}
            if f.get("code") not in LEVEL_CODES:
                severity = f.get("severity", "info")
                tags.append({"label": _label(f, profile), "severity": severity,
                             "word": SEVERITY_WORDS.get(severity, severity)})  # fmt: skip
            own.append({**f, "word": SEVERITY_WORDS.get(f.get("severity", ""), "")})
        loudness, loudness_note = _loudness_words(profile)
        rows.append({
            "slug": v["profile"], "name": v["name"], "status": v["status"],
            "loudness": loudness, "loudness_note": loudness_note,
            "peak": f"≤ {_db(profile.true_peak_ceiling_dbtp)} dBTP" if profile else "–",
            "player": _player_words(level and level.get("code"), v, profile, lufs),
            "player_severity": (level or {}).get("severity", "info"),
            "tags": sorted(tags, key=lambda t: SEVERITY_ORDER.get(t["severity"], 3)),
            "findings": own,
            "also": [_label(c, profile) for c in common.values() if v["name"] in c["names"]],
            "behaviour": _behaviour(profile) if profile else "",
            "about": profile.notes if profile else "",
            "sources": profile.sources if profile else (),
        })  # fmt: skip
    return rows, list(common.values())
