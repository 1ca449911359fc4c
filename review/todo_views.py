"""The to-do page of a country (/review/todo/<key>/) for its volunteers and reviewers."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from places.models import Location

from .todo import todo_for


@login_required
def country_todo(request: HttpRequest, key: str) -> HttpResponse:
    country = get_object_or_404(Location, key=key.upper(), level=Location.Level.COUNTRY)
    return render(request, "review/todo.html", {"todo": todo_for(user=request.user, country=country)})
