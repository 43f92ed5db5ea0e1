"""Verdicts: what one analysed master means for each delivery profile, in plain words.

`verdict(profile, analysis)` reads the dict that `audio.dsp.analysis` produces and returns a
status (pass, warn or fail), findings a musician can act on, the gain the platform's player
will apply, and a one-line preview of how the track will play there. Any key of the analysis
may be missing or None (an older analysis, a stage that failed): its checks are skipped.

Numbers in messages are rounded to 0.1, and limits are compared at that same precision, so a
message never says "-23.0 LUFS is outside -23.0 ± 0.5".
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from .profiles import LOSSLESS_FORMATS, LOSSY_FORMATS, Profile, all_profiles, get_profile

DC_OFFSET_WARN = 0.001  # 0.1 % of full scale
NOISE_FLOOR_WARN_DBFS = -50.0
NOISE_BELOW_PROGRAMME_DB = 20.0  # a floor closer to the loudness than this is the music itself
NOISE_FLOOR_INFO_DBFS = -60.0
MONO_LOSS_WARN_DB = 3.0
PLAYS_QUIETER_WARN_DB = 1.0  # shortfall against the platform's level worth a warning
LIMITING_NOTE_DB = 3.0  # turned down by at least this much: the limiting bought nothing
FULL_BAND_RATE = 44_100  # below this a file lacks part of the audible band
LISTED_LIMIT = 100  # the analysis lists at most this many clip runs and clicks

_SEVERITY_RANK = {"info": 0, "warn": 1, "fail": 2}


def normalisation_gain(
    profile: Profile | str, integrated_lufs: float | None, true_peak_dbtp: float | None = None
) -> float | None:
    """The gain in dB the platform's player applies to this track, or None.

    None when the profile does not normalise, when the loudness is unknown, or when a platform
    that raises quiet tracks only within a true-peak limit would raise this one but its true
    peak is unknown.
    """
    profile = _profile(profile)
    if profile.normalisation == "none" or profile.target_lufs is None:
        return None
    loudness = _finite(integrated_lufs)
    if loudness is None:
        return None
    gain = profile.target_lufs - loudness
    if gain <= 0 or profile.normalisation == "both":
        return _clean(gain, 2)
    if profile.normalisation == "down_only":
        return 0.0
    peak = _finite(true_peak_dbtp)
    if peak is None:
        return None
    limit = profile.raise_peak_limit_dbtp
    if limit is None:
        limit = profile.true_peak_ceiling_dbtp
    return _clean(max(0.0, min(gain, limit - peak)), 2)


def verdict(profile: Profile | str, analysis: Mapping[str, Any] | None) -> dict:
    """The verdict for one profile: status, findings, the player's gain and a preview line."""
    profile = _profile(profile)
    a: Mapping[str, Any] = analysis or {}
    gain = normalisation_gain(profile, a.get("integrated_lufs"), a.get("true_peak_dbtp"))
    found = _Findings()
    _silent_file(a, found)
    _loudness(profile, a, gain, found)
    _true_peak(profile, a, found)
    _clipping(profile, a, found)
    _codec(profile, a, found)
    _source_format(profile, a, found)
    _resolution(profile, a, found)
    _dc_offset(a, found)
    _silence(profile, a, found)
    _stereo(profile, a, found)
    _noise(a, found)
    _vinyl(profile, a, found)
    return {
        "profile": profile.slug,
        "name": profile.name,
        "status": found.status(),
        "findings": found.items,
        "normalisation_gain_db": None if gain is None else _clean(gain, 1),
        "preview": _preview(profile, a, gain),
    }


def verdicts(analysis: Mapping[str, Any] | None, slugs: Iterable[str] | None = None) -> list[dict]:
    """Verdicts for the given profile slugs (all profiles, in display order, when None)."""
    profiles = all_profiles() if slugs is None else [get_profile(s) for s in slugs]
    return [verdict(p, analysis) for p in profiles]


