"""Who may see and change what (SPEC S1), in one place.

Every page and endpoint narrows its querysets through these functions, so the
role rules are written once and a test of this module covers every branch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

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


def can_read_reports(user: AnyUser, api_key: ApiKey | None = None) -> bool:
    """Reports (SPEC S24, S29): read and admin API keys, and managers; never SDRs or AEs."""
    if api_key is not None:
        return api_key.scope in (ApiKey.Scope.READ, ApiKey.Scope.ADMIN)
    return is_manager(user)
