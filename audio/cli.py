"""What the audio management commands share: the QC summary, the readable report, errors.

The commands work on files on disk and need no database: they are the DSP engine with the
same report the pages and the API give.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from audio.dsp.errors import AudioError
from audio.dsp.profiles import UnknownProfile, all_profiles, get_profile
from audio.dsp.verdicts import verdicts

# The keys every QC summary carries, in this order (the list, then the extras).
SUMMARY_KEYS = (
    "integrated_lufs", "loudness_range_lu", "true_peak_dbtp", "sample_peak_dbfs",
    "momentary_max_lufs", "short_term_max_lufs", "plr_db", "clipped_samples", "dc_offset",
    "silence_head_s", "silence_tail_s", "stereo_correlation", "mono_loss_db",
    "phase_inverted", "low_end_correlation", "lossy_cutoff_hz", "noise_floor_dbfs", "hum_hz",
    "click_count", "sibilance_count", "sample_rate", "bit_depth", "channels", "duration_s",
    "format",
)  # fmt: skip
DETAIL_KEYS = ("clip_runs", "clicks", "sibilance", "true_peak_per_channel_dbtp", "subtype")


class CommandFailed(Exception):
    """Bad input for a command: one line on stderr, exit status 1, no traceback."""


def profile_slugs(profile: str | None) -> list[str] | None:
    if profile is None:
        return None
    try:
        return [get_profile(profile).slug]
    except UnknownProfile as exc:
        slugs = ", ".join(p.slug for p in all_profiles())
        raise CommandFailed(f"Unknown profile “{profile}”; choose one of: {slugs}.") from exc


def summary(analysis: dict[str, Any], slugs: list[str] | None) -> dict[str, Any]:
    out = {key: analysis.get(key) for key in SUMMARY_KEYS}
    out.update({key: analysis[key] for key in DETAIL_KEYS if key in analysis})
    if "codec" in analysis:
        out["codec"] = analysis["codec"]
    out["verdicts"] = {
        v["profile"]: {
            "status": v["status"],
            "findings": v["findings"],
            "normalisation_gain_db": v["normalisation_gain_db"],
            "preview": v["preview"],
        }
        for v in verdicts(analysis, slugs)
    }
    return out


def _fmt(value: Any, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}{unit}"
    return f"{value}{unit}"


def readable(s: dict[str, Any], title: str = "") -> str:
    lines = [title] if title else []
    bits = f"{s['bit_depth']}-bit " if s.get("bit_depth") else ""
    lines.append(
        f"{s['format']} {bits}{s['sample_rate'] / 1000:g} kHz, {s['channels']} ch, "
        f"{_fmt(s['duration_s'], ' s')}"
    )
    rows = [
        ("Integrated loudness", _fmt(s["integrated_lufs"], " LUFS")),
        ("Loudness range", _fmt(s["loudness_range_lu"], " LU")),
        ("True peak", _fmt(s["true_peak_dbtp"], " dBTP")),
        ("Sample peak", _fmt(s["sample_peak_dbfs"], " dBFS")),
        ("Max momentary / short-term", f"{_fmt(s['momentary_max_lufs'])} / "
                                       f"{_fmt(s['short_term_max_lufs'], ' LUFS')}"),
        ("Peak-to-loudness ratio", _fmt(s["plr_db"], " dB")),
        ("Clipped samples", _fmt(s["clipped_samples"])),
        ("DC offset", ", ".join(f"{d:+.4f}" for d in s["dc_offset"] or []) or "–"),
        ("Silence head / tail", f"{_fmt(s['silence_head_s'], ' s')} / "
                                f"{_fmt(s['silence_tail_s'], ' s')}"),
        ("Stereo correlation", _fmt(s["stereo_correlation"], "", 2)),
        ("Stereo below 150 Hz", _fmt(s["low_end_correlation"], "", 2)),
        ("Noise floor", _fmt(s["noise_floor_dbfs"], " dBFS")
                        + (f", mains hum at {s['hum_hz']} Hz" if s["hum_hz"] else "")),
        ("Lossy cut-off", f"{s['lossy_cutoff_hz']:g} Hz" if s["lossy_cutoff_hz"] else "none"),
        ("Clicks", _fmt(s["click_count"])),
        ("Sibilant bursts", _fmt(s["sibilance_count"])),
    ]  # fmt: skip
    width = max(len(label) for label, _ in rows)
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    codec = s.get("codec")
    if codec:
        lines.append(
            f"  {'After MP3 320 kbps':<{width}}  true peak {_fmt(codec.get('true_peak_dbtp'))}"
            f" dBTP, {codec.get('clipped_samples', 0)} clipped samples"
        )
    lines.append("")
    for slug, v in s["verdicts"].items():
        lines.append(f"{v['status'].upper():<5} {slug}: {v['preview']}")
        for finding in v["findings"]:
            lines.append(f"      [{finding['severity']}] {finding['message']}")
    return "\n".join(lines)


@contextmanager
def failures_as_one_line(command: BaseCommand) -> Iterator[None]:
    """Turn bad input into one line on stderr and exit status 1."""
    try:
        yield
    except ValidationError as exc:
        command.stderr.write("error: " + " ".join(exc.messages))
        sys.exit(1)
    except (AudioError, CommandFailed, ValueError, OSError) as exc:
        command.stderr.write(f"error: {exc}")
        sys.exit(1)


def emit(command: BaseCommand, data: dict[str, Any], as_json: bool, text: Callable[[], str]):
    command.stdout.write(json.dumps(data, ensure_ascii=False) if as_json else text())
