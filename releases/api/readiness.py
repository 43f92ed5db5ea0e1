"""REST API of a release's readiness and the side planning of its records and tapes, for
members (a guest gets a 404, as on every catalogue endpoint). Thin: ``releases.readiness``
judges, ``releases.services.physical`` plans.

=========================================================  ====================================
``releases/<release_id>/readiness/``                       GET the report (``?profile=``)
``releases/<release_id>/editions/<edition_id>/sides/``     GET the plan and a suggested split;
                                                           PUT a new plan
``releases/<release_id>/editions/<edition_id>/sides/suggest/``  POST: plan the suggested split
=========================================================  ====================================
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collaborators.api_support import error_response

from ..models import PhysicalEdition
from ..readiness import readiness_report
from ..readiness.checks.physical import side_limit, suggestion_words
from ..readiness.context import readiness_context
from ..readiness.profiles import NAMES
from ..services import physical
from .catalogue import CatalogueScopedMixin

# --- Serializers ------------------------------------------------------------------------------


class ReadinessFindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["blocker", "warning"])
    message = serializers.CharField(help_text="What to do, in words a musician understands.")
    fix_url = serializers.CharField(help_text="The page where it is fixed.", allow_blank=True)
    track_id = serializers.IntegerField(allow_null=True)
    check = serializers.CharField(help_text="The check that found it (built in or registered).")


class ReadinessProfileSerializer(serializers.Serializer):
    name = serializers.CharField()
    ready = serializers.BooleanField()
    blockers = ReadinessFindingSerializer(many=True)
    warnings = ReadinessFindingSerializer(many=True)


class ReadinessReportSerializer(serializers.Serializer):
    ready = serializers.BooleanField(help_text="No blocker for any profile: it may be 'ready'.")
    summary = serializers.CharField()
    profiles = serializers.DictField(
        child=ReadinessProfileSerializer(), help_text="By delivery-profile slug."
    )


class SideSerializer(serializers.Serializer):
    side = serializers.CharField()
    tracks = serializers.ListField(child=serializers.IntegerField())
    duration_s = serializers.FloatField()


class SideLimitSerializer(serializers.Serializer):
    label = serializers.CharField()
    max_s = serializers.FloatField(help_text="The recommended maximum of a side.")
    comfortable_s = serializers.FloatField(help_text="Above this a loud side suffers.")
    sides = serializers.CharField(help_text="The side letters this medium has.")


class SidePlanSerializer(serializers.Serializer):
    edition = serializers.IntegerField()
    format = serializers.CharField()
    limit = SideLimitSerializer(allow_null=True)
    sides = SideSerializer(many=True)
    unplanned = serializers.ListField(child=serializers.IntegerField())
    suggestion = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()), allow_null=True
    )
    suggestion_words = serializers.CharField(allow_blank=True)


class SidePlanInputSerializer(serializers.Serializer):
    sides = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=200),
        help_text='Side letter -> track ids in playing order, e.g. {"A": [1, 2], "B": [3]}.',
    )


# --- Views ------------------------------------------------------------------------------------


class _ReleaseMixin(CatalogueScopedMixin):
    def _edition(self) -> PhysicalEdition:
        release = self.url_release()
        edition = PhysicalEdition.objects.filter(
            release=release, pk=self.kwargs["edition_id"]
        ).first()
        if edition is None:
            raise Http404("No such edition of this release.")
        edition.release = release
        return edition


class ReleaseReadinessView(_ReleaseMixin, APIView):
    """Every blocker and warning per delivery profile the release goes to (the stores, and
    CD, vinyl, cassette when it has such an edition). A release with a blocker cannot be set
    to the status "ready"."""

    @extend_schema(
        summary="The release's readiness: blockers and warnings per delivery profile",
        parameters=[
            OpenApiParameter(
                "profile",
                enum=list(NAMES),
                description="Only this profile (one the release goes to)",
            )
        ],
        responses={200: ReadinessReportSerializer},
    )
    def get(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        profile = request.query_params.get("profile") or None
        if profile is not None and profile not in NAMES:
            raise ValidationError(
                {"profile": [f"No profile “{profile[:40]}”. Choose one of {', '.join(NAMES)}."]}
            )
        report = readiness_report(release=self.url_release())
        if profile is not None and profile not in report.profiles:
            raise ValidationError(
                {"profile": [f"This release does not go to {NAMES[profile]}: it has no such "
                             "edition."]}
            )  # fmt: skip
        return Response(ReadinessReportSerializer(report.as_dict(profile=profile)).data)


def side_plan(edition: PhysicalEdition) -> dict[str, Any]:
    """The edition's plan with each side's length, what is unplanned, and a suggested split."""
    ctx = readiness_context(release=edition.release)
    limit = side_limit(edition)
    placed = ctx.sides.get(edition.pk, [])
    by_id = {t.pk: t for t in ctx.tracks}
    sides: dict[str, dict[str, Any]] = {}
    for row in placed:
        side = sides.setdefault(row.side, {"side": row.side, "tracks": [], "duration_s": 0.0})
        side["tracks"].append(row.track_id)
        track = by_id.get(row.track_id)
        side["duration_s"] += (ctx.duration(track) if track else None) or 0.0
    planned = {row.track_id for row in placed}
    suggestion = None
    if limit is not None and ctx.tracks:
        with contextlib.suppress(DjangoValidationError):  # no split fits: the words say so
            suggestion = physical.edition_sides_suggest(edition=edition)
    return {
        "edition": edition.pk, "format": edition.format,
        "limit": None if limit is None else {
            "label": limit.label, "max_s": limit.max_s, "comfortable_s": limit.comfortable_s,
            "sides": limit.sides,
        },
        "sides": [sides[k] for k in sorted(sides)],
        "unplanned": [t.pk for t in ctx.tracks if t.pk not in planned],
        "suggestion": suggestion,
        "suggestion_words": suggestion_words(ctx, limit) if limit is not None else "",
    }  # fmt: skip


_NOT_SIDED = error_response(
    "The plan is refused (`fields.sides`): a side over the cutting limit or the tape, a side "
    "letter the medium lacks, a track not on the release or named twice, or an edition with "
    "no sides (a CD) or no size or length chosen yet."
)


class EditionSidesView(_ReleaseMixin, APIView):
    """Which tracks go on which side of a record or a tape. Members read it; planning needs
    ``content.edit``. A side over the recommended cutting maximum (records) or half the tape
    (cassettes) is refused, saying by how much and what to do."""

    @extend_schema(summary="The side plan, each side's length and a suggested split",
                   responses={200: SidePlanSerializer})  # fmt: skip
    def get(self, request: Request, workspace_slug: str, release_id: int, edition_id: int):
        return Response(SidePlanSerializer(side_plan(self._edition())).data)

    @extend_schema(
        summary="Replace the side plan",
        request=SidePlanInputSerializer,
        responses={200: SidePlanSerializer, 400: _NOT_SIDED},
    )
    def put(self, request: Request, workspace_slug: str, release_id: int, edition_id: int):
        edition = self._edition()
        data = SidePlanInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        physical.edition_sides_plan(edition=edition, sides=data.validated_data["sides"])
        return Response(SidePlanSerializer(side_plan(edition)).data)


class EditionSidesSuggestView(_ReleaseMixin, APIView):
    """Plan the suggested split: the tracks in release order on as few sides as fit."""

    @extend_schema(
        summary="Plan the tracks onto sides as Liner suggests",
        request=None,
        responses={200: SidePlanSerializer, 400: _NOT_SIDED},
    )
    def post(self, request: Request, workspace_slug: str, release_id: int, edition_id: int):
        edition = self._edition()
        physical.edition_sides_apply_suggestion(edition=edition)
        return Response(SidePlanSerializer(side_plan(edition)).data)


__all__ = ["EditionSidesSuggestView", "EditionSidesView", "ReleaseReadinessView"]
