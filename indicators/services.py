"""Every write to indicators and their values."""

from __future__ import annotations

import datetime as dt
from decimal import Context, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.access import scope_delegated_by
from accounts.choices import UnitKind
from accounts.models import Unit, User
from documents.models import Document
from indicators.choices import ValueState
from indicators.evaluation import target_from_indicator, value_problem
from indicators.importer import (
    ImportReport,
    SheetError,
    SheetRow,
    read_value_sheet,
    resolve_rows,
)
from indicators.models import Indicator, IndicatorValue
from indicators.targets import parse_indicator_target
from portal import workflow
from portal.numbers import parse_vn_number
from portal.services import update_fields_if_changed
from portal.vietnamese import nfc, nfc_multiline
from portal.workflow import ApprovalState, Step, Workflow, audited
from tasks.models import Task


@transaction.atomic
def indicator_upsert(
    *,
    document: Document,
    code: str,
    name: str,
    target_text: str,
    scope: Unit,
    target_year: int,
    unit_of_measure: str = "",
    group: str = "",
    position: int = 0,
    baseline_value: Decimal | None = None,
    baseline_year: int | None = None,
    baseline_text: str = "",
    overtaken_note: str = "",
) -> tuple[Indicator, bool]:
    """Create or update an indicator by code; the target is parsed from the phrase as
    printed (TargetParseError if it cannot be read: nothing is guessed)."""
    target = parse_indicator_target(name, target_text)
    indicator = Indicator.objects.filter(code=code).first() or Indicator(code=code)
    changed = update_fields_if_changed(
        indicator,
        {
            "document": document,
            "name": nfc(name),
            "group": nfc(group),
            "position": position,
            "target_text": target.text,
            "target_kind": target.kind.value,
            "comparator": target.comparator.value,
            "target_low": target.low,
            "target_high": target.high,
            "shares": [{"name": s.name, "value": str(s.value)} for s in target.shares],
            "per_year": target.per_year,
            "target_normalized": target.normalized,
            "unit_of_measure": nfc(unit_of_measure) or target.unit,
            "scope": scope,
            "target_year": target_year,
            "baseline_value": baseline_value,
            "baseline_year": baseline_year,
            "baseline_text": nfc(baseline_text),
            "overtaken_note": nfc(overtaken_note),
        },
    )
    return indicator, changed


@transaction.atomic
def indicator_save(*, indicator: Indicator) -> Indicator:
    """Save an indicator edited by hand (admin): the target is re-read from the phrase."""
    target = parse_indicator_target(indicator.name, indicator.target_text)
    indicator.target_text = target.text
    indicator.target_kind = target.kind.value
    indicator.comparator = target.comparator.value
    indicator.target_low = target.low
    indicator.target_high = target.high
    indicator.shares = [{"name": s.name, "value": str(s.value)} for s in target.shares]
    indicator.per_year = target.per_year
    indicator.target_normalized = target.normalized
    indicator.unit_of_measure = indicator.unit_of_measure or target.unit
    indicator.full_clean()
    indicator.save()
    return indicator


# --------------------------------------------------------------------------- values


# The workflow's refusals (portal.workflow), as the pages and the API answer them: 400,
# a stale version 409, a refused permission 403.
IndicatorValueError = workflow.WorkflowError
StaleVersion = workflow.StaleVersion
NotAllowed = workflow.NotAllowed

