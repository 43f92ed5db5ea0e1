from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from audio import api as audio_api
from collaborators import api as collaborators_api

router = SimpleRouter()
router.register("workspaces", collaborators_api.WorkspaceViewSet, basename="workspace")

workspace_router = SimpleRouter()
workspace_router.register("members", collaborators_api.MemberViewSet, basename="member")
workspace_router.register("people", collaborators_api.PersonViewSet, basename="person")
workspace_router.register("invitations", collaborators_api.InvitationViewSet, basename="invitation")
workspace_router.register("audio", audio_api.AudioFileViewSet, basename="api-audio-file")
workspace_router.register("jobs", audio_api.JobViewSet, basename="api-audio-job")

urlpatterns = [
    path("auth/token/", collaborators_api.TokenView.as_view(), name="api-token"),
    path(
        "invitations/accept/",
        collaborators_api.InvitationAcceptView.as_view(),
        name="api-invitation-accept",
    ),
    path("audio/profiles/", audio_api.ProfileListView.as_view(), name="api-audio-profiles"),
    path("", include(router.urls)),
    path("workspaces/<slug:workspace_slug>/", include(workspace_router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
