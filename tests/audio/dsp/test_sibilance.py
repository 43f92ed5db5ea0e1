"""Sibilance: the loud 's' sounds of a voice are found at their times, and the bright parts of
an instrumental (hi-hats, cymbals, a shaker, a snare, bright saws, noise sweeps) are not.

The mixes are 24 s at 44.1 kHz, built from `kit`: drums and a harmonic bed, the bright part
under test, and, for the voiced ones, a synthetic singer whose 's' sounds (80-200 ms of noise at
4-9 kHz, harsh enough to need a de-esser) fall at the known times of `kit.SIBILANTS`.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from audio.dsp.analysis import analyze
from audio.dsp.sibilance import SibilanceDetector
from audio.dsp.verdicts import verdict

from . import kit
from .signals import write

SECONDS = 24.0
TIMES = [t for t, _ in kit.SIBILANTS]


@functools.cache
def part(name: str, rate: int = kit.RATE) -> np.ndarray:
    s = SECONDS
    make = {
        "bed": lambda: kit.bed(s, rate=rate),
        "drums": lambda: kit.kit(s, rate=rate),
        "bright snare": lambda: kit.kit(s, snare_band_dbfs=-20.0, rate=rate),
        "8th hats": lambda: kit.sections(kit.hats(s, rate=rate), (0.3, 1, 0.5), rate=rate),
        "16th hats": lambda: kit.sections(kit.hats(s, per_beat=4, rate=rate), (0, 1, 1), rate=rate),
        "quiet 16th hats": lambda: kit.hats(s, per_beat=4, band_dbfs=-34.0, rate=rate),
        "open hats": lambda: kit.sections(kit.open_hats(s, rate=rate), (0, 0, 1), rate=rate),
        "off-beat hats": lambda: kit.hats(
            s,
            per_beat=1,
            decay_s=0.02,
            bright="differenced",
            offset_s=0.25,
            band_dbfs=-22.0,
            rate=rate,
        ),  # fmt: skip
        "crashes": lambda: kit.crashes(s, every_s=8.0, band_dbfs=-20.0, rate=rate),
        "loud crashes": lambda: kit.crashes(
            s, every_s=8.0, band_dbfs=-12.0, decay_s=0.6, rate=rate
        ),
        "ride": lambda: kit.sections(kit.ride(s, band_dbfs=-26.0, rate=rate), (0, 1, 1), rate=rate),
        "saws": lambda: (
            kit.saw_stabs(s, band_dbfs=-26.0, rate=rate)
            + kit.saw_lead(s, band_dbfs=-30.0, rate=rate)
        ),
        "sparse saw stabs": lambda: kit.saw_stabs(s, band_dbfs=-14.0, every_bars=2, rate=rate),
        "sweeps": lambda: kit.sweeps(s, band_dbfs=-26.0, rate=rate),
        "loud sweeps": lambda: kit.sweeps(s, band_dbfs=-14.0, rate=rate),
        "shaker": lambda: kit.sections(kit.shaker(s, rate=rate), (0, 1, 0.5), rate=rate),
        "loud shaker": lambda: kit.sections(
            kit.shaker(s, band_dbfs=-14.0, rate=rate), (0, 1, 0), rate=rate
        ),
        "voice": lambda: kit.voice(s, kit.SIBILANTS, rate=rate),
    }[name]
    return make()


# The instrumentals: what sits in each mix besides the bed and the drums.
INSTRUMENTALS = {
    "8th hats": ["8th hats"],
    "16th and open hats": ["16th hats", "open hats"],
    "bright off-beat hats": ["off-beat hats"],
    "crashes and a ride": ["crashes", "ride", "quiet 16th hats"],
    "bright saws": ["saws", "quiet 16th hats"],
    "sweeps": ["sweeps", "quiet 16th hats"],
    "shaker": ["shaker"],
    # Loud enough that the level alone would count them: the shape tests must do the work.
    "sparse loud saw stabs": ["sparse saw stabs", "quiet 16th hats"],
    "loud crashes and open hats": ["loud crashes", "open hats", "quiet 16th hats"],
    "loud sweeps": ["loud sweeps", "quiet 16th hats"],
    "a loud shaker section": ["loud shaker", "quiet 16th hats"],
    "a bright snare": ["quiet 16th hats"],
}
BASE = {"a bright snare": ["bed", "bright snare"]}
# Where the voice sits on top, as a lead vocal does: every 's' must be found.
UNDER_A_VOICE = [
    "8th hats", "16th and open hats", "bright off-beat hats", "crashes and a ride",
    "bright saws", "sweeps", "shaker", "sparse loud saw stabs",
]  # fmt: skip


def mixed(instrumental: str, *, voice: bool = False, rate: int = kit.RATE) -> np.ndarray:
    names = BASE.get(instrumental, ["bed", "drums"]) + INSTRUMENTALS[instrumental]
    parts = [part(n, rate) for n in names] + ([part("voice", rate)] if voice else [])
    return kit.mix(*parts)


@pytest.fixture
def report(tmp_path):
    def make(x, *, rate=kit.RATE, **kwargs):
        return analyze(str(write(tmp_path / "mix.wav", x, rate=rate)), **kwargs)

    return make


def found_at(r) -> list[float]:
    return [s["time_s"] for s in r["sibilance"]]


def assert_found(r, times=TIMES) -> None:
    assert r["sibilance_count"] == len(times), found_at(r)
    assert found_at(r) == pytest.approx(times, abs=0.05)


@pytest.mark.parametrize("instrumental", INSTRUMENTALS)
def test_an_instrumental_has_no_sibilance(report, instrumental):
    r = report(mixed(instrumental))
    assert r["sibilance_count"] == 0 and r["sibilance"] == [], found_at(r)
    assert "sibilance" not in {f["code"] for f in verdict("vinyl", r)["findings"]}


@pytest.mark.parametrize("instrumental", UNDER_A_VOICE)
def test_a_voice_over_an_instrumental_has_its_sibilants_found_at_their_times(report, instrumental):
    r = report(mixed(instrumental, voice=True))
    assert_found(r)
    warned = [f for f in verdict("vinyl", r)["findings"] if f["code"] == "sibilance"]
    assert warned and warned[0]["severity"] == "warn"
    assert f"{len(TIMES)} loud" in warned[0]["message"]


@pytest.mark.parametrize("instrumental", ["loud crashes and open hats", "a loud shaker section"])
def test_under_louder_cymbals_fewer_sibilants_count_but_nothing_else_does(report, instrumental):
    """Where the cymbals or a shaker are as loud as the 's' sounds, those 's' sounds do not stand
    out of the band's usual level, so some go uncounted; whatever is counted is an 's'."""
    r = report(mixed(instrumental, voice=True))
    assert 0 <= r["sibilance_count"] < len(TIMES)
    for t in found_at(r):
        assert min(abs(t - s) for s in TIMES) <= 0.05


