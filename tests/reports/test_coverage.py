"""Coverage of the chain over the seeds: which provinces implemented what, since when;
merged provinces counted under their successors; orphans."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.access import in_being
from accounts.models import Unit, User
from reports.coverage import chain_coverage

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 2)


def row(coverage, slug, ref):
    return next(r for r in coverage.rows if (r.task.document.slug, r.task.ref) == (slug, ref))


def cells(r):
    return {c.unit.key: c for c in r.cells}


def test_the_politburo_plan_asks_the_regions_provinces_and_lai_chau_answered(seeded):
    coverage = chain_coverage(TODAY)
    ii7 = row(coverage, "kh-11-nq-tw", "II.7")
    by_unit = cells(ii7)
    # 14 provincial party committees in 2022, 10 since the mergers of 01/07/2025
    assert len(by_unit) == 10
    lai_chau = by_unit["tinh-uy-lai-chau"]
    assert [
        (i.document.slug, i.task.ref if i.task else None) for i in lai_chau.implementations
    ] == [("26-ctr-tu", "IV.2")]
    assert lai_chau.since == dt.date(2022, 12, 28)
    assert ii7.covered == 1
    # Bắc Kạn's plan implements 72-KL/TW, not 11-NQ/TW: it does not cover II.7 for Thái
    # Nguyên, which answers for Bắc Kạn today.
    assert "tinh-uy-bac-kan" not in by_unit
    assert not by_unit["tinh-uy-thai-nguyen"].covered
    assert ii7.cells[0].unit.key == "tinh-uy-lai-chau"  # the covered first


@pytest.mark.parametrize(
    ("day", "expected"),
    [(dt.date(2024, 12, 2), 14), (TODAY, 10)],
)
def test_merged_provinces_count_under_their_successors(seeded, day, expected):
    # 1580's plan (2014) asks the 14 provincial governments; since 01/07/2025 fewer exist.
    iv1i = row(chain_coverage(day), "kh-26-kl-tw", "IV.1.i")
    units = cells(iv1i)
    assert len(units) == expected
    merged = Unit.objects.filter(pk__in=[c.unit.pk for c in iv1i.cells]).exclude(in_being(day))
    assert not merged.exists()


def test_before_the_programme_was_issued_lai_chau_had_not_answered(seeded):
    ii7 = row(chain_coverage(dt.date(2022, 12, 27)), "kh-11-nq-tw", "II.7")
    assert ii7.covered == 0


def test_orphans_are_provincial_tasks_linked_to_nothing(seeded):
    orphans = {(t.document.slug, t.ref) for t in chain_coverage(TODAY).orphans}
    assert ("26-ctr-tu", "STT 1") in orphans
    assert ("26-ctr-tu", "STT 5") not in orphans  # implements II.3
    assert ("26-ctr-tu", "IV.2") not in orphans  # implements II.7
    assert not any(slug == "kh-11-nq-tw" for slug, _ in orphans)  # central, not provincial


def test_coverage_page_is_for_reviewers(seeded, client):
    client.force_login(User.objects.get(username="laichau.canbo"))
    assert client.get(reverse("chain-coverage")).status_code == 404
    client.force_login(User.objects.get(username="bktw.rasoat"))
    page = client.get(reverse("chain-coverage")).content.decode()
    assert "Độ phủ triển khai theo chuỗi văn bản" in page
    assert "<strong>1/10</strong> đơn vị đã triển khai." in page
