from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from collaborators.decorators import workspace_page
from collaborators.models import Workspace


@workspace_page()
def index(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    return render(request, "rights/index.html", {"here": "overview"})