class _Findings:
    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, severity: str, code: str, message: str) -> None:
        self.items.append({"severity": severity, "code": code, "message": message})

    def fail(self, code: str, message: str) -> None:
        self.add("fail", code, message)

    def warn(self, code: str, message: str) -> None:
        self.add("warn", code, message)

    def info(self, code: str, message: str) -> None:
        self.add("info", code, message)

    def status(self) -> str:
        worst = max((_SEVERITY_RANK[f["severity"]] for f in self.items), default=0)
        return {2: "fail", 1: "warn", 0: "pass"}[worst]


# -- the checks ------------------------------------------------------------------------------


def _silent_file(a: Mapping[str, Any], found: _Findings) -> None:
    duration = _finite(a.get("duration_s"))
    head = _finite(a.get("silence_head_s"))
    if duration and head is not None and head >= duration * 0.99:
        found.fail("silent_file", "This file is silent: nothing in it rises above -60 dBFS.")


def _loudness(profile: Profile, a: Mapping[str, Any], gain: float | None, found: _Findings) -> None:
    loudness = _finite(a.get("integrated_lufs"))
    name, target = profile.name, profile.target_lufs
    if loudness is None:
        found.info(
            "loudness_unknown",
            "Liner has no loudness reading for this file, so the loudness checks were skipped.",
        )
        return
    measured = f"{_n(loudness)} LUFS"

    if profile.tolerance_lu is not None and target is not None:
        off = _clean(loudness - target, 1)
        window = f"{_n(target)} LUFS ± {profile.tolerance_lu:g} LU"
        if abs(off) <= profile.tolerance_lu:
            found.info("loudness_on_target", f"Loudness is {measured}, inside {window}.")
            return
        way, turn = ("loud", "down") if off > 0 else ("quiet", "up")
        message = (
            f"Loudness is {measured}, {abs(off):.1f} LU too {way}: {name} asks for {window}. "
            f"Turn it {turn} by {abs(off):.1f} dB."
        )
        live = profile.tolerance_live_lu
        if live is not None and abs(off) <= live:
            message += f" (± {live:g} LU is allowed only for live programmes.)"
        found.add(profile.tolerance_severity, "loudness_off_target", message)
        return

    if profile.normalisation == "none" or target is None:
        message = f"{name} has no loudness normalisation, so this plays at {measured}, as mastered."
        if profile.recommended_lufs is not None:
            message += (
                f" Liner suggests about {_n(profile.recommended_lufs)} LUFS there, with true "
                f"peaks at or below {_s(profile.true_peak_ceiling_dbtp)} dBTP."
            )
        found.info("loudness_as_mastered", message)
        return

    if gain is None:
        found.info(
            "loudness_raise_unknown",
            f"At {measured} this is quieter than {name}'s {_n(target)} LUFS playback level; "
            f"without a true-peak reading Liner can't tell how far {name} will turn it up.",
        )
        return
    if gain <= -0.05:
        message = (
            f"{name} will turn this down by {abs(gain):.1f} dB, from {measured} to "
            f"{_n(target)} LUFS."
        )
        if -gain >= LIMITING_NOTE_DB:
            message += (
                " Limiting it that hard buys no extra loudness there; it only costs dynamics."
            )
        found.info("turned_down", message)
        return
    deficit = target - loudness
    shortfall = deficit - max(gain, 0.0)
    if deficit < 0.05:
        found.info(
            "loudness_on_target",
            f"At {measured} this already sits at {name}'s {_n(target)} LUFS playback level.",
        )
        return
    if shortfall < 0.05:
        found.info(
            "turned_up",
            f"{name} will turn this up by {gain:.1f} dB, to its {_n(target)} LUFS playback level.",
        )
        return
    if profile.normalisation == "down_only":
        why = f"{name} never turns tracks up"
    else:
        limit = profile.raise_peak_limit_dbtp
        limit = profile.true_peak_ceiling_dbtp if limit is None else limit
        why = (
            f"{name} turns quiet tracks up only while their true peaks stay at or below "
            f"{_s(limit)} dBTP"
        )
        peak = _finite(a.get("true_peak_dbtp"))
        if gain >= 0.05:
            why += f", so it will raise this one by just {gain:.1f} dB"
        elif peak is not None:
            why += f", and this one already peaks at {_s(peak)} dBTP"
    message = (
        f"At {measured} this is quieter than {name}'s {_n(target)} LUFS playback level. {why}; "
        f"it will play {shortfall:.1f} dB quieter than other tracks. To match them, master to "
        f"about {_n(target)} LUFS with true peaks at or below "
        f"{_s(profile.true_peak_ceiling_dbtp)} dBTP."
    )
    if shortfall >= PLAYS_QUIETER_WARN_DB:
        found.warn("plays_quieter", message)
    else:
        found.info("plays_quieter", message)


