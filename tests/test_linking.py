"""The event linker: features, time window, determinism, the storage-backed index, merges and moves."""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select

from claimwire import linkfeatures, linking, linkmemory, linkscore
from claimwire.sources import iter_items
from service.ingest import receive_all
from storage import bulkwrite, eventindex, eventmerges
from storage.db import session_scope
from storage.models import ArticleEvent, ArticleMove, Event, EventMerge

CHICAGO_2014 = (
    "Man killed in South Side shooting",
    "A 24-year-old man was shot and killed Sunday night in the 6500 block of South Halsted Street in Chicago's "
    "Englewood neighborhood, police said. Darnell Whitfield was pronounced dead at Stroger Hospital. "
    "No one is in custody, Chicago police said.",
)
CHICAGO_2014_FOLLOWUP = (
    "Englewood shooting victim identified as Darnell Whitfield",
    "The man shot dead Sunday on South Halsted Street in Englewood was identified as Darnell Whitfield, 24, "
    "the Cook County medical examiner's office said. Chicago police are searching for the gunman.",
)
CHICAGO_2016 = (
    "Man killed in South Side shooting",
    "A 31-year-old man was shot and killed Saturday night in the 1200 block of West 79th Street in Chicago's "
    "Auburn Gresham neighborhood, police said. Marcus Bell was pronounced dead at Christ Hospital. "
    "No one is in custody, Chicago police said.",
)


def features(pair, when):
    return linking.article_features(pair[0], pair[1], when)


def test_features_cover_names_places_ages_and_mentioned_dates():
    f = features(CHICAGO_2014, date(2014, 6, 9))  # a Monday
    assert "p:darnell whitfield" in f.keys
    assert any(k.startswith("s:") and "halsted" in k for k in f.keys)
    assert "a:24" in f.keys
    assert "d:2014-06-08" in f.keys  # "Sunday night", resolved against the article's own date
    assert date(2014, 6, 8).toordinal() in f.dates


def test_a_later_incident_in_the_same_city_opens_its_own_event():
    index = linkmemory.MemoryIndex()
    first = index.link(1, features(CHICAGO_2014, date(2014, 6, 9)))
    follow = index.link(2, features(CHICAGO_2014_FOLLOWUP, date(2014, 6, 10)))
    later = index.link(3, features(CHICAGO_2016, date(2016, 8, 1)))
    assert first.decision == "new"
    assert follow.event_id == first.event_id, follow.features
    assert later.event_id != first.event_id
    assert later.decision == "new"


def test_decisions_carry_their_score_and_features():
    index = linkmemory.MemoryIndex()
    index.link(1, features(CHICAGO_2014, date(2014, 6, 9)))
    decision = index.link(2, features(CHICAGO_2014_FOLLOWUP, date(2014, 6, 10)))
    assert decision.score >= linking.JOIN_THRESHOLD
    assert "p:darnell whitfield" in decision.features["shared"]
    assert decision.features["best_article"] == 1


def test_an_article_matching_two_events_merges_them():
    index = linkmemory.MemoryIndex()
    a = features(CHICAGO_2014, date(2014, 6, 9))
    index.link(1, a)
    # the same coverage filed as a second event (as a concurrent split would leave it)
    index.articles[2], index.event_of[2] = a, 99
    for key in linking.index_keys(a, linking.Weights(index.df, index.documents)):
        index.postings[key].append((a.day, 2))
    decision = index.link(3, features(CHICAGO_2014_FOLLOWUP, date(2014, 6, 10)))
    assert decision.merge == [99] and decision.decision == "merged"
    assert index.event_of[1] == index.event_of[2] == index.event_of[3] == 1


def _bench_args(data_dir: Path, **values) -> argparse.Namespace:
    defaults = dict(
        file=str(data_dir / "gvc-dev.jsonl.gz"), limit=None, last=None, seeds=None, seed_date="2018-02-08", scale=None, probes=20, json=True
    )
    defaults.update(values)
    return argparse.Namespace(**defaults)


def test_storage_backed_linker_matches_the_in_memory_one(data_dir, sqlite_store):
    """Same stream, same partition: the SQLite index and the memory index implement one linker."""
    from bench import linking as bench_linking

    records = bench_linking.read_records(data_dir / "gvc-dev.jsonl.gz")[:120]
    for record in records:
        record["clean_text"] = bench_linking.clean(record)
    ids = bench_linking.insert_articles(records, "extracted")
    from tasks.link import link_article

    for article_id in ids:
        link_article(article_id)
    with session_scope() as session:
        stored = dict(session.execute(select(ArticleEvent.article_id, ArticleEvent.event_id)).all())
    memory = linkmemory.MemoryIndex()
    for article_id, record in zip(ids, records):
        memory.link(article_id, linking.article_features(record["title"], record["clean_text"], date.fromisoformat(record["published"])))

    def partition(assignment):
        groups = {}
        for article_id, event_id in assignment.items():
            groups.setdefault(event_id, set()).add(article_id)
        return sorted(sorted(g) for g in groups.values())

    assert partition(stored) == partition({a: memory.event_of[a] for a in ids})


def test_seeds_interleaved_with_gvc_form_one_event_nothing_else_joins(data_dir, seeds_dir):
    from bench import linking as bench_linking

    # the newest 300 articles of the file, with the seeds dated 2018-02-08.. interleaved among them
    result = bench_linking.run_quality(_bench_args(data_dir, last=300, seeds=str(seeds_dir)))
    assert result["seed_articles"] == 5
    assert result["seed_events"] == 1, result
    assert result["seed_event_other_articles"] == 0, result


def _ingest(*targets):
    return list(receive_all(iter_items([str(t) for t in targets])))


def test_move_an_article_and_the_ledgers_follow(sqlite_store, seeds_dir):
    receipts = _ingest(seeds_dir)
    moved = receipts[1].article_id
    with session_scope() as session:
        [old_event] = session.scalars(select(Event)).all()
        new_event = eventmerges.move_article(session, moved, None, reason="test: wrongly linked")
    with session_scope() as session:
        old, new = session.get(Event, old_event.id), session.get(Event, new_event)
        assert old.article_count == 4 and new.article_count == 1
        assert [a["id"] for a in new.ledger["articles"]] == [moved]
        assert moved not in [a["id"] for a in old.ledger["articles"]]
        link = session.get(ArticleEvent, moved)
        assert link.event_id == new_event and link.decision == "moved" and link.features["moved_from"] == old.id
        assert session.scalar(select(func.count()).select_from(ArticleMove)) == 1
        # and back again: into the old event
        assert eventmerges.move_article(session, moved, old.id, reason="test: back") == old.id
    with session_scope() as session:
        assert session.get(Event, old_event.id).article_count == 5
        assert len(session.get(Event, old_event.id).ledger["articles"]) == 5


