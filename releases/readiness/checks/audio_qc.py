"""The audio QC verdict of each locked master for each profile, from ``audio/``: a failure
is a blocker, a warning a warning (the notes that only inform are left to the audio report).
For CD the verdict judges the 16-bit 44.1 kHz render Liner makes; for vinyl it includes the
low end (stereo below 150 Hz), sibilance and brick-wall limiting."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from audio.dsp.profiles import PROFILES
from audio.dsp.verdicts import verdict

from ..context import ReleaseContext
from ..findings import Finding, blocker, warning

SEVERITY = {"fail": blocker, "warn": warning}

# The verdicts of a master change only when its analysis does: keep the last few thousand,
# each with the analysis it was made from (compared in full, so a new analysis of the same
# file is judged again). A race between threads only computes one twice.
_MEMO: OrderedDict[tuple[int, str], tuple[dict[str, Any], list[dict[str, Any]]]] = OrderedDict()
_MEMO_SIZE = 4096


def _findings(audio_file_id: int, profile: Any, analysis: dict[str, Any]) -> list[dict[str, Any]]:
    key = (audio_file_id, profile.slug)
    hit = _MEMO.get(key)
    if hit is not None and hit[0] == analysis:
        return hit[1]
    found = verdict(profile, analysis)["findings"]
    _MEMO[key] = (analysis, found)
    while len(_MEMO) > _MEMO_SIZE:
        _MEMO.popitem(last=False)
    return found


def check_audio_qc(ctx: ReleaseContext) -> Iterator[Finding]:
    profiles = [PROFILES[slug] for slug in ctx.profiles if slug in PROFILES]
    for track in ctx.tracks:
        master = ctx.master(track)
        if master is None:
            continue  # the masters check says what to do
        url = ctx.audio_url(master.audio_file_id)
        analysis = ctx.analyses.get(master.audio_file_id)
        if not analysis:
            yield blocker(
                "qc_pending", f"Wait for the analysis of “{track}”'s master to finish (or run "
                "it again from its audio page): its QC decides whether stores take it.", url,
                track_id=track.pk,
            )  # fmt: skip
            continue
        for profile in profiles:
            for f in _findings(master.audio_file_id, profile, analysis):
                make = SEVERITY.get(f["severity"])
                if make is not None:
                    yield make(
                        f"qc_{f['code']}", f"“{track}”: {f['message']}", url,
                        track_id=track.pk, profile=profile.slug,
                    )  # fmt: skip
