"""Per-profile verdicts on hand-built analysis dicts, shaped like `audio.dsp.analysis` reports."""

import dataclasses
import json
import math
import re

import pytest

from audio.dsp.profiles import UnknownProfile, all_profiles, get_profile
from audio.dsp.verdicts import normalisation_gain, verdict, verdicts

CLEAN = {
    "integrated_lufs": -14.0,
    "loudness_range_lu": 6.5,
    "true_peak_dbtp": -1.2,
    "sample_peak_dbfs": -1.6,
    "momentary_max_lufs": -9.8,
    "short_term_max_lufs": -11.9,
    "plr_db": 12.8,
    "clipped_samples": 0,
    "clip_runs": [],
    "dc_offset": [0.00004, -0.00006],
    "silence_head_s": 0.02,
    "silence_tail_s": 1.4,
    "stereo_correlation": 0.82,
    "mono_loss_db": 1.1,
    "phase_inverted": False,
    "low_end_correlation": 0.96,
    "lossy_cutoff_hz": None,
    "noise_floor_dbfs": -78.0,
    "hum_hz": None,
    "clicks": [],
    "sibilance": [],
    "sibilance_count": 0,
    "sample_rate": 44_100,
    "bit_depth": 24,
    "channels": 2,
    "duration_s": 214.3,
    "format": "WAV",
}

KEYS = list(CLEAN) + ["codec"]


def master(**changes):
    return {**CLEAN, **changes}


def codes(result, severity=None):
    return {f["code"] for f in result["findings"] if severity in (None, f["severity"])}


def finding(result, code):
    matches = [f for f in result["findings"] if f["code"] == code]
    assert matches, f"no {code!r} finding in {result['findings']}"
    return matches[0]


# -- normalisation gain ----------------------------------------------------------------------


def test_spotify_turns_a_loud_master_down_to_minus_14():
    assert normalisation_gain(get_profile("spotify"), -8.2, -0.1) == pytest.approx(-5.8)


def test_spotify_raises_a_quiet_track_only_as_far_as_1_db_of_true_peak_headroom():
    assert normalisation_gain("spotify", -20.0, -3.0) == pytest.approx(2.0)
    # Spotify's own worked example: -20 LUFS peaking at -5 dBTP is lifted to -16 LUFS.
    assert normalisation_gain("spotify", -20.0, -5.0) == pytest.approx(4.0)
    # Plenty of headroom: raised all the way to the target.
    assert normalisation_gain("spotify", -16.0, -6.0) == pytest.approx(2.0)


def test_a_quiet_track_already_peaking_past_the_limit_is_not_raised_or_lowered():
    assert normalisation_gain("spotify", -18.0, -0.5) == 0.0


def test_tidal_never_raises():
    assert normalisation_gain("tidal", -20.0, -6.0) == 0.0
    assert normalisation_gain("tidal", -10.0, -1.0) == pytest.approx(-4.0)


def test_youtube_turns_down_only():
    assert normalisation_gain("youtube", -9.5, -0.3) == pytest.approx(-4.5)
    assert normalisation_gain("youtube", -18.0, -1.0) == 0.0


def test_a_platform_that_turns_both_ways_raises_regardless_of_peaks():
    both = dataclasses.replace(get_profile("deezer"), normalisation="both")
    assert normalisation_gain(both, -21.0, -0.2) == pytest.approx(6.0)
    assert normalisation_gain(both, -12.0, -0.2) == pytest.approx(-3.0)


def test_no_gain_where_nothing_is_normalised_or_nothing_is_known():
    assert normalisation_gain("soundcloud", -8.0, -0.1) is None
    assert normalisation_gain("broadcast-ebu", -23.0, -2.0) is None
    assert normalisation_gain("spotify", None, -1.0) is None
    assert normalisation_gain("spotify", float("-inf"), None) is None
    # Spotify would raise this, but by how much depends on a true peak nobody measured.
    assert normalisation_gain("spotify", -20.0, None) is None
    # Turning down needs no peak reading.
    assert normalisation_gain("spotify", -9.0, None) == pytest.approx(-5.0)


def test_an_unknown_profile_slug_is_refused():
    with pytest.raises(UnknownProfile):
        normalisation_gain("napster", -14.0, -1.0)