def test_a_voice_alone(report):
    r = report(kit.mix(part("voice")))
    assert_found(r)
    # The level of each 's' (its loudest 23 ms in the band), set to -16 dBFS before the mix was
    # brought to a peak of -1 dBFS.
    assert all(-19.0 < s["level_dbfs"] < -13.0 for s in r["sibilance"])


def test_a_voice_without_sibilants_over_hats_has_none(report):
    plain = kit.voice(SECONDS)
    r = report(kit.mix(part("bed"), part("drums"), part("16th hats"), plain))
    assert r["sibilance_count"] == 0, found_at(r)


def test_sibilant_noise_with_no_voice_near_is_not_sibilance(report):
    """The noise of an 's' on its own, in an instrumental with no harmonic sound around it: a
    noise effect, not a singer."""
    bursts = np.zeros(int(SECONDS * kit.RATE))
    for k, (t, length) in enumerate(kit.SIBILANTS):
        s = kit.sibilant(length, seed=k) * kit.db(-16.0)
        at = int((t - length / 2) * kit.RATE)
        bursts[at : at + s.size] += s
    r = report(kit.mix(part("drums"), part("8th hats"), bursts))
    assert r["sibilance_count"] == 0, found_at(r)


def test_quiet_sibilants_are_not_counted(report):
    quiet = kit.voice(SECONDS, kit.SIBILANTS, sibilant_band_dbfs=-40.0)
    r = report(kit.mix(part("bed"), part("drums"), part("8th hats"), quiet))
    assert r["sibilance_count"] == 0, found_at(r)


@pytest.mark.parametrize("rate", [48_000, 96_000])
def test_other_sample_rates(report, rate):
    r = report(mixed("16th and open hats", voice=True, rate=rate), rate=rate)
    assert_found(r)
    assert report(mixed("16th and open hats", rate=rate), rate=rate)["sibilance_count"] == 0


def test_the_block_size_does_not_change_the_sibilance(tmp_path):
    path = str(write(tmp_path / "mix.wav", mixed("shaker", voice=True)))
    a = analyze(path)
    for seconds in (0.1, 0.37, 5.0):
        b = analyze(path, block_seconds=seconds)
        assert (b["sibilance_count"], b["sibilance"]) == (a["sibilance_count"], a["sibilance"])


def test_memory_stays_flat_however_long_the_stream():
    """Twelve minutes of a voiced mix fed in 3 s blocks: what the detector keeps is a few
    seconds of frames and audio, and it still counts every 's'."""
    x = kit.mix(part("bed"), part("drums"), part("16th hats"), part("voice"))[:, 0]
    x = x.astype(np.float32)
    detector = SibilanceDetector(kit.RATE)
    block = 3 * kit.RATE
    kept = []
    for _ in range(30):
        for at in range(0, x.size, block):
            detector.process(x[at : at + block])
        kept.append(
            (
                detector._levels.shape[0],
                sum(b.size for _, b in detector._tape._blocks),
                len(detector._recent),
                len(detector._pending),
                len(detector._listed),
            )
        )
    count, listed = detector.result()
    assert count == 30 * len(TIMES)
    first = TIMES + [t + SECONDS for t in TIMES[:6]]
    assert [t["time_s"] for t in listed] == pytest.approx(first, abs=0.05)
    frames, samples, recent, pending, remembered = np.max(kept[10:], axis=0)
    assert frames < 10 * kit.RATE / detector.hop  # ten seconds of frames
    assert samples < 15 * kit.RATE
    assert recent < 200 and pending < 20 and remembered <= 8 * 20 + 1
