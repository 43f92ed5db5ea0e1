"""The mastering job: a master of an upload for one delivery profile, with before/after."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from django.core.exceptions import ValidationError

from audio.dsp.analysis import analyze
from audio.dsp.master import PRESETS, master
from audio.dsp.profiles import UnknownProfile, get_profile
from audio.dsp.waveform import DEFAULT_COLUMNS
from audio.models import AudioFile, Job

from .files import local_path, scratch_folder, store_output
from .jobs import Progress, job_request, job_run, scaled

# Profiles that set no loudness of their own (CD, vinyl, Bandcamp) are mastered to this
# unless the caller names a target: a common streaming-era level that no platform turns up.
DEFAULT_TARGET_LUFS = -14.0
INTENSITIES = tuple(PRESETS)
TARGET_RANGE = (-30.0, -6.0)


def master_settings(
    *,
    profile: str,
    intensity: str = "balanced",
    mix: float = 1.0,
    target_lufs: float | None = None,
    reference: AudioFile | None = None,
    match_loudness: bool = False,
) -> dict[str, Any]:
    """Check and complete the settings of a master; raises ValidationError field by field."""
    errors: dict[str, str] = {}
    try:
        prof = get_profile(profile)
    except UnknownProfile:
        errors["profile"] = f"“{profile}” is not a delivery profile."
        prof = None
    if intensity not in INTENSITIES:
        errors["intensity"] = f"Intensity must be one of {', '.join(INTENSITIES)}."
    try:
        mix = float(mix)
    except (TypeError, ValueError):
        mix = -1.0
    if not 0.0 <= mix <= 1.0:
        errors["mix"] = "The dry/wet amount must be between 0 and 1 (0 % to 100 %)."
    if target_lufs is not None:
        low, high = TARGET_RANGE
        if not low <= float(target_lufs) <= high:
            errors["target_lufs"] = f"The target must be between {low:g} and {high:g} LUFS."
    if errors:
        raise ValidationError(errors)
    assert prof is not None
    if target_lufs is None:
        target_lufs = prof.level_lufs if prof.level_lufs is not None else DEFAULT_TARGET_LUFS
    return {
        "profile": prof.slug,
        "target_lufs": round(float(target_lufs), 1),
        "ceiling_dbtp": prof.true_peak_ceiling_dbtp,
        "intensity": intensity,
        "mix": round(mix, 2),
        "reference": reference.pk if reference is not None else None,
        # With a reference: take its loudness too (as Matchering does) instead of the target.
        "match_loudness": bool(reference is not None and match_loudness),
    }


def master_request(
    *, audio_file: AudioFile, user: Any = None, reference: AudioFile | None = None, **settings
) -> Job:
    """The mastering job for these settings: one per file and settings, queued once."""
    if reference is not None and reference.workspace_id != audio_file.workspace_id:
        raise ValidationError({"reference": "The reference must be a file of this workspace."})
    if reference is not None and reference.pk == audio_file.pk:
        raise ValidationError({"reference": "A track cannot be its own reference."})
    params = master_settings(reference=reference, **settings)
    return job_request(audio_file=audio_file, kind=Job.Kind.MASTER, params=params, user=user)


def master_work(job: Job, progress: Progress) -> dict[str, Any]:
    params = job.params
    audio_file = job.audio_file
    reference = None
    if params.get("reference"):
        reference = AudioFile.objects.filter(
            pk=params["reference"], workspace_id=job.workspace_id
        ).first()
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(local_path(audio_file.file))
        ref_path = stack.enter_context(local_path(reference.file)) if reference else None
        folder = stack.enter_context(scratch_folder())
        out = folder / "master.wav"
        before = audio_file.analysis or analyze(source)
        report = master(
            source,
            out,
            target_lufs=params["target_lufs"],
            ceiling_dbtp=params["ceiling_dbtp"],
            intensity=params["intensity"],
            mix=params["mix"],
            reference_path=ref_path,
            match_reference_loudness=params.get("match_loudness", False),
            progress=scaled(progress, 0, 80, ""),
        )
        after = analyze(
            out, waveform_columns=DEFAULT_COLUMNS, progress=scaled(progress, 80, 99, "Measuring: ")
        )
        after_peaks = after.pop("waveform")
        stem = os.path.splitext(audio_file.original_name)[0]
        store_output(job.output, out, f"{stem} - master {params['profile']}.wav")
    before = {k: v for k, v in before.items() if k != "codec"}
    return {"before": before, "after": after, "after_peaks": after_peaks, "chain": report}


def run(*, job_id: int) -> Job | None:
    return job_run(job_id=job_id, work=master_work)
