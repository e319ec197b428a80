"""Fixtures of the tasks tests: a provincial programme with its units."""

import datetime as dt

import pytest

from accounts.choices import UnitKind
from accounts.services import unit_set_members, unit_upsert
from documents.services import document_upsert


@pytest.fixture
def province_doc(db):
    province, _ = unit_upsert(key="tinh-lai-chau", name="Tỉnh Lai Châu", kind=UnitKind.PROVINCE)
    other, _ = unit_upsert(key="tinh-dien-bien", name="Tỉnh Điện Biên", kind=UnitKind.PROVINCE)
    tu, _ = unit_upsert(
        key="tu", name="Tỉnh ủy Lai Châu", kind="provincial_party", province=province
    )
    unit_upsert(
        key="bcsd",
        name="Ban cán sự đảng Ủy ban nhân dân tỉnh Lai Châu",
        kind="party_delegation",
        province=province,
    )
    unit_upsert(
        key="bcsd-db",
        name="Ban cán sự đảng Ủy ban nhân dân tỉnh Điện Biên",
        kind="party_delegation",
        province=other,
    )
    unit_upsert(
        key="btg",
        name="Ban Tuyên giáo Tỉnh ủy Lai Châu",
        kind="provincial_party_agency",
        province=province,
    )
    h1, _ = unit_upsert(
        key="h1", name="Huyện ủy Tam Đường", kind="district_party", province=province
    )
    h2, _ = unit_upsert(
        key="h2", name="Huyện ủy Phong Thổ", kind="district_party", province=province
    )
    group, _ = unit_upsert(
        key="cap-uy",
        name="Các cấp ủy đảng trực thuộc Tỉnh ủy Lai Châu",
        kind=UnitKind.GROUP,
        province=province,
    )
    unit_set_members(unit=group, members=[h1, h2])
    doc, _ = document_upsert(
        slug="ctr",
        kind="CTr",
        title="Chương trình hành động",
        issuer=tu,
        number="26-CTr/TU",
        issued_on=dt.date(2022, 12, 28),
        province=province,
    )
    return doc
