import pytest

from survey.core import codes


def test_new_codes_use_only_crockford_letters():
    code = codes.new_code()
    assert len(code) == 8 and set(code) <= set(codes.ALPHABET)


def test_display_groups_by_four():
    assert codes.display("7KD2QX9M") == "7KD2-QX9M"


@pytest.mark.parametrize(
    "typed", ["7KD2-QX9M", "7kd2qx9m", " 7kd2 - qx9m ", "7KD2_QX9M", "7kd2\tqx9m"]
)
def test_typed_codes_are_read_leniently(typed):
    assert codes.normalise(typed) == "7KD2QX9M"


def test_letters_people_confuse_read_as_digits():
    assert codes.normalise("O1IL-oiIl") == "01110111"


@pytest.mark.parametrize("typed", ["", "7KD2QX9", "7KD2QX9MM", "7KD2-QX9!", "你好你好你好你好"])
def test_impossible_codes_read_as_none(typed):
    assert codes.normalise(typed) is None
