"""Checks on the file itself: lossy or fake-lossless sources, sample rate, bit depth, channels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..profiles import LOSSLESS_FORMATS, Profile
from .findings import _Findings
from .limits import FULL_BAND_RATE
from .values import _finite, _format, _int, _is_lossless, _is_lossy
from .words import _a, _channel_word, _khz, _or_list, _resolution_words, _wants


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
