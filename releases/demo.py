"""Demo releases for ``seed_demo``: an album in production and a locked single.

- "Glasshouse", an album in production: four tracks with codes (UPC and ISRCs come before the
  mixes are approved), mix versions with timestamped comments and replies, one master
  locked, one track approved but not locked, one where the guest engineer asked for changes,
  and one with no mix yet. The engineer, ``engineer@liner.test``, is a guest on this album
  only: not a member of the workspace.
- "Low Tide", a single whose only track is approved and locked as the master, with artwork,
  credits and codes.

Mixes are synthesised (``audio.demo.synthesise``), so nothing is shipped. Running it again
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from audio.demo import synthesise, wav_bytes
from collaborators.models import Membership, Person, User, Workspace

from .models import Release, Track
from .services import artwork, budget, catalogue, deliverables, guests, planning, review

ISRC_PREFIX = "SE-LND"  # a made-up registrant prefix of the demo workspace
ALBUM_UPC = "7350000000016"  # EAN-13 with a valid check digit (made up)
SINGLE_UPC = "7350000000023"


def _person(workspace: Workspace, email: str) -> Person:
    return Person.objects.get(workspace=workspace, email=email)


def _mix(
    name: str, seed: int, seconds: float, peak: float = -3.0, drive: float = 1.0
) -> SimpleUploadedFile:
    data = wav_bytes(synthesise(seed, seconds=seconds, peak_dbfs=peak, drive=drive))
    return SimpleUploadedFile(name, data)


def _at(at_30s: float, seconds: float) -> float:
    """A comment time written for a 30-second demo mix, at the same place in a shorter one."""
    return round(at_30s * seconds / 30.0, 1)


def cover_jpeg(*, hue: tuple[int, int, int], size: int = 3000) -> bytes:
    """A square RGB cover: a soft gradient with a few circles (3000 × 3000 by default)."""
    y = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None]
    base = np.array(hue, dtype=np.float32)
    rgb = (base * (0.35 + 0.65 * y))[:, None, :].repeat(size, axis=1)
    image = Image.fromarray(rgb.clip(0, 255).astype(np.uint8).reshape(size, size, 3), "RGB")
    draw = ImageDraw.Draw(image)
    for i, r in enumerate((0.42, 0.3, 0.18)):
        c = size // 2
        draw.ellipse(
            [c - r * size, c - r * size, c + r * size, c + r * size],
            outline=(255, 255, 255), width=max(4, size // (120 + 40 * i)),
        )  # fmt: skip
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=88)
    return buf.getvalue()


def seed_releases(*, workspace: Workspace, user: User, seconds: float = 30.0) -> list[Release]:
    catalogue.catalogue_settings_update(
        workspace=workspace, isrc_prefix=ISRC_PREFIX, default_label="North Pier Records"
    )
    engineer = User.objects.filter(email="engineer@liner.test").first()
    if engineer is not None:
        # The engineer is a guest on one album, not a member of the workspace.
        Membership.objects.filter(workspace=workspace, user=engineer).delete()
    made = []
    if not Release.objects.filter(workspace=workspace, title="Low Tide").exists():
        made.append(_single(workspace, user, seconds))
        _plan_single(Release.objects.get(workspace=workspace, title="Low Tide"), user)
    if not Release.objects.filter(workspace=workspace, title="Glasshouse").exists():
        made.append(_album(workspace, user, engineer, seconds))
        _plan_album(Release.objects.get(workspace=workspace, title="Glasshouse"), user)
    return made


def _expenses(release: Release, user: User, rows: list[tuple[str, str, str, str, bool]]) -> None:
    for category, description, planned, actual, recoupable in rows:
        budget.expense_create(
            release=release, category=category, description=description,
            currency=release.workspace.default_currency, planned=planned or None,
            actual=actual or None, recoupable=recoupable, user=user,
        )  # fmt: skip


def _plan_single(release: Release, user: User) -> None:
    """The single is ready for the streaming stores: a timeline, a budget, its deliverables."""
    planning.timeline_generate(release=release)
    _expenses(release, user, [
        ("mixing", "Mix, Blue Hour Studio", "450.00", "450.00", True),
        ("mastering", "Master for streaming", "120.00", "120.00", True),
        ("artwork", "Cover photo and design", "300.00", "280.00", False),
        ("promotion", "Playlist pitching and PR", "600.00", "", True),
    ])  # fmt: skip
    deliverables.deliverables_ensure(release=release)
    for item in release.deliverables.filter(done_at__isnull=True, required=True):
        if item.key in ("split-sheets", "press-photos", "bio", "label-copy"):
            deliverables.deliverable_tick(deliverable=item, user=user)


def _plan_album(release: Release, user: User) -> None:
    """The album is in production: a vinyl pressing, a budget, deliverables still to do."""
    catalogue.edition_create(
        release=release, format="vinyl", vinyl="12-33", quantity=300, unit_cost="6.40",
        manufacturer="Pallas", description="12-inch, 180 g, black",
    )  # fmt: skip
    planning.timeline_generate(release=release)
    _expenses(release, user, [
        ("recording", "Studio days (4)", "2400.00", "2550.00", True),
        ("session", "Bass, Ravi Shah", "500.00", "500.00", True),
        ("mixing", "Mixes, Blue Hour Studio", "1800.00", "", True),
        ("mastering", "Master for streaming and vinyl", "600.00", "", True),
        ("video", "Video for the title track", "1500.00", "", False),
    ])  # fmt: skip
    deliverables.deliverables_ensure(release=release)


def _credits(track: Track, workspace: Workspace, roles: list[tuple[str, str, str]]) -> None:
    for email, role, instrument in roles:
        catalogue.credit_add(
            track=track, person=_person(workspace, email), role=role, instrument=instrument
        )


def release_friday(weeks: int, today: dt.date | None = None) -> dt.date:
    """The first Friday (new-music day) at least ``weeks`` weeks from today: the demo's dates
    move with the calendar, so a demo seeded next year is still planned, not in the past."""
    day = (today or dt.date.today()) + dt.timedelta(weeks=weeks)
    return day + dt.timedelta(days=(4 - day.weekday()) % 7)


def _single(workspace: Workspace, owner: User, seconds: float) -> Release:
    maya = _person(workspace, "artist@liner.test")
    single_day = release_friday(8)
    release = catalogue.release_create(
        workspace=workspace, user=owner, artists=[maya], title="Low Tide", type="single",
        status="ready", upc=SINGLE_UPC, catalogue_number="NPR-021", genre="Pop",
        subgenre="Indie Pop", language="en", explicit="clean",
        release_date=single_day, p_year=single_day.year, p_owner="Maya Lind",
        c_year=single_day.year, c_owner="Maya Lind", moods=["nocturnal", "hopeful"],
        keywords=["synth bass", "tidal", "late night"], genre_tags=["indie pop", "synth pop"],
    )  # fmt: skip
    artwork.release_artwork_set(
        release=release,
        upload=SimpleUploadedFile("low-tide-cover.jpg", cover_jpeg(hue=(40, 110, 170))),
        user=owner,
    )
    track = catalogue.track_create(
        release=release, title="Low Tide", isrc="auto", explicit="clean", language="en",
        bpm=120, key="Am", preview_start_s=45,
        lyrics="The water takes the streetlights\nand gives them back as stars …",
    )  # fmt: skip
    _credits(track, workspace, [
        ("artist@liner.test", "composer_lyricist", ""),
        ("ines@cowrite.example", "composer", ""),
        ("ines@cowrite.example", "producer", ""),
        ("engineer@liner.test", "mixing_engineer", ""),
        ("engineer@liner.test", "mastering_engineer", ""),
        ("ravi@sessions.example", "performer", "ElectricBassGuitar"),
    ])  # fmt: skip
    # The same bytes as the demo audio's "Low Tide (mix 4)": the upload finds that file.
    v1 = review.mix_version_add(
        track=track, upload=_mix("Low Tide (mix 4).wav", 11, seconds, -9.0), user=owner,
        note="Mix 4: vocal up 1 dB, less reverb on the snare.",
    )  # fmt: skip
    review.approver_add(release=release, user=owner, actor=owner)
    review.comment_add(
        version=v1, user=owner, at_s=_at(12.0, seconds), body="Bass sits perfectly here now."
    )
    review.signoff_record(track=track, version=v1, user=owner, decision="approved",
                          note="This is the one.")  # fmt: skip
    review.master_lock(track=track, version=v1, user=owner)
    return release


def _album(workspace: Workspace, owner: User, engineer: User | None, seconds: float) -> Release:
    maya = _person(workspace, "artist@liner.test")
    album_day = release_friday(10)
    release = catalogue.release_create(
        workspace=workspace, user=owner, artists=[maya], title="Glasshouse", type="album",
        status="in_production", upc=ALBUM_UPC, catalogue_number="NPR-024", genre="Pop",
        subgenre="Dream Pop", language="en", release_date=album_day, p_year=album_day.year,
        p_owner="Maya Lind", c_year=album_day.year, c_owner="Maya Lind", moods=["dreamy"],
        guest_downloads=True,
    )  # fmt: skip
    titles = ["Glasshouse", "Northern Line", "Paper Boats", "Salt and Static"]
    tracks = [
        catalogue.track_create(release=release, title=t, isrc="auto", language="en") for t in titles
    ]
    for t in tracks:
        _credits(t, workspace, [("artist@liner.test", "composer_lyricist", "")])
    _credits(tracks[0], workspace, [("ravi@sessions.example", "performer", "ElectricBassGuitar"),
                                    ("engineer@liner.test", "mixing_engineer", "")])  # fmt: skip
    review.approver_add(release=release, user=owner, actor=owner)
    if engineer is not None:
        guests.release_guest_add(release=release, user=engineer, actor=owner)
        review.approver_add(release=release, user=engineer, actor=owner)
    reviewer = engineer or owner

    # 1. Glasshouse: v1 with notes, v2 with the fix; the engineer wants one more change.
    g1 = review.mix_version_add(
        track=tracks[0], upload=_mix("Glasshouse (rough mix).wav", 23, seconds, -1.0),
        user=owner, note="Rough mix from the session.",
    )  # fmt: skip
    c = review.comment_add(
        version=g1, user=owner, at_s=_at(4.5, seconds), body="Kick is too boomy in the intro."
    )
    review.comment_reply(parent=c, user=reviewer, body="Agreed, I'll high-pass it at 35 Hz.")
    review.comment_add(version=g1, user=reviewer, at_s=_at(21.0, seconds),
                       body="Chorus vocal gets lost behind the synth pad.")  # fmt: skip
    g2 = review.mix_version_add(
        track=tracks[0], upload=_mix("Glasshouse (mix 2).wav", 29, seconds, -2.0),
        user=reviewer, note="Kick high-passed, pad ducked under the vocal in the chorus.",
    )  # fmt: skip
    review.comment_resolve(comment=c, user=owner)
    review.comment_add(
        version=g2, user=owner, at_s=_at(17.3, seconds), body="Lovely. Is the delay throw too long?"
    )
    review.signoff_record(track=tracks[0], version=g2, user=reviewer, decision="changes",
                          note="Bridge needs 1 dB more low mids before I sign.")  # fmt: skip

    # 2. Northern Line: approved by everyone and locked.
    n1 = review.mix_version_add(
        track=tracks[1], upload=_mix("Northern Line (club edit).wav", 37, seconds, -0.1, 2.0),
        user=owner, note="Club edit, final.",
    )  # fmt: skip
    for who in {owner, reviewer}:
        review.signoff_record(track=tracks[1], version=n1, user=who, decision="approved")
    review.master_lock(track=tracks[1], version=n1, user=owner)

    # 3. Paper Boats: approved, not yet locked. 4. Salt and Static: no mix yet.
    p1 = review.mix_version_add(
        track=tracks[2], upload=_mix("Paper Boats (mix 1).wav", 41, seconds), user=owner
    )
    for who in {owner, reviewer}:
        review.signoff_record(track=tracks[2], version=p1, user=who, decision="approved")
    return release