def test_merge_events_records_the_merge_and_rebuilds_the_ledger(sqlite_store, seeds_dir):
    receipts = _ingest(seeds_dir)
    with session_scope() as session:
        [event] = session.scalars(select(Event)).all()
        split = eventmerges.move_article(session, receipts[0].article_id, None, reason="test split")
        eventmerges.move_article(session, receipts[2].article_id, split, reason="test split")
    with session_scope() as session:
        survivor = eventmerges.merge_events(session, split, event.id, reason="test: later coverage shows one event", score=0.97)
    with session_scope() as session:
        assert survivor == event.id
        assert session.get(Event, split).merged_into_id == event.id
        assert session.get(Event, event.id).article_count == 5
        assert len(session.get(Event, event.id).ledger["articles"]) == 5
        merge = session.scalars(select(EventMerge)).one()
        assert (merge.from_event_id, merge.into_event_id, merge.score) == (split, event.id, 0.97)
        assert set(session.scalars(select(ArticleEvent.event_id))) == {event.id}


def test_the_link_stage_merges_a_split_event(sqlite_store, seeds_dir):
    """Two events that a new article shows to be one are merged by the link stage itself."""
    first = _ingest(seeds_dir / "000_33ae1f9e66d21cca.txt", seeds_dir / "003_8490cff0c32bc629.txt")
    with session_scope() as session:
        eventmerges.move_article(session, first[1].article_id, None, reason="test: simulate a split")
    saved = linking.MERGE_THRESHOLD
    try:
        linking.MERGE_THRESHOLD = 0.3  # the seeds are long articles on one event; any clear double match will do
        _ingest(seeds_dir / "002_de3cc8737eb6b66b.txt")
    finally:
        linking.MERGE_THRESHOLD = saved
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(EventMerge)) == 1
        assert len(set(session.scalars(select(ArticleEvent.event_id)))) == 1


def test_undated_articles_are_linked_without_a_time_penalty():
    index = linkmemory.MemoryIndex()
    first = index.link(1, linking.article_features(*CHICAGO_2014, None))
    second = index.link(2, linking.article_features(*CHICAGO_2014_FOLLOWUP, datetime(2014, 6, 10)))
    assert second.event_id == first.event_id


def test_bulk_writers_match_the_per_article_ones(sqlite_store):
    """bulk_file/bulk_count (backfills, the scale bench) leave the same index rows as file_article/count_document."""
    from storage.models import ArticleLinkFeatures, EventIndexEntry, TermFrequency

    one = features(CHICAGO_2014, date(2014, 6, 9))
    two = features(CHICAGO_2016, date(2016, 3, 5))
    keys = {1: linking.index_keys(one, linking.Weights({}, 1)), 2: linking.index_keys(two, linking.Weights({}, 1))}

    def snapshot(session):
        return (
            sorted(session.execute(select(EventIndexEntry.key_hash, EventIndexEntry.bucket, EventIndexEntry.article_id)).all()),
            sorted(session.execute(select(TermFrequency.key_hash, TermFrequency.df)).all()),
            sorted(session.execute(select(ArticleLinkFeatures.article_id, ArticleLinkFeatures.day)).all()),
        )

    from storage.models import Article, Event, utcnow

    def base_rows(session):
        for number in (1, 2):
            session.add(Event(id=number, headline="x", first_seen=utcnow(), last_seen=utcnow(), profile={}, ledger={}))
            session.add(Article(id=number, identity=f"bulk:{number}", source_kind="text", status="stored"))
        session.flush()

    with session_scope() as session:
        base_rows(session)
        for number, f in ((1, one), (2, two)):
            eventindex.file_article(session, number, number, f, keys[number])
            eventindex.count_document(session, number, f.keys)
        single = snapshot(session)
        session.rollback()
    with session_scope() as session:
        base_rows(session)
        bulkwrite.bulk_file(session, [(1, 1, one, keys[1]), (2, 2, two, keys[2])])
        counts: dict[int, int] = {}
        for number, f in ((1, one), (2, two)):
            for h in {linking.key_hash(k) for k in linking.counted_keys(f.keys)}:
                counts[h] = counts.get(h, 0) + 1
        # count_document puts each document on its own shard (article id % 16); the bulk count on shard 0
        bulkwrite.bulk_count(session, counts, 2)
        bulk = snapshot(session)
        session.rollback()
    assert single[0] == bulk[0] and single[2] == bulk[2]
    by_hash = lambda rows: ({h: d for h, d in rows if h >= eventindex.COUNT_SHARDS}, sum(d for h, d in rows if h < eventindex.COUNT_SHARDS))
    assert by_hash(single[1]) == by_hash(bulk[1])


def test_scale_bench_fills_and_links(data_dir, monkeypatch):
    """`bench linking --scale` on SQLite, small: copies stay apart, some probes join stored events, some open."""
    from bench import linking as bench_linking

    args = argparse.Namespace(
        file=str(data_dir / "gvc-dev.jsonl.gz"), scale=300, probes=30, store="sqlite", admin_url=None, events_per_day=100
    )
    result = bench_linking.run_scale(args)
    assert result["scale_events"] == 300 and result["probes"] == 30
    assert result["probes_joined"] > 0 and result["probes_opened"] > 0
    assert result["link_ms_p99"] > 0


# --------------------------------------------------------------------------------------- any news, any date

HARBOUR_FIRE = (
    "Warehouse fire in Rotterdam kills four workers",
    "Four workers died when a fire tore through a textile warehouse in Rotterdam on March 3, the port "
    "authority said. Firefighter Pieter Jansen said the blaze started in a loading bay of the Maasvlakte depot. "
    "The dead were employees of the Verhoeven logistics company. An inquiry into the cause has been opened.",
)
HARBOUR_FIRE_SECOND = (
    "Four dead as blaze guts Rotterdam warehouse",
    "A blaze at a Maasvlakte warehouse in Rotterdam killed four Verhoeven employees on March 3. "
    "Pieter Jansen of the fire brigade said the fire spread from a loading bay within minutes. "
    "Investigators are looking into the cause of the fire at the textile depot.",
)
OTHER_FIRE = (
    "Warehouse fire in Antwerp kills two workers",
    "Two workers died when a fire tore through a furniture warehouse in Antwerp on October 19, the city "
    "said. Fire chief Lotte Claes said the blaze started in the storage hall of the Kallo depot. "
    "The dead were employees of the Desmet transport company. An inquiry into the cause has been opened.",
)


def test_years_and_month_days_are_keys_even_without_a_date_of_its_own():
    f = linking.article_features("Dam breaks after storm", "The dam, finished in 1987, gave way on August 14 after two days of rain.", None)
    assert {"y:1987", "m:8-14"} <= f.keys
    assert not any(k.startswith("d:") for k in f.keys)  # no date of its own: no resolved dates


def test_the_lead_names_and_numbers_are_its_own_the_background_is_not():
    title, text = (
        "Ferry sinks off Sulawesi, 12 missing",
        (
            "A ferry carrying 140 passengers sank near Sulawesi on Tuesday. Rescuers from Makassar pulled 128 people "
            "from the water. Three years ago a similar ferry went down near Lombok with 40 people on board."
        ),
    )
    f = linking.article_features(title, text, None)
    assert {"l:sulawesi", "l:makassar", "q:12", "q:140", "q:128"} <= f.keys
    assert "c:lombok" in f.keys and "l:lombok" not in f.keys  # the earlier disaster is background
    assert "q:40" not in f.keys


