"""Splits: exactly 100 %, versions, effective dates, closed months, the split in effect."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rights.codes import CodeError, iswc_normalize
from rights.models import Period, Share, SplitKind, SplitSet
from rights.selectors.works import master_split_in_effect, master_splits_in_effect
from rights.services.splits import master_split_for_release, split_set_create
from rights.services.works import work_create
from tests.factories import PersonFactory, ReleaseFactory, TrackFactory

pytestmark = pytest.mark.django_db

MAR = dt.date(2026, 3, 1)


@pytest.fixture
def people(workspace):
    return [PersonFactory(workspace=workspace, name=n) for n in ("Maya Lind", "Inès Duarte", "Jo")]


@pytest.fixture
def track(workspace):
    return TrackFactory(release=ReleaseFactory(workspace=workspace), title="Low Tide")


def master(track, people, percents, *, start=MAR, roles=None):
    shares = [
        {"person": p, "role": (roles or {}).get(i, "artist"), "percent": Decimal(v)}
        for i, (p, v) in enumerate(zip(people, percents, strict=False))
    ]
    return split_set_create(kind="master", track=track, shares=shares, effective_from=start)


def test_iswc_good_and_bad():
    assert iswc_normalize("T-034.524.680-1") == "T0345246801"
    with pytest.raises(CodeError, match="last digit"):
        iswc_normalize("T-034.524.680-2")
    with pytest.raises(CodeError, match="not an ISWC"):
        iswc_normalize("X123")


def test_work_with_bad_iswc_is_a_field_error(workspace):
    with pytest.raises(ValidationError) as info:
        work_create(workspace=workspace, title="Low Tide", iswc="T-034.524.680-2")
    assert "iswc" in info.value.message_dict


@pytest.mark.parametrize(
    ("percents", "words"),
    [
        (["50", "49.99"], "The shares add up to 99.99 %; 0.01 % is missing."),
        (["50", "50.01"], "The shares add up to 100.01 %; 0.01 % is too much."),
    ],
)
def test_total_must_be_exactly_100(track, people, percents, words):
    with pytest.raises(ValidationError) as info:
        master(track, people, percents)
    assert info.value.message_dict["shares"] == [words]
    assert not SplitSet.objects.exists()


def test_exactly_100_and_three_way(track, people):
    split = master(track, people, ["33.3333", "33.3333", "33.3334"])
    assert split.total == Decimal("100")
    assert split.version == 1
    assert [s.percent for s in split.shares.all()] == [
        Decimal("33.3333"), Decimal("33.3333"), Decimal("33.3334"),
    ]  # fmt: skip


def test_five_places_zero_and_duplicates_refused(track, people):
    with pytest.raises(ValidationError, match="four decimal places"):
        master(track, people, ["33.33333", "66.66667"])
    with pytest.raises(ValidationError, match="more than 0"):
        master(track, people, ["100", "0"])
    with pytest.raises(ValidationError, match="twice"):
        master(track, [people[0], people[0]], ["50", "50"])
    with pytest.raises(ValidationError, match="roles are"):
        master(track, people[:1], ["100"], roles={0: "writer"})


def test_person_of_another_workspace_refused(track, other_workspace):
    stranger = PersonFactory(workspace=other_workspace)
    with pytest.raises(ValidationError, match="address book"):
        master(track, [stranger], ["100"])


def test_versions_and_effective_date(track, people):
    master(track, people[:2], ["50", "50"])
    second = master(track, people[:2], ["60", "40"], start=dt.date(2026, 5, 1))
    assert second.version == 2
    with pytest.raises(ValidationError, match="first day of a month"):
        master(track, people[:2], ["60", "40"], start=dt.date(2026, 5, 2))


def test_a_split_never_rewrites_a_paid_month(workspace, track, people):
    Period.objects.create(
        workspace=workspace,
        month=MAR,
        status=Period.Status.CLOSED,
        closed_at=timezone.now(),
        currency="EUR",
    )
    with pytest.raises(ValidationError) as info:
        master(track, people[:1], ["100"], start=MAR)
    assert info.value.message_dict["effective_from"] == [
        "2026-03 is paid; this split can start from 2026-04 at the earliest."
    ]
    assert master(track, people[:1], ["100"], start=dt.date(2026, 4, 1)).version == 1


def test_split_in_effect_only_agreed_and_started(track, people, django_assert_num_queries):
    first = master(track, people[:2], ["50", "50"])
    assert master_split_in_effect(track=track, month=MAR) is None  # not agreed yet
    SplitSet.objects.filter(pk=first.pk).update(agreed_at=timezone.now())
    later = master(track, people[:2], ["70", "30"], start=dt.date(2026, 6, 1))
    SplitSet.objects.filter(pk=later.pk).update(agreed_at=timezone.now())
    assert master_split_in_effect(track=track, month=dt.date(2026, 5, 1)).pk == first.pk
    assert master_split_in_effect(track=track, month=dt.date(2026, 6, 1)).pk == later.pk
    other = TrackFactory(release=track.release)
    with django_assert_num_queries(3):
        found = master_splits_in_effect(track_ids=[track.pk, other.pk], month=dt.date(2026, 7, 1))
        assert [s.percent for s in found[track.pk].shares.all()] == [Decimal("70"), Decimal("30")]
    assert other.pk not in found


def test_master_split_for_release_all_tracks(workspace, people):
    release = ReleaseFactory(workspace=workspace)
    tracks = [TrackFactory(release=release) for _ in range(3)]
    shares = [{"person": people[0], "role": "artist", "percent": "80"},
              {"person": people[1], "role": "producer", "percent": "20"}]  # fmt: skip
    sets = master_split_for_release(release=release, shares=shares, effective_from=MAR)
    assert sorted(s.track_id for s in sets) == sorted(t.pk for t in tracks)
    assert Share.objects.filter(split_set__kind=SplitKind.MASTER).count() == 6
