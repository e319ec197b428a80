"""Integrity of fixtures/units.yaml and fixtures/successions.yaml, read as plain YAML.

No database: these tests check the data itself (references, matching keys, NFC text, the
succession graph, the 34 provinces of 01/07/2025), so a broken fixture fails here with the
offending key named, before the seed loader ever runs.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from accounts.choices import UnitKind
from accounts.names import display_name, name_key

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
UNIT_FIELDS = ["key", "name", "short_name", "kind", "parent", "province", "aliases", "members"]
SUCCESSION_FIELDS = [
    "predecessors",
    "successors",
    "effective_on",
    "basis",
    "basis_date",
    "verified",
    "note",
]
# Kinds this fixture introduces for the 2025 units; accounts/choices.py UnitKind gains them
# when the succession work is merged (then this set is simply redundant).
NEW_KINDS = {"party_committee", "provincial_council"}
UNVERIFIED = "chưa đối chiếu văn bản"
END_OF_DISTRICT_LEVEL = dt.date(2025, 7, 1)

# The provinces and centrally-run cities from 01/07/2025 (Nghị quyết số 202/2025/QH15).
PROVINCES_2025 = {
    # unchanged
    "Thành phố Hà Nội",
    "Thành phố Huế",
    "Tỉnh Lai Châu",
    "Tỉnh Điện Biên",
    "Tỉnh Sơn La",
    "Tỉnh Lạng Sơn",
    "Tỉnh Quảng Ninh",
    "Tỉnh Thanh Hóa",
    "Tỉnh Nghệ An",
    "Tỉnh Hà Tĩnh",
    "Tỉnh Cao Bằng",
    # formed by merger
    "Tỉnh Tuyên Quang",
    "Tỉnh Lào Cai",
    "Tỉnh Thái Nguyên",
    "Tỉnh Phú Thọ",
    "Tỉnh Bắc Ninh",
    "Tỉnh Hưng Yên",
    "Thành phố Hải Phòng",
    "Tỉnh Ninh Bình",
    "Tỉnh Quảng Trị",
    "Thành phố Đà Nẵng",
    "Tỉnh Quảng Ngãi",
    "Tỉnh Gia Lai",
    "Tỉnh Khánh Hòa",
    "Tỉnh Lâm Đồng",
    "Tỉnh Đắk Lắk",
    "Thành phố Hồ Chí Minh",
    "Tỉnh Đồng Nai",
    "Tỉnh Tây Ninh",
    "Thành phố Cần Thơ",
    "Tỉnh Vĩnh Long",
    "Tỉnh Đồng Tháp",
    "Tỉnh Cà Mau",
    "Tỉnh An Giang",
}


@cache
def units() -> list[dict[str, Any]]:
    return yaml.safe_load((FIXTURES / "units.yaml").read_text(encoding="utf-8"))


@cache
def successions() -> list[dict[str, Any]]:
    return yaml.safe_load((FIXTURES / "successions.yaml").read_text(encoding="utf-8"))


def by_key() -> dict[str, dict[str, Any]]:
    return {u["key"]: u for u in units()}


def succeeded() -> dict[str, dict[str, Any]]:
    """Unit key -> the succession row that ends it."""
    return {key: row for row in successions() for key in row["predecessors"]}


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    return []


def test_unit_rows_have_exactly_the_fixed_fields_and_unique_keys():
    bad = [u.get("key") for u in units() if list(u) != UNIT_FIELDS]
    assert bad == [], "rows whose fields are not exactly " + ", ".join(UNIT_FIELDS)
    duplicates = [k for k, n in Counter(u["key"] for u in units()).items() if n > 1]
    assert duplicates == []


def test_unit_kinds_are_known():
    known = set(UnitKind.values) | NEW_KINDS
    assert {u["key"]: u["kind"] for u in units() if u["kind"] not in known} == {}


def test_every_name_and_alias_matches_one_unit_only():
    # The loader matches printed names by name_key (accents, case, tone placement and the
    # usual abbreviations folded): a key shared by two units would make a name ambiguous.
    # (Spellings of one unit that fold to its own key, "Bộ KH&ĐT", are harmless: the
    # loader keeps one.)
    owners: dict[str, set[str]] = defaultdict(set)
    for u in units():
        for name in [u["name"], *(u["aliases"] or ())]:
            owners[name_key(name)].add(u["key"])
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
    names = Counter(name_key(u["name"]) for u in units())
    assert [k for k, n in names.items() if n > 1] == []


def test_all_text_is_nfc_without_stray_spaces():
    texts = [s for row in [*units(), *successions()] for s in strings(row)]
    not_nfc = [s for s in texts if unicodedata.normalize("NFC", s) != s]
    assert not_nfc == []
    names = [s for u in units() for s in [u["name"], *(u["aliases"] or ())]]
    assert [s for s in names if display_name(s) != s] == []


def test_every_referenced_unit_exists():
    keys = by_key()
    missing = []
    for u in units():
        for field in ("parent", "province"):
            if u[field] is not None and u[field] not in keys:
                missing.append((u["key"], field, u[field]))
        missing += [(u["key"], "members", m) for m in u["members"] or () if m not in keys]
    for row in successions():
        for field in ("predecessors", "successors"):
            missing += [(field, k) for k in row[field] if k not in keys]
    assert missing == []


def test_province_fields_point_at_provinces_and_members_only_on_groups():
    keys = by_key()
    wrong_province = [
        u["key"] for u in units() if u["province"] and keys[u["province"]]["kind"] != "province"
    ]
    assert wrong_province == []
    members_on_non_groups = [
        u["key"] for u in units() if u["members"] and u["kind"] not in ("group", "region")
    ]
    assert members_on_non_groups == []
    self_members = [u["key"] for u in units() if u["key"] in (u["members"] or ())]
    assert self_members == []


def test_succession_rows_are_complete():
    problems = []
    for i, row in enumerate(successions()):
        where = f"row {i} {row.get('predecessors')}"
        if list(row) != SUCCESSION_FIELDS:
            problems.append((where, "fields"))
            continue
        if not row["predecessors"] or len(set(row["predecessors"])) != len(row["predecessors"]):
            problems.append((where, "predecessors"))
        if not isinstance(row["successors"], list) or len(set(row["successors"])) != len(
            row["successors"]
        ):
            problems.append((where, "successors"))
        if not isinstance(row["effective_on"], dt.date):
            problems.append((where, "effective_on is not a date"))
        if row["basis_date"] is not None and not isinstance(row["basis_date"], dt.date):
            problems.append((where, "basis_date"))
        if not isinstance(row["verified"], bool):
            problems.append((where, "verified"))
        if not isinstance(row["basis"], str) or not isinstance(row["note"], str):
            problems.append((where, "basis/note must be text"))
            continue
        if row["verified"]:
            # Verified: the number and date are stated in /work/shared.
            if not row["basis"] or row["basis_date"] is None:
                problems.append((where, "verified without basis and basis_date"))
        elif UNVERIFIED not in row["note"]:
            # Unverified: the note says what to check, in the words DOMAIN.md prescribes.
            problems.append((where, f"unverified without “{UNVERIFIED}” in the note"))
    assert problems == []


def test_no_unit_succeeds_itself_and_each_unit_ends_once():
    selfish = [
        r["predecessors"] for r in successions() if set(r["predecessors"]) & set(r["successors"])
    ]
    assert selfish == []
    ended = Counter(k for r in successions() for k in r["predecessors"])
    assert [k for k, n in ended.items() if n > 1] == []


def test_successions_have_no_cycles_and_chains_run_forward_in_time():
    ends = succeeded()
    # A chain A -> B -> C: B cannot hand over before it took over.
    backwards = [
        (k, s)
        for k, row in ends.items()
        for s in row["successors"]
        if s in ends and ends[s]["effective_on"] < row["effective_on"]
    ]
    assert backwards == []

    def walk(key: str, path: tuple[str, ...]) -> None:
        if key in path:
            pytest.fail(f"vòng kế thừa: {' -> '.join((*path, key))}")
        for nxt in ends.get(key, {}).get("successors", ()):
            walk(nxt, (*path, key))

    for key in ends:
        walk(key, ())


def test_a_province_passes_to_a_province_and_no_group_is_succeeded():
    keys = by_key()
    wrong = []
    for row in successions():
        kinds = {keys[k]["kind"] for k in row["predecessors"]}
        if "group" in kinds or "region" in kinds:
            wrong.append(row["predecessors"])
        if "province" in kinds and {keys[k]["kind"] for k in row["successors"]} != {"province"}:
            wrong.append(row["predecessors"])
    assert wrong == []


def test_the_34_provinces_of_2025_are_the_provinces_without_successor():
    ends = succeeded()
    current = {u["name"] for u in units() if u["kind"] == "province" and u["key"] not in ends}
    assert len(PROVINCES_2025) == 34
    assert current == PROVINCES_2025


def test_every_current_province_has_its_party_committee_and_peoples_committee():
    ends = succeeded()
    current = {u["key"] for u in units() if u["kind"] == "province" and u["key"] not in ends}
    bodies: dict[str, set[str]] = defaultdict(set)
    for u in units():
        if u["province"] in current and u["key"] not in ends and u["parent"] is None:
            bodies[u["province"]].add(u["kind"])
    lacking = {
        p: {"provincial_party", "provincial_government"} - bodies[p]
        for p in current
        if not {"provincial_party", "provincial_government"} <= bodies[p]
    }
    assert lacking == {}


def test_the_district_level_is_abolished_with_no_successor():
    ends = succeeded()
    districts = [u["key"] for u in units() if u["kind"] == "district_party"]
    assert districts
    wrong = [
        k
        for k in districts
        if k not in ends
        or ends[k]["successors"] != []
        or ends[k]["effective_on"] != END_OF_DISTRICT_LEVEL
    ]
    assert wrong == []


def test_the_2025_facts_of_domain_section_6():
    ends = succeeded()

    def after(key: str) -> tuple[list[str], dt.date, str]:
        row = ends[key]
        return row["successors"], row["effective_on"], row["basis"]

    assert after("ban-kinh-te-tw") == (
        ["ban-chinh-sach-chien-luoc-tw"],
        dt.date(2025, 1, 24),
        "Quyết định số 247-QĐ/TW",
    )
    assert ends["ban-kinh-te-tw"]["verified"] is True
    assert after("bo-ke-hoach-va-dau-tu") == (
        ["bo-tai-chinh"],
        dt.date(2025, 3, 1),
        "Nghị quyết số 176/2025/QH15",
    )
    for old, new in [
        ("bac-kan", "thai-nguyen"),
        ("ha-giang", "tuyen-quang"),
        ("yen-bai", "lao-cai"),
        ("hoa-binh", "phu-tho"),
        ("bac-giang", "bac-ninh"),
    ]:
        assert after(f"tinh-{old}") == (
            [f"tinh-{new}"],
            dt.date(2025, 7, 1),
            "Nghị quyết số 202/2025/QH15",
        )
        assert after(f"tinh-uy-{old}")[:2] == ([f"tinh-uy-{new}"], dt.date(2025, 7, 1))
        assert after(f"ubnd-tinh-{old}")[:2] == ([f"ubnd-tinh-{new}"], dt.date(2025, 7, 1))
    # The party delegation that leads most of 26-CTr/TU, and Bắc Kạn's, through to today.
    assert after("bcsd-ubnd-lai-chau")[0] == ["dang-uy-ubnd-lai-chau"]
    assert after("bcsd-ubnd-bac-kan")[0] == ["dang-uy-ubnd-bac-kan"]
    assert after("dang-uy-ubnd-bac-kan")[0] == ["dang-uy-ubnd-thai-nguyen"]
    assert after("bcsd-chinh-phu")[0] == ["dang-uy-chinh-phu"]
    # A split: a person picks the successor per open track.
    assert len(after("bo-lao-dong-tb-xh")[0]) == 3
    # Only Ban Kinh tế Trung ương reviews everything by itself (the loader's default);
    # its successor reviews through the succession, not through a flag of its own.
    assert all("reviews_all" not in u for u in units())


def test_collective_assignees_of_the_seeds_expand_to_members():
    keys = by_key()
    for group in [
        "nhom-to-chuc-thuc-hien-72-bac-kan",  # seed 003 IV.1
        "nhom-ban-dang-bcsd-dang-doan-lai-chau",  # seed 004 STT 2, IV.1
        "nhom-cap-uy-truc-thuoc-tu-lai-chau",
        "nhom-mttq-ctxh-lai-chau",
        "nhom-bo-quan-ly-nganh-khac",  # seed 000 IV.1.h
        "nhom-to-chuc-chinh-tri-xa-hoi",  # seed 001 II.9
    ]:
        assert keys[group]["kind"] == "group"
        assert keys[group]["members"], group
    bac_kan = {keys[m]["kind"] for m in keys["nhom-to-chuc-thuc-hien-72-bac-kan"]["members"]}
    assert {"district_party", "provincial_department", "front", "party_delegation"} <= bac_kan
    # A provincial group's members belong to its province.
    for u in units():
        if u["kind"] == "group" and u["province"]:
            assert {keys[m]["province"] for m in u["members"]} <= {u["province"]}, u["key"]