def test_two_incidents_of_one_kind_without_dates_stay_apart_and_a_second_report_joins_its_own():
    index = linkmemory.MemoryIndex()
    first = index.link(1, features(HARBOUR_FIRE, None))
    other = index.link(2, features(OTHER_FIRE, None))
    second = index.link(3, features(HARBOUR_FIRE_SECOND, None))
    assert other.decision == "new", other.features
    assert second.event_id == first.event_id, second.features
    assert second.event_id != other.event_id


def test_an_article_counted_twice_in_the_embedded_store_is_counted_once(sqlite_store):
    from storage.models import TermFrequency

    one = features(CHICAGO_2014, date(2014, 6, 9))
    with session_scope() as session:
        assert eventindex.count_document(session, 1, one.keys) is True
        first = sorted(session.execute(select(TermFrequency.key_hash, TermFrequency.df)).all())
        assert eventindex.count_document(session, 1, one.keys) is False
        assert sorted(session.execute(select(TermFrequency.key_hash, TermFrequency.df)).all()) == first
    assert eventindex.count_document_now(1, one.keys) is False
    assert eventindex.count_document_now(2, one.keys) is True


def test_conflicting_specifics_count_against_a_pair_shared_ones_for_it():
    first, second, other = (features(pair, None) for pair in (HARBOUR_FIRE, HARBOUR_FIRE_SECOND, OTHER_FIRE))
    weights = linking.Weights({}, 3)
    index = {name: n for n, name in enumerate(linkscore.PAIR_FEATURES)}
    same, _ = linkscore.pair_vector(first, second, weights)
    apart, _ = linkscore.pair_vector(first, other, weights)
    assert same[index["lead_names_shared"]] >= 2 and apart[index["lead_names_shared"]] == 0
    assert apart[index["lead_name_miss"]] == 1.0 and same[index["lead_name_miss"]] < 0.5
    assert apart[index["lead_number_conflict"]] == 1.0 and same[index["lead_number_conflict"]] == 0.0
    assert apart[index["monthday_conflict"]] == 1.0 and same[index["monthday_agree"]] == 1.0
    assert linkscore.similarity(first, second, weights)[0] > linking.JOIN_THRESHOLD > linkscore.similarity(first, other, weights)[0]


def test_the_pair_weights_are_data_written_by_the_refit_command(tmp_path):
    from bench.fit_linker import write_weights

    shipped = json.loads(linkscore.WEIGHTS_FILE.read_text("utf-8"))
    assert set(shipped["weights"]) == set(linkscore.PAIR_FEATURES)
    assert linkscore.load_pair_weights() == linkscore.PAIR_WEIGHTS
    values = [round(0.1 * n, 1) for n in range(len(linkscore.PAIR_FEATURES))]
    write_weights(values, ["a-file"], tmp_path / "weights.json")
    assert linkscore.load_pair_weights(tmp_path / "weights.json") == tuple(values)
    from bench.fit_linker import set_weights

    chosen = set_weights(values, ["late_unanchored=-2", "lead_age_conflict=-0.7"])
    changed = {linkscore.PAIR_FEATURES[n]: v for n, (v, old) in enumerate(zip(chosen, values)) if v != old}
    assert changed == {"late_unanchored": -2.0, "lead_age_conflict": -0.7}


def test_the_tfidf_reference_links_by_cosine_without_a_date_window():
    from bench.linking import tfidf_reference

    texts = [
        ("a", "Glacier collapse buries climbers near Zermatt guides say rescue continues"),
        ("b", "Bank robbery in Lisbon suspects flee with cash police hunt continues"),
        ("a", "Zermatt glacier collapse: climbers buried, guides lead rescue"),
        ("b", "Lisbon bank robbery suspects still hunted by police after fleeing with cash"),
    ]
    records = [{"event": event, "title": None, "clean_text": text} for event, text in texts]
    reference = tfidf_reference(records, thresholds=(0.1, 0.99))
    assert reference["threshold"] == 0.1 and reference["bcubed_f1"] == 1.0
    assert reference["by_threshold"]["0.99"]["bcubed_f1"] < 1.0


def test_an_event_scores_by_how_well_its_articles_agree_not_by_one_of_them():
    new, same, other = (features(pair, None) for pair in (HARBOUR_FIRE_SECOND, HARBOUR_FIRE, OTHER_FIRE))
    weights = linking.Weights({}, 3)
    one = linking.score_events(new, [linking.Candidate(1, 7, same)], weights)[0]
    mixed = linking.score_events(new, [linking.Candidate(1, 7, same), linking.Candidate(2, 7, other)], weights)[0]
    assert one.best_pair == mixed.best_pair and one.article_id == mixed.article_id == 1
    assert mixed.score < one.score  # the event's other article is another fire: less agreement


def _vector(left, right, weights=None):
    vector, _ = linkscore.pair_vector(left, right, weights or linking.Weights({}, 3))
    return dict(zip(linkscore.PAIR_FEATURES, vector))


def test_the_lead_gives_the_ages_of_whom_the_story_is_about():
    f = linking.article_features(
        "Boy, 7, wounded in Lisbon market blast",
        "A 7-year-old boy was wounded when a gas canister exploded at a market in Lisbon on Friday, police said. "
        "He was taken to Santa Maria hospital. In a similar blast last year a 64-year-old vendor died.",
        None,
    )
    assert "g:7" in f.keys and "a:64" in f.keys and "g:64" not in f.keys  # the earlier victim is background


def test_two_leads_about_victims_of_different_ages_are_two_incidents():
    boy = linking.article_features("Boy, 16, shot on Far South Side", "A 16-year-old boy was shot in the head Sunday, police said.", None)
    same = linking.article_features("Teen shot in head dies", "The 16-year-old shot Sunday on the Far South Side died, police said.", None)
    girl = linking.article_features("Girl, 8, shot on Far South Side", "An 8-year-old girl was shot in the leg Sunday, police said.", None)
    assert _vector(boy, girl)["lead_age_conflict"] == 1.0
    assert _vector(boy, same)["lead_age_conflict"] == 0.0
    no_age = linking.article_features("Shooting on Far South Side", "A boy was shot Sunday, police said.", None)
    assert _vector(boy, no_age)["lead_age_conflict"] == 0.0  # one lead gives no age: no evidence either way


FURNITURE = (
    " Whenever Valerie Hahn posts new content, you'll get an email delivered to your inbox with a link. "
    "Email notifications are only sent once a day, and only if there are new matching items."
)
FLOOD = (
    "Flood kills 4 in Sylhet villages",
    "Four people drowned on June 12 when the Surma burst its banks near Sylhet, officials said. Rahim Uddin, "
    "a farmer, lost his house on Kanaighat Road." + FURNITURE,
)
FLOOD_FOLLOWUP = (
    "Families of Sylhet flood victims still waiting for aid",
    "Months after the Surma flood of June 12 killed four people, families near Sylhet say aid never came, "
    "Rahim Uddin among them." + FURNITURE,
)
OTHER_STORY = (
    "Ferry capsizes on the Meghna, 9 missing",
    "A ferry carrying 60 passengers capsized on the Meghna near Chandpur on Monday, the coast guard said. "
    "Divers recovered three bodies." + FURNITURE,
)