def _true_peak(profile: Profile, a: Mapping[str, Any], found: _Findings) -> None:
    peak = _finite(a.get("true_peak_dbtp"))
    if peak is None:
        return
    shown = _clean(peak, 1)
    name, ceiling, hard = profile.name, profile.true_peak_ceiling_dbtp, profile.true_peak_fail_dbtp
    if hard is not None and shown > hard:
        found.fail(
            "true_peak_over",
            f"True peak reaches {_s(peak)} dBTP; {name} allows at most {_s(hard)} dBTP. "
            f"Bring the true-peak limiter's ceiling down by at least {shown - hard:.1f} dB.",
        )
    elif shown > ceiling:
        if profile.lossy_playback:
            why = f"{name}'s lossy encoder can push peaks like these over full scale and distort"
        elif "no_brickwall" in profile.extra_checks:
            why = "a cutting master needs headroom, or the engineer turns it down before the lathe"
        else:
            why = "many players' converters clip on inter-sample peaks this close to full scale"
        found.warn(
            "true_peak_high",
            f"True peak reaches {_s(peak)} dBTP, above the {_s(ceiling)} dBTP ceiling for {name}: "
            f"{why}. Set a true-peak limiter's ceiling to {_s(ceiling)} dBTP.",
        )
    elif profile.loud_master_peak_dbtp is not None and profile.target_lufs is not None:
        loudness = _finite(a.get("integrated_lufs"))
        limit = profile.loud_master_peak_dbtp
        if loudness is not None and loudness > profile.target_lufs + 0.05 and shown > limit:
            found.warn(
                "loud_master_peaks",
                f"This master is louder than {_n(profile.target_lufs)} LUFS and its true peak "
                f"reaches {_s(peak)} dBTP; {name} advises keeping loud masters below "
                f"{_s(limit)} dBTP, because encoding can make them distort.",
            )


def _clipping(profile: Profile, a: Mapping[str, Any], found: _Findings) -> None:
    runs = a.get("clip_runs")
    count = len(runs) if isinstance(runs, list | tuple) else _int(runs)
    samples = _int(a.get("clipped_samples")) or 0
    if not count and not samples:
        return
    if count:
        where = f"{_amount(count)} clipped passage{'' if count == 1 else 's'}"
        if samples:
            where += f" ({samples} samples flattened at the ceiling)"
    else:
        where = f"{samples} clipped samples"
    message = (
        f"Liner found {where}. Clipping is distortion that no platform or player can take out; "
        f"go back to the mix or master and lower the level into the limiter or clipper."
    )
    if "no_brickwall" in profile.extra_checks:
        message += " Cutting engineers may refuse, or charge to recut, clipped masters."
    found.warn("clipping", message)


