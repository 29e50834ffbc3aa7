from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/placeholder.html", {"title": "Queue"})


@login_required
def handoffs(request: HttpRequest) -> HttpResponse:
    return render(request, "leads/placeholder.html", {"title": "Handoffs"})
