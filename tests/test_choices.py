"""The Django choices and the pure modules' enums name the same values."""

import pytest

from indicators import choices as indicator_choices
from indicators import targets
from tasks import choices as task_choices
from tasks import deadlines, status


@pytest.mark.parametrize(
    ("django_choices", "enum"),
    [
        (task_choices.DeadlineKind, deadlines.DeadlineKind),
        (task_choices.Recurrence, deadlines.Recurrence),
        (task_choices.TaskStatus, status.Status),
        (indicator_choices.TargetKind, targets.TargetKind),
        (indicator_choices.Comparator, targets.Comparator),
    ],
)
def test_same_values(django_choices, enum):
    assert set(django_choices.values) == {e.value for e in enum}
