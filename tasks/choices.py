"""Choices for tasks. Values match the pure modules' enums (deadlines.py, status.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.workflow import ApprovalState


class DeadlineKind(models.TextChoices):
    DATE = "date", _("Có thời hạn")
    PERIOD = "period", _("Theo giai đoạn")
    RECURRING = "recurring", _("Định kỳ")
    EVENT = "event", _("Theo sự kiện")
    ONGOING = "ongoing", _("Thường xuyên")
    UNKNOWN = "unknown", _("Chưa xác định")


class Recurrence(models.TextChoices):
    YEARLY = "yearly", _("Hằng năm")
    HALF_YEARLY = "half_yearly", _("6 tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    MONTHLY = "monthly", _("Hằng tháng")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Chủ trì")
    COORDINATE = "coordinate", _("Phối hợp")


class TaskStatus(models.TextChoices):
    NOT_DUE = "not_due", _("Chưa đến hạn")
    IN_PROGRESS = "in_progress", _("Chưa hoàn thành, trong hạn")
    OVERDUE = "overdue", _("Chưa hoàn thành, quá hạn")
    DONE_ON_TIME = "done_on_time", _("Hoàn thành đúng hạn")
    DONE_LATE = "done_late", _("Hoàn thành quá hạn")
    ONGOING = "ongoing", _("Thường xuyên")
    AWAITING_EVENT = "awaiting_event", _("Chờ sự kiện")
    UNDETERMINED = "undetermined", _("Chưa xác định thời hạn")


# One workflow, one set of states (portal.workflow) for reports and indicator values.
ReportState = ApprovalState
