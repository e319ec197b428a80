"""Choices for indicators. Values match the pure module's enums (targets.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.workflow import ApprovalState


class TargetKind(models.TextChoices):
    LEVEL = "level", _("Đạt mức")
    YEARLY_RATE = "yearly_rate", _("Tốc độ hằng năm")
    YEARLY_DECREASE = "yearly_decrease", _("Giảm hằng năm")
    UPPER_BOUND = "upper_bound", _("Không vượt quá")
    STRUCTURE = "structure", _("Cơ cấu")
    PERIOD_SUM = "period_sum", _("Tổng mỗi kế hoạch 5 năm")


class Comparator(models.TextChoices):
    EXACT = "exact", _("bằng")
    APPROX = "approx", _("khoảng")
    AT_LEAST = "at_least", _("ít nhất")
    MORE_THAN = "more_than", _("trên")
    AT_MOST = "at_most", _("không quá")
    LESS_THAN = "less_than", _("dưới")
    RANGE = "range", _("trong khoảng")


# One workflow, one set of states (portal.workflow) for reports and indicator values.
ValueState = ApprovalState