def test_months_apart_a_pair_needs_the_incident_itself_not_the_outlets_page_furniture():
    flood = linking.article_features(*FLOOD, date(2016, 6, 13))
    followup = linking.article_features(*FLOOD_FOLLOWUP, date(2016, 10, 20))
    ferry = linking.article_features(*OTHER_STORY, date(2016, 10, 20))
    ferry_soon = linking.article_features(*OTHER_STORY, date(2016, 6, 20))
    assert "c:hahn" in flood.keys & ferry.keys  # the newsletter's reporter: shared by every story of the outlet
    assert _vector(ferry, flood)["late_unanchored"] == 1.0
    assert _vector(followup, flood)["late_unanchored"] == 0.0  # it gives the incident's date and its people again
    assert _vector(ferry_soon, flood)["late_unanchored"] == 0.0  # within 45 days the other features judge
    weights = linking.Weights({}, 3)
    index = {name: n for n, name in enumerate(linkscore.PAIR_FEATURES)}
    unanchored, _ = linkscore.pair_vector(ferry, flood, weights)
    anchored = list(unanchored)
    anchored[index["late_unanchored"]] = 0.0
    z = sum(w * v for w, v in zip(linkscore.PAIR_WEIGHTS, unanchored)) - sum(w * v for w, v in zip(linkscore.PAIR_WEIGHTS, anchored))
    assert z < 0  # the fitted model counts it against the pair


def test_rare_headline_words_both_headlines_share_count_for_the_pair():
    # Title Case headlines keep no names ("Bhola" opens one, is title-cased in the other, the bodies never
    # repeat it): the rare words the two headlines share still say which story they tell
    sinking = linking.article_features(
        "Bhola ferry sinks in storm, 12 missing", "Divers searched the river on Monday, officials said.", None
    )
    toll = linking.article_features("Toll Rises In Bhola Ferry Sinking", "Rescuers recovered more bodies on Tuesday, officials said.", None)
    other = linking.article_features("Ferry sinks near Chandpur, 5 missing", "Divers searched the river on Monday, officials said.", None)
    weights = linking.Weights({"h:ferry": 40, "h:sinks": 30, "h:missing": 30}, 100)  # words of many headlines
    assert "c:bhola" not in sinking.keys & toll.keys
    assert _vector(sinking, toll, weights)["rare_title_words"] == 1.0  # bhola; not the common "ferry"
    assert _vector(sinking, other, weights)["rare_title_words"] == 0.0  # ferry, sinks, missing: all common
    assert _vector(sinking, other, linking.Weights({}, 100))["rare_title_words"] == 3.0  # rare in a store that has none
    assert linkscore.PAIR_WEIGHTS[linkscore.PAIR_FEATURES.index("rare_title_words")] > 0  # counts for the pair


SIGNUP = (
    "By submitting your registration information, you agree to our Terms of Service and Privacy Policy. "
    "Already a subscriber? Log in to continue reading."
)


def test_two_pages_whose_bodies_are_not_their_stories_are_not_joined_by_what_the_bodies_share():
    # the crawl kept an outlet's sign-up form instead of the story: the bodies repeat neither headline
    quake = linking.article_features("Quake in Sulawesi kills 12", SIGNUP, date(2018, 9, 2))
    ferry = linking.article_features("Ferry capsizes off Bhola, dozens missing", SIGNUP, date(2018, 9, 4))
    toll = linking.article_features("Sulawesi quake toll rises to 30", SIGNUP, date(2018, 9, 3))
    story = linking.article_features(
        "Quake in Sulawesi kills 12", "A strong quake struck Sulawesi on Sunday, killing 12 people, officials said.", date(2018, 9, 2)
    )
    assert "z:unrelated" in quake.keys and "z:unrelated" not in story.keys
    assert "p:privacy policy" in quake.keys & ferry.keys
    assert _vector(quake, ferry)["unrelated_page"] == 1.0  # only the form ties them
    assert _vector(quake, toll)["unrelated_page"] == 0.0  # their headlines tell one story
    assert _vector(quake, story)["unrelated_page"] == 0.0  # one page is a story
    assert linkscore.PAIR_WEIGHTS[linkscore.PAIR_FEATURES.index("unrelated_page")] < 0  # counts against the pair


def test_link_errors_names_the_split_and_the_pair_that_decided_it():
    from bench.link_errors import link_errors, summary

    stream = [
        ("chicago-2014", features(CHICAGO_2014, date(2014, 6, 9))),
        ("chicago-2016", features(CHICAGO_2016, date(2016, 3, 6))),
        (
            "chicago-2014",
            features(("Police chief speaks at community meeting", "The chief spoke to residents on Tuesday."), date(2014, 6, 10)),
        ),
    ]
    errors = link_errors(stream)
    assert [(e.kind, e.article) for e in errors] == [("split/retrieved", 3)]  # retrieved, but it names nothing of the incident
    pair = errors[0].own_incident
    assert pair.article == 1 and pair.gap_days == 1 and pair.logit < 0
    assert summary(errors)["errors"] == {"split/retrieved": 1}


class _Recorded:
    """An in-memory index that records, with the locks taken, the order of its reads and the frequencies it gave."""

    def __init__(self, index, calls):
        self.index, self.calls = index, calls

    def document_frequencies(self, keys):
        found = self.index.document_frequencies(keys)
        self.calls.append(("read", found))
        return found

    def candidates(self, keys, day, limit_per_key):
        return self.index.candidates(keys, day, limit_per_key)

    def load(self, article_ids):
        return self.index.load(article_ids)


def test_a_hint_chooses_the_locks_before_the_read_and_decides_nothing():
    """With a hint, the locks come first (chosen by the hint's frequencies), then the read; the keys the read chooses
    that the hint missed are locked, and the frequencies read again. The decision and the keys filed under are those
    of a decision without locks."""
    index = _two_chicago_shootings()
    later = features(CHICAGO_2014_FOLLOWUP, date(2014, 6, 10))
    plain, plain_keys = linking.decide(later, index)
    wanted = linking.choose_keys(later, *index.document_frequencies(linking.counted_keys(later.keys))).locked()

    # a hint that knows nothing guesses every telling key (fewer than LOOKUP_KEYS here); one that holds the counted
    # keys as common misses some
    for hint, guess_right in ((linking.FrequencyHint(), True), (_misleading_hint(later), False)):
        calls = []
        decision, keys = linking.decide(later, _Recorded(index, calls), lock=_locks_into(calls), hint=hint)
        assert (decision.event_id, decision.score, decision.features, keys) == (plain.event_id, plain.score, plain.features, plain_keys)
        assert [kind for kind, _ in calls] == (["lock", "read"] if guess_right else ["lock", "read", "lock", "read"])
        assert (calls[0][1] >= set(wanted)) is guess_right and (guess_right or calls[2][1] == set(wanted))
        read, documents = calls[-1][1]
        assert hint.df.items() >= read.items() and hint.documents == documents  # remembered for the next article

    calls = []
    linking.decide(later, _Recorded(index, calls), lock=_locks_into(calls), hint=hint)
    assert calls[0] == ("lock", set(wanted)) and len(calls) == 2  # a hint as of the same frequencies guesses them all


