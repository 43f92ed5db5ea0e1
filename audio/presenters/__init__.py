"""What the audio pages show, shaped from the stored rows and reports: units, plain words,
which findings belong to the file rather than to a store. No requests, no writes.

Moved out of ``audio.views`` unchanged; the destinations table is in ``.destinations``.
"""

from __future__ import annotations

from typing import Any

from .. import charts
from ..dsp.analysis import ENGINE_VERSION
from ..forms import master_label
from ..models import AudioFile, Job
from ..services import renders, uploads
from .destinations import destination_rows as destination_rows

RUNNING = (Job.Status.QUEUED, Job.Status.RUNNING)

CHANNEL_WORDS = {1: "mono", 2: "stereo"}


def duration_words(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_parts(audio: AudioFile) -> tuple[str, str]:
    """("WAV 24-bit", "44.1 kHz · stereo")."""
    kind = f"{audio.format} {audio.bit_depth}-bit" if audio.bit_depth else audio.format
    channels = CHANNEL_WORDS.get(audio.channels, f"{audio.channels} channels")
    return kind, f"{audio.sample_rate / 1000:g} kHz · {channels}"


def format_words(audio: AudioFile) -> str:
    return " · ".join(format_parts(audio))


def _num(value: Any, digits: int = 1) -> str | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    text = f"{number:.{digits}f}"
    return text.lstrip("-") if float(text) == 0 else text


def _signed(value: float) -> str:
    # A real minus sign: "−5.8 dB" reads better than "-5.8 dB" in a sentence.
    return f"{'−' if value < 0 else '+'}{abs(value):.1f}"


def row(audio: AudioFile) -> dict[str, Any]:
    """One line of the file list. Reads the file's jobs, prefetched by the list selector."""
    jobs = list(audio.jobs.all())
    analysis_job = next((j for j in jobs if j.kind == Job.Kind.ANALYZE), None)
    analysis = audio.analysis or {}
    return {
        "file": audio,
        "format": format_parts(audio),
        "duration": duration_words(audio.duration_s),
        "lufs": _num(analysis.get("integrated_lufs")),
        "true_peak": _num(analysis.get("true_peak_dbtp")),
        "summary": charts.verdict_summary(audio.analysis),
        "analysis_job": analysis_job,
        "polling": analysis_job is not None and analysis_job.status in RUNNING,
        "masters": sum(1 for j in jobs if j.kind == Job.Kind.MASTER),
        "renders": sum(1 for j in jobs if j.kind == Job.Kind.RENDER),
        "busy": [j for j in jobs if j.kind != Job.Kind.ANALYZE and j.status in RUNNING],
    }


def outdated(report: dict[str, Any] | None, analysis_job: Job | None) -> bool:
    """A report made by an earlier version of the analysis (it lacks the newer checks), with no
    newer analysis on its way."""
    if not report or (analysis_job is not None and analysis_job.status in RUNNING):
        return False
    version = report.get("engine_version")
    return not isinstance(version, int) or version < ENGINE_VERSION


# The numbers the page shows large, at the top of the report; the others are listed below it.
TILES = frozenset({"Integrated loudness", "True peak", "Loudness range", "Peak-to-loudness ratio"})

# The other numbers said in the summary line of the folded list, whatever they read; a number
# that a destination's finding is about is said there too.
HEADLINE = frozenset({
    "Sample peak", "Max short-term", "Clipped samples", "Clicks", "DC offset",
    "Stereo correlation", "Noise floor", "Lossless source",
})  # fmt: skip

# The findings each number is the measure of: the worst of them, over every destination,
# colours the number.
FINDINGS = {
    "True peak": ("true_peak_over", "true_peak_high", "loud_master_peaks"),
    "Peak-to-loudness ratio": ("brickwalled",),
    "Clipped samples": ("clipping",),
    "Clicks": ("clicks",),
    "DC offset": ("dc_offset",),
    "Silence at the start": ("long_silence_head",),
    "Silence at the end": ("long_silence_tail",),
    "Stereo correlation": ("phase_inverted", "poor_mono_compatibility"),
    "Stereo below 150 Hz": ("low_end_out_of_phase", "stereo_low_end"),
    "Sibilance": ("sibilance",),
    "Noise floor": ("noise_floor", "hum"),
    "Lossless source": ("lossy_source", "fake_lossless"),
}
SEVERITY = {"fail": 0, "warn": 1}


def _worst_findings(report: dict[str, Any]) -> dict[str, str]:
    """The worst severity of each finding code, over every destination ("fail" or "warn")."""
    worst: dict[str, str] = {}
    for v in report.get("verdicts") or []:
        for f in v.get("findings") or []:
            code, severity = f.get("code", ""), f.get("severity", "")
            if severity in SEVERITY and SEVERITY[severity] < SEVERITY.get(worst.get(code, ""), 9):
                worst[code] = severity
    return worst


def measurements(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's numbers as rows: label, value, unit, what it means, whether it is one of
    the few shown large or one said in the summary of the others, and the worst finding about
    it ("fail", "warn" or "")."""
    worst = _worst_findings(report)

    def row(label: str, value: str | None, unit: str, hint: str) -> dict[str, Any]:
        flags = [worst[c] for c in FINDINGS.get(label, ()) if c in worst]
        flag = min(flags, key=SEVERITY.__getitem__) if flags else ""
        return {"label": label, "value": value if value is not None else "–", "unit": unit,
                "hint": hint, "missing": value is None, "tile": label in TILES, "flag": flag,
                "headline": label not in TILES and (label in HEADLINE or bool(flag))}  # fmt: skip

    r = report
    clip_hint = "samples in runs at full scale or flat tops: audible distortion"
    runs = r.get("clip_runs") or []
    if runs:
        clip_hint = f"the first at {runs[0].get('start_s', 0):.2f} s; " + clip_hint
    dc = r.get("dc_offset") or []
    dc_text = " / ".join(f"{abs(v) * 100:.2f}" for v in dc) if dc else None
    correlation = r.get("stereo_correlation")
    stereo_hint = "+1 is mono, 0 wide and unrelated, below 0 out of phase"
    if r.get("mono_loss_db") is not None:
        stereo_hint = f"{r['mono_loss_db']:.1f} dB quieter when summed to mono; " + stereo_hint
    if r.get("phase_inverted"):
        stereo_hint = "one channel looks polarity-inverted; " + stereo_hint
    cutoff = r.get("lossy_cutoff_hz")
    clicks = r.get("click_count")
    hum = r.get("hum_hz")
    low_end = r.get("low_end_correlation")
    sibilance = r.get("sibilance") or []
    sibilance_hint = "loud 's' sounds (and 'sh') at 5-10 kHz next to a voice, not hats or cymbals"
    if sibilance:
        sibilance_hint = f"the first at {sibilance[0].get('time_s', 0):.1f} s; " + sibilance_hint
    return [
        row("Integrated loudness", _num(r.get("integrated_lufs")), "LUFS",
            "the whole track, as BS.1770-4 / EBU R128 measure it"),
        row("True peak", _num(r.get("true_peak_dbtp")), "dBTP",
            "the peak between samples, what a converter or codec sees"),
        row("Sample peak", _num(r.get("sample_peak_dbfs")), "dBFS", "the largest sample value"),
        row("Loudness range", _num(r.get("loudness_range_lu")), "LU",
            "how much the loudness moves over the track (EBU Tech 3342)"),
        row("Peak-to-loudness ratio", _num(r.get("plr_db")), "dB",
            "true peak above the loudness; low means heavily limited"),
        row("Max momentary", _num(r.get("momentary_max_lufs")), "LUFS", "the loudest 400 ms"),
        row("Max short-term", _num(r.get("short_term_max_lufs")), "LUFS", "the loudest 3 s"),
        row("Clipped samples", _num(r.get("clipped_samples"), 0), "", clip_hint),
        row("Clicks", _num(clicks, 0), "", "isolated jumps between samples: edits, "
            "digital glitches" if clicks else "no isolated jumps between samples"),
        row("DC offset", dc_text, "%", "how far each channel sits off centre"),
        row("Silence at the start", _num(r.get("silence_head_s"), 2), "s", "below -60 dBFS"),
        row("Silence at the end", _num(r.get("silence_tail_s"), 2), "s", "below -60 dBFS"),
        row("Stereo correlation", _num(correlation, 2) if correlation is not None else "mono",
            "", stereo_hint if correlation is not None else "one channel"),
        row("Stereo below 150 Hz", _num(low_end, 2) if low_end is not None else None, "",
            "correlation of the lows: near +1 is mono bass, what vinyl wants"),
        row("Sibilance", _num(r.get("sibilance_count"), 0), "", sibilance_hint),
        row("Noise floor", _num(r.get("noise_floor_dbfs")), "dBFS",
            f"the quietest passages; mains hum at {hum} Hz" if hum
            else "the quietest passages"),
        row("Lossless source", "no" if cutoff else "yes", "",
            f"a codec-like cut-off at {cutoff / 1000:.1f} kHz: this may come from an MP3 or AAC"
            if cutoff else "no sign of an MP3 or AAC in its past"),
    ]  # fmt: skip


def codec_section(report: dict[str, Any]) -> dict[str, Any] | None:
    codec = report.get("codec")
    if not isinstance(codec, dict):
        return None
    affected = [
        v["name"]
        for v in report.get("verdicts") or []
        if any(f.get("code") == "codec_clips" for f in v["findings"])
    ]
    clipped = codec.get("clipped_samples") or 0
    peak = codec.get("true_peak_dbtp")
    if affected:
        # What to do is the codec finding's, said with the destinations: not twice.
        status = "warn"
        words = "This master clips after lossy encoding."
    elif clipped or (peak is not None and round(peak, 1) > 0):
        status = "warn"
        words = "This master clips after lossy encoding. Lower the limiter's ceiling until the "
        words += "encoded file stays below 0 dBTP."
    else:
        status = "pass"
        words = "Safe: no overs after MP3 encoding."
    lines = [{"label": "Your file (lossless)", "true_peak": _num(report.get("true_peak_dbtp")),
              "sample_peak": _num(report.get("sample_peak_dbfs")),
              "clipped": _num(report.get("clipped_samples"), 0)}]  # fmt: skip
    for label, part in (("MP3 320 kbps", codec), ("AAC 256 kbps", codec.get("aac"))):
        if isinstance(part, dict):
            lines.append({"label": label, "true_peak": _num(part.get("true_peak_dbtp")),
                          "sample_peak": _num(part.get("sample_peak_dbfs")),
                          "clipped": _num(part.get("clipped_samples"), 0)})  # fmt: skip
    return {"status": status, "words": words, "lines": lines, "affected": affected,
            "notes": codec.get("notes") or [], "aac": codec.get("aac"),
            "headline": _codec_headline(codec, status)}  # fmt: skip


def _codec_headline(codec: dict[str, Any], status: str) -> str:
    """The codec check in a line: "MP3 320 peaks at −0.3 dBTP, AAC 256 at +0.5 dBTP; clips
    after encoding (12 samples in the AAC)"."""
    peaks, clips = [], []
    for n, (name, part) in enumerate((("MP3 320", codec), ("AAC 256", codec.get("aac")))):
        if not isinstance(part, dict):
            continue
        peak = part.get("true_peak_dbtp")
        at = f"{_signed(peak)} dBTP" if isinstance(peak, int | float) else "no reading"
        peaks.append(f"{name} {'peaks at ' if not n else 'at '}{at}")
        if part.get("clipped_samples"):
            clips.append(f"{part['clipped_samples']} samples in the {name.split()[0]}")
    line = ", ".join(peaks)
    if status == "pass":
        return f"{line}; no overs after encoding"
    return f"{line}; clips after encoding" + (f" ({', '.join(clips)})" if clips else "")


def master_item(job: Job, audio: AudioFile) -> dict[str, Any]:
    view = charts.master_view(job, audio.analysis)
    view["label"] = master_label(job)
    for row in view["rows"]:
        digits = row.get("digits", 1)
        before, after = row.get("before"), row.get("after")
        row["before_text"] = _num(before, digits) or "–"
        row["after_text"] = _num(after, digits) or "–"
        row["change"] = ""
        if isinstance(before, int | float) and isinstance(after, int | float):
            delta = round(after - before, digits)
            if delta:
                row["change"] = f"{'−' if delta < 0 else '+'}{abs(delta):.{digits}f}"
    gain = view.get("matched_gain_db")
    if gain is not None:
        if abs(gain) < 0.05:
            view["matched_words"] = "both are already equally loud"
        elif gain > 0:
            view["matched_words"] = f"master {_signed(-gain)} dB"
        else:
            view["matched_words"] = f"original {_signed(gain)} dB"
    params = job.params or {}
    view["retry"] = {
        "profile": params.get("profile"), "intensity": params.get("intensity"),
        "mix": round((params.get("mix") or 1.0) * 100), "target_lufs": params.get("target_lufs"),
        "reference": params.get("reference") or "",
        "match_loudness": "on" if params.get("match_loudness") else "",
    }  # fmt: skip
    chain = view.get("chain") or {}
    texts = {row["label"]: row["after_text"] for row in view["rows"]}
    view["result"] = {
        "lufs": texts.get("Integrated loudness", "–"), "true_peak": texts.get("True peak", "–"),
        "on_target": chain.get("on_target"),
    }  # fmt: skip
    eq = ((chain.get("settings") or {}).get("eq")) or []
    view["eq_moves"] = [
        b for b in eq if b.get("type") == "peak" and abs(b.get("gain_db", 0)) >= 0.1
    ]
    return view


def render_item(job: Job, masters: dict[int, Job]) -> dict[str, Any]:
    params = job.params or {}
    tags = params.get("tags") or {}
    master_id = params.get("master")
    source = "The original upload"
    if master_id:
        master_job = masters.get(master_id)
        source = master_label(master_job) if master_job else "A master (deleted)"
    result = job.result or {}
    facts = []
    if result.get("sample_rate"):
        facts.append(f"{result['sample_rate'] / 1000:g} kHz")
    if result.get("bit_depth"):
        facts.append(f"{result['bit_depth']}-bit")
    if result.get("bitrate_kbps"):
        facts.append(f"{result['bitrate_kbps']} kbps")
    if result.get("bytes"):
        facts.append(uploads.size_words(int(result["bytes"])))
    if result.get("resampled_from"):
        facts.append(f"resampled from {result['resampled_from'] / 1000:g} kHz")
    title = tags.get("title") or ""
    if tags.get("artists"):
        title = f"{', '.join(tags['artists'])} – {title}" if title else ", ".join(tags["artists"])
    return {"job": job, "format": renders.LABELS.get(params.get("format"), params.get("format")),
            "source": source, "title": title, "facts": " · ".join(facts),
            "artwork": bool(params.get("artwork"))}  # fmt: skip
