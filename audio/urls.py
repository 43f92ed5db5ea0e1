from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="audio-index"),
    path("upload/", views.upload, name="audio-upload"),
    path("<int:pk>/", views.detail, name="audio-file"),
    path("<int:pk>/stream/", views.stream, name="audio-stream"),
    path("<int:pk>/peaks/", views.peaks, name="audio-peaks"),
    path("<int:pk>/analyze/", views.analyze_again, name="audio-analyze"),
    path("<int:pk>/master/", views.master, name="audio-master"),
    path("<int:pk>/render/", views.render_file, name="audio-render"),
    path("<int:pk>/delete/", views.delete, name="audio-delete"),
    path("jobs/<int:pk>/", views.job_status, name="audio-job"),
    path("jobs/<int:pk>/stream/", views.job_stream, name="audio-job-stream"),
    path("jobs/<int:pk>/download/", views.job_download, name="audio-job-download"),
]
