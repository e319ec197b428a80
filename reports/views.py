"""Report pages: a unit's periodic report (preview, DOCX, PDF, signed upload), the
reviewer's summary, the chain coverage and the calendar feed. Views parse, ask selectors
and services, and render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import access_for, reviewing_bodies
from accounts.models import Unit
from reports import selectors
from reports.access import report_units, reviewer_unit, sees_all_reports, sees_unit_report
from reports.calendar import calendar_ics
from reports.content import ReportDocument, periodic_document, summary_document
from reports.coverage import chain_coverage
from reports.forms import SignedReportForm, SummaryForm, UnitPeriodForm
from reports.layout import Signer
from reports.models import CalendarToken, SignedReport, hash_secret
from reports.periods import PeriodKind, ReportPeriod, period_containing
from reports.render import (
    DOCX_MEDIA_TYPE,
    PDF_MEDIA_TYPE,
    document_context,
    render_docx,
    render_pdf,
)
from reports.services import (
    SignedReportRejected,
    calendar_token_create,
    calendar_token_revoke,
    signed_report_upload,
)
from reports.xlsx import summary_xlsx
from tasks.services import NotAllowed


def _attachment(data: bytes, media_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _download(doc: ReportDocument, fmt: str) -> HttpResponse | None:
    if fmt == "docx":
        return _attachment(render_docx(doc), DOCX_MEDIA_TYPE, f"{doc.file_stem}.docx")
    if fmt == "pdf":
        return _attachment(render_pdf(doc), PDF_MEDIA_TYPE, f"{doc.file_stem}.pdf")
    return None


def _signer(data: dict) -> Signer:
    return Signer(
        capacity=data.get("capacity") or "none",
        on_behalf_of=data.get("on_behalf_of") or "",
        title=data.get("title") or "",
        name=data.get("name") or "",
    )


def _reviewer_names() -> list[str]:
    return reviewing_bodies()


def _with_period(request: HttpRequest) -> QueryDict:
    """The request's parameters, with the current quarter when none is given."""
    params = request.GET.copy()
    if not params.get("year") or not params.get("period"):
        current = period_containing(timezone.localdate())
        params.setdefault("year", str(current.year))
        params.setdefault("period", current.kind.value)
    params.setdefault("capacity", "tm")
    return params


@login_required
@require_GET
def periodic_report_view(request: HttpRequest) -> HttpResponse:
    """A unit's periodic report: HTML preview, or the DOCX / PDF to sign. Without a unit:
    the units whose report the user may open, the summary and the calendar."""
    if not request.GET.get("unit"):
        return _reports_index(request)
    form = UnitPeriodForm(_with_period(request))
    if not form.is_valid():
        raise Http404
    unit = Unit.objects.filter(pk=form.cleaned_data["unit"]).first()
    if unit is None or not sees_unit_report(request.user, unit):
        raise Http404  # a unit whose report the user may not see does not exist for them
    period = form.report_period()
    report = selectors.periodic_report(unit, period, today=timezone.localdate())
    doc = periodic_document(report, signer=_signer(form.cleaned_data), reviewers=_reviewer_names())
    download = _download(doc, form.cleaned_data.get("format") or "html")
    if download is not None:
        return download
    query = form.data.copy()
    query.pop("format", None)
    return render(
        request,
        "reports/periodic.html",
        {
            **document_context(doc),
            "form": form,
            "report": report,
            "period": period,
            "unit": unit,
            "query": query.urlencode(),
            "can_upload": sees_unit_report(request.user, unit, acting_only=True),
            "signed": SignedReport.objects.filter(
                unit=unit, year=period.year, period=period.kind.value
            ),
        },
    )


def _reports_index(request: HttpRequest) -> HttpResponse:
    current = period_containing(timezone.localdate())
    reviewer = sees_all_reports(request.user)
    units = report_units(request.user)
    sent = selectors.latest_signed([u.pk for u in units], current)
    return render(
        request,
        "reports/index.html",
        {
            "period": current,
            "units": [(u, sent.get(u.pk)) for u in units],
            "reviewer": reviewer,
            "all_units": selectors.expected_reporters(current.cutoff_end) if reviewer else [],
        },
    )