VALUES = Workflow(
    noun="số liệu",
    model=IndicatorValue,
    perms={
        Step.SAVE: (
            "indicators.enter_value",
            "Chỉ cán bộ của đơn vị thuộc tỉnh (phạm vi) này mới được nhập số liệu.",
        ),
        Step.SUBMIT: (
            "indicators.enter_value",
            "Chỉ cán bộ của đơn vị thuộc phạm vi này mới được gửi số liệu.",
        ),
        Step.WITHDRAW: (
            "indicators.enter_value",
            "Chỉ cán bộ của đơn vị thuộc phạm vi này mới được rút lại số liệu.",
        ),
        Step.APPROVE: (
            "indicators.approve_value",
            "Chỉ lãnh đạo đơn vị thuộc phạm vi này mới được duyệt số liệu.",
        ),
        Step.RETURN: (
            "indicators.return_value",
            "Chỉ lãnh đạo đơn vị thuộc phạm vi này mới được trả lại số liệu.",
        ),
        Step.REOPEN: (
            "indicators.reopen_value",
            "Chỉ lãnh đạo đơn vị thuộc phạm vi này mới được mở lại số liệu đã duyệt.",
        ),
    },
    # A published figure is corrected by entering it again (a new draft; the approved one
    # stays in history), as statistics offices revise a year's figure.
    corrects_approved=True,
    delegator=lambda user, value: scope_delegated_by(user, value.scope_id),
    author="entered_by",
)
NOTE_MAX = 100  # a correction's note is the history record's change reason
YEAR_MIN = 1945
YEAR_MAX = 2100
_MAX_WHOLE_DIGITS = 16  # DecimalField(max_digits=20, decimal_places=4)
_VALUE_PLACES = 4
_EDITABLE = VALUES.sources(Step.SAVE)


def value_parse(value_text: str | None = None, value: Decimal | int | str | None = None) -> Decimal:
    """The number entered: Vietnamese text ("1.234,5") or a number; IndicatorValueError for
    English style, NaN, infinities, more than 4 decimals or a number too large to store."""
    if (value_text is None) == (value is None):
        raise IndicatorValueError("Cần nhập đúng một giá trị (dạng chữ hoặc dạng số).")
    if value_text is not None:
        try:
            number = parse_vn_number(value_text)
        except (TypeError, ValueError) as exc:
            raise IndicatorValueError(f"Giá trị không hợp lệ: {exc}") from exc
    else:
        if isinstance(value, bool):
            raise IndicatorValueError("Giá trị phải là một số.")
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise IndicatorValueError(f"Giá trị «{value}» không phải là một số.") from exc
    if not number.is_finite():
        raise IndicatorValueError("Giá trị phải là một số hữu hạn (không nhận NaN, vô cực).")
    if number.is_zero():
        number = abs(number)
    if abs(number) >= Decimal(10) ** _MAX_WHOLE_DIGITS:
        raise IndicatorValueError("Giá trị quá lớn (tối đa 16 chữ số phần nguyên).")
    if number != number.quantize(Decimal(1).scaleb(-_VALUE_PLACES), context=_WIDE):
        raise IndicatorValueError("Giá trị chỉ được có tối đa 4 chữ số thập phân.")
    return number


_WIDE = Context(prec=1000)


def value_scope_allowed(indicator: Indicator, scope: Unit) -> bool:
    """A value is entered for the indicator's own scope, or, for a regional indicator, for
    one of the region's member provinces."""
    if scope.pk == indicator.scope_id:
        return True
    return (
        indicator.scope.kind == UnitKind.REGION
        and indicator.scope.members.filter(pk=scope.pk).exists()
    )


def value_check(
    *,
    indicator: Indicator,
    scope: Unit,
    year: int,
    source: str,
    value_text: str | None = None,
    value: Decimal | int | str | None = None,
    today: dt.date | None = None,
) -> tuple[Decimal, str]:
    """Validate one value's input (no permission check, no write): (number, source)."""
    today = today or timezone.localdate()
    number = value_parse(value_text, value)
    if isinstance(year, bool) or not isinstance(year, int):
        raise IndicatorValueError("Năm phải là một số nguyên.")
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise IndicatorValueError(f"Năm {year} không hợp lệ (từ {YEAR_MIN} đến {YEAR_MAX}).")
    if year > today.year:
        raise IndicatorValueError(f"Năm {year} chưa đến; chỉ nhập số liệu đến năm {today.year}.")
    if not value_scope_allowed(indicator, scope):
        raise IndicatorValueError(
            f"«{scope}» không thuộc phạm vi của chỉ tiêu «{indicator}» ({indicator.scope})."
        )
    document = indicator.document
    problem = value_problem(
        target_from_indicator(indicator),
        target_year=indicator.target_year,
        # The baseline year, else the year before the document (its starting figures).
        first_year=indicator.baseline_year
        or (document.issued_year - 1 if document.issued_year else None),
        year=year,
        value=number,
    )
    if problem:
        raise IndicatorValueError(problem)
    source = nfc(source)
    if not source:
        raise IndicatorValueError("Cần ghi nguồn số liệu.")
    if len(source) > IndicatorValue._meta.get_field("source").max_length:  # type: ignore[operator]
        raise IndicatorValueError("Nguồn số liệu quá dài (tối đa 300 ký tự).")
    return number, source


