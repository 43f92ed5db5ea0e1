"""The delivery-profile table: every destination Liner promises, with its figures and sources."""

import dataclasses

import pytest

from audio.dsp.profiles import (
    KINDS,
    NORMALISATIONS,
    PROFILES,
    Profile,
    UnknownProfile,
    all_profiles,
    get_profile,
)

# slug: (kind, target LUFS, true-peak ceiling dBTP, normalisation)
REQUIRED = {
    "spotify": ("streaming", -14.0, -1.0, "both_with_headroom"),
    "apple-music": ("streaming", -16.0, -1.0, "both_with_headroom"),
    "youtube": ("streaming", -14.0, -1.0, "down_only"),
    "amazon-music": ("streaming", -14.0, -2.0, "down_only"),
    "tidal": ("streaming", -14.0, -1.0, "down_only"),
    "deezer": ("streaming", -15.0, -1.0, "down_only"),
    "soundcloud": ("streaming", None, -1.0, "none"),
    "bandcamp": ("store", None, -1.0, "none"),
    "cd": ("physical", None, -0.3, "none"),
    "vinyl": ("physical", None, -1.0, "none"),
    "aes-td1008": ("reference", -16.0, -1.0, "none"),
    "podcast": ("podcast", -16.0, -1.0, "none"),
    "broadcast-ebu": ("broadcast", -23.0, -1.0, "none"),
    "broadcast-atsc": ("broadcast", -24.0, -2.0, "none"),
}


@pytest.mark.parametrize("slug", REQUIRED)
def test_every_required_profile_has_its_figures_and_a_source(slug):
    kind, target, ceiling, normalisation = REQUIRED[slug]
    profile = get_profile(slug)
    assert profile.slug == slug and profile.name
    assert profile.kind == kind
    assert profile.target_lufs == target
    assert profile.true_peak_ceiling_dbtp == ceiling
    assert profile.normalisation == normalisation
    assert len(profile.sources) >= 1
    assert all(isinstance(s, str) and len(s) > 10 for s in profile.sources)


def test_all_profiles_is_the_whole_table_in_display_order():
    slugs = [p.slug for p in all_profiles()]
    assert sorted(slugs) == sorted(REQUIRED)
    assert len(set(slugs)) == len(slugs)
    assert slugs[:2] == ["spotify", "apple-music"]
    assert slugs.index("bandcamp") < slugs.index("cd") < slugs.index("broadcast-ebu")
    assert list(PROFILES) == slugs


def test_values_come_from_the_documented_vocabularies():
    for profile in all_profiles():
        assert profile.kind in KINDS
        assert profile.normalisation in NORMALISATIONS
        if profile.normalisation == "none":
            assert profile.target_lufs is None or profile.tolerance_lu is not None
        else:
            assert profile.target_lufs is not None
        if profile.normalisation == "both_with_headroom":
            assert profile.raise_peak_limit_dbtp is not None


def test_an_unknown_slug_is_a_key_error_naming_the_valid_ones():
    with pytest.raises(UnknownProfile) as caught:
        get_profile("myspace")
    assert isinstance(caught.value, KeyError)
    message = str(caught.value)
    assert message.startswith("No delivery profile called 'myspace'")
    assert "spotify" in message and "broadcast-atsc" in message


def test_profiles_cannot_be_changed_by_accident():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_profile("spotify").target_lufs = -9.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        PROFILES["spotify"] = get_profile("cd")  # type: ignore[index]


def test_spotify_raises_quiet_tracks_only_within_one_db_of_true_peak_headroom():
    spotify = get_profile("spotify")
    assert spotify.raise_peak_limit_dbtp == -1.0
    assert spotify.loud_master_peak_dbtp == -2.0


def test_platforms_without_normalisation_say_what_to_aim_for_separately():
    soundcloud = get_profile("soundcloud")
    assert soundcloud.target_lufs is None and soundcloud.recommended_lufs == -14.0
    assert soundcloud.level_lufs == -14.0
    assert get_profile("spotify").level_lufs == -14.0


def test_cd_is_16_bit_44_1_khz_with_a_hard_limit_at_full_scale():
    cd = get_profile("cd")
    assert cd.sample_rates == (44_100,) and cd.bit_depths == (16,)
    assert cd.true_peak_ceiling_dbtp == -0.3 and cd.true_peak_fail_dbtp == 0.0
    assert cd.lossless_required and cd.artwork is None


def test_bandcamp_takes_lossless_uploads_of_at_least_16_bit():
    bandcamp = get_profile("bandcamp")
    assert set(bandcamp.formats) == {"WAV", "AIFF", "FLAC"}
    assert bandcamp.lossless_required
    assert min(bandcamp.bit_depths) == 16


@pytest.mark.parametrize(
    "slug, tolerance, severity, hard_peak",
    [
        ("broadcast-ebu", 0.5, "fail", -1.0),
        ("broadcast-atsc", 2.0, "fail", -2.0),
        ("podcast", 1.0, "warn", -1.0),
    ],
)
def test_delivery_specs_carry_their_tolerance_windows(slug, tolerance, severity, hard_peak):
    profile = get_profile(slug)
    assert profile.tolerance_lu == tolerance
    assert profile.tolerance_severity == severity
    assert profile.true_peak_fail_dbtp == hard_peak


def test_ebu_allows_a_wider_window_only_for_live_programmes():
    assert get_profile("broadcast-ebu").tolerance_live_lu == 1.0


def test_vinyl_asks_for_dynamics_mono_low_end_and_tamed_sibilance():
    vinyl = get_profile("vinyl")
    assert {"no_brickwall", "mono_low_end", "sibilance"} <= set(vinyl.extra_checks)
    assert vinyl.min_plr_db is not None and vinyl.min_low_end_correlation is not None


@pytest.mark.parametrize("slug", ["spotify", "apple-music", "tidal", "amazon-music", "deezer"])
def test_store_artwork_is_square_rgb_and_at_least_3000_px(slug):
    art = get_profile(slug).artwork
    assert art is not None
    assert art.min_px == 3000 and art.square and art.color_mode == "RGB"
    assert "JPEG" in art.formats


def test_podcast_artwork_has_both_bounds():
    art = get_profile("podcast").artwork
    assert (art.min_px, art.max_px) == (1400, 3000)


def test_a_profile_variant_can_be_built_for_a_what_if():
    louder = dataclasses.replace(get_profile("spotify"), target_lufs=-11.0)
    assert isinstance(louder, Profile) and louder.target_lufs == -11.0
    assert get_profile("spotify").target_lufs == -14.0