def test_a_key_the_hint_missed_counted_before_its_lock_is_weighed():
    """Another link counts an article sharing the keys the guess missed before this link locks them: the frequencies
    read again after those locks weigh it, as a decision made after that article would."""
    index = _two_chicago_shootings()
    later = features(CHICAGO_2014_FOLLOWUP, date(2014, 6, 10))
    calls = []

    def lock(keys):
        calls.append(("lock", set(keys)))
        if len(calls) == 3:  # the missed keys: an article that has them linked and counted just before their lock
            index.link(3, features(CHICAGO_2014, date(2014, 6, 9)))

    decision, keys = linking.decide(later, _Recorded(index, calls), lock=lock, hint=_misleading_hint(later))
    assert [kind for kind, _ in calls[:4]] == ["lock", "read", "lock", "read"] and calls[-1][0] == "read"
    assert calls[1][1] != calls[-1][1]
    after, after_keys = linking.decide(later, index)
    assert (decision.event_id, decision.score, decision.features, keys) == (after.event_id, after.score, after.features, after_keys)


def _two_chicago_shootings() -> linkmemory.MemoryIndex:
    index = linkmemory.MemoryIndex()
    for number, (pair, when) in enumerate([(CHICAGO_2014, date(2014, 6, 9)), (CHICAGO_2016, date(2016, 3, 5))], 1):
        index.link(number, features(pair, when))
    return index


def _locks_into(calls):
    return lambda keys: calls.append(("lock", set(keys)))


def _misleading_hint(article) -> linking.FrequencyHint:
    """A hint that holds the article's rarest keys as common."""
    hint = linking.FrequencyHint()
    hint.remember({key: 1000 for key in linking.counted_keys(article.keys)}, 1000)
    return hint


def test_a_frequency_hint_forgets_everything_at_its_bound():
    hint = linking.FrequencyHint(limit=3)
    hint.remember({"w:a": 1, "w:b": 2}, 5)
    hint.remember({"w:b": 3}, 6)
    assert hint.df == {"w:a": 1, "w:b": 3} and hint.documents == 6
    hint.remember({"w:c": 1, "w:d": 1}, 7)
    assert hint.df == {"w:c": 1, "w:d": 1} and hint.documents == 7


def test_two_furniture_pages_need_two_headline_words_in_common_one_is_only_the_place():
    # both crawls kept the sign-up form; the headlines share only the city, as every story of that outlet does
    crash = linking.article_features("Bus crash in Sylhet injures 20", SIGNUP, date(2018, 9, 3))
    flood = linking.article_features("Flood kills 3 in Sylhet", SIGNUP, date(2018, 9, 2))
    toll = linking.article_features("Sylhet flood toll rises to 9", SIGNUP, date(2018, 9, 4))
    assert _vector(crash, flood)["unrelated_page"] == 1.0  # sylhet only
    assert _vector(toll, flood)["unrelated_page"] == 0.0  # sylhet and flood: one story told twice
    common = linking.Weights({"h:flood": 60}, 100)  # a word of many headlines does not vouch
    assert _vector(toll, flood, common)["unrelated_page"] == 1.0


def test_times_of_day_are_keys_in_minutes_after_midnight():
    found = linkfeatures.clock_keys("shortly after 8:18 p.m. Sunday, about 1 a.m., at noon, at 11.30pm and 12 a.m.")
    assert found == {"o:1218", "o:60", "o:720", "o:1410", "o:0"}
    assert linkfeatures.clock_keys("The 2 amendments and 5 America-bound flights; a 2:03 video") == set()
    assert linkfeatures.clock_keys("Room 123 AM; logged at 04:10:30 AM") == set()  # parts of longer numbers


ATHENS_MORNING = (
    "Bomb blast outside bank in central Athens",
    "A bomb exploded outside a bank on Stadiou Street in central Athens at about 9:30 a.m. on Tuesday, police said.",
)
ATHENS_MORNING_AGAIN = (
    "Athens bank bomb: police seek two men",
    "Police are looking for two men seen near the bank on Stadiou Street shortly before the bomb went off at 9:40 a.m. Tuesday.",
)
ATHENS_NIGHT = ("Second bomb hits Athens", "A bomb exploded outside a tax office in central Athens at 11 p.m. on Tuesday, police said.")


def test_times_of_day_at_odds_count_against_a_pair_alike_or_untold_they_do_not():
    when = date(2024, 6, 18)
    morning, again, night = (linking.article_features(*story, when) for story in (ATHENS_MORNING, ATHENS_MORNING_AGAIN, ATHENS_NIGHT))
    untold = linking.article_features("Athens blast", "A bomb went off in central Athens on Tuesday, police said.", when)
    assert _vector(night, morning)["clock_conflict"] == 1.0  # 11 p.m. and 9:30 a.m.: two blasts
    assert _vector(again, morning)["clock_conflict"] == 0.0  # 9:40 and 9:30: one time told twice
    assert _vector(untold, morning)["clock_conflict"] == 0.0  # no time: no evidence either way
    assert linkscore.clock_conflict(frozenset({1430}), frozenset({10})) == 0.0  # 11:50 p.m. and 12:10 a.m.
    assert linkscore.PAIR_WEIGHTS[linkscore.PAIR_FEATURES.index("clock_conflict")] < 0  # counts against the pair
    assert linkscore.TYPE_WEIGHTS["o"] == 0.0  # read by its feature only: neither cosine nor retrieval


def test_a_time_of_day_far_down_the_page_is_not_the_incidents():
    # the report's own time is told early; further down, the time of a funeral or an arrest
    when = date(2024, 7, 6)
    told = (
        "Ferry capsizes on the Meghna, 12 missing",
        "A ferry carrying about 40 passengers capsized on the Meghna river near Chandpur at about 11 p.m. on Friday. "
        "Rescuers pulled 28 people from the water. Twelve are still missing. Divers resumed the search at dawn. "
        "The ferry had left Dhaka in the afternoon. Its owner could not be reached.",
    )
    funeral = (
        "Meghna ferry victims mourned in Chandpur",
        "Hundreds gathered in Chandpur to mourn the victims of the ferry that capsized on the Meghna river. "
        "Twelve passengers are still missing. Relatives waited on the bank through the night. The ferry had left "
        "Dhaka on Friday afternoon. Officials said an inquiry would be opened. Rescuers pulled 28 people from the water. "
        "The river was high after a week of rain. Two other ferries had sunk on the Meghna this year. The owner was "
        "questioned by police. A vigil was held on the bank. Prayers for the dead will be held at the central mosque "
        "at 9 a.m. on Sunday.",
    )
    first, later = (linking.article_features(*story, when) for story in (told, funeral))
    assert "o:1380" in first.keys  # 11 p.m., in the lead
    assert not any(key.startswith("o:") for key in later.keys)  # the prayers' 9 a.m., eleventh sentence
    assert _vector(later, first)["clock_conflict"] == 0.0
    assert linkfeatures.CLOCK_SENTENCES < 11