def _locked_value(value_id: int, version: int | None) -> IndicatorValue:
    value: IndicatorValue = VALUES.lock(
        value_id, version, IndicatorValue.objects.select_related("indicator", "scope")
    )
    return value


def _store_draft(
    *,
    indicator: Indicator,
    scope: Unit,
    year: int,
    number: Decimal,
    source: str,
    user: User,
    version: int | None,
    require_version: bool,
    note: str = "",
) -> IndicatorValue:
    VALUES.check_perm(user, Step.SAVE, IndicatorValue(indicator=indicator, scope=scope))
    # Two people creating the same year's first value: the indicator row lock makes the
    # second wait and then find the first's value (a 409 for it, never a 500).
    Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
    existing = IndicatorValue.objects.filter(indicator=indicator, scope=scope, year=year).first()
    if existing is not None:
        if version is None and require_version:
            raise StaleVersion(
                f"Giá trị năm {year} của «{scope}» đã có; hãy mở bản đang có để sửa."
            )
        row = _locked_value(existing.pk, version)
        VALUES.check_state(Step.SAVE, row)
        row.version += 1
    else:
        row = IndicatorValue(indicator=indicator, scope=scope, year=year)
    row.value = number
    row.source = source
    row.state = ValueState.DRAFT
    row.entered_by = user
    row.decided_by = None
    row.decided_at = None
    row._history_user = user  # type: ignore[attr-defined]
    if note:
        row._change_reason = note  # type: ignore[attr-defined]
    row.full_clean()
    row.save()
    return row


_NOT_OWNER = "Chỉ cán bộ của đơn vị thuộc tỉnh (phạm vi) này mới được nhập số liệu."


@audited
def value_save_draft(
    *,
    indicator: Indicator,
    scope: Unit,
    year: int,
    source: str,
    user: User,
    value_text: str | None = None,
    value: Decimal | int | str | None = None,
    version: int | None = None,
    today: dt.date | None = None,
    note: str = "",
) -> IndicatorValue:
    """Create or correct the value of ``indicator`` for ``scope`` and ``year`` as a draft.

    Only officers of the scope's units enter values. Updating needs the version read
    (StaleVersion otherwise); correcting an approved value sends it back to draft with a new
    version, the approved one staying in history. Bad input changes nothing. ``note`` (at
    most 100 characters) is kept as the history record's change reason."""
    note = nfc_multiline(note)
    if len(note) > NOTE_MAX:
        raise IndicatorValueError(f"Ghi chú tối đa {NOTE_MAX} ký tự (đang có {len(note)}).")
    number, source = value_check(
        indicator=indicator,
        scope=scope,
        year=year,
        source=source,
        value_text=value_text,
        value=value,
        today=today,
    )
    return _store_draft(
        indicator=indicator,
        scope=scope,
        year=year,
        number=number,
        source=source,
        user=user,
        version=version,
        require_version=True,
        note=note,
    )


@audited
def value_submit(*, value_id: int, user: User, version: int) -> IndicatorValue:
    """The officer sends a draft (or a returned value) to the unit's leader."""
    return VALUES.apply(_locked_value(value_id, version), Step.SUBMIT, user=user)


@audited
def value_withdraw(*, value_id: int, user: User, version: int) -> IndicatorValue:
    """The officer takes a submitted value back to draft before the leader decides."""
    return VALUES.apply(_locked_value(value_id, version), Step.WITHDRAW, user=user)


@audited
def value_approve(*, value_id: int, user: User, version: int) -> IndicatorValue:
    """A leader of a unit of the scope approves: only approved values are published and
    count in the evaluation."""
    return VALUES.apply(_locked_value(value_id, version), Step.APPROVE, user=user)


@audited
def value_return(*, value_id: int, user: User, version: int, reason: str) -> IndicatorValue:
    """A leader of the scope returns a submitted value with a reason (stored on the value,
    as a report's is)."""
    return VALUES.apply(_locked_value(value_id, version), Step.RETURN, user=user, reason=reason)


