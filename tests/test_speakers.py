"""One speaker per person across an event's articles (claimwire.speakers.group_quotes)."""

from __future__ import annotations

from claimwire.extractors import extract_claims
from claimwire.speakers import group_quotes


def event_claims(articles: dict[str, str]) -> list[dict]:
    """Quote claims of several articles as the ledger reads them: Claim fields plus article_id."""
    out = []
    for article_id, text in articles.items():
        for claim in extract_claims(text, names=["quotes", "casualties"]):
            row = claim.to_dict()
            row["article_id"] = article_id
            out.append(row)
    return out


def quote(text: str, source: str | None, article: str, **extra) -> dict:
    return {"kind": "quote", "text": text, "source": source, "extra": extra, "article_id": article}


def by_speaker(groups) -> dict:
    return {g.speaker: g for g in groups}


def test_surname_full_name_and_title_are_one_person():
    groups = group_quotes(
        [
            quote("We will secure the border.", "President Donald Ashford", "a1"),
            quote("The deal is done.", "Ashford", "a2"),
            quote("Nobody works harder.", "President Ashford", "a3"),
        ]
    )
    assert len(groups) == 1
    g = groups[0]
    assert g.speaker == "President Donald Ashford" and g.kind == "person"
    assert [q.articles for q in g.quotes] == [["a1"], ["a2"], ["a3"]]
    assert set(g.names) == {"President Donald Ashford", "Ashford", "President Ashford"}


def test_people_sharing_a_surname_stay_apart():
    groups = group_quotes(
        [
            quote("The vote was fair.", "Sen. Brenda Ford", "a1"),
            quote("The vote was rigged.", "Brennan Ford", "a1"),
            quote("Count it again.", "B. Ford", "a2"),
        ]
    )
    speakers = [g.speaker for g in groups]
    assert "Sen. Brenda Ford" in speakers and "Brennan Ford" in speakers
    # "B." could be either of them: kept apart rather than guessed
    assert len(groups) == 3


def test_bare_surname_shared_by_two_people_is_matched_by_title():
    groups = by_speaker(
        group_quotes(
            [
                quote("We will win.", "President Donald Ashford", "a1"),
                quote("My father is right.", "Ivy Ashford", "a1"),
                quote("I never met him.", "President Ashford", "a2"),
            ]
        )
    )
    assert [q.text for q in groups["President Donald Ashford"].quotes] == ["We will win.", "I never met him."]
    assert [q.text for q in groups["Ivy Ashford"].quotes] == ["My father is right."]


def test_initials_and_short_forms_of_a_given_name_merge():
    groups = group_quotes(
        [
            quote("The tax is fair.", "Timothy Kerr", "a1"),
            quote("We have the votes.", "Sen. Tim Kerr", "a2"),
            quote("Not today.", "T. Kerr", "a3"),
        ]
    )
    assert len(groups) == 1 and groups[0].speaker == "Timothy Kerr"


def test_same_quote_in_several_articles_is_one_entry_with_every_article():
    groups = group_quotes(
        [
            quote("We will not raise taxes on working families.", "Gov. Ada Lind", "a1"),
            quote("“We will not raise taxes on working families,”", "Lind", "a2"),
            quote("We will not raise taxes on working families", "Ada Lind", "a3"),
        ]
    )
    assert len(groups) == 1 and len(groups[0].quotes) == 1
    assert groups[0].quotes[0].articles == ["a1", "a2", "a3"]


def test_trimmed_quote_is_the_same_entry_and_keeps_the_longer_wording():
    groups = group_quotes(
        [
            quote("The budget is balanced for the first time in a decade.", "Mayor Jo Park", "a1"),
            quote("The budget is balanced for the first time in a decade. We did it without layoffs.", "Park", "a2"),
            quote("without layoffs", "Park", "a3", partial=True),
        ]
    )
    entries = groups[0].quotes
    assert entries[0].articles == ["a1", "a2"] and entries[0].text.endswith("without layoffs.")
    assert entries[1].text == "without layoffs" and entries[1].partial  # too short to tell it is the same


def test_unnamed_speakers_group_by_actor_key_and_unattributed_apart():
    groups = by_speaker(
        group_quotes(
            [
                quote("No one was hurt.", "police", "a1"),
                quote("The scene is clear.", "Police", "a2"),
                quote("We are reviewing it.", "the Pentagon", "a1"),
                quote("A tragic day.", None, "a2"),
            ]
        )
    )
    assert [q.articles for q in groups["police"].quotes] == [["a1"], ["a2"]]
    assert groups["the Pentagon"].kind in ("org", "description")
    assert groups[None].key == "unattributed" and groups[None].quotes[0].text == "A tragic day."


def test_other_claim_kinds_are_skipped_and_output_is_json_ready():
    rows = [
        quote("We will appeal.", "Attorney General Rosa Vane", "a1"),
        {"kind": "casualty", "text": None, "source": "police", "extra": {}, "article_id": "a1"},
    ]
    groups = group_quotes(rows)
    assert len(groups) == 1
    d = groups[0].to_dict()
    assert d == {
        "speaker": "Attorney General Rosa Vane",
        "key": "person:vane:rosa",
        "kind": "person",
        "names": ["Attorney General Rosa Vane"],
        "role": None,
        "quotes": [{"text": "We will appeal.", "articles": ["a1"], "partial": False}],
    }


def test_end_to_end_from_extracted_claims():
    groups = by_speaker(
        group_quotes(
            event_claims(
                {
                    "wire": (
                        '"We will not let this stand," Sen. Rita Okafor, D-Ill., said Friday. "Not on my watch."\n\n'
                        "Two people were killed in the blast, police said."
                    ),
                    "local": (
                        'Okafor spoke at the scene. "We will not let this stand," she said.\n\n"We have no suspect yet," police said.'
                    ),
                }
            )
        )
    )
    okafor = groups["Sen. Rita Okafor"]
    assert okafor.role == "D-Ill."
    assert [(q.text, q.articles) for q in okafor.quotes] == [
        ("We will not let this stand,", ["wire", "local"]),
        ("Not on my watch.", ["wire"]),
    ]
    assert groups["police"].quotes[0].articles == ["local"]


def test_quote_words_fold_accents_and_case_alike():
    from claimwire.speakers import _quote_words

    assert _quote_words("We will REBUILD the caf\u00e9, na\u00efve or not") == _quote_words("we will rebuild the cafe, naive or not")
    assert _quote_words("It\u2019s over") == ("its", "over")
