from django.urls import path

from .views import budget, catalogue, deliverables, people, planning, review, review_actions
from .views import ddex as ddex_views
from .views import readiness as readiness_views
from .views.deliveries import bundle_build, bundle_download, bundle_job, deliveries

R = "<int:release_id>/"
T = R + "tracks/<int:track_id>/"  # a track's review page and what it posts to
V = T + "versions/<int:version_id>/"
C = T + "comments/<int:comment_id>/"
A = T + "approvers/<int:approver_id>/"
D = R + "deliverables/<int:deliverable_id>/"
M = R + "timeline/milestones/<int:milestone_id>/"

urlpatterns = [
    path("", catalogue.index, name="releases-index"),
    path("new/", catalogue.release_create, name="release-create"),
    path("settings/", catalogue.catalogue_settings, name="releases-settings"),
    path(R, catalogue.release_detail, name="release-detail"),
    path(R + "edit/", catalogue.release_edit, name="release-edit"),
    path(R + "delete/", catalogue.release_delete, name="release-delete"),
    path(R + "artwork/", catalogue.artwork_file, name="release-artwork"),
    path(R + "artwork/upload/", catalogue.artwork_upload, name="release-artwork-upload"),
    path(R + "credits/", catalogue.credit_add, name="release-credit-add"),
    path(
        R + "credits/<int:credit_id>/remove/", catalogue.credit_remove, name="release-credit-remove"
    ),  # fmt: skip
    path(R + "editions/", catalogue.edition_add, name="release-edition-add"),
    path(
        R + "editions/<int:edition_id>/delete/",
        catalogue.edition_delete,
        name="release-edition-delete",
    ),  # fmt: skip
    path(R + "guests/", people.guest_invite, name="release-guest-invite"),
    path(R + "guests/<int:user_id>/remove/", people.guest_remove, name="release-guest-remove"),
    path(
        R + "guests/invitations/<int:invitation_id>/withdraw/",
        people.guest_invitation_withdraw,
        name="release-guest-invitation-withdraw",
    ),  # fmt: skip
    path(R + "approvers/", people.approver_add, name="release-approver-add"),
    path(
        R + "approvers/<int:approver_id>/remove/",
        people.approver_remove,
        name="release-approver-remove",
    ),  # fmt: skip
    # Timeline (releases/views/planning.py)
    path("timeline-template/", planning.template_page, name="releases-timeline-template"),
    path(R + "timeline/", planning.timeline_page, name="release-timeline"),
    path(R + "timeline/generate/", planning.timeline_generate, name="release-timeline-generate"),
    path(R + "timeline/move/", planning.timeline_move, name="release-timeline-move"),
    path(R + "timeline/milestones/", planning.milestone_add, name="release-milestone-add"),
    path(M + "edit/", planning.milestone_edit, name="release-milestone-edit"),
    path(M + "done/", planning.milestone_done, name="release-milestone-done"),
    path(M + "delete/", planning.milestone_delete, name="release-milestone-delete"),
    path(R + "tracks/new/", catalogue.track_create, name="track-create"),
    path(R + "tracks/<int:track_id>/edit/", catalogue.track_edit, name="track-edit"),
    path(R + "tracks/<int:track_id>/delete/", catalogue.track_delete, name="track-delete"),
    # Budget (releases/views/budget.py)
    path(R + "budget/", budget.budget_page, name="release-budget"),
    path(R + "budget/<int:expense_id>/", budget.expense_edit, name="release-expense-edit"),
    path(
        R + "budget/<int:expense_id>/delete/", budget.expense_delete, name="release-expense-delete"
    ),  # fmt: skip
    # Deliverables (releases/views/deliverables.py)
    path(R + "deliverables/", deliverables.deliverables_page, name="release-deliverables"),
    path(D + "tick/", deliverables.deliverable_tick, name="release-deliverable-tick"),
    path(D + "attach/", deliverables.deliverable_attach, name="release-deliverable-attach"),
    path(D + "file/", deliverables.deliverable_file, name="release-deliverable-file"),
    path(
        D + "file/remove/",
        deliverables.deliverable_attachment_remove,
        name="release-deliverable-attachment-remove",
    ),  # fmt: skip
    path(D + "remove/", deliverables.deliverable_remove, name="release-deliverable-remove"),
    # Review (releases/views/review.py, review_actions.py)
    path(T, review.track_detail, name="track-detail"),
    path(T + "versions/", review_actions.version_upload, name="track-version-upload"),
    path(V + "stream/", review.version_stream, name="track-version-stream"),
    path(V + "peaks/", review.version_peaks, name="track-version-peaks"),
    path(V + "download/", review.version_download, name="track-version-download"),
    path(V + "job/", review.version_job, name="track-version-job"),
    path(T + "comments/", review_actions.comment_add, name="track-comment-add"),
    path(C + "reply/", review_actions.comment_reply, name="track-comment-reply"),
    path(C + "resolve/", review_actions.comment_resolve, name="track-comment-resolve"),
    path(C + "reopen/", review_actions.comment_reopen, name="track-comment-reopen"),
    path(T + "signoff/", review_actions.signoff, name="track-signoff"),
    path(T + "approvers/", review_actions.approver_add, name="track-approver-add"),
    path(A + "remove/", review_actions.approver_remove, name="track-approver-remove"),
    path(T + "lock/", review_actions.lock, name="track-lock"),
    path(T + "unlock/", review_actions.unlock, name="track-unlock"),
    # Deliveries (releases/views/deliveries.py)
    path(R + "deliveries/", deliveries, name="release-deliveries"),
    path(R + "deliveries/bundles/", bundle_build, name="release-bundle-build"),
    path(R + "deliveries/bundles/<int:job_id>/job/", bundle_job, name="release-bundle-job"),
    path(
        R + "deliveries/bundles/<int:job_id>/download/",
        bundle_download,
        name="release-bundle-download",
    ),  # fmt: skip
]

# Readiness and side planning (releases/views/readiness.py)
urlpatterns += [
    path(R + "readiness/", readiness_views.readiness, name="release-readiness"),
    path(
        R + "editions/<int:edition_id>/sides/",
        readiness_views.sides_plan,
        name="release-sides-plan",
    ),
    path(
        R + "editions/<int:edition_id>/sides/format/",
        readiness_views.sides_format,
        name="release-sides-format",
    ),
    path(
        R + "editions/<int:edition_id>/sides/suggest/",
        readiness_views.sides_suggest,
        name="release-sides-suggest",
    ),
]

# DDEX ERN 4.3 and the CD cue sheet (releases/views/ddex.py)
urlpatterns += [
    path("import-ddex/", ddex_views.ddex_import, name="releases-ddex-import"),
    path(R + "ddex.xml", ddex_views.release_ddex, name="release-ddex"),
    path(R + "cue/", ddex_views.release_cue, name="release-cue"),
]