@login_required
@require_POST
def signed_report_upload_view(request: HttpRequest) -> HttpResponse:
    form = SignedReportForm(request.POST, request.FILES)
    if not form.is_valid():
        raise Http404
    unit = Unit.objects.filter(pk=form.cleaned_data["unit"]).first()
    if unit is None or not sees_unit_report(request.user, unit):
        raise Http404
    period = ReportPeriod(form.cleaned_data["year"], PeriodKind(form.cleaned_data["period"]))
    upload = form.cleaned_data["file"]
    back = (
        reverse("periodic-report")
        + f"?unit={unit.pk}&year={period.year}&period={period.kind.value}"
    )
    limit = settings.SIGNED_REPORT_MAX_BYTES
    if upload.size > limit:  # refused before it is read into memory
        messages.error(request, f"Tệp quá lớn: tối đa {limit // (1024 * 1024)} MB.")
        return redirect(back)
    try:
        signed_report_upload(
            unit=unit, period=period, user=request.user, name=upload.name, data=upload.read()
        )
    except (SignedReportRejected, NotAllowed) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Đã ghi nhận báo cáo {period.label} đã gửi.")
    return redirect(back)


@login_required
@require_GET
def signed_report_download(request: HttpRequest, pk: int) -> FileResponse:
    """The signed PDF exactly as uploaded, to those who may see the unit's report."""
    signed = SignedReport.objects.select_related("unit").filter(pk=pk).first()
    if signed is None or not sees_unit_report(request.user, signed.unit):
        raise Http404
    response = FileResponse(
        signed.file.open("rb"),
        as_attachment=True,
        filename=signed.original_name,
        content_type=PDF_MEDIA_TYPE,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def summary_view(request: HttpRequest) -> HttpResponse:
    """The reviewer's national summary for a period (reviewers only)."""
    if not sees_all_reports(request.user):
        raise Http404
    form = SummaryForm(_with_period(request))
    if not form.is_valid():
        raise Http404
    period = form.report_period()
    data = selectors.summary(period, today=timezone.localdate())
    fmt = form.cleaned_data.get("format") or "html"
    if fmt == "xlsx":
        return _attachment(
            summary_xlsx(data),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            f"tong-hop-nhiem-vu-{period.slug}.xlsx",
        )
    doc = summary_document(
        data,
        reviewer=reviewer_unit(request.user),
        signer=_signer(form.cleaned_data),
        reviewers=[],
    )
    download = _download(doc, fmt)
    if download is not None:
        return download
    query = form.data.copy()
    query.pop("format", None)
    return render(
        request,
        "reports/summary.html",
        {**document_context(doc), "form": form, "data": data, "query": query.urlencode()},
    )


# --------------------------------------------------------------------------- calendar


@require_GET
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The feed behind a secret address (calendar apps send no session). An unknown or
    revoked secret is a 404."""
    token = (
        CalendarToken.objects.select_related("user")
        .filter(key_hash=hash_secret(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        raise Http404
    CalendarToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    today = timezone.localdate()
    events = selectors.calendar_events(access_for(token.user).acting, today)
    body = calendar_ics(
        events,
        name=f"Hạn nhiệm vụ – {token.user}",
        stamp=timezone.now(),
        link=lambda pk: request.build_absolute_uri(reverse("task-detail", args=[pk])),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="han-nhiem-vu.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """Create or revoke the secret addresses of one's calendar feed."""
    new_url = ""
    if request.method == "POST":
        if request.POST.get("revoke"):
            try:
                token_id = int(request.POST["revoke"])
            except ValueError:
                raise Http404 from None
            if calendar_token_revoke(token_id=token_id, user=request.user):
                messages.success(
                    request, "Đã thu hồi địa chỉ lịch; địa chỉ cũ không còn dùng được."
                )
            return redirect("calendar-settings")
        _, raw = calendar_token_create(user=request.user)
        new_url = request.build_absolute_uri(reverse("calendar-feed", args=[raw]))
    return render(
        request,
        "reports/calendar.html",
        {
            "tokens": CalendarToken.objects.filter(user=request.user, revoked_at__isnull=True),
            "new_url": new_url,
        },
    )


@login_required
@require_GET
def chain_coverage_view(request: HttpRequest) -> HttpResponse:
    """Which units implemented each central task that asks them to act (reviewers only)."""
    if not sees_all_reports(request.user):
        raise Http404
    coverage = chain_coverage(timezone.localdate())
    return render(request, "reports/coverage.html", {"coverage": coverage})
