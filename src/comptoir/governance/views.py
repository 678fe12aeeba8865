"""The members' pages: proposals (open, adopted, rejected), a proposal with its vote, a new proposal,
and a receipt's check. Views parse, call one service or selector, render; the rules are in services.

A vote's receipt is rendered in the answer to the vote itself and stored nowhere else (no session,
no message queue): the node keeps no link between a person and their receipt, as promised.
"""

from __future__ import annotations

import csv
from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.core.errors import ComptoirError
from comptoir.governance import labels, selectors, services
from comptoir.governance.forms import CommentForm, ProposalForm, ReceiptForm
from comptoir.governance.models import Ballot, Proposal
from comptoir.members.models import College

PAGE = 20


def _visible(request: HttpRequest, proposal_id: int) -> Proposal:
    """A proposal anyone may read; a draft only by its author."""
    found = selectors.proposals().filter(pk=proposal_id).first()
    if found is None or (found.status == Proposal.Status.DRAFT and found.author_id != request.user.pk):
        raise Http404(_("No such proposal."))
    return found


def proposals(request: HttpRequest) -> HttpResponse:
    group = request.GET.get("status", "open")
    if group not in selectors.GROUPS:
        group = "open"
    page = Paginator(selectors.proposals_in(group), PAGE).get_page(request.GET.get("page"))
    return render(request, "governance/proposals.html", {
        "group": group, "page": page, "drafts": selectors.drafts_of(request.user),
        "is_member": selectors.is_active_member(request.user),
    })  # fmt: skip


def proposal(request: HttpRequest, proposal_id: int) -> HttpResponse:
    found = _visible(request, proposal_id)
    if request.GET.get("format") == "csv":
        return _ballots_csv(found)
    return _proposal_page(request, found)


def _proposal_page(request: HttpRequest, found: Proposal, **extra: Any) -> HttpResponse:
    result = found.result if selectors.is_published(found) else None
    return render(request, "governance/proposal.html", {
        "proposal": found, "changes": selectors.changes_of(found), "standing": selectors.standing(found, request.user),
        "comments": found.comments.select_related("author"), "result": result,
        "colleges": _college_rows(result), "is_member": selectors.is_active_member(request.user),
        "comment_form": CommentForm(), "receipt_form": ReceiptForm(), **extra,
    })  # fmt: skip


def _college_rows(result: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not result:
        return []
    return [{"name": College.Code(code).label, **row} for code, row in result["colleges"].items()]


def _ballots_csv(found: Proposal) -> HttpResponse:
    if not selectors.is_published(found):
        raise Http404(_("The ballots are published when the vote closes."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="proposal-{found.pk}-ballots.csv"'
    writer = csv.writer(response)
    writer.writerow(["receipt", "college", "choice"])
    writer.writerows([b.receipt, b.college, b.choice] for b in selectors.published_tally(found).ballots)
    return response


@login_required
def new_proposal(request: HttpRequest) -> HttpResponse:
    form = ProposalForm(request.POST or None, initial={"parameter": request.GET.get("parameter", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts = data["applies_from"]
        try:
            made = services.do_draft_proposal(
                author=request.user, title=data["title"], body=data["body"],
                changes={data["parameter"]: data["value"]} if data["parameter"] else {},
                applies_from=timezone.make_aware(datetime.combine(starts, time.min)) if starts else None,
            )  # fmt: skip
        except ComptoirError as error:
            field = error.details.get("field")
            form.add_error("value" if field in selectors.DEFAULTS else field if field in form.fields else None,
                           error.message)  # fmt: skip
        else:
            messages.success(request, _("Your draft is saved. Submit it to open the discussion."))
            return redirect("governance:proposal", made.pk)
    return render(request, "governance/new.html", {
        "form": form, "is_member": selectors.is_active_member(request.user),
        "choices": [_choice(name) for name in selectors.parameter_names()],
    })  # fmt: skip


def _choice(name: str) -> labels.Choice:
    from comptoir.core.parameters import governed

    return labels.Choice(name, labels.label(name), labels.unit_text(name), labels.bounds_text(name),
                         labels.show(name, governed(name).value))  # fmt: skip


def _act(request: HttpRequest, proposal_id: int, done: str, action: Any) -> HttpResponse:
    try:
        action()
    except ComptoirError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("governance:proposal", proposal_id)


@require_POST
@login_required
def submit(request: HttpRequest, proposal_id: int) -> HttpResponse:
    return _act(request, proposal_id, _("The discussion is open."),
                lambda: services.do_open_discussion(actor=request.user, proposal_id=proposal_id))  # fmt: skip


@require_POST
@login_required
def comment(request: HttpRequest, proposal_id: int) -> HttpResponse:
    body = request.POST.get("body", "")
    return _act(request, proposal_id, _("Your comment is published."),
                lambda: services.do_comment(author=request.user, proposal_id=proposal_id, body=body))  # fmt: skip


@require_POST
@login_required
def vote(request: HttpRequest, proposal_id: int) -> HttpResponse:
    found = _visible(request, proposal_id)
    choice = request.POST.get("choice", "")
    try:
        receipt = services.do_vote(voter=request.user, proposal_id=found.pk, choice=choice)
    except ComptoirError as error:
        messages.error(request, error.message)
        return redirect("governance:proposal", found.pk)
    return render(request, "governance/receipt.html", {
        "proposal": found, "receipt": receipt, "choice": Ballot.Choice(choice).label,
    })  # fmt: skip


def verify(request: HttpRequest) -> HttpResponse:
    """Anyone holding a receipt checks what it chose, once the vote is closed."""
    form = ReceiptForm(request.GET or None)
    ballot = selectors.published_ballot(form.cleaned_data["receipt"]) if form.is_valid() else None
    return render(request, "governance/verify.html", {
        "form": form, "ballot": ballot, "searched": form.is_bound,
        "college": College.Code(ballot.college).label if ballot else None,
    })  # fmt: skip
