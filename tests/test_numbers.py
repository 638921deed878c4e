from claimwire.numbers import QUANTITY_RE, parse_number, quantity_bounds, stated_value


def test_parse_number_words_and_digits():
    assert parse_number("2,000") == 2000
    assert parse_number("seven") == 7
    assert parse_number("twenty-one") == 21
    assert parse_number("one hundred and five") == 105
    assert parse_number("1.5 million") == 1_500_000
    assert parse_number("banana") is None


def test_hedged_bounds():
    assert quantity_bounds("100", "about")[:2] == (90, 110)
    assert quantity_bounds("100", "an estimated")[:2] == (90, 110)
    assert quantity_bounds("45", "at least")[:2] == (45, None)
    assert quantity_bounds("100", "more than")[:2] == (101, None)
    assert quantity_bounds("100", "in excess of")[:2] == (101, None)
    assert quantity_bounds("dozens")[:2] == (24, None)
    assert quantity_bounds("a dozen", "more than")[:2] == (13, None)
    assert quantity_bounds("seven") == (7, 7, None)


def test_stated_value():
    assert stated_value(90, 110, "about") == 100
    assert stated_value(45, None, "at least") == 45
    assert stated_value(4, 4, None) == 4


def test_quantity_regex_skips_dates_codes_and_ages():
    def nums(text):
        return [m.group("num") for m in QUANTITY_RE.finditer(text)]

    assert nums("the 1990s") == []
    assert nums("a 12-year-old") == []
    assert nums("call 555-1234") == []
    assert nums("at 3:15 a.m.") == []
    assert nums("the 100th homicide") == []
    assert nums("about 2,000 troops") == ["2,000"]
