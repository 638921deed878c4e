import pytest

from claimwire.actors import actor_key


@pytest.mark.parametrize(
    "names",
    [
        ["US", "USA", "U.S.", "United States", "the United States"],
        ["IS", "ISIS", "Daesh", "Islamic State", "the so-called Islamic State"],
        ["SDF", "Syrian Democratic Forces", "SDF fighters"],
        ["Russia", "Russian Federation", "the Russian Federation"],
        ["Deir ez-Zor", "Deir el-Zour", "Deir al-Zour", "Deir Ezzor", "Deir Ezzour", "Deir az-Zour", "Dayr az-Zawr"],
        ["Khusham", "Khisham", "Khasham"],
        ["pro-government forces", "pro-government fighters", "members of pro-government forces"],
        ["U.S.-led coalition", "US-led coalition", "the us -led military coalition", "U.S. -led coalition forces"],
    ],
)
def test_alias_groups_share_a_key(names):
    keys = {actor_key(n) for n in names}
    assert len(keys) == 1 and None not in keys, keys


def test_case_sensitive_alias_and_pronouns():
    assert actor_key("IS") == "islamic_state"
    assert actor_key("is") != "islamic_state"
    assert actor_key("it") is None
    assert actor_key("") is None


def test_unlisted_names_still_get_a_key():
    assert actor_key("The Allegheny County Police") == "allegheny county police"
    assert actor_key("Syria's foreign ministry") == actor_key("Syrian foreign ministry")


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("Jos\u00e9 Mart\u00ed", "Jose Marti"),  # accents go
        ("Jo\u200bhn Smith", "John Smith"),  # a zero-width space inside a name goes
        ("Ahmed al\u2019Sharaa", "Ahmed al'Sharaa"),  # a typographic apostrophe is the plain one
    ],
)
def test_non_ascii_names_fold_to_their_ascii_spelling(written, plain):
    assert actor_key(written) == actor_key(plain)


def test_ascii_names_fold_as_written():
    assert actor_key("Dana White") == "dana white"
    assert actor_key("the U.S.-led  coalition") == actor_key("US-led coalition")
