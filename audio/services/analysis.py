"""The analysis job: the QC report and waveform of an upload, then its codec-safety stage."""

from __future__ import annotations

from typing import Any

from audio.dsp.analysis import ENGINE_VERSION, analyze
from audio.dsp.codec import codec_check
from audio.dsp.waveform import DEFAULT_COLUMNS
from audio.models import AudioFile, Job

from .files import local_path
from .jobs import Progress, job_run, scaled


def analysis_work(job: Job, progress: Progress) -> dict[str, Any]:
    """Measure the file (0–70 %), then encode and decode it for the codec check (70–99 %).

    The report is kept on the AudioFile (the waveform apart, in ``peaks``) so pages read it
    without joining jobs; the job's own result is a short summary.
    """
    audio_file = job.audio_file
    with local_path(audio_file.file) as path:
        report = analyze(
            path, waveform_columns=DEFAULT_COLUMNS, progress=scaled(progress, 0, 70, "")
        )
        peaks = report.pop("waveform")
        codec = codec_check(path, progress=scaled(progress, 70, 99, "Codec check: "))
    report["codec"] = codec
    AudioFile.objects.filter(pk=audio_file.pk).update(analysis=report, peaks=peaks)
    return {
        "engine_version": ENGINE_VERSION,
        "integrated_lufs": report.get("integrated_lufs"),
        "true_peak_dbtp": report.get("true_peak_dbtp"),
        "codec_true_peak_dbtp": codec.get("true_peak_dbtp"),
    }


def run(*, job_id: int) -> Job | None:
    return job_run(job_id=job_id, work=analysis_work)
