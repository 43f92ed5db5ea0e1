"""REST API of a release's timeline, under ``/api/workspaces/<slug>/releases/<release_id>/``:
``milestones/`` (list with state, deadline and flag; create), ``milestones/<id>/`` (read,
change, delete), ``milestones/<id>/done/`` (POST: done; DELETE: not done), ``timeline/generate/``
(make or refresh from the template) and ``timeline/move/`` (move the release date, or with
``dry_run`` see what would move and what would become impossible). And the caller's own
calendar: ``/api/calendar/`` (the private ICS URL) and ``/api/calendar/reset/``.

Members only, like the rest of the catalogue; writes need ``content.edit``. Thin: the
services decide (``releases.services.planning``), the selectors read.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collaborators.models import User
from collaborators.serializers import UserBriefSerializer

from .. import selectors_planning as sel
from ..models import Milestone, Phase, Release
from ..services import planning
from .catalogue import CatalogueScopedMixin

# --- Serializers ------------------------------------------------------------------------------


class TimelineFlagSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    deadline = serializers.DateField(help_text="The last day it could be done for this date.")
    earliest_release_date = serializers.DateField(
        help_text="The first release date on which it can still be met, done today."
    )
    message = serializers.CharField(help_text="What happened and what to do, in words.")


class MilestoneOutputSerializer(serializers.Serializer):
    """A milestone with its state on today's date (read from the timeline selector's rows)."""

    id = serializers.IntegerField(source="milestone.pk")
    key = serializers.CharField(source="milestone.key")
    title = serializers.CharField(source="milestone.title")
    phase = serializers.ChoiceField(choices=Phase.choices, source="milestone.phase")
    due_date = serializers.DateField(source="milestone.due_date")
    days_before = serializers.IntegerField(
        source="milestone.days_before", allow_null=True,
        help_text="Days before release day; it keeps this distance when the date moves.",
    )  # fmt: skip
    minimum_days_before = serializers.IntegerField(
        source="milestone.minimum_days_before", allow_null=True,
        help_text="The hard limit (a store's lead time), if any.",
    )  # fmt: skip
    deadline = serializers.DateField(allow_null=True, help_text="The hard limit as a date.")
    state = serializers.CharField(
        help_text="`done`, `due` (not yet done, due today or later) or "
        "`overdue` (not done, past its due date)."
    )
    flag = TimelineFlagSerializer(allow_null=True, help_text="Set when the deadline has passed.")
    owner = UserBriefSerializer(source="milestone.owner", allow_null=True)
    depends_on = serializers.SerializerMethodField()
    advice = serializers.CharField(source="milestone.advice")
    notes = serializers.CharField(source="milestone.notes")
    done_at = serializers.DateTimeField(source="milestone.done_at", allow_null=True)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_depends_on(self, row: sel.MilestoneRow) -> list[int]:
        return [d.pk for d in row.depends_on]


class MilestoneInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    phase = serializers.ChoiceField(choices=Phase.choices)
    due_date = serializers.DateField()
    owner = serializers.IntegerField(
        required=False, allow_null=True, help_text="A member's user id."
    )
    depends_on = serializers.ListField(
        child=serializers.IntegerField(), required=False,
        help_text="Ids of milestones of this release it waits for (not itself, no circles).",
    )  # fmt: skip
    minimum_days_before = serializers.IntegerField(
        required=False, allow_null=True, min_value=-365, max_value=730
    )
    advice = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class MoveInputSerializer(serializers.Serializer):
    release_date = serializers.DateField()
    dry_run = serializers.BooleanField(
        default=False, help_text="Only say what would move and what would become impossible."
    )


class MoveRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="milestone.pk")
    title = serializers.CharField(source="milestone.title")
    old_date = serializers.DateField()
    new_date = serializers.DateField()


class MovePlanSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    old_date = serializers.DateField(allow_null=True)
    new_date = serializers.DateField()
    moves = MoveRowSerializer(many=True)
    kept = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of milestones that stay (done)."
    )
    flags = TimelineFlagSerializer(many=True)


class CalendarURLSerializer(serializers.Serializer):
    url = serializers.URLField(
        help_text="Your private ICS feed: subscribe to it in a calendar app. It needs no login; "
        "anyone with it can read your milestones."
    )


# --- Views ------------------------------------------------------------------------------------


def _rows(release: Release) -> dict[int, sel.MilestoneRow]:
    return {r.milestone.pk: r for r in sel.timeline_for_release(release=release).rows}


@extend_schema_view(
    list=extend_schema(summary="The release's milestones, by due date, with state and flags"),
    retrieve=extend_schema(summary="One milestone"),
    create=extend_schema(
        summary="Add a milestone by hand",
        request=MilestoneInputSerializer,
        responses={201: MilestoneOutputSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a milestone (a new due date is its new distance to release day)",
        request=MilestoneInputSerializer,
        responses=MilestoneOutputSerializer,
    ),
    destroy=extend_schema(summary="Remove a milestone"),
)
class MilestoneViewSet(CatalogueScopedMixin, viewsets.GenericViewSet):
    serializer_class = MilestoneOutputSerializer
    queryset = Milestone.objects.none()
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "post", "patch", "delete"]

    def _milestone(self, release: Release, pk: Any) -> Milestone:
        try:
            return Milestone.objects.get(release=release, pk=int(pk))
        except (Milestone.DoesNotExist, TypeError, ValueError):
            raise Http404("No such milestone on this release.") from None

    def _out(self, release: Release, pk: int, code: int = 200) -> Response:
        return Response(MilestoneOutputSerializer(_rows(release)[pk]).data, status=code)

    def _fields(self, release: Release, partial: bool) -> dict[str, Any]:
        data = MilestoneInputSerializer(data=self.request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "owner" in fields and fields["owner"] is not None:
            owner = User.objects.filter(pk=fields["owner"]).first()
            if owner is None:
                raise ValidationError({"owner": ["Choose a member of this workspace."]})
            fields["owner"] = owner
        if "depends_on" in fields:
            ids = list(dict.fromkeys(fields["depends_on"]))
            found = {m.pk: m for m in Milestone.objects.filter(release=release, pk__in=ids)}
            missing = [i for i in ids if i not in found]
            if missing:
                raise ValidationError(
                    {"depends_on": [f"No milestone {missing[0]} on this release."]}
                )
            fields["depends_on"] = [found[i] for i in ids]
        return fields

    def list(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        rows = sel.timeline_for_release(release=self.url_release()).rows
        return Response(MilestoneOutputSerializer(rows, many=True).data)

    def retrieve(self, request: Request, workspace_slug: str, release_id: int, pk: str) -> Response:
        release = self.url_release()
        return self._out(release, self._milestone(release, pk).pk)

    def create(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        release = self.url_release()
        milestone = planning.milestone_create(release=release, **self._fields(release, False))
        return self._out(release, milestone.pk, status.HTTP_201_CREATED)

    def partial_update(
        self, request: Request, workspace_slug: str, release_id: int, pk: str
    ) -> Response:
        release = self.url_release()
        milestone = self._milestone(release, pk)
        planning.milestone_update(milestone=milestone, **self._fields(release, True))
        return self._out(release, milestone.pk)

    def destroy(self, request: Request, workspace_slug: str, release_id: int, pk: str) -> Response:
        release = self.url_release()
        planning.milestone_delete(milestone=self._milestone(release, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["POST"], request=None, responses=MilestoneOutputSerializer,
                   summary="Mark the milestone done")  # fmt: skip
    @extend_schema(methods=["DELETE"], request=None, responses={200: MilestoneOutputSerializer},
                   summary="Mark the milestone not done")  # fmt: skip
    @action(detail=True, methods=["post", "delete"])
    def done(self, request: Request, workspace_slug: str, release_id: int, pk: str) -> Response:
        release = self.url_release()
        milestone = self._milestone(release, pk)
        if request.method == "DELETE":
            planning.milestone_undo(milestone=milestone)
        else:
            planning.milestone_done(milestone=milestone, user=request.user)
        return self._out(release, milestone.pk)


class TimelineGenerateView(CatalogueScopedMixin, APIView):
    """Make the release's milestones from the workspace's template, or refresh them: done
    milestones and ones added by hand are kept. Needs a release date."""

    @extend_schema(request=None, responses=MilestoneOutputSerializer(many=True),
                   summary="Make or refresh the timeline from the template")  # fmt: skip
    def post(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        release = self.url_release()
        planning.timeline_generate(release=release)
        rows = sel.timeline_for_release(release=release).rows
        return Response(MilestoneOutputSerializer(rows, many=True).data)


class ReleaseDateMoveView(CatalogueScopedMixin, APIView):
    """Move the release date: undone milestones move with it, done ones stay; deadlines the
    new date can no longer meet come back as flags with what to do. A date in the past is a
    400 for a release not yet out."""

    @extend_schema(request=MoveInputSerializer, responses=MovePlanSerializer,
                   summary="Move the release date (or see what would move)")  # fmt: skip
    def post(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        release = self.url_release()
        data = MoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new_date, dry_run = data.validated_data["release_date"], data.validated_data["dry_run"]
        if dry_run:
            plan = planning.release_date_move_plan(release=release, new_date=new_date)
        else:
            plan = planning.release_date_move(release=release, new_date=new_date)
        body = {
            "applied": not dry_run, "old_date": plan.old_date, "new_date": plan.new_date,
            "moves": plan.moves, "kept": [m.pk for m in plan.kept], "flags": plan.flags,
        }  # fmt: skip
        return Response(MovePlanSerializer(body).data)


class CalendarURLView(APIView):
    """Your private calendar feed (ICS) of the milestones of every release you can see."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=CalendarURLSerializer, summary="Your private calendar URL",
                   operation_id="calendar_url_retrieve")  # fmt: skip
    def get(self, request: Request) -> Response:
        feed = planning.calendar_feed_ensure(user=request.user)
        return Response({"url": sel.calendar_url(feed=feed)})


class CalendarResetView(APIView):
    """A new private calendar URL; the old one stops working at once."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=CalendarURLSerializer,
                   summary="Replace your private calendar URL",
                   operation_id="calendar_url_reset")  # fmt: skip
    def post(self, request: Request) -> Response:
        feed = planning.calendar_feed_reset(user=request.user)
        return Response({"url": sel.calendar_url(feed=feed)})