def _codec(profile: Profile, a: Mapping[str, Any], found: _Findings) -> None:
    codec = a.get("codec")
    if not isinstance(codec, Mapping) or not profile.lossy_playback:
        return
    peak = _finite(codec.get("true_peak_dbtp"))
    clipped = _int(codec.get("clipped_samples")) or 0
    if not ((peak is not None and _clean(peak, 1) > 0.0) or clipped):
        return
    details = []
    if peak is not None:
        details.append(f"true peak {_s(peak)} dBTP after the codec")
    if clipped:
        details.append(f"{clipped} clipped samples")
    found.warn(
        "codec_clips",
        f"This master clips after {_codec_label(codec.get('codec'))} encoding "
        f"({', '.join(details)}). Lower the true-peak limiter's ceiling until the encoded file "
        f"stays below 0 dBTP.",
    )


def _source_format(profile: Profile, a: Mapping[str, Any], found: _Findings) -> None:
    fmt = _format(a)
    name = profile.name
    accepted = _or_list(f for f in profile.formats if f in LOSSLESS_FORMATS)
    if _is_lossy(a):
        label = fmt or "lossy"
        if profile.lossless_required:
            found.fail(
                "lossy_source",
                f"This is {_a(label)} {label} file, a lossy format, and {name} needs a lossless "
                f"master ({accepted}). Converting it to WAV won't bring back what the encoder "
                f"threw away: export the master again from your session.",
            )
        elif fmt in profile.formats:
            found.info(
                "lossy_source",
                f"{name} accepts {label}, but it will be encoded again for listeners; a lossless "
                f"master ({accepted}) keeps more of the sound.",
            )
        else:
            found.warn(
                "lossy_source",
                f"This is {_a(label)} {label} file. {name} takes {accepted}, and a lossy file "
                f"encoded a second time loses more of the sound: upload the lossless master if "
                f"you have it.",
            )
        return
    cutoff = _finite(a.get("lossy_cutoff_hz"))
    if cutoff is None or not _is_lossless(a):
        return
    message = (
        f"This {fmt or 'file'} looks as if it was made from a lossy file: its high frequencies "
        f"stop sharply at {cutoff / 1000:.1f} kHz, the mark of an MP3 or AAC encoder."
    )
    if profile.lossless_required:
        found.fail(
            "fake_lossless",
            f"{message} {name} needs a genuinely lossless master; use the original export from "
            f"your session.",
        )
    else:
        found.warn(
            "fake_lossless",
            f"{message} {name} will encode it again and lose more; use the original lossless "
            f"master if you have it.",
        )