# -- verdicts: loudness --------------------------------------------------------------------


def test_a_clean_minus_14_master_passes_spotify():
    result = verdict(get_profile("spotify"), CLEAN)
    assert result["profile"] == "spotify" and result["name"] == "Spotify"
    assert result["status"] == "pass", result["findings"]
    assert result["normalisation_gain_db"] == 0.0
    assert codes(result, "warn") == codes(result, "fail") == set()
    assert "already sits at -14.0 LUFS" in result["preview"]


def test_a_loud_master_hears_that_its_limiting_buys_nothing_on_spotify():
    result = verdict("spotify", master(integrated_lufs=-8.2, true_peak_dbtp=-2.1, plr_db=6.1))
    assert result["normalisation_gain_db"] == pytest.approx(-5.8)
    assert result["preview"] == (
        "Spotify will turn this down by 5.8 dB; your limiting buys no loudness there."
    )
    assert "turned_down" in codes(result, "info")
    assert result["status"] == "pass"


def test_spotify_warns_that_loud_masters_need_2_db_of_peak_headroom():
    result = verdict("spotify", master(integrated_lufs=-9.0, true_peak_dbtp=-1.1))
    assert finding(result, "loud_master_peaks")["severity"] == "warn"
    assert "-2.0 dBTP" in finding(result, "loud_master_peaks")["message"]


def test_a_quiet_track_on_tidal_will_play_quieter_than_other_tracks():
    result = verdict("tidal", master(integrated_lufs=-20.0, true_peak_dbtp=-6.0))
    quiet = finding(result, "plays_quieter")
    assert quiet["severity"] == "warn"
    assert "never turns tracks up" in quiet["message"]
    assert "6.0 dB quieter than other tracks" in quiet["message"]
    assert result["status"] == "warn"
    assert result["normalisation_gain_db"] == 0.0


def test_a_quiet_peaky_track_on_spotify_is_raised_only_part_of_the_way():
    result = verdict("spotify", master(integrated_lufs=-20.0, true_peak_dbtp=-3.0))
    assert result["normalisation_gain_db"] == pytest.approx(2.0)
    assert "raise this one by just 2.0 dB" in finding(result, "plays_quieter")["message"]
    assert result["preview"] == (
        "Spotify will turn this up by 2.0 dB, and it will still play 4.0 dB quieter than "
        "other tracks."
    )


def test_platforms_without_normalisation_play_the_master_as_it_is():
    result = verdict("soundcloud", master(integrated_lufs=-8.0, true_peak_dbtp=-1.5))
    assert result["normalisation_gain_db"] is None
    assert result["status"] == "pass"
    assert "-8.0 LUFS, as mastered" in result["preview"]
    assert "-14.0 LUFS" in finding(result, "loudness_as_mastered")["message"]


@pytest.mark.parametrize(
    "loudness, status",
    [(-23.0, "pass"), (-22.5, "pass"), (-23.5, "pass"), (-22.2, "fail"), (-23.6, "fail")],
)
def test_ebu_r128_holds_programme_loudness_to_half_an_lu(loudness, status):
    result = verdict("broadcast-ebu", master(integrated_lufs=loudness, true_peak_dbtp=-3.0))
    assert result["status"] == status, result["findings"]


def test_an_ebu_miss_says_by_how_much_and_which_way():
    result = verdict("broadcast-ebu", master(integrated_lufs=-22.2, true_peak_dbtp=-3.0))
    miss = finding(result, "loudness_off_target")
    assert miss["severity"] == "fail"
    assert "-22.2 LUFS, 0.8 LU too loud" in miss["message"]
    assert "Turn it down by 0.8 dB" in miss["message"]
    assert "live programmes" in miss["message"]
    assert "0.8 LU too loud" in result["preview"]


@pytest.mark.parametrize("loudness, status", [(-24.0, "pass"), (-26.0, "pass"), (-26.5, "fail")])
def test_atsc_a85_allows_two_db_either_way(loudness, status):
    result = verdict("broadcast-atsc", master(integrated_lufs=loudness, true_peak_dbtp=-4.0))
    assert result["status"] == status


