"""The catalogue's rules: codes, ISRC assignment (also under concurrency), positions, credits."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from releases.codes import CodeError, isrc_normalize, isrc_prefix_normalize, upc_normalize
from releases.models import Credit, IsrcCounter, Release, Track
from releases.services import catalogue

from ..factories import PersonFactory, ReleaseFactory, TrackFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_codes_are_checked_by_their_check_digits_and_shape():
    assert isrc_normalize("gb-emi-19-00001") == "GBEMI1900001"
    assert upc_normalize("0602 4457 9058 6") == "0602445790586"
    assert upc_normalize("602445790586") == "602445790586"
    assert isrc_prefix_normalize("se-a1b") == "SEA1B"
    for bad in ("GBEMI190000", "GB-EMI-19-0000X", ""):
        with pytest.raises(CodeError):
            isrc_normalize(bad)
    with pytest.raises(CodeError, match="check digit"):
        upc_normalize("0602445790587")
    for bad in ("GB-EM", "1B-EMI", "XX-EMI"):
        with pytest.raises(CodeError):
            isrc_prefix_normalize(bad)


def test_a_release_needs_only_a_title(workspace):
    release = catalogue.release_create(workspace=workspace, title="Low Tide", type="ep")
    assert release.status == Release.Status.PLANNING
    assert release.territory_mode == "worldwide"


def test_bad_codes_are_refused_and_nothing_is_saved(workspace):
    with pytest.raises(ValidationError) as err:
        catalogue.release_create(workspace=workspace, title="X", upc="0602445790587")
    assert "upc" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        catalogue.release_create(workspace=workspace, title="X", language="xx")
    assert "language" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        catalogue.release_create(
            workspace=workspace, title="X", territory_mode="include", territories=["SE", "QQ"]
        )
    assert "territories" in err.value.message_dict
    assert not Release.objects.exists()


def test_upc_and_isrc_are_unique_within_the_workspace(workspace, other_workspace):
    catalogue.release_create(workspace=workspace, title="A", upc="0602445790586")
    with pytest.raises(ValidationError, match="UPC"):
        catalogue.release_create(workspace=workspace, title="B", upc="602445790586".zfill(13))
    # Another workspace may hold the same barcode (a label and its artist, say).
    catalogue.release_create(workspace=other_workspace, title="C", upc="0602445790586")
    release = ReleaseFactory(workspace=workspace)
    catalogue.track_create(release=release, title="One", isrc="GB-EMI-19-00001")
    with pytest.raises(ValidationError) as err:
        catalogue.track_create(release=release, title="Two", isrc="GBEMI1900001")
    assert "isrc" in err.value.message_dict
    assert release.tracks.count() == 1


def test_positions_default_to_the_next_and_cannot_be_taken_twice(workspace):
    release = ReleaseFactory(workspace=workspace)
    a = catalogue.track_create(release=release, title="A")
    b = catalogue.track_create(release=release, title="B")
    c = catalogue.track_create(release=release, title="C", disc=2)
    assert (a.position, b.position, c.disc, c.position) == (1, 2, 2, 1)
    with pytest.raises(ValidationError) as err:
        catalogue.track_create(release=release, title="D", position=2)
    assert "position" in err.value.message_dict
    catalogue.tracks_reorder(release=release, order=[(a.pk, 1, 2), (b.pk, 1, 1), (c.pk, 2, 1)])
    assert list(release.tracks.order_by("disc", "position").values_list("title", flat=True)) == [
        "B", "A", "C",
    ]  # fmt: skip


def test_auto_isrc_follows_the_registrant_sequence(workspace):
    with pytest.raises(ValidationError, match="registrant prefix"):
        catalogue.isrc_assign_next(workspace=workspace)
    with pytest.raises(ValidationError):
        catalogue.catalogue_settings_update(workspace=workspace, isrc_prefix="GB-EM")
    catalogue.catalogue_settings_update(workspace=workspace, isrc_prefix="se-a1b")
    release = ReleaseFactory(workspace=workspace)
    first = catalogue.track_create(release=release, title="One", isrc="auto")
    # A code typed by hand that the sequence would reach next is skipped, not reused.
    year = first.isrc[5:7]
    catalogue.track_create(release=release, title="Hand", isrc=f"SEA1B{year}00002")
    third = catalogue.track_create(release=release, title="Three", isrc="AUTO")
    assert first.isrc == f"SEA1B{year}00001"
    assert third.isrc == f"SEA1B{year}00003"
    # A failed create after assignment does not hand the next code out twice either.
    with pytest.raises(ValidationError):
        catalogue.track_create(release=release, title="", isrc="auto")
    fourth = catalogue.track_create(release=release, title="Four", isrc="auto")
    assert fourth.isrc not in {first.isrc, third.isrc}


@pytest.mark.django_db(transaction=True)
def test_concurrent_auto_isrcs_are_all_different():
    workspace = WorkspaceFactory()
    catalogue.catalogue_settings_update(workspace=workspace, isrc_prefix="GB-LNR")
    releases = [ReleaseFactory(workspace=workspace) for _ in range(4)]
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(release: Release) -> None:
        try:
            for i in range(5):
                track = catalogue.track_create(release=release, title=f"T{i}", isrc="auto")
                with lock:
                    codes.append(track.isrc)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(r,)) for r in releases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(codes) == 20 and len(set(codes)) == 20
    assert IsrcCounter.objects.get(workspace=workspace).last == 20
    assert Track.objects.filter(workspace=workspace).count() == 20


def test_credits_use_people_of_the_workspace_and_ddex_instruments(workspace, other_workspace):
    release = ReleaseFactory(workspace=workspace)
    track = TrackFactory(release=release)
    ravi = PersonFactory(workspace=workspace, name="Ravi Shah")
    stranger = PersonFactory(workspace=other_workspace)
    credit = catalogue.credit_add(
        track=track, person=ravi, role="performer", instrument="ElectricBassGuitar"
    )
    assert credit.label == "Electric bass guitar"
    with pytest.raises(ValidationError):
        catalogue.credit_add(track=track, person=ravi, role="performer", instrument="Kazoo9000")
    with pytest.raises(ValidationError):
        catalogue.credit_add(track=track, person=ravi, role="performer")
    with pytest.raises(ValidationError):
        catalogue.credit_add(track=track, person=stranger, role="producer")
    with pytest.raises(ValidationError, match="already"):
        catalogue.credit_add(
            track=track, person=ravi, role="performer", instrument="ElectricBassGuitar"
        )
    assert Credit.objects.count() == 1


def test_release_artists_keep_their_order(workspace):
    a, b = (
        PersonFactory(workspace=workspace, name="A"),
        PersonFactory(workspace=workspace, name="B"),
    )
    release = catalogue.release_create(workspace=workspace, title="Duo", artists=[b, a])
    names = [c.person.name for c in release.credits.filter(role="main_artist").order_by("position")]
    assert names == ["B", "A"]
    catalogue.release_artists_set(release=release, artists=[a])
    assert [c.person.name for c in release.credits.filter(role="main_artist")] == ["A"]


def test_a_person_with_credits_cannot_be_removed_from_the_address_book(workspace):
    from collaborators import services as people

    person = PersonFactory(workspace=workspace, name="Ines")
    catalogue.credit_add(
        release=ReleaseFactory(workspace=workspace), person=person, role="composer"
    )
    with pytest.raises(ValidationError, match="still in use"):
        people.person_delete(person=person)
    assert Credit.objects.filter(person=person).exists()


def test_delivered_releases_are_not_deleted(workspace):
    release = ReleaseFactory(workspace=workspace, status="delivered")
    with pytest.raises(ValidationError):
        catalogue.release_delete(release=release)
    assert Release.objects.filter(pk=release.pk).exists()