def _resolution(profile: Profile, a: Mapping[str, Any], found: _Findings) -> None:
    if _is_lossy(a):
        return  # already judged as a lossy source; resampling it changes nothing that matters
    name = profile.name
    rate = _int(a.get("sample_rate"))
    bits = _int(a.get("bit_depth"))
    channels = _int(a.get("channels"))
    lowered = False
    render_rate = render_bits = None
    to_stereo = False

    if rate:
        fixed = profile.sample_rates
        floor = fixed[0] if fixed else profile.min_sample_rate
        if fixed and rate not in fixed:
            render_rate = min(fixed, key=lambda r: abs(r - rate))
        elif profile.max_sample_rate and rate > profile.max_sample_rate:
            render_rate = profile.max_sample_rate
        elif floor and rate < floor:
            render_rate = floor
        if floor and rate < min(floor, FULL_BAND_RATE):
            lowered = True
            found.warn(
                "sample_rate_low",
                f"This file is {_khz(rate)}; {name} needs {_khz(floor)}. Liner can resample it, "
                f"but resampling can't add the high frequencies a {_khz(rate)} file never had.",
            )
    if bits and profile.bit_depths and bits not in profile.bit_depths:
        lowest = min(profile.bit_depths)
        fits = [d for d in profile.bit_depths if d <= bits]
        render_bits = max(fits) if fits else lowest
        if bits < min(lowest, 16):
            lowered = True
            found.warn(
                "bit_depth_low",
                f"This file is {bits}-bit; {name} needs at least {lowest}-bit. Liner can convert "
                f"it, but that can't restore the detail a {bits}-bit file never had.",
            )
    if channels and profile.channels and channels not in profile.channels:
        if channels == 1 and 2 in profile.channels:
            to_stereo = True
        else:
            found.warn(
                "channels_unsupported",
                f"This file has {channels} channels; {name} takes "
                f"{_or_list(_channel_word(c) for c in profile.channels)}. Liner can fold it down "
                f"to stereo, but check the fold-down by ear.",
            )
    if lowered or not (render_rate or render_bits or to_stereo):
        return
    out_bits, out_rate = render_bits or bits, render_rate or rate
    target = _resolution_words(out_bits, out_rate) or "stereo"
    how = []
    if render_bits and bits and render_bits < bits:
        how.append("with dither")
    if to_stereo:
        how.append("with the mono signal on both channels")
    have = _resolution_words(bits, rate)
    if to_stereo:
        have = f"{have} mono".strip()
    found.info(
        "conversion_needed",
        f"{name} takes {_wants(profile)}; this file is {have}. Liner will render "
        f"{_a(target)} {target} file for you{' ' + ' and '.join(how) if how else ''}.",
    )


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
    least = profile.min_stereo_correlation
    if least is not None and correlation is not None and correlation < least:
        found.warn(
            "stereo_low_end",
            f"The stereo correlation averages {_n(correlation)}. A cut needs the low end centred "
            f"(mono below about 150 Hz) or the groove is hard to cut and to play; Liner can't "
            f"isolate the lows yet, so check that bass and kick are mono.",
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
    clicks = a.get("clicks")
    listed = list(clicks) if isinstance(clicks, list | tuple) else []
    count = _int(a.get("click_count"))
    count = len(listed) if count is None else count
    if count:
        times = [t for t in (_click_time(c) for c in listed[:3]) if t is not None]
        where = f", for example at {', '.join(_clock(t) for t in times)}" if times else ""
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
        found.info(
            "sibilance_unchecked",
            "Liner can't measure sibilance yet. Harsh 's' and 't' sounds distort on vinyl: "
            "listen for them and de-ess before the cut.",
        )


# -- preview ---------------------------------------------------------------------------------


def _preview(profile: Profile, a: Mapping[str, Any], gain: float | None) -> str:
    name, target = profile.name, profile.target_lufs
    loudness = _finite(a.get("integrated_lufs"))
    if loudness is None:
        return f"Liner has no loudness reading for this file, so it can't preview {name}."
    measured = f"{_n(loudness)} LUFS"
    if profile.tolerance_lu is not None and target is not None:
        off = _clean(loudness - target, 1)
        window = f"{_n(target)} LUFS ± {profile.tolerance_lu:g} LU"
        if abs(off) <= profile.tolerance_lu:
            return f"At {measured} this is inside the {window} window for {name}."
        way = "loud" if off > 0 else "quiet"
        return f"At {measured} this is {abs(off):.1f} LU too {way} for {name} ({window})."
    if profile.normalisation == "none" or target is None:
        return f"{name} has no loudness normalisation: this plays at {measured}, as mastered."
    if gain is None:
        return (
            f"{name} plays tracks at {_n(target)} LUFS; without a true-peak reading Liner can't "
            f"tell how far it will turn this one up."
        )
    if gain <= -0.05:
        line = f"{name} will turn this down by {abs(gain):.1f} dB"
        if -gain >= LIMITING_NOTE_DB:
            return line + "; your limiting buys no loudness there."
        return line + "."
    shortfall = (target - loudness) - max(gain, 0.0)
    if gain >= 0.05:
        line = f"{name} will turn this up by {gain:.1f} dB"
        if shortfall >= 0.05:
            return line + f", and it will still play {shortfall:.1f} dB quieter than other tracks."
        return line + "."
    if shortfall >= 0.05:
        return (
            f"{name} won't turn this up, so it plays {shortfall:.1f} dB quieter than other tracks."
        )
    return f"{name} will play this as it is: it already sits at {_n(target)} LUFS."


# -- small helpers ---------------------------------------------------------------------------


def _profile(profile: Profile | str) -> Profile:
    return profile if isinstance(profile, Profile) else get_profile(profile)


def _finite(value: Any) -> float | None:
    """A float, or None for missing, non-numeric, NaN and infinite values."""
    if value is None or isinstance(value, str):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    number = _finite(value)
    return None if number is None else int(number)


def _clean(value: float, digits: int) -> float:
    return round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def _n(value: float) -> str:
    """-14.0 style: one decimal, never "-0.0"."""
    return f"{_clean(value, 1):.1f}"


def _s(value: float) -> str:
    """Signed, for peak levels: +0.4, -1.0, 0.0."""
    shown = _clean(value, 1)
    return "0.0" if shown == 0 else f"{shown:+.1f}"


def _khz(rate: int) -> str:
    return f"{rate / 1000:g} kHz"


def _amount(n: int) -> str:
    """A count read off a list the analysis caps at LISTED_LIMIT entries."""
    return f"{LISTED_LIMIT} or more" if n >= LISTED_LIMIT else str(n)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def _click_time(click: Any) -> float | None:
    if isinstance(click, Mapping):
        for key in ("time_s", "start_s", "t", "at_s"):
            if key in click:
                return _finite(click[key])
        return None
    return _finite(click)


def _or_list(items: Iterable[str]) -> str:
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def _a(word: str) -> str:
    """The article for a format name or bit depth as it is spoken: "an MP3", "a FLAC",
    "an 8-bit", "a 16-bit"."""
    spoken_vowel = word[:1].upper() in "AEIOUM" or word.startswith(("8", "11", "18"))
    return "an" if spoken_vowel else "a"


def _channel_word(n: int) -> str:
    return {1: "mono", 2: "stereo"}.get(n, f"{n}-channel audio")


def _wants(profile: Profile) -> str:
    depths = profile.bit_depths
    bits = ""
    if depths:
        bits = _or_list([f"{d}-" for d in depths[:-1]] + [f"{depths[-1]}-bit"]) + " audio"
    if profile.sample_rates:
        rates = _or_list(_khz(r) for r in profile.sample_rates)
    elif profile.min_sample_rate and profile.max_sample_rate:
        rates = f"{profile.min_sample_rate / 1000:g} to {_khz(profile.max_sample_rate)}"
    elif profile.min_sample_rate:
        rates = f"at least {_khz(profile.min_sample_rate)}"
    else:
        rates = ""
    channels = "stereo " if profile.channels == (2,) else ""
    if bits and rates:
        return f"{channels}{bits} at {rates}"
    return f"{channels}{bits or 'audio'}" + (f" at {rates}" if rates else "")


def _resolution_words(bits: int | None, rate: int | None) -> str:
    """Like "24-bit 48 kHz", or whichever half is known."""
    return " ".join(w for w in (f"{bits}-bit" if bits else "", _khz(rate) if rate else "") if w)


def _format(a: Mapping[str, Any]) -> str | None:
    fmt = a.get("format")
    return str(fmt).upper() if fmt else None


def _is_lossy(a: Mapping[str, Any]) -> bool:
    fmt = _format(a)
    if fmt in LOSSY_FORMATS:
        return True
    # The analysis reports bit_depth None for lossy codecs it doesn't name.
    return (
        fmt is not None
        and fmt not in LOSSLESS_FORMATS
        and "bit_depth" in a
        and a.get("bit_depth") is None
    )


def _is_lossless(a: Mapping[str, Any]) -> bool:
    fmt = _format(a)
    return fmt in LOSSLESS_FORMATS or (not _is_lossy(a) and _int(a.get("bit_depth")) is not None)


def _codec_label(codec: Any) -> str:
    """Turns "mp3-320" into "MP3 320 kbps"; anything else is shown as given."""
    if not codec:
        return "lossy"
    name, _, rate = str(codec).partition("-")
    return f"{name.upper()} {rate} kbps" if rate.isdigit() else str(codec).upper()