def test_a_podcast_outside_apples_window_is_warned_not_failed():
    assert verdict("podcast", master(integrated_lufs=-16.8))["status"] == "pass"
    result = verdict("podcast", master(integrated_lufs=-19.0))
    assert finding(result, "loudness_off_target")["severity"] == "warn"
    assert "3.0 LU too quiet" in result["preview"]


# -- verdicts: peaks and clipping ----------------------------------------------------------


def test_a_true_peak_over_the_broadcast_limit_fails():
    result = verdict("broadcast-ebu", master(integrated_lufs=-23.0, true_peak_dbtp=0.3))
    assert result["status"] == "fail"
    over = finding(result, "true_peak_over")
    assert over["severity"] == "fail"
    assert "+0.3 dBTP" in over["message"] and "-1.0 dBTP" in over["message"]


def test_streaming_only_warns_about_peaks_the_encoder_may_clip():
    result = verdict("spotify", master(true_peak_dbtp=-0.4))
    assert finding(result, "true_peak_high")["severity"] == "warn"
    assert result["status"] == "warn"
    assert "encoder" in finding(result, "true_peak_high")["message"]


@pytest.mark.parametrize("peak, status", [(-0.3, "pass"), (-0.2, "warn"), (0.1, "fail")])
def test_cd_warns_above_minus_0_3_and_fails_above_full_scale(peak, status):
    assert verdict("cd", master(true_peak_dbtp=peak))["status"] == status


def test_a_podcast_peaking_over_minus_1_fails():
    result = verdict("podcast", master(integrated_lufs=-16.0, true_peak_dbtp=-0.5))
    assert finding(result, "true_peak_over")["severity"] == "fail"


def test_clipped_passages_are_reported_with_their_count():
    runs = [{"start_s": 10.0 + i, "length_samples": 5, "channel": 0} for i in range(4)]
    result = verdict("spotify", master(clip_runs=runs, clipped_samples=20))
    clip = finding(result, "clipping")
    assert clip["severity"] == "warn"
    assert "4 clipped passages (20 samples" in clip["message"]


def test_a_master_that_clips_after_mp3_encoding_is_told_so():
    codec = {"codec": "mp3-320", "true_peak_dbtp": 0.4, "clipped_samples": 12}
    result = verdict("spotify", master(codec=codec))
    clip = finding(result, "codec_clips")
    assert clip["severity"] == "warn"
    assert (
        "clips after MP3 320 kbps encoding (true peak +0.4 dBTP after the codec"
        in (clip["message"])
    )
    # A CD is never encoded to a lossy format, so the check does not apply there.
    assert "codec_clips" not in codes(verdict("cd", master(codec=codec)))


def test_a_codec_check_that_stayed_under_full_scale_is_quiet():
    codec = {"codec": "mp3-320", "true_peak_dbtp": -0.6, "clipped_samples": 0}
    assert verdict("spotify", master(codec=codec))["status"] == "pass"


# -- verdicts: format, resolution, lossless --------------------------------------------------


def test_a_48k_24_bit_master_gets_the_cd_conversion_as_information():
    result = verdict("cd", master(sample_rate=48_000, bit_depth=24))
    convert = finding(result, "conversion_needed")
    assert convert["severity"] == "info"
    assert "Liner will render a 16-bit 44.1 kHz file for you" in convert["message"]
    assert "24-bit 48 kHz" in convert["message"]
    assert result["status"] == "pass"


def test_a_16_bit_44_1_master_needs_no_cd_conversion():
    result = verdict("cd", master(bit_depth=16))
    assert "conversion_needed" not in codes(result)


def test_a_lossy_cutoff_in_a_flac_fails_bandcamp_and_warns_youtube():
    fake = master(format="FLAC", bit_depth=16, lossy_cutoff_hz=16_000.0)
    result = verdict("bandcamp", fake)
    assert result["status"] == "fail"
    fail = finding(result, "fake_lossless")
    assert fail["severity"] == "fail" and "16.0 kHz" in fail["message"]
    assert finding(verdict("youtube", fake), "fake_lossless")["severity"] == "warn"
    assert verdict("cd", fake)["status"] == "fail"


