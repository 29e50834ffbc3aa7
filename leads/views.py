"""Browser pages for SDRs and AEs: the queue, the lead page, the handoff inbox (SPEC S4, S5, S13, S16, S17).

Views are thin: they narrow objects through `accounts.access` (404 for what the
user may not see, 403 for what they may see but not change), parse a form, call
one service, and show the service's ValidationError messages on the form.
Action forms post with htmx and get their own section back on error; without
JavaScript they post normally and the whole page comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import (
    can_review_handoffs,
    can_work_queue,
    handoff_for_decision,
    handoff_for_feedback,
    handoff_for_page,
    is_manager,
    lead_for_change,
    lead_for_page,
)

from . import selectors, services
from .forms import (
    AttemptForm,
    ConfirmForm,
    DemoForm,
    DiscoveryForm,
    DispositionForm,
    HandoffAcceptForm,
    HandoffRejectForm,
    OpportunityCloseForm,
    QualificationForm,
    QualityFlagForm,
    QueueFilterForm,
    add_service_errors,
)
from .models import Handoff, Lead, Opportunity, Qualification, Stage

QUEUE_PAGE_SIZE = 50


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- queue ---------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The SDR's leads by SLA urgency; htmx polls the same URL for the results partial."""
    if not can_work_queue(request.user):
        raise PermissionDenied("The queue is for SDRs and managers.")
    form = QueueFilterForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    filters = selectors.QueueFilters(
        tab=data.get("tab") or selectors.TAB_WORK,
        grade=data.get("grade") or "",
        stage=data.get("stage") or "",
        source=(data.get("source") or "").strip(),
        q=(data.get("q") or "").strip(),
        owner=(data.get("owner") or "").strip() if is_manager(request.user) else "",
    )
    now = timezone.now()
    page = selectors.queue_page(
        user=request.user, filters=filters, now=now, page=data.get("page") or 1, per_page=QUEUE_PAGE_SIZE
    )
    context = {"page": page, "filters": filters, "form": form, "now": now, "query": _query(filters)}
    if _is_htmx(request) and request.headers.get("HX-Target") == "queue-results":
        return render(request, "leads/_queue_results.html", context | {"partial": True})
    context["campaigns"] = selectors.queue_campaigns()
    if is_manager(request.user):
        context["sdrs"] = selectors.queue_sdrs()
    return render(request, "leads/queue.html", context)


def _query(filters: selectors.QueueFilters) -> str:
    pairs = {k: v for k, v in vars(filters).items() if v and not (k == "tab" and v == selectors.TAB_WORK)}
    return urlencode(pairs)


# --- lead page -----------------------------------------------------------------

# Every action form on the lead page: (form class, template of its section).
LEAD_FORMS: dict[str, type[forms.Form]] = {
    "attempt": AttemptForm,
    "accept": ConfirmForm,
    "discovery": DiscoveryForm,
    "qualification": QualificationForm,
    "disposition": DispositionForm,
    "flag": QualityFlagForm,
}


def _lead_forms(lead: Lead, bound: dict[str, forms.Form] | None = None) -> dict[str, forms.Form]:
    now = timezone.now()
    initial: dict[str, dict[str, Any]] = {"discovery": {"at": timezone.localtime(now).replace(second=0, microsecond=0)}}
    qual = Qualification.objects.filter(lead=lead).first()
    if qual is not None:
        initial["qualification"] = {c: getattr(qual, c) for c in Qualification.CRITERIA} | {
            f"{c}_note": getattr(qual, f"{c}_note") for c in Qualification.CRITERIA
        }
    result = {name: cls(initial=initial.get(name)) for name, cls in LEAD_FORMS.items()}
    result.update(bound or {})
    return result


