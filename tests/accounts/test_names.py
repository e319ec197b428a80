import unicodedata

import pytest

from accounts.names import name_key, split_unit_list


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Tỉnh uỷ Lai Châu", "Tỉnh ủy Lai Châu"),
        ("Ban cán sự đảng UBND tỉnh", "Ban cán sự đảng Ủy ban nhân dân tỉnh"),
        ("BCS đảng Ủy ban nhân dân tỉnh", "Ban cán sự đảng Ủy ban nhân dân tỉnh"),
        ("Ban Tuyên giáo TU", "Ban Tuyên giáo Tỉnh ủy"),
        ("Đảng đoàn MTTQ tỉnh", "Đảng đoàn Mặt trận Tổ quốc tỉnh"),
        ("Văn phòng TW Đảng", "Văn phòng Trung ương Đảng"),
        ("Hoà Bình", "Hòa Bình"),
        ("hoa binh", "Hòa Bình"),
        ("Bộ KH&ĐT", "Bộ Kế hoạch và Đầu tư"),
        ("Bộ\u00a0Kế hoạch và Đầu\u200b tư", "Bộ Kế hoạch và Đầu tư"),
        (unicodedata.normalize("NFD", "Ban Kinh tế Trung ương"), "Ban Kinh tế Trung ương"),
        ("Các tổ chức chính trị – xã hội.", "Các tổ chức chính trị - xã hội"),
    ],
)
def test_spellings_of_one_unit_share_a_key(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # "tư" in "Đầu tư" is not the abbreviation TU (Tỉnh ủy).
        ("Bộ Kế hoạch và Đầu tư", "Bộ Kế hoạch và Đầu Tỉnh ủy"),
        ("Bộ Tư pháp", "Bộ Tỉnh ủy pháp"),
        ("Tỉnh ủy Lai Châu", "Tỉnh ủy Điện Biên"),
    ],
)
def test_different_units_keep_different_keys(a, b):
    assert name_key(a) != name_key(b)


def test_split_unit_list():
    cell = (
        "Các cấp ủy đảng trực thuộc Tỉnh ủy, "
        "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội tỉnh"
    )
    assert split_unit_list(cell) == [
        "Các cấp ủy đảng trực thuộc Tỉnh ủy",
        "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội tỉnh",
    ]
    assert split_unit_list("-") == []
    assert split_unit_list("") == []
