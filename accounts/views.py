from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .access import is_manager, user_roles
from .models import Role


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it works from (SDR queue, AE inbox, manager scorecard)."""
    roles = user_roles(request.user)
    if is_manager(request.user):
        return redirect("reports:scorecard")
    if Role.SDR in roles:
        return redirect("queue")
    if Role.AE in roles:
        return redirect("handoffs")
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("queue")