def _lead_context(request: HttpRequest, lead: Lead, bound: dict[str, forms.Form] | None = None) -> dict[str, Any]:
    now = timezone.now()
    data = selectors.lead_page(lead=lead, now=now)
    try:
        lead_for_change(request.user, lead)
        can_change = True
    except PermissionDenied:
        can_change = False
    return {
        "lead": lead,
        "data": data,
        "forms": _lead_forms(lead, bound),
        "can_change": can_change,
        "gaps": services.qualification_gaps(lead) if lead.stage == Stage.SAL else [],
        "open_stage": lead.stage in (Stage.LEAD, Stage.MQL, Stage.SAL),
        "now": now,
    }


@login_required
@require_GET
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = lead_for_page(request.user, selectors.lead_page_queryset(), pk)
    return render(request, "leads/lead_detail.html", _lead_context(request, lead))


def _form_action(
    request: HttpRequest,
    *,
    form: forms.Form,
    run: Callable[[Any, Any], str],
    success_url: str,
    partial: str,
    page: str,
    context: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """Validate the form, run the service; on success redirect, else put its errors back on the form.

    htmx posts get a 204 with HX-Redirect, or just the form's section re-rendered;
    plain posts get a redirect, or the whole page with status 400.
    """
    if form.is_valid():
        try:
            done = run(form.cleaned_data, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            if _is_htmx(request):
                return HttpResponse(status=204, headers={"HX-Redirect": success_url})
            return HttpResponseRedirect(success_url)
    if _is_htmx(request):
        return render(request, partial, context())
    return render(request, page, context(), status=400)


def _lead_action(request: HttpRequest, pk: int, name: str, act: Callable[[Lead, Any, Any], str]) -> HttpResponse:
    """Run one lead action: access check, form, service; errors go back onto the form."""
    lead = lead_for_page(request.user, selectors.lead_page_queryset(), pk)
    lead_for_change(request.user, lead)
    form = LEAD_FORMS[name](request.POST)
    return _form_action(
        request,
        form=form,
        run=lambda data, f: act(lead, data, f),
        success_url=reverse("lead", args=[lead.pk]),
        partial=f"leads/actions/{name}.html",
        page="leads/lead_detail.html",
        context=lambda: _lead_context(request, lead, {name: form}),
    )


@login_required
@require_POST
def lead_attempt(request: HttpRequest, pk: int) -> HttpResponse:
    def act(lead: Lead, d: dict[str, Any], form: forms.Form) -> str:
        attempt = services.attempt_log(
            lead=lead,
            sdr=request.user,
            channel=d["channel"],
            outcome=d["outcome"],
            notes=d["notes"],
            now=timezone.now(),
        )
        return f"Logged: {attempt}."

    return _lead_action(request, pk, "attempt", act)


@login_required
@require_POST
def lead_accept(request: HttpRequest, pk: int) -> HttpResponse:
    def act(lead: Lead, d: dict[str, Any], form: forms.Form) -> str:
        services.lead_accept(lead=lead, user=request.user, now=timezone.now())
        return "Accepted: the lead is now a Sales Accepted Lead (SAL)."

    return _lead_action(request, pk, "accept", act)


@login_required
@require_POST
def lead_discovery(request: HttpRequest, pk: int) -> HttpResponse:
    def act(lead: Lead, d: dict[str, Any], form: forms.Form) -> str:
        services.discovery_record(lead=lead, user=request.user, at=d["at"], now=timezone.now())
        return "Discovery call recorded."

    return _lead_action(request, pk, "discovery", act)


@login_required
@require_POST
def lead_qualification(request: HttpRequest, pk: int) -> HttpResponse:
    def act(lead: Lead, d: dict[str, Any], form: QualificationForm) -> str:  # type: ignore[override]
        qual = services.qualification_save(
            lead=lead, user=request.user, scores=form.scores(), notes=form.notes(), now=timezone.now()
        )
        return f"BANT+T saved: {qual.total}/15."

    return _lead_action(request, pk, "qualification", act)


@login_required
@require_POST
def lead_disposition(request: HttpRequest, pk: int) -> HttpResponse:
    def act(lead: Lead, d: dict[str, Any], form: forms.Form) -> str:
        disp = services.disposition_record(
            lead=lead,
            user=request.user,
            kind=d["kind"],
            summary=d["summary"],
            reason=d["reason"],
            next_steps=d["next_steps"],
            reason_code=d["reason_code"],
            reengage_on=d["reengage_on"],
            now=timezone.now(),
        )
        if disp.kind == "qualified":
            return "Qualified: the SQL has been handed to an AE."
        return f"Dispositioned {disp.get_kind_display()}."

    return _lead_action(request, pk, "disposition", act)


@login_required
@require_POST
def lead_flag(request: HttpRequest, pk: int) -> HttpResponse:
    def act(lead: Lead, d: dict[str, Any], form: forms.Form) -> str:
        flag = services.quality_flag_raise(
            lead=lead, user=request.user, kind=d["kind"], note=d["note"], now=timezone.now()
        )
        return f"Feedback sent to marketing ({flag.get_kind_display()})."

    return _lead_action(request, pk, "flag", act)


# --- AE handoffs -----------------------------------------------------------------

INBOX_TABS = [
    (selectors.INBOX_PENDING, "To decide"),
    (selectors.INBOX_ACCEPTED, "Accepted"),
    (selectors.INBOX_REJECTED, "Rejected"),
]


@login_required
@require_GET
def handoffs(request: HttpRequest) -> HttpResponse:
    """The AE's inbox: pending handoffs oldest first with their review and decision clocks."""
    if not can_review_handoffs(request.user):
        raise PermissionDenied("The handoff inbox is for AEs and managers.")
    tab = request.GET.get("tab") or selectors.INBOX_PENDING
    if tab not in dict(INBOX_TABS):
        tab = selectors.INBOX_PENDING
    rows = list(selectors.inbox_queryset(user=request.user, tab=tab)[:200])
    context = {
        "rows": rows,
        "tab": tab,
        "tabs": INBOX_TABS,
        "counts": selectors.inbox_counts(user=request.user),
        "now": timezone.now(),
    }
    if _is_htmx(request) and request.headers.get("HX-Target") == "inbox-results":
        return render(request, "leads/_inbox_results.html", context)
    return render(request, "leads/handoffs.html", context)


HANDOFF_FORMS: dict[str, type[forms.Form]] = {
    "accept": HandoffAcceptForm,
    "reject": HandoffRejectForm,
    "demo": DemoForm,
    "feedback": ConfirmForm,
    "close": OpportunityCloseForm,
}


def _handoff_context(request: HttpRequest, handoff: Handoff, bound: dict[str, forms.Form] | None = None):  # type: ignore[no-untyped-def]
    now = timezone.now()
    lead = handoff.lead
    data = selectors.lead_page(lead=lead, now=now)
    forms_ = {name: cls() for name, cls in HANDOFF_FORMS.items()}
    forms_.update(bound or {})
    try:
        handoff_for_decision(request.user, handoff)
        can_decide = True
    except PermissionDenied:
        can_decide = False
    return {
        "handoff": handoff,
        "lead": lead,
        "data": data,
        "forms": forms_,
        "can_decide": can_decide,
        "candidates": selectors.duplicate_candidates(handoff=handoff) if handoff.decision == "pending" else [],
        "opportunity": Opportunity.objects.filter(handoff=handoff).first(),
        "handoff_clocks": [c for c in data.clocks if c.handoff_id == handoff.pk],
        "now": now,
    }


@login_required
@require_GET
def handoff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The handoff page; the assigned AE's first visit records the review (SPEC S17)."""
    handoff = handoff_for_page(request.user, selectors.handoff_queryset(), pk)
    services.handoff_open(handoff=handoff, user=request.user, now=timezone.now())
    return render(request, "leads/handoff_detail.html", _handoff_context(request, handoff))


def _handoff_action(
    request: HttpRequest,
    pk: int,
    name: str,
    act: Callable[[Handoff, Any, Any], str],
    check: Callable[[Any, Handoff], Handoff] = handoff_for_decision,
) -> HttpResponse:
    handoff = handoff_for_page(request.user, selectors.handoff_queryset(), pk)
    check(request.user, handoff)
    form = HANDOFF_FORMS[name](request.POST)
    return _form_action(
        request,
        form=form,
        run=lambda data, f: act(handoff, data, f),
        success_url=reverse("handoff", args=[handoff.pk]),
        partial=f"leads/handoff_actions/{name}.html",
        page="leads/handoff_detail.html",
        context=lambda: _handoff_context(request, handoff, {name: form}),
    )


@login_required
@require_POST
def handoff_accept(request: HttpRequest, pk: int) -> HttpResponse:
    def act(handoff: Handoff, d: dict[str, Any], form: forms.Form) -> str:
        opp = services.handoff_accept(
            handoff=handoff, user=request.user, amount_lakh=d["amount_lakh"], demo_at=d["demo_at"], now=timezone.now()
        )
        return f"Accepted: opportunity of ₹{opp.amount_lakh} lakh opened."

    return _handoff_action(request, pk, "accept", act)


@login_required
@require_POST
def handoff_reject(request: HttpRequest, pk: int) -> HttpResponse:
    def act(handoff: Handoff, d: dict[str, Any], form: forms.Form) -> str:
        duplicate = None
        if d["duplicate_of"]:
            duplicate = Lead.objects.filter(pk=d["duplicate_of"], merged_into__isnull=True).first()
            if duplicate is None:
                raise ValidationError({"duplicate_of": ["No open lead has that number."]})
        services.handoff_reject(
            handoff=handoff,
            user=request.user,
            category=d["category"],
            reason=d["reason"],
            recommendation=d["recommendation"],
            competitor=d["competitor"],
            duplicate_of=duplicate,
            now=timezone.now(),
        )
        return f"Rejected ({handoff.get_rejection_category_display()}). Feedback call with the SDR due within 48 h."

    return _handoff_action(request, pk, "reject", act)


@login_required
@require_POST
def handoff_demo(request: HttpRequest, pk: int) -> HttpResponse:
    def act(handoff: Handoff, d: dict[str, Any], form: forms.Form) -> str:
        if handoff.decision != Handoff.Decision.ACCEPTED:
            raise ValidationError({"demo_at": ["Schedule the demo once the handoff is accepted."]})
        services.handoff_schedule_demo(handoff=handoff, user=request.user, demo_at=d["demo_at"], now=timezone.now())
        return "Demo scheduled."

    return _handoff_action(request, pk, "demo", act)


@login_required
@require_POST
def handoff_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    def act(handoff: Handoff, d: dict[str, Any], form: forms.Form) -> str:
        if handoff.decision != Handoff.Decision.REJECTED:
            raise ValidationError("A feedback call follows a rejection.")
        services.feedback_call_done(handoff=handoff, user=request.user, now=timezone.now())
        return "Feedback call recorded."

    return _handoff_action(request, pk, "feedback", act, check=handoff_for_feedback)


@login_required
@require_POST
def handoff_close(request: HttpRequest, pk: int) -> HttpResponse:
    def act(handoff: Handoff, d: dict[str, Any], form: forms.Form) -> str:
        opp = Opportunity.objects.filter(handoff=handoff).select_related("lead").first()
        if opp is None:
            raise ValidationError("There is no opportunity to close.")
        won = d["result"] == "won"
        services.opportunity_close(
            opportunity=opp, user=request.user, won=won, amount_lakh=d["amount_lakh"], now=timezone.now()
        )
        return "Opportunity won: the lead is now a customer." if won else "Opportunity closed as lost."

    return _handoff_action(request, pk, "close", act)

