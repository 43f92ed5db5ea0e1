from django.urls import path

from .views import catalogue

R = "<int:release_id>/"

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
    path(R + "credits/<int:credit_id>/remove/", catalogue.credit_remove,
         name="release-credit-remove"),  # fmt: skip
    path(R + "editions/", catalogue.edition_add, name="release-edition-add"),
    path(R + "editions/<int:edition_id>/delete/", catalogue.edition_delete,
         name="release-edition-delete"),  # fmt: skip
    path(R + "tracks/new/", catalogue.track_create, name="track-create"),
    path(R + "tracks/<int:track_id>/edit/", catalogue.track_edit, name="track-edit"),
    path(R + "tracks/<int:track_id>/delete/", catalogue.track_delete, name="track-delete"),
]
