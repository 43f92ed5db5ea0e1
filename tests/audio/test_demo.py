"""seed_demo's audio: real generated tracks, analysed and mastered, and idempotent."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from audio.models import AudioFile, Job

pytestmark = pytest.mark.django_db(transaction=True)


def test_seed_demo_brings_analysed_and_mastered_tracks(settings, monkeypatch):
    from audio import demo

    original = demo.seed_audio

    def short(**kwargs):  # the real seeder, on 8-second tracks to keep the test quick
        return original(**{**kwargs, "seconds": 8.0})

    from collaborators import demo as registry

    monkeypatch.setitem(registry._SEEDERS, "audio", short)
    # The releases demo (tests/releases/test_demo.py) adds mixes of its own.
    monkeypatch.delitem(registry._SEEDERS, "releases", raising=False)
    monkeypatch.delitem(registry._SEEDERS, "rights", raising=False)  # it builds on releases
    out = io.StringIO()
    call_command("seed_demo", "--json", stdout=out, stderr=io.StringIO())
    assert json.loads(out.getvalue())["password"]  # --json output stays one JSON object
    files = AudioFile.objects.filter(workspace__slug="maya-lind")
    assert files.count() == len(demo.TRACKS)
    assert all(f.analysis and f.peaks for f in files)
    masters = Job.objects.filter(kind="master")
    assert masters.count() == 2 and all(j.status == "done" for j in masters)
    for job in masters:
        assert job.result["chain"]["on_target"], job.result["chain"]
    clipped = files.get(original_name__startswith="Northern Line")
    assert clipped.analysis["clipped_samples"] > 0  # the "too hot" demo is really clipped

    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert AudioFile.objects.count() == len(demo.TRACKS)
    assert Job.objects.count() == len(demo.TRACKS) + 2