def test_an_mp3_source_fails_lossless_stores_but_soundcloud_takes_it():
    mp3 = master(format="MP3", bit_depth=None, lossy_cutoff_hz=19_000.0)
    bandcamp = verdict("bandcamp", mp3)
    assert finding(bandcamp, "lossy_source")["severity"] == "fail"
    assert "an MP3 file" in finding(bandcamp, "lossy_source")["message"]
    # The codec's own cutoff is expected in an MP3: not reported as fake lossless on top.
    assert "fake_lossless" not in codes(bandcamp)
    assert finding(verdict("soundcloud", mp3), "lossy_source")["severity"] == "info"
    assert finding(verdict("youtube", mp3), "lossy_source")["severity"] == "warn"


def test_a_low_sample_rate_is_warned_even_though_liner_can_resample():
    result = verdict("spotify", master(sample_rate=22_050))
    low = finding(result, "sample_rate_low")
    assert low["severity"] == "warn" and "22.05 kHz" in low["message"]
    assert "conversion_needed" not in codes(result)


def test_broadcast_conversion_to_48k_24_bit_is_information_only():
    result = verdict("broadcast-ebu", master(integrated_lufs=-23.0, bit_depth=16))
    assert (
        "Liner will render a 24-bit 48 kHz file" in finding(result, "conversion_needed")["message"]
    )
    assert result["status"] == "pass"


def test_mono_files_are_put_on_both_channels_for_stereo_only_stores():
    result = verdict("spotify", master(channels=1, stereo_correlation=None, mono_loss_db=None))
    assert "both channels" in finding(result, "conversion_needed")["message"]
    assert verdict("podcast", master(integrated_lufs=-16.0, channels=1))["status"] == "pass"


# -- verdicts: faults ------------------------------------------------------------------------


def test_dc_offset_over_a_tenth_of_a_percent_warns():
    assert verdict("spotify", master(dc_offset=[0.0008, 0.0]))["status"] == "pass"
    result = verdict("spotify", master(dc_offset=[0.0, -0.0031]))
    assert "right channel" in finding(result, "dc_offset")["message"]
    assert "0.3 %" in finding(result, "dc_offset")["message"]


def test_long_silence_at_the_ends_warns_on_streaming_only():
    loose = master(silence_head_s=3.4, silence_tail_s=12.0)
    assert {"long_silence_head", "long_silence_tail"} <= codes(verdict("spotify", loose), "warn")
    broadcast = verdict("broadcast-ebu", {**loose, "integrated_lufs": -23.0})
    assert not {"long_silence_head", "long_silence_tail"} & codes(broadcast)


def test_a_silent_file_fails_everywhere():
    silent = master(silence_head_s=214.3, silence_tail_s=214.3, integrated_lufs=None)
    for result in verdicts(silent):
        assert result["status"] == "fail"


def test_phase_inversion_warns_for_streaming_and_fails_vinyl_and_broadcast():
    inverted = master(phase_inverted=True, stereo_correlation=-0.9, mono_loss_db=18.0)
    assert finding(verdict("spotify", inverted), "phase_inverted")["severity"] == "warn"
    assert verdict("vinyl", inverted)["status"] == "fail"
    assert finding(verdict("broadcast-ebu", inverted), "phase_inverted")["severity"] == "fail"


def test_poor_mono_compatibility_warns():
    result = verdict("spotify", master(stereo_correlation=-0.1, mono_loss_db=4.2))
    assert "4.2 dB when summed to mono" in finding(result, "poor_mono_compatibility")["message"]


def test_hum_and_clicks_are_reported_with_where_to_listen():
    clicks = [{"time_s": 12.34, "channel": 0}, {"time_s": 64.0, "channel": 1}]
    result = verdict("spotify", master(hum_hz=50, clicks=clicks))
    assert "50 Hz" in finding(result, "hum")["message"]
    assert "2 clicks or pops, at 0:12.3 and 1:04.0." in finding(result, "clicks")["message"]


