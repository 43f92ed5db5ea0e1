from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import EmailLoginForm

auth_urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailLoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("workspaces/new/", views.workspace_create, name="workspace-create"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("w/<slug:workspace_slug>/", views.workspace_dashboard, name="workspace-dashboard"),
    path("w/<slug:workspace_slug>/settings/", views.workspace_settings, name="workspace-settings"),
    path("w/<slug:workspace_slug>/people/", views.people_list, name="people-list"),
    path("w/<slug:workspace_slug>/people/new/", views.person_create, name="person-create"),
    path(
        "w/<slug:workspace_slug>/people/<int:person_id>/",
        views.person_detail,
        name="person-detail",
    ),
    path(
        "w/<slug:workspace_slug>/people/<int:person_id>/edit/",
        views.person_edit,
        name="person-edit",
    ),
    path(
        "w/<slug:workspace_slug>/people/<int:person_id>/delete/",
        views.person_delete,
        name="person-delete",
    ),
    path("w/<slug:workspace_slug>/audit/", views.audit_log, name="audit-log"),
    path("w/<slug:workspace_slug>/members/", views.members, name="members"),
    path("w/<slug:workspace_slug>/members/invite/", views.invitation_create, name="invite"),
    path(
        "w/<slug:workspace_slug>/members/<int:membership_id>/role/",
        views.member_role,
        name="member-role",
    ),
    path(
        "w/<slug:workspace_slug>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member-remove",
    ),
    path(
        "w/<slug:workspace_slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_action,
        {"verb": "revoke"},
        name="invitation-revoke",
    ),
    path(
        "w/<slug:workspace_slug>/invitations/<int:invitation_id>/resend/",
        views.invitation_action,
        {"verb": "resend"},
        name="invitation-resend",
    ),
]
