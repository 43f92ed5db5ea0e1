"""REST API of a release's deliverables checklist, under
``/api/workspaces/<slug>/releases/<release_id>/deliverables/``: GET the checklist in its five
groups (the default rows are made on first read), POST a custom item, ``<id>/`` DELETE a custom
item, ``<id>/tick/`` POST ``{"done": true|false}``, ``<id>/attach/`` POST a multipart ``file``
(replacing any earlier one), and ``findings/`` GET what is missing, for the readiness gate.

Members of the workspace (``content.view`` to read, ``content.edit`` to write); another
workspace, or a guest on the release, gets a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from collaborators.api_support import error_response

from ..deliverables import deliverables_findings, deliverables_status
from ..models import Deliverable, DeliverableGroup, Release
from ..services import deliverables as service
from .catalogue import CatalogueScopedMixin

UPLOAD_OVERHEAD = 1 << 20  # multipart framing around a file under the limit


class AttachmentTooLarge(APIException):
    status_code = 413
    default_code = "too_large"
    default_detail = "The file is over the attachment limit."


class DeliverableItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="deliverable.pk", allow_null=True, read_only=True)
    key = serializers.CharField(help_text="A default item's name; empty for your own items.")
    title = serializers.CharField()
    required = serializers.BooleanField()
    meaning = serializers.CharField()
    auto = serializers.BooleanField(help_text="Worked out by Liner from the release; not ticked.")
    state = serializers.ChoiceField(choices=["done", "auto-done", "missing"])
    detail = serializers.CharField()
    warning = serializers.CharField()
    fix_url = serializers.CharField()
    done_at = serializers.DateTimeField(source="deliverable.done_at", allow_null=True,
                                        read_only=True)  # fmt: skip
    attachment_name = serializers.CharField(source="deliverable.attachment_name", allow_null=True,
                                            read_only=True)  # fmt: skip


class DeliverableGroupSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=DeliverableGroup.choices)
    label = serializers.CharField()
    done_count = serializers.IntegerField()
    items = DeliverableItemSerializer(many=True)


class DeliverableFindingSerializer(serializers.Serializer):
    message = serializers.CharField()
    severity = serializers.ChoiceField(choices=["blocker", "warning"])
    fix_url = serializers.CharField()


class DeliverableCustomInputSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=DeliverableGroup.choices)
    title = serializers.CharField(max_length=200)
    required = serializers.BooleanField(default=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DeliverableTickInputSerializer(serializers.Serializer):
    done = serializers.BooleanField(help_text="true ticks the item, false unticks it.")


class DeliverableAttachInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=f"Any document or image, at most {service.ATTACHMENT_MAX_MB} MB."
    )


class DeliverableOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deliverable
        fields = ["id", "group", "key", "title", "required", "note", "done_at",
                  "attachment_name", "position"]  # fmt: skip


@extend_schema_view(
    list=extend_schema(
        summary="The release's deliverables checklist, in its five groups",
        responses=DeliverableGroupSerializer(many=True),
    ),
    create=extend_schema(
        summary="Add an item of your own to the checklist",
        request=DeliverableCustomInputSerializer, responses={201: DeliverableOutputSerializer},
    ),
    destroy=extend_schema(summary="Remove an item of your own (default items stay)"),
)  # fmt: skip
class DeliverableViewSet(CatalogueScopedMixin, viewsets.GenericViewSet):
    serializer_class = DeliverableOutputSerializer
    queryset = Deliverable.objects.none()
    filter_backends: list[Any] = []
    pagination_class = None
    parser_classes = [JSONParser]
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "delete"]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if self.action == "attach":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > service.ATTACHMENT_MAX_BYTES + UPLOAD_OVERHEAD:
                raise AttachmentTooLarge(
                    f"The upload is over the limit of {service.ATTACHMENT_MAX_MB} MB; nothing "
                    "was stored."
                )
        super().initial(request, *args, **kwargs)

    def _item(self, release: Release) -> Deliverable:
        item = Deliverable.objects.filter(release=release, pk=self.kwargs["pk"]).first()
        if item is None:
            raise Http404("No such item on this release's checklist.")
        return item

    def list(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        release = self.url_release()
        service.deliverables_ensure(release=release)
        groups = deliverables_status(release=release)
        return Response(DeliverableGroupSerializer(groups, many=True).data)

    def create(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        release = self.url_release()
        data = DeliverableCustomInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = service.deliverable_custom_add(
            release=release, user=request.user, **data.validated_data
        )
        return Response(DeliverableOutputSerializer(item).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, workspace_slug: str, release_id: int, pk: int) -> Response:
        service.deliverable_custom_remove(deliverable=self._item(self.url_release()))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Tick or untick an item (not the ones Liner works out)",
        request=DeliverableTickInputSerializer, responses=DeliverableOutputSerializer,
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def tick(self, request: Request, workspace_slug: str, release_id: int, pk: int) -> Response:
        item = self._item(self.url_release())
        data = DeliverableTickInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["done"]:
            item = service.deliverable_tick(deliverable=item, user=request.user)
        else:
            item = service.deliverable_untick(deliverable=item, user=request.user)
        return Response(DeliverableOutputSerializer(item).data)

    @extend_schema(
        summary="Attach a file to an item (multipart `file`), replacing any earlier one; "
        "ticks the item",
        request={"multipart/form-data": DeliverableAttachInputSerializer},
        responses={
            200: DeliverableOutputSerializer,
            413: error_response(
                "The request is over the attachment limit (`too_large`); nothing was stored."
            ),
        },
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attach(self, request: Request, workspace_slug: str, release_id: int, pk: int) -> Response:
        item = self._item(self.url_release())
        data = DeliverableAttachInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = service.deliverable_attach(
            deliverable=item, upload=data.validated_data["file"], user=request.user
        )
        return Response(DeliverableOutputSerializer(item).data)

    @extend_schema(
        summary="What is missing from the checklist (blockers) and what to check (warnings)",
        responses=DeliverableFindingSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def findings(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        found = deliverables_findings(self.url_release())
        return Response(DeliverableFindingSerializer(found, many=True).data)
