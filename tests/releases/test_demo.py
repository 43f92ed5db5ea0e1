"""seed_demo's releases: an album in production and a locked single, a guest engineer on the
album only, and nothing new on a second run."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.http import Http404

from collaborators import demo as registry
from collaborators.models import Membership
from releases import demo
from releases.access import access_release
from releases.models import Comment, MasterLock, MixVersion, Release, ReleaseGuest, SignOff

# Committed transactions, as in a real seed: the analyses queued after commit run (eagerly).
pytestmark = pytest.mark.django_db(transaction=True)


def test_seed_demo_brings_an_album_in_production_and_a_locked_single(settings, monkeypatch):
    from audio import demo as audio_demo

    def short_audio(**kwargs):
        return audio_demo.seed_audio(**{**kwargs, "seconds": 6.0})

    def short_releases(**kwargs):
        return demo.seed_releases(**{**kwargs, "seconds": 6.0})

    monkeypatch.setitem(registry._SEEDERS, "audio", short_audio)
    monkeypatch.setitem(registry._SEEDERS, "releases", short_releases)
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())

    single = Release.objects.get(title="Low Tide")
    album = Release.objects.get(title="Glasshouse")
    assert single.upc and album.upc and single.artwork and single.artwork_width == 3000
    assert all(t.isrc for t in album.tracks.all()) and all(t.isrc for t in single.tracks.all())
    assert MasterLock.objects.filter(track__release=single, ended_at__isnull=True).count() == 1
    locked = MasterLock.objects.filter(track__release=album, ended_at__isnull=True)
    assert [lk.track.title for lk in locked] == ["Northern Line"]
    glass = album.tracks.get(title="Glasshouse")
    assert glass.versions.count() == 2
    assert SignOff.objects.filter(track=glass, superseded_at__isnull=True,
                                  decision="changes").exists()  # fmt: skip
    assert Comment.objects.filter(track=glass, parent__isnull=False).exists()  # a reply
    assert album.tracks.get(title="Salt and Static").versions.count() == 0

    engineer = ReleaseGuest.objects.get(release=album).user
    assert engineer.email == "engineer@liner.test"
    assert not Membership.objects.filter(user=engineer, workspace=album.workspace).exists()
    assert access_release(user=engineer, workspace_slug=album.workspace.slug, release_id=album.pk)
    with pytest.raises(Http404):  # the single is not theirs
        access_release(user=engineer, workspace_slug=album.workspace.slug, release_id=single.pk)

    # Part 2: the single passes the gate for the streaming stores; the album shows blockers.
    from releases.readiness import readiness_report

    report = readiness_report(release=single)
    for store in ("spotify", "apple-music", "amazon-music", "tidal", "deezer", "youtube"):
        assert not report.profiles[store].blockers, (store, report.profiles[store].blockers)
    album_report = readiness_report(release=album)
    assert not album_report.ready and album_report.profiles["spotify"].blockers
    assert single.milestones.exists() and album.milestones.exists()
    assert album.editions.filter(format="vinyl").exists() and single.expenses.exists()
    assert album.deliverables.filter(required=True, done_at__isnull=True).exists()

    counts = (Release.objects.count(), MixVersion.objects.count(), Comment.objects.count())
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert (Release.objects.count(), MixVersion.objects.count(), Comment.objects.count()) == counts


def test_demo_release_days_are_fridays_ahead_of_today():
    import datetime as dt

    day = demo.release_friday(8, today=dt.date(2027, 12, 31))
    assert day.weekday() == 4 and day >= dt.date(2028, 2, 25)
