from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from audio import api as audio_api
from collaborators import api as collaborators_api
from releases import api as releases_api
from releases.api import budget as budget_api
from releases.api import bundles as bundles_api
from releases.api import ddex as ddex_api
from releases.api import deliverables as deliverables_api
from releases.api import guests as guests_api
from releases.api import planning as planning_api
from releases.api import readiness as readiness_api
from releases.api import review as review_api
from releases.api import signoff as signoff_api
from releases.views.account import NotificationSettingsView

router = SimpleRouter()
router.register("workspaces", collaborators_api.WorkspaceViewSet, basename="workspace")

workspace_router = SimpleRouter()
workspace_router.register("members", collaborators_api.MemberViewSet, basename="member")
workspace_router.register("people", collaborators_api.PersonViewSet, basename="person")
workspace_router.register("invitations", collaborators_api.InvitationViewSet, basename="invitation")
workspace_router.register("audio", audio_api.AudioFileViewSet, basename="api-audio-file")
workspace_router.register("jobs", audio_api.JobViewSet, basename="api-audio-job")
workspace_router.register("releases", releases_api.ReleaseViewSet, basename="api-release")
workspace_router.register("tracks", releases_api.TrackViewSet, basename="api-track")
workspace_router.register("credits", releases_api.CreditViewSet, basename="api-credit")
workspace_router.register("editions", releases_api.EditionViewSet, basename="api-edition")

# Mix review (releases.api.review and .signoff), nested under a track or a release.
track_router = SimpleRouter(use_regex_path=False)
track_router.register("versions", review_api.MixVersionViewSet, basename="api-track-version")
track_router.register("comments", review_api.CommentViewSet, basename="api-track-comment")
track_router.register("signoffs", signoff_api.SignOffViewSet, basename="api-track-signoff")
release_router = SimpleRouter(use_regex_path=False)
release_router.register("approvers", signoff_api.ReleaseApproverViewSet, basename="api-approver")
release_router.register("guests", guests_api.ReleaseGuestViewSet, basename="api-release-guest")
release_router.register("milestones", planning_api.MilestoneViewSet, basename="api-milestone")
release_router.register("bundles", bundles_api.BundleJobViewSet, basename="api-release-bundle")
release_router.register("expenses", budget_api.ExpenseViewSet, basename="api-release-expense")
release_router.register(
    "deliverables", deliverables_api.DeliverableViewSet, basename="api-release-deliverable"
)
TRACK = "workspaces/<slug:workspace_slug>/tracks/<int:track_id>/"
RELEASE = "workspaces/<slug:workspace_slug>/releases/<int:release_id>/"
review_urlpatterns = [
    path(TRACK, include(track_router.urls)),
    path(TRACK + "review/", signoff_api.TrackReviewStateView.as_view(), name="api-track-review"),
    path(TRACK + "lock/", signoff_api.MasterLockView.as_view(), name="api-track-lock"),
    path(TRACK + "unlock/", signoff_api.MasterUnlockView.as_view(), name="api-track-unlock"),
    path(RELEASE, include(release_router.urls)),
    path(
        RELEASE + "timeline/generate/",
        planning_api.TimelineGenerateView.as_view(),
        name="api-timeline-generate",
    ),
    path(
        RELEASE + "timeline/move/",
        planning_api.ReleaseDateMoveView.as_view(),
        name="api-timeline-move",
    ),
]

urlpatterns = [
    path("auth/token/", collaborators_api.TokenView.as_view(), name="api-token"),
    path(
        "invitations/accept/",
        collaborators_api.InvitationAcceptView.as_view(),
        name="api-invitation-accept",
    ),
    path("audio/profiles/", audio_api.ProfileListView.as_view(), name="api-audio-profiles"),
    path("notifications/", NotificationSettingsView.as_view(), name="api-notification-settings"),
    path("calendar/", planning_api.CalendarURLView.as_view(), name="api-calendar"),
    path("calendar/reset/", planning_api.CalendarResetView.as_view(), name="api-calendar-reset"),
    path("", include(router.urls)),
    path(
        "workspaces/<slug:workspace_slug>/catalogue-settings/",
        releases_api.CatalogueSettingsView.as_view(),
        name="api-catalogue-settings",
    ),
    path(
        "workspaces/<slug:workspace_slug>/audit/",
        collaborators_api.AuditEntryListView.as_view(),
        name="api-audit",
    ),
    path("workspaces/<slug:workspace_slug>/", include(workspace_router.urls)),
    *review_urlpatterns,
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]

# Readiness and side planning (releases.api.readiness)
urlpatterns += [
    path(
        f"{RELEASE}readiness/",
        readiness_api.ReleaseReadinessView.as_view(),
        name="api-release-readiness",
    ),
    path(
        f"{RELEASE}editions/<int:edition_id>/sides/",
        readiness_api.EditionSidesView.as_view(),
        name="api-edition-sides",
    ),
    path(
        f"{RELEASE}editions/<int:edition_id>/sides/suggest/",
        readiness_api.EditionSidesSuggestView.as_view(),
        name="api-edition-sides-suggest",
    ),
]

# DDEX ERN 4.3 (releases.api.ddex). First: "releases/import-ddex/" would otherwise be taken
# for a release id by the workspace router.
urlpatterns = [
    path(
        "workspaces/<slug:workspace_slug>/releases/import-ddex/",
        ddex_api.ReleaseDdexImportView.as_view(),
        name="api-release-ddex-import",
    ),
    path(f"{RELEASE}ddex/", ddex_api.ReleaseDdexView.as_view(), name="api-release-ddex"),
    *urlpatterns,
]

# Rights and royalties (rights.api): works, splits and sheets, licences, statements, payouts.
urlpatterns += [path("workspaces/<slug:workspace_slug>/", include("rights.api.urls"))]