SYLHET_FIRST = (
    "Flash floods cut off villages in Sunamganj",
    "Flash floods from the hills cut off hundreds of villages in Sunamganj district on Tuesday, officials said. "
    "The Surma river rose above the danger mark at Chhatak, and the district administrator Rahima Begum opened "
    "twelve shelters. Boats from the fire service reached Dowarabazar by evening.",
)
SYLHET_FOLLOWUP = (
    "Sunamganj floods: villagers return as the Surma falls",
    "Villagers cut off by the flash floods in Sunamganj district began returning home on Friday as the Surma fell "
    "below the danger mark at Chhatak, district administrator Rahima Begum said. Floods have struck the region "
    "before: Sirajganj, Kurigram, Gaibandha, Jamalpur, Bogura, Netrokona and Moulvibazar went under in other years.",
)
UNRELATED = ("Bus falls into a ditch near Comilla", "A bus fell into a ditch near Comilla on Monday, police said.")


class _Outvoted:
    """An index whose retrieval ranks the follow-up's first report below 39 others (background names it shares
    with each of them twice, its own incident's once)."""

    def __init__(self, first, other):
        self.first, self.other = first, other

    def document_frequencies(self, keys):
        return {k: 2 for k in keys}, 1000

    def candidates(self, keys, day, limit_per_key):
        postings = [(keys[0], 1)]
        for article_id in range(2, 41):
            postings += [(keys[0], article_id), (keys[1], article_id)]
        return postings

    def load(self, article_ids):
        return [linking.Candidate(a, a, self.first if a == 1 else self.other) for a in sorted(article_ids)]


def test_the_first_report_is_scored_even_when_forty_background_matches_outvote_it():
    first = features(SYLHET_FIRST, date(2022, 6, 14))
    index = _Outvoted(first, features(UNRELATED, date(2022, 6, 13)))
    decision, _ = linking.decide(features(SYLHET_FOLLOWUP, date(2022, 6, 17)), index)
    assert decision.features["candidates"] == 40
    assert decision.event_id == 1, decision.features


ATHENS_BOMB = (
    "Bomb damages bank in central Athens",
    "A bomb exploded outside a bank on Stadiou Street in central Athens early on Monday. (Photo: Nikos Papadakis / Kathimerini) "
    "No one was hurt, police said, after a warning call to a newspaper.\n"
    "Call Kathimerini reporter Eleni Varvitsioti at (210) 480-8000.\n"
    "Follow Eleni Varvitsioti on Twitter.",
)
ATHENS_FIRE = (
    "Fire guts warehouse in Piraeus",
    "Firefighters battled a blaze at a warehouse in the port of Piraeus on Saturday. (Photo: Nikos Papadakis / Kathimerini) "
    "Two firefighters were treated for smoke inhalation, the fire service said.\n"
    "Call Kathimerini reporter Eleni Varvitsioti at (210) 480-8000.\n"
    "Follow Eleni Varvitsioti on Twitter.",
)


def test_a_pictures_credit_and_the_reporters_contact_lines_are_not_the_story():
    bomb = linking.article_features(*ATHENS_BOMB, date(2018, 3, 5))
    assert {"p:stadiou street", "c:athens", "t:warning"} <= bomb.keys  # the story's own
    assert not {"p:nikos papadakis", "c:papadakis", "c:varvitsioti", "p:eleni varvitsioti", "n:480", "n:8000"} & bomb.keys
    kept = linkfeatures.prose("Calls for calm grew on Monday as the toll rose to nine.\nFollow-up talks are set for Friday.")
    assert kept.count("\n") == 1  # "Calls", "Follow-up": sentences of a story, not a reporter's contact line


def test_months_apart_one_photographer_and_reporter_do_not_anchor_two_stories_of_a_city():
    # the credit sits in the lead: before keys-v11 it made the photographer a person both leads name
    bomb = linking.article_features(*ATHENS_BOMB, date(2018, 3, 5))
    fire = linking.article_features(*ATHENS_FIRE, date(2018, 8, 11))
    assert not {"c:papadakis", "c:varvitsioti"} & bomb.keys & fire.keys
    assert _vector(fire, bomb)["late_unanchored"] == 1.0
    assert _vector(fire, bomb)["person_late"] == 0.0


def test_a_toll_revised_upward_within_two_days_is_one_storys_not_a_conflict():
    # the first report's count is often raised by the next: a flood's dead, a bombing's wounded
    first = linking.article_features(
        "12 dead in Bangladesh flood", "Floods swept villages in Sylhet on Monday, officials said.", date(2017, 6, 12)
    )
    raised = linking.article_features(
        "20 dead as Bangladesh flood spreads", "Rescuers reached villages in Sylhet, officials said.", date(2017, 6, 13)
    )
    lowered = linking.article_features(
        "9 dead in Bangladesh flood", "Rescuers reached villages in Sylhet, officials said.", date(2017, 6, 13)
    )
    weeks_on = linking.article_features(
        "20 dead in Bangladesh flood", "Floods swept villages in Sylhet, officials said.", date(2017, 6, 30)
    )
    assert {"x:killed:12"} <= first.keys and {"x:killed:20"} <= raised.keys
    assert linkscore.revised_tolls(raised, first) == {"killed"}
    assert _vector(raised, first)["facts_conflict"] == 0.0
    assert _vector(first, raised)["facts_conflict"] == 0.0  # by date, whichever came in first
    assert _vector(lowered, first)["facts_conflict"] == 1.0  # fewer later: another toll
    assert _vector(weeks_on, first)["facts_conflict"] == 1.0  # weeks apart: another incident
    wounded = linking.article_features("3 injured in Athens bank bombing", "A bomb exploded on Stadiou Street.", date(2018, 3, 5))
    more = linking.article_features("5 injured in Athens bombing", "A bomb exploded outside a bank.", date(2018, 3, 5))
    undated = linking.article_features("5 injured in Athens bombing", "A bomb exploded outside a bank.", None)
    assert _vector(more, wounded)["facts_conflict"] == 0.0
    assert _vector(undated, wounded)["facts_conflict"] == 1.0  # no dates, no direction: the counts are at odds


VIDEO_LIST = (  # the lines of a video list, each long enough to pass for prose
    "0:43 Harbour crane collapses in Valencia port after a storm lashes the coast overnight\n\n"
    "1:47 Mayor Joan Ribó opens the new Turia bridge to traffic and cyclists this morning\n\n"
    "2:40 Raw video: fishermen rescue a stranded dolphin near Cullera beach at dawn today\n\n"
    "1:58 Fallas fireworks light up the Plaza del Ayuntamiento as thousands of visitors watch"
)


