"""The rights section's front page: where things stand, and where to go next."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from collaborators.decorators import workspace_page
from collaborators.models import Workspace
from collaborators.permissions import Action, can

from ..selectors.overview import rights_overview_get


@workspace_page()
def index(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    finance = can(workspace.membership.role, Action.FINANCE_VIEW)
    overview = rights_overview_get(workspace=workspace, finance=finance)
    return render(
        request,
        "rights/index.html",
        {"workspace": workspace, "overview": overview, "here": "overview"},
    )
