import pytest

from collaborators.identifiers import (
    IdentifierError,
    ipi_check_digits,
    ipi_normalize,
    isni_check_char,
    isni_format,
    isni_normalize,
)


@pytest.mark.parametrize(
    "raw, compact",
    [
        ("0000 0001 2281 955X", "000000012281955X"),  # an ISNI whose check character is X
        ("ISNI 000000012146438X", "000000012146438X"),
        ("0000-0000-8028-1009", "0000000080281009"),
        ("000000012146438x", "000000012146438X"),
    ],
)
def test_isni_accepts_valid_numbers_in_any_spacing(raw, compact):
    assert isni_normalize(raw) == compact


@pytest.mark.parametrize(
    "raw", ["0000 0001 2281 9551", "0000 0001 2281 955", "ABCD000122819551", "", "0" * 17]
)
def test_isni_rejects_typos_and_wrong_lengths(raw):
    with pytest.raises(IdentifierError):
        isni_normalize(raw)


def test_isni_check_char_catches_every_single_digit_typo():
    good = "000000012281955"
    for i in range(15):
        for d in "0123456789":
            if d != good[i]:
                typo = good[:i] + d + good[i + 1 :]
                assert isni_check_char(typo) != "X", (i, d)


def test_isni_format_groups_by_four():
    assert isni_format("000000012281955X") == "0000 0001 2281 955X"


@pytest.mark.parametrize("raw", ["00052210040", "000 522 100 40", "IPI 00273512966"])
def test_ipi_accepts_valid_name_numbers(raw):
    assert len(ipi_normalize(raw)) == 11


def test_ipi_accepts_a_nine_digit_cae_number_as_its_ipi_form():
    assert ipi_normalize("052210040") == "00052210040"


@pytest.mark.parametrize("raw", ["00052210041", "00052210", "0005221004A", "", "123456789012"])
def test_ipi_rejects_bad_check_digits_and_lengths(raw):
    with pytest.raises(IdentifierError):
        ipi_normalize(raw)


def test_ipi_check_digits_are_mod_101_of_weights_10_to_2():
    digits = "123456789"
    total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
    assert int(ipi_check_digits(digits)) == (101 - total % 101) % 101 % 100


def test_unicode_digits_are_refused_not_crashed_on():
    for bad in ("0005221004²", "٠٠٠٥٢٢١٠٠٤٠"):
        with pytest.raises(IdentifierError):
            ipi_normalize(bad)
    with pytest.raises(IdentifierError):
        isni_normalize("00000001214643８X")