def test_one_body_under_two_headlines_months_apart_is_the_outlets_furniture():
    # the crawl kept the outlet's video list, not the stories: months apart, two stories do not have one text
    fire = linking.article_features("Wildfire forces evacuations near Valencia", VIDEO_LIST, date(2016, 1, 7))
    crash = linking.article_features("Bus crash kills 4 on road out of Valencia", VIDEO_LIST, date(2016, 5, 2))
    crash_soon = linking.article_features("Bus crash kills 4 on road out of Valencia", VIDEO_LIST, date(2016, 1, 12))
    grown = linking.article_features(
        "Bus crash kills 4 on road out of Valencia",
        "0:27 Port workers strike for a second day as ships wait outside the harbour\n\n" + VIDEO_LIST,
        date(2016, 5, 2),
    )
    followup = linking.article_features(
        "Valencia wildfire evacuees return home",
        "Residents evacuated from Serra in January returned on Monday, the regional government said.",
        date(2016, 5, 2),
    )
    assert len(fire.body()) >= linkscore.TWIN_BODY and "c:valencia" in fire.keys & crash.keys
    assert _vector(crash, fire)["late_twin"] == 1.0
    assert _vector(grown, fire)["late_twin"] == 1.0  # the list grew by a video: the smaller body is all in the other
    assert _vector(crash_soon, fire)["late_twin"] == 0.0  # within 45 days the other features judge
    assert _vector(followup, fire)["late_twin"] == 0.0  # a story of its own
    assert _vector(fire, fire.__class__(fire.keys, crash.day, fire.dates))["late_twin"] == 0.0  # one headline: one story
    assert linkscore.PAIR_WEIGHTS[linkscore.PAIR_FEATURES.index("late_twin")] < 0  # counts against the pair


def test_one_street_in_every_report_of_it_and_a_court_is_not_a_street():
    # "Stadiou Street" and "West Stadiou Street", "4900 S First Street" and "1st Street": one street; a court that
    # sits ("Athens Criminal Court") is where a trial is held, not where the bomb went off
    assert linkfeatures.street_core("s:west stadiou street") == linkfeatures.street_core("s:stadiou street") == "stadiou street"
    assert linkfeatures.street_core("s:4900 s first street") == "1st street"
    assert linkfeatures.street_core("s:north street") == "north street"  # the street's own name is kept
    assert linkfeatures.street_core("s:athens criminal court") == ""
    blast = linking.article_features(
        "Bomb damages bank in Athens",
        "A bomb exploded outside a bank on West Stadiou Street early on Monday, police said.",
        date(2018, 3, 5),
    )
    named = linking.article_features(
        "Athens bank bomb: two held", "Police held two men over the blast on Stadiou Street, officials said on Tuesday.", date(2018, 3, 6)
    )
    trial = linking.article_features(
        "Two charged over Athens bank bomb",
        "The two men appeared before the Athens Criminal Court on Wednesday over the bombing, officials said.",
        date(2018, 3, 7),
    )
    cafe = linking.article_features(
        "Bomb hits Athens cafe", "A bomb exploded outside a cafe on Ermou Street early on Friday.", date(2018, 3, 9)
    )
    assert _vector(named, blast)["street_conflict"] == 0.0
    assert _vector(trial, blast)["street_conflict"] == 0.0  # the court is no street of its own
    assert _vector(cafe, blast)["street_conflict"] == 1.0


UNWEIGHED_STREAM = [
    (FLOOD, date(2022, 6, 13)),
    (SYLHET_FIRST, date(2022, 6, 14)),
    (ATHENS_MORNING, date(2022, 6, 14)),
    (FLOOD_FOLLOWUP, date(2022, 9, 20)),
    (ATHENS_MORNING_AGAIN, date(2022, 6, 14)),
    (SYLHET_FOLLOWUP, date(2022, 6, 17)),
    (ATHENS_NIGHT, date(2022, 6, 14)),
    (OTHER_STORY, date(2022, 6, 13)),
    (ATHENS_BOMB, date(2022, 6, 13)),
    (UNRELATED, date(2022, 6, 13)),
]


def _decisions(stream):
    index = linkmemory.MemoryIndex()
    made = [index.link(number, features(pair, when)) for number, (pair, when) in enumerate(stream, 1)]
    return [(d.event_id, d.decision, d.score, d.merge, d.features) for d in made]


def test_the_frequencies_of_keys_that_weigh_nothing_are_neither_kept_nor_read_and_decide_nothing(monkeypatch):
    """Keys of kinds that weigh nothing (the lead's names and numbers, headline facts, years, times of day) count for
    a pair only by being shared: the same decisions, scores and stored features whether their frequencies are counted
    and read or not (they are not: fewer rows per article), and the same pair scores and bounds with any frequencies."""
    kept = _decisions(UNWEIGHED_STREAM)
    every_key = lambda keys: list(keys)  # noqa: E731
    monkeypatch.setattr(linking, "counted_keys", every_key)
    monkeypatch.setattr(linkmemory, "counted_keys", every_key)
    assert _decisions(UNWEIGHED_STREAM) == kept
    monkeypatch.undo()

    articles = [features(pair, when) for pair, when in UNWEIGHED_STREAM]
    unweighed = {k for f in articles for k in f.keys if not linkscore.counted(k)}
    assert {k[0] for k in unweighed} >= {"l", "q"}  # the stream has such keys
    counted = {k: 1 + len(k) % 5 for f in articles for k in linking.counted_keys(f.keys)}
    for left in articles:
        plain = linking.choose_keys(left, counted, 40).weights
        loud = linking.choose_keys(left, {**counted, **{k: 30 for k in unweighed}}, 40).weights
        for right in articles:
            shared = left.keys & right.keys
            if right is left or not shared:
                continue
            mass, loud_mass = linkscore.shared_mass(shared, plain), linkscore.shared_mass(shared, loud)
            assert linkscore.similarity(left, right, plain) == linkscore.similarity(left, right, loud)
            assert linkscore.pair_bound(left, right, plain, mass) == linkscore.pair_bound(left, right, loud, loud_mass)
            assert linkscore.coarse_bound(left, right, plain, mass) == linkscore.coarse_bound(left, right, loud, loud_mass)


def test_count_document_keeps_only_the_frequencies_scoring_reads(sqlite_store):
    from storage.models import TermFrequency

    f = features(ATHENS_MORNING, date(2022, 6, 14))
    assert any(not linkscore.counted(k) for k in f.keys)
    with session_scope() as session:
        eventindex.count_document(session, 7, f.keys)
        rows = set(session.execute(select(TermFrequency.key_hash)).scalars())
    assert rows == {linking.key_hash(k) for k in linking.counted_keys(f.keys)} | {7 % eventindex.COUNT_SHARDS}