def test_clicks_at_the_same_moment_are_one_place_to_listen_with_distinct_spread_times():
    """The demo mix's clicks: one on both channels at once, four within a tenth of a second,
    then more through the file. Where to listen is said once per place, spread over the file."""
    times = [0.01, 0.01, 0.2063, 0.2064, 0.2245, 0.2246, 3.5, 6.0, 6.0, 8.0]
    times += [8.0 + 0.5 * k for k in range(1, 41)] + [29.5]
    clicks = [{"time_s": t, "channel": k % 2} for k, t in enumerate(times)]
    result = verdict("spotify", master(clicks=clicks, click_count=51))
    message = finding(result, "clicks")["message"]
    assert message.startswith(
        "Liner found 51 clicks or pops, for example 2 at 0:00.0, 1 at 0:15.0 and 1 at 0:29.5. "
    )


def test_events_closer_than_a_tenth_are_said_with_how_many_and_where():
    crackle = [10.0, 10.04, 10.09, 10.16, 10.21, 42.3]
    clicks = [{"time_s": t, "channel": 0} for t in crackle]
    message = finding(verdict("spotify", master(clicks=clicks)), "clicks")["message"]
    assert "6 clicks or pops, 5 within 0:10.0–0:10.2 and 1 at 0:42.3." in message
    # A second apart they are places of their own, and all are listed: no "for example".
    apart = [{"time_s": t, "channel": 0} for t in (1.0, 2.0, 3.0)]
    message = finding(verdict("spotify", master(clicks=apart)), "clicks")["message"]
    assert "3 clicks or pops, at 0:01.0, 0:02.0 and 0:03.0." in message


def test_times_in_a_file_over_an_hour_all_carry_hours():
    clicks = [{"time_s": 12.5, "channel": 0}, {"time_s": 3725.0, "channel": 1}]
    long = master(clicks=clicks, duration_s=4000.0)
    message = finding(verdict("spotify", long), "clicks")["message"]
    assert "at 0:00:12.5 and 1:02:05.0." in message
    short = master(clicks=clicks[:1], duration_s=200.0)
    assert "at 0:12.5." in finding(verdict("spotify", short), "clicks")["message"]


def test_sibilance_examples_are_spread_over_the_listed_bursts():
    bursts = [{"time_s": 30.0 + 9.0 * k, "level_dbfs": -18.0} for k in range(20)]
    result = verdict("vinyl", master(sibilance=bursts, sibilance_count=35))
    message = finding(result, "sibilance")["message"]
    assert "35 loud sibilant sounds" in message
    assert "for example at 0:30.0, 1:51.0 and 3:21.0." in message


def test_the_click_count_is_used_when_the_list_is_capped():
    listed = [{"time_s": float(i), "channel": 0} for i in range(100)]
    counted = verdict("spotify", master(clicks=listed, click_count=250))
    assert "250 clicks" in finding(counted, "clicks")["message"]
    uncounted = verdict("spotify", master(clicks=listed))
    assert "100 or more clicks" in finding(uncounted, "clicks")["message"]


def test_a_noisy_floor_under_the_music_warns_but_dense_music_is_not_noise():
    hiss = verdict("spotify", master(noise_floor_dbfs=-46.0))
    assert finding(hiss, "noise_floor")["severity"] == "warn"
    # The quietest stretches of a dense master are still music, a few dB under its loudness.
    dense = verdict("spotify", master(noise_floor_dbfs=-19.0))
    assert "noise_floor" not in codes(dense)


# -- verdicts: vinyl -------------------------------------------------------------------------


def test_vinyl_warns_about_brick_walled_masters_stereo_lows_and_sibilance():
    bursts = [{"time_s": 12.5, "level_dbfs": -18.0}, {"time_s": 65.0, "level_dbfs": -20.0}]
    squashed = master(
        integrated_lufs=-7.5, true_peak_dbtp=-0.4, plr_db=7.1, low_end_correlation=0.45,
        sibilance=bursts, sibilance_count=14,
    )  # fmt: skip
    result = verdict("vinyl", squashed)
    assert "7.1 dB" in finding(result, "brickwalled")["message"]
    assert "0.45" in finding(result, "stereo_low_end")["message"]
    sibilance = finding(result, "sibilance")
    assert sibilance["severity"] == "warn"
    assert "14 loud sibilant sounds" in sibilance["message"]
    assert "0:12.5" in sibilance["message"] and "1:05.0" in sibilance["message"]
    assert "cymbal" not in sibilance["message"]  # cymbals are not counted as sibilance
    assert result["status"] == "warn"
    # The same file on a streaming store: sibilance and a stereo low end are no fault there.
    assert {"sibilance", "stereo_low_end"}.isdisjoint(codes(verdict("spotify", squashed)))


