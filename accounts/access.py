"""Who may see and change what (SPEC S1), in one place.

Every page and endpoint narrows its querysets through these functions, so the
role rules are written once and a test of this module covers every branch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import ApiKey, Role

if TYPE_CHECKING:
    from leads.models import Handoff, Lead

AnyUser = AbstractBaseUser | AnonymousUser


def user_roles(user: AnyUser) -> frozenset[str]:
    """The user's role names; cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_slaops_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))  # type: ignore[union-attr]
        user._slaops_roles = cached  # type: ignore[union-attr]
    return cached


def has_role(user: AnyUser, role: str) -> bool:
    return role in user_roles(user)


def is_manager(user: AnyUser) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.MANAGER)


def sees_all_leads(user: AnyUser, api_key: ApiKey | None = None) -> bool:
    if api_key is not None:
        return api_key.scope in (ApiKey.Scope.READ, ApiKey.Scope.ADMIN)
    return is_manager(user) or has_role(user, Role.MARKETING_OPS)


def leads_visible_to(user: AnyUser, qs: QuerySet[Lead], api_key: ApiKey | None = None) -> QuerySet[Lead]:
    """Managers, marketing ops and read/admin keys see every lead; an SDR sees
    the leads assigned to them; an AE the leads of handoffs assigned to them."""
    if sees_all_leads(user, api_key):
        return qs
    if api_key is not None or not getattr(user, "is_authenticated", False):
        return qs.none()
    roles = user_roles(user)
    cond = Q(pk__in=[])
    if Role.SDR in roles:
        cond |= Q(owner=user)
    if Role.AE in roles:
        cond |= Q(handoffs__ae=user)
    return qs.filter(cond).distinct() if Role.AE in roles else qs.filter(cond)


def lead_for_change(user: AnyUser, lead: Lead) -> Lead:
    """Raise PermissionDenied unless the user may work this lead (its SDR, or a manager)."""
    if is_manager(user) or (has_role(user, Role.SDR) and lead.owner_id == user.pk):
        return lead
    raise PermissionDenied("This lead is assigned to someone else.")


def handoffs_visible_to(user: AnyUser, qs: QuerySet[Handoff]) -> QuerySet[Handoff]:
    if is_manager(user):
        return qs
    roles = user_roles(user)
    cond = Q(pk__in=[])
    if Role.AE in roles:
        cond |= Q(ae=user)
    if Role.SDR in roles:
        cond |= Q(sdr=user)
    return qs.filter(cond)


def handoff_for_decision(user: AnyUser, handoff: Handoff) -> Handoff:
    """Raise PermissionDenied unless the user is the handoff's AE (or a manager)."""
    if is_manager(user) or (has_role(user, Role.AE) and handoff.ae_id == user.pk):
        return handoff
    raise PermissionDenied("This handoff is assigned to another AE.")


def lead_for_page(user: AnyUser, qs: QuerySet[Lead], pk: int) -> Lead:
    """The lead with this id if the user may see it; Http404 otherwise.

    A lead the user may not see answers 404, not 403, so ids of other people's
    leads cannot be probed.
    """
    return get_object_or_404(leads_visible_to(user, qs), pk=pk)


def handoff_for_page(user: AnyUser, qs: QuerySet[Handoff], pk: int) -> Handoff:
    """The handoff with this id if the user may see it; Http404 otherwise."""
    return get_object_or_404(handoffs_visible_to(user, qs), pk=pk)


def handoff_for_feedback(user: AnyUser, handoff: Handoff) -> Handoff:
    """The rejection feedback call is the AE's and the SDR's together: either may record it."""
    if is_manager(user) or (user.pk is not None and user.pk in (handoff.ae_id, handoff.sdr_id)):
        return handoff
    raise PermissionDenied("Only the AE or the SDR of this handoff can record the feedback call.")



def can_work_queue(user: AnyUser) -> bool:
    """The SDR queue is for SDRs; managers look over their shoulder."""
    return is_manager(user) or has_role(user, Role.SDR)


def can_review_handoffs(user: AnyUser) -> bool:
    """The handoff inbox is for AEs and managers."""
    return is_manager(user) or has_role(user, Role.AE)


def can_read_reports(user: AnyUser, api_key: ApiKey | None = None) -> bool:
    """Reports (SPEC S24, S29): read and admin API keys, and managers; never SDRs or AEs."""
    if api_key is not None:
        return api_key.scope in (ApiKey.Scope.READ, ApiKey.Scope.ADMIN)
    return is_manager(user)
