"""Album consistency on real audio with known loudness: each track's level, the album-mode
gain each player applies to the whole album, and the jumps a listener would hear."""

from __future__ import annotations

import io

import pytest
import soundfile as sf
from django.core.files.uploadedfile import SimpleUploadedFile

from releases import selectors
from releases.services import catalogue, review

from ..audio.dsp import signals
from ..factories import ReleaseFactory

pytestmark = pytest.mark.django_db


def _sine_wav(name: str, dbfs: float) -> SimpleUploadedFile:
    # 997 Hz (the BS.1770 test frequency, not a multiple of the block sizes), 6 s, stereo.
    x = signals.sine(6.0, freq=997.0, dbfs=dbfs, channels=2)
    buf = io.BytesIO()
    sf.write(buf, x, 48_000, subtype="PCM_24", format="WAV")
    return SimpleUploadedFile(name, buf.getvalue())


def test_levels_album_gain_and_jumps(
    settings, tmp_path, workspace, owner, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = str(tmp_path)
    release = ReleaseFactory(workspace=workspace)
    quiet = catalogue.track_create(release=release, title="Quiet")
    loud = catalogue.track_create(release=release, title="Loud")
    catalogue.track_create(release=release, title="No mix yet")
    with django_capture_on_commit_callbacks(execute=True):
        review.mix_version_add(track=quiet, upload=_sine_wav("q.wav", -23.0), user=owner)
    with django_capture_on_commit_callbacks(execute=True):
        review.mix_version_add(track=loud, upload=_sine_wav("l.wav", -11.0), user=owner)

    result = selectors.album_consistency(release=selectors.release_detail(release=release))
    rows = {r.track.title: r for r in result.rows}
    # A 997 Hz sine at -23 dBFS in both channels reads -23 LUFS (EBU Tech 3341, case 1).
    assert rows["Quiet"].lufs == pytest.approx(-23.0, abs=0.1)
    assert rows["Loud"].lufs == pytest.approx(-11.0, abs=0.1)
    assert rows["No mix yet"].lufs is None
    # Equal lengths: the album's loudness is the energy mean, 10*log10((10^-2.3 + 10^-1.1)/2).
    assert result.album_lufs == pytest.approx(-13.8, abs=0.15)
    # Spotify turns the whole album down to -14 LUFS (down only when the album is louder),
    # the same gain on every track, so the 12 LU between them stays.
    gain = result.gains["spotify"]
    assert gain == pytest.approx(-0.2, abs=0.15)
    assert rows["Loud"].played["spotify"] - rows["Quiet"].played["spotify"] == pytest.approx(
        12.0, abs=0.2
    )
    assert rows["Loud"].jump_lu == pytest.approx(12.0, abs=0.2)
    assert any("Loud" in j and "louder" in j for j in result.jumps)
    assert result.spread_lu == pytest.approx(12.0, abs=0.2)