def test_out_of_phase_lows_fail_vinyl():
    result = verdict("vinyl", master(integrated_lufs=-13.0, plr_db=12.0, low_end_correlation=-0.3))
    assert finding(result, "low_end_out_of_phase")["severity"] == "fail"
    assert result["status"] == "fail"


def test_a_dynamic_centred_master_passes_vinyl():
    clean = master(integrated_lufs=-13.0, true_peak_dbtp=-1.5, plr_db=11.5)
    result = verdict("vinyl", clean)
    assert result["status"] == "pass", result["findings"]
    # Reports from before these figures existed say nothing either way.
    old = {k: v for k, v in clean.items() if k not in ("low_end_correlation", "sibilance_count")}
    del old["sibilance"]
    assert verdict("vinyl", old)["status"] == "pass"


def test_vinyl_works_out_plr_when_the_analysis_has_none():
    result = verdict("vinyl", master(integrated_lufs=-8.0, true_peak_dbtp=-1.0, plr_db=None))
    assert "7.0 dB" in finding(result, "brickwalled")["message"]


# -- robustness and shape --------------------------------------------------------------------


@pytest.mark.parametrize(
    "analysis",
    [
        None,
        {},
        dict.fromkeys(KEYS),
        {"integrated_lufs": float("nan"), "true_peak_dbtp": float("inf"), "dc_offset": [None]},
        {"clip_runs": 3, "clicks": None, "phase_inverted": [False, True], "codec": {}},
        {"format": None, "bit_depth": None, "sample_rate": None, "channels": None},
    ],
    ids=["none", "empty", "all-none", "non-finite", "odd-shapes", "no-format"],
)
def test_missing_or_odd_keys_never_crash(analysis):
    results = verdicts(analysis)
    assert [r["profile"] for r in results] == [p.slug for p in all_profiles()]
    for result in results:
        assert result["status"] in {"pass", "warn", "fail"}
        assert isinstance(result["preview"], str) and result["preview"]
        json.dumps(result)


def test_an_empty_analysis_says_loudness_is_unknown_instead_of_guessing():
    result = verdict("spotify", {})
    assert result["status"] == "pass"
    assert codes(result) == {"loudness_unknown"}
    assert result["normalisation_gain_db"] is None
    assert "no loudness reading" in result["preview"]


def test_verdicts_follow_the_requested_slugs_and_refuse_unknown_ones():
    results = verdicts(CLEAN, ["cd", "spotify"])
    assert [r["profile"] for r in results] == ["cd", "spotify"]
    with pytest.raises(UnknownProfile):
        verdicts(CLEAN, ["spotify", "myspace"])


def test_every_finding_has_the_documented_shape_and_numbers_rounded_to_a_tenth():
    messy = master(
        integrated_lufs=-8.23456,
        true_peak_dbtp=0.37891,
        plr_db=8.61347,
        dc_offset=[0.0031234, 0.0],
        silence_head_s=3.456789,
        stereo_correlation=-0.23456,
        mono_loss_db=6.54321,
        lossy_cutoff_hz=16_123.4,
        noise_floor_dbfs=-47.891,
        format="FLAC",
        codec={"codec": "mp3-320", "true_peak_dbtp": 0.41234, "clipped_samples": 3},
    )
    for result in verdicts(messy):
        assert set(result) == {
            "profile",
            "name",
            "status",
            "findings",
            "normalisation_gain_db",
            "preview",
        }
        gain = result["normalisation_gain_db"]
        assert gain is None or math.isclose(gain, round(gain, 1))
        for f in result["findings"]:
            assert set(f) == {"severity", "code", "message"}
            assert f["severity"] in {"fail", "warn", "info"}
            assert re.fullmatch(r"[a-z_]+", f["code"])
            assert not re.search(r"\d\.\d\d", f["message"]), f["message"]
            assert "-0.0" not in f["message"]
        assert not re.search(r"\d\.\d\d", result["preview"])