def test_a_street_abbreviated_with_or_without_a_period_is_a_street():
    # "Patission Ave." in one report, "Patission Avenue" in the next: one street (keys-v13; the pattern's "\b" after
    # "Ave." never matched before a space, so the abbreviated street was no street at all)
    blast = linking.article_features(
        "Bomb damages bank on Patission Ave. in Athens",
        "A bomb exploded outside a bank at 120 Patission Ave. early on Monday, police said. No one was hurt.",
        date(2018, 3, 5),
    )
    named = linking.article_features(
        "Athens bank bomb: two held", "Police held two men over the blast on Patission Avenue, officials said on Tuesday.", date(2018, 3, 6)
    )
    embankment = linking.article_features(
        "Flood breaches embankment on Sylhet Rd",
        "Floodwater broke through the embankment along Airport Rd in Sylhet on Sunday, officials said.",
        date(2022, 6, 19),
    )
    assert {"s:patission avenue", "s:120 patission avenue"} <= blast.keys
    assert {"s:sylhet road", "s:airport road"} <= embankment.keys
    assert _vector(named, blast)["street_conflict"] == 0.0
    assert _vector(named, blast)["s"] > 0.0  # the street is evidence both reports share


def test_a_plural_kind_of_street_is_no_name():
    # "at Ermou and Aiolou Streets" in Athens, "at Zinda Bazar and Court Roads" in Sylhet: the plural names two
    # streets' kind, not a place, and two stories at two corners of two cities share nothing by it (keys-v13)
    athens = linking.article_features(
        "Bomb at Athens corner", "A bomb exploded at the corner of Ermou and Aiolou Streets on Monday night, police said.", date(2018, 3, 5)
    )
    sylhet = linking.article_features(
        "Flood at Sylhet corner",
        "Floodwater rose at the corner of Zinda Bazar and Court Roads on Monday, officials said. Streets were empty.",
        date(2022, 6, 13),
    )
    assert "c:streets" not in athens.keys and "c:roads" not in sylhet.keys
    assert {"c:ermou", "c:aiolou"} <= athens.keys  # the streets' own names stay
    assert "c:streets" not in athens.keys & sylhet.keys


def _ferry_and_bombing() -> tuple[linking.ArticleFeatures, linking.ArticleFeatures, linking.ArticleFeatures]:
    first = linking.article_features(
        "Ferry capsizes on Meghna river near Chandpur, 23 dead",
        "A passenger ferry carrying about 150 people capsized on the Meghna river near Chandpur on Friday, killing at "
        "least 23 people, officials said. District administrator Anjana Khan Majlish said the MV Sabbir capsized "
        "after a collision with a cargo vessel.",
        datetime(2026, 7, 3),
    )
    toll = linking.article_features(
        "Death toll from Chandpur ferry capsize rises to 31",
        "The death toll from the capsizing of the MV Sabbir on the Meghna river near Chandpur rose to 31 on Saturday, "
        "district administrator Anjana Khan Majlish said. The passenger ferry sank on Friday after a cargo vessel hit it.",
        datetime(2026, 7, 4),
    )
    bombing = linking.article_features(
        "Bomb explodes outside Athens bank, two hurt",
        "A bomb exploded outside a branch of a bank in central Athens on Saturday, injuring two people, police said. "
        "The blast on Syngrou Avenue damaged the building's facade.",
        datetime(2026, 7, 4),
    )
    return first, toll, bombing


def test_a_later_report_is_decided_again_after_its_first_report_not_after_another_story():
    """An earlier article linked late gets the later ones that could join it decided again, not those that only share
    a common key with it (here the day)."""
    first, toll, bombing = _ferry_and_bombing()
    assert toll.keys & bombing.keys  # they share a key: the reconcile reads both
    df = {key: 1 for article in (first, toll, bombing) for key in article.keys}
    df.update({key: 2000 for key in toll.keys & bombing.keys})
    assert linking.worth_deciding_again(toll, first, df, 5000)
    assert not linking.worth_deciding_again(bombing, first, df, 5000)
    assert not linking.worth_deciding_again(toll, bombing, df, 5000)


def test_months_apart_two_pages_tied_by_their_headlines_alone_are_not_one_story():
    # what the crawl kept of each page is a caption or a dateline: only the headlines' place and kind of news tie
    # them ("found dead in Sylhet home" a year apart); a follow-up tells in its body whom it is about (keys-v14)
    first = linking.article_features("Family found dead in Sylhet flood home", "Rescue boats at the jetty", date(2022, 6, 19))
    year_on = linking.article_features("Boy found dead in Sylhet home after flood", "Villagers gather at the river", date(2023, 6, 25))
    week_on = linking.article_features("Boy found dead in Sylhet home after flood", "Villagers gather at the river", date(2022, 6, 26))
    undated = linking.article_features("Boy found dead in Sylhet home after flood", "Villagers gather at the river", None)
    named = linking.article_features(
        "Family found dead in Sylhet flood home",
        "Rahim Uddin and his two sons drowned when the embankment on Airport Road gave way, officials said on Sunday.",
        date(2022, 6, 19),
    )
    charged = linking.article_features(
        "Engineers charged over Sylhet flood deaths",
        "Two engineers were charged over the embankment on Airport Road that failed in June, drowning Rahim Uddin and his sons.",
        date(2022, 11, 2),
    )
    assert "c:sylhet" in first.keys & year_on.keys and not first.body() and not year_on.body()
    assert _vector(year_on, first)["late_headlines"] == 1.0
    assert _vector(week_on, first)["late_headlines"] == 0.0  # within 45 days the other features judge
    assert _vector(undated, first)["late_headlines"] == 0.0  # no date, no gap
    assert _vector(charged, named)["late_headlines"] == 0.0  # the charge names the drowned and the embankment's road
    assert linkscore.PAIR_WEIGHTS[linkscore.PAIR_FEATURES.index("late_headlines")] < 0  # counts against the pair


def test_numbers_at_odds_do_not_count_against_two_reports_of_one_street():
    # one report gives the house number, the other a hotline's: the street both name already says where (keys-v14)
    blast = linking.article_features(
        "Bomb blast outside Athens bank",
        "A bomb exploded outside a bank at 120 Patission Avenue on Monday night, police said.",
        date(2018, 3, 5),
    )
    hotline = linking.article_features(
        "Athens bank bomb: police ask for witnesses",
        "Police asked witnesses of the blast on Patission Avenue to call 1014, the anti-terror hotline, on Tuesday.",
        date(2018, 3, 6),
    )
    elsewhere = linking.article_features(
        "Athens bank bomb: police ask for witnesses",
        "Police asked witnesses of the blast on Stadiou Street to call 1014, the anti-terror hotline, on Tuesday.",
        date(2018, 3, 6),
    )
    months_on = linking.article_features(
        "Athens bank bomb: police ask for witnesses",
        "Police asked witnesses of the blast on Patission Avenue to call 1014, the anti-terror hotline, on Tuesday.",
        date(2018, 7, 6),
    )
    assert {"n:120", "s:patission avenue"} <= blast.keys and {"n:1014", "s:patission avenue"} <= hotline.keys
    assert _vector(hotline, blast)["number_conflict"] == 0.0
    assert _vector(elsewhere, blast)["number_conflict"] == 1.0  # no street in common: the numbers are at odds
    assert _vector(months_on, blast)["number_conflict"] == 1.0  # months apart, one street is often a city's main road