@audited
def value_reopen(*, value_id: int, user: User, version: int, reason: str) -> IndicatorValue:
    """Only a leader of the scope reopens an approved value, with a reason: it is no longer
    published and goes back to the officer as returned; history keeps who and why."""
    return VALUES.apply(_locked_value(value_id, version), Step.REOPEN, user=user, reason=reason)


def value_return_reason(value: IndicatorValue) -> str:
    """The reason the value was last returned or reopened, while it is returned."""
    return value.return_reason if value.state == ApprovalState.RETURNED else ""


@transaction.atomic
def indicator_values_import(
    *,
    document: Document,
    file: Any = None,
    rows: list[SheetRow] | None = None,
    file_name: str = "",
    user: User,
    dry_run: bool = False,
    source: str = "",
    today: dt.date | None = None,
) -> ImportReport:
    """Import an XLSX sheet of values (a row per indicator and province, a column per year)
    as drafts entered by ``user``: all rows or none. ``file`` is a path or an uploaded file,
    or ``rows`` the rows a check read earlier (``file_name`` then names it);
    ``source`` is used where the sheet has no "Nguồn" column."""
    report = ImportReport(dry_run=dry_run)
    if rows is None:
        try:
            rows = read_value_sheet(file)
        except SheetError as exc:
            report.errors.append((exc.row, exc.message))
            return report
        file_name = _file_name(file)
    report.sheet_rows = rows
    planned = resolve_rows(document, rows, report)
    default_source = nfc(source) or f"Nhập từ tệp {file_name}"
    checked = []
    allowed: dict[int, bool] = {}  # scope id -> may this user enter its values
    for item in planned:
        try:
            number, text = value_check(
                indicator=item.indicator,
                scope=item.scope,
                year=item.year,
                source=item.source or default_source,
                value_text=item.value_text,
                value=item.value,
                today=today,
            )
            existing = item.existing
            if item.scope.pk not in allowed:
                probe = IndicatorValue(indicator=item.indicator, scope=item.scope)
                allowed[item.scope.pk] = user.has_perm("indicators.enter_value", probe)
            if not allowed[item.scope.pk]:
                raise NotAllowed(f"{_NOT_OWNER} («{item.scope}»)")
            if existing is not None and existing.state not in _EDITABLE:
                raise IndicatorValueError(
                    f"giá trị năm {item.year} đang chờ duyệt, không ghi đè được."
                )
        except IndicatorValueError as exc:
            report.errors.append((item.row, f"năm {item.year}: {exc.message}"))
            continue
        checked.append((item, number, text))
    report.errors.sort(key=lambda error: error[0])
    report.values = len(checked)
    if report.errors or dry_run:
        return report
    for item, number, text in checked:
        if item.existing is None:
            report.created += 1
        else:
            report.updated += 1
        _store_draft(
            indicator=item.indicator,
            scope=item.scope,
            year=item.year,
            number=number,
            source=text,
            user=user,
            version=None,
            require_version=False,
        )
    return report


def _file_name(file: Any) -> str:
    name = getattr(file, "name", None) or str(file)
    return str(name).replace("\\", "/").rsplit("/", 1)[-1]


# --------------------------------------------------------------------------- tasks


@audited
def indicator_link_task(*, indicator: Indicator, task: Task, user: User) -> bool:
    """Link a task of the same document to the indicator (both ways: ``Indicator.tasks`` is
    the task's ``indicators``). Reviewers of the document and administrators only. True if
    the link is new; linking twice changes nothing."""
    from indicators.rules import is_reviewer_of_value

    if not (user.is_superuser or is_reviewer_of_value(user, IndicatorValue(indicator=indicator))):
        raise NotAllowed("Chỉ cán bộ rà soát, giám sát hoặc quản trị mới được liên kết nhiệm vụ.")
    if task.document_id != indicator.document_id:
        raise IndicatorValueError("Chỉ liên kết được nhiệm vụ của cùng văn bản với chỉ tiêu.")
    if indicator.tasks.filter(pk=task.pk).exists():
        return False
    indicator.tasks.add(task)
    return True
