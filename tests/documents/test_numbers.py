import pytest
from hypothesis import given
from hypothesis import strategies as st

from documents.numbers import DocumentNumberError, parse_document_number


@pytest.mark.parametrize(
    ("printed", "text", "kind", "issuer", "year", "party"),
    [
        ("11-NQ/TW", "11-NQ/TW", "NQ", "TW", None, True),
        ("26-KL/TW", "26-KL/TW", "KL", "TW", None, True),
        ("26-CTr/TU", "26-CTr/TU", "CTr", "TU", None, True),
        ("07-CTr/TU", "07-CTr/TU", "CTr", "TU", None, True),
        ("Số 26-CTr/TU", "26-CTr/TU", "CTr", "TU", None, True),
        ("21-CT/TU", "21-CT/TU", "CT", "TU", None, True),
        ("96/NQ-CP", "96/NQ-CP", "NQ", "CP", None, False),
        ("1580/QĐ-TTg", "1580/QĐ-TTg", "QĐ", "TTg", None, False),
        ("1580/QD-TTG", "1580/QĐ-TTg", "QĐ", "TTg", None, False),
        ("1288/QĐ-TTg", "1288/QĐ-TTg", "QĐ", "TTg", None, False),
        ("09/2019/NĐ-CP", "09/2019/NĐ-CP", "NĐ", "CP", 2019, False),
        ("09 / 2019 / NĐ – CP", "09/2019/NĐ-CP", "NĐ", "CP", 2019, False),
        ("88/2019/QH14", "88/2019/QH14", "NQ", "QH14", 2019, False),
        ("202/2025/QH15", "202/2025/QH15", "NQ", "QH15", 2025, False),
        ("SỐ 26-CTr/TU", "26-CTr/TU", "CTr", "TU", None, True),
        ("so 11-NQ/TW", "11-NQ/TW", "NQ", "TW", None, True),
        # Issuer codes keep their Đ; two-part issuers and TB/HD/BC kinds are read.
        ("24/2023/NQ-HĐND", "24/2023/NQ-HĐND", "NQ", "HĐND", 2023, False),
        ("05/2024/TT-BKHĐT", "05/2024/TT-BKHĐT", "TT", "BKHĐT", 2024, False),
        ("1234/QĐ-BNN-TCLN", "1234/QĐ-BNN-TCLN", "QĐ", "BNN-TCLN", None, False),
        ("45-HD/BTGTW", "45-HD/BTGTW", "HD", "BTGTW", None, True),
        ("128/TB-VPCP", "128/TB-VPCP", "TB", "VPCP", None, False),
    ],
)
def test_real_numbers_parse_and_normalise(printed, text, kind, issuer, year, party):
    number = parse_document_number(printed)
    assert (number.text, number.kind, number.issuer, number.year, number.party) == (
        text,
        kind,
        issuer,
        year,
        party,
    )


def test_spellings_of_one_number_share_a_key():
    keys = {
        parse_document_number(s).key
        for s in ["07-CTr/TU", "7-CTr/TU", "07-ctr/tu", "07 - CTr / TU", "số 07-CTr/TU"]
    }
    assert len(keys) == 1


def test_nfc_and_nfd_are_the_same_number():
    import unicodedata

    nfd = unicodedata.normalize("NFD", "1580/QĐ-TTg")
    assert parse_document_number(nfd) == parse_document_number("1580/QĐ-TTg")


@pytest.mark.parametrize("bad", ["", "NQ", "11/TW", "abc-NQ/TW", "11-XYZ/TW", "1580/QĐ", "x/y/z"])
def test_other_text_is_refused(bad):
    with pytest.raises(DocumentNumberError):
        parse_document_number(bad)


@given(st.text(max_size=40))
def test_never_crashes_on_arbitrary_text(text):
    try:
        number = parse_document_number(text)
    except DocumentNumberError:
        return
    assert parse_document_number(number.text) == number
