"""`python -m bench.store_growth`: the store stage's own work over the load bench's stream (the file, then copies that
join their originals' events), replayed as the store does it: the same ledgers as building each step whole."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from bench import ledger_digest, store_growth
from claimwire import jsontext
from claimwire.extractors import extract_claims
from claimwire.ledger import build_ledger

_BLAST = (
    "A bomb exploded outside a bank in central Athens early on Tuesday, killing two security guards and wounding "
    'five passers-by, police said. "It was a terrible sound," said Maria Pappas, a shop owner on Stadiou Street.'
)
_BLAST_LATER = (
    "The death toll from Tuesday's bombing outside an Athens bank rose to three after a passer-by died in hospital, "
    "the health ministry said. Four people remain in hospital."
)
_FLOOD = (
    "Flash floods swept through three villages near Sylhet on Monday, killing 14 people, officials said. "
    "Rescue boats reached the Surma river banks by nightfall."
)


@pytest.fixture(scope="module")
def inputs_path(tmp_path_factory) -> Path:
    """The inputs `bench.ledger_digest inputs` makes (articles, their claims, the incidents' articles), here made
    from three texts in publication order without the cleaning."""
    records = [
        ("Bomb outside Athens bank kills two guards", _BLAST, "2024-03-05", 10),
        ("Athens bombing toll rises to three", _BLAST_LATER, "2024-03-06", 10),
        ("Floods kill 14 near Sylhet", _FLOOD, "2024-07-01", 20),
    ]
    articles, claims = [], []
    for number, (title, text, published, _) in enumerate(records):
        articles.append({
            "id": number + 1, "title": title, "outlet": f"outlet{number}.example", "url": f"https://outlet{number}.example/{number}",
            "source_ref": None, "published": f"{published}T00:00:00+00:00", "arrived": f"2026-01-01T00:00:0{number}+00:00",
        })  # fmt: skip
        found = extract_claims(text, title)
        claims.append([{"article_id": number + 1, **{k: c.to_dict()[k] for k in ledger_digest.CLAIM_FIELDS}} for c in found])
    assert all(claims)
    path = tmp_path_factory.mktemp("store_growth") / "inputs.pickle"
    path.write_bytes(pickle.dumps({"articles": articles, "claims": claims, "events": {"10": [0, 1], "20": [2]}}))
    return path


def test_the_copies_join_their_originals_events_and_each_store_gives_the_ledger_built_whole(inputs_path):
    inputs = pickle.loads(inputs_path.read_bytes())
    steps = store_growth.stream(inputs, 8)
    assert [(key, record) for key, record, _ in steps] == [("10", 0), ("10", 1), ("20", 2)] * 2 + [
        ("10", 0),
        ("10", 1),
    ]  # publication order
    assert [article_id for *_, article_id in steps] == list(range(1, 9))
    replay = store_growth.Replay(inputs, 8)
    replay.run()
    members = [(record, article_id) for key, record, article_id in steps if key == "10"]
    assert len(members) == 6
    whole = build_ledger(
        [store_growth.article_row(inputs, r, a) for r, a in members], [c for r, a in members for c in store_growth.claim_rows(inputs, r, a)]
    )
    assert replay.stored["10"] == jsontext.dumps(whole)
    assert [a["id"] for a in whole["articles"]] == [1, 2, 4, 5, 7, 8]


def test_the_digest_is_the_same_run_after_run_and_an_ab_of_one_tree_against_itself_agrees(inputs_path, capsys):
    path = inputs_path
    inputs = pickle.loads(path.read_bytes())
    assert store_growth.digest(inputs, 7) == store_growth.digest(inputs, 7) != store_growth.digest(inputs, 6)
    tree = str(Path(store_growth.__file__).resolve().parents[1])
    assert store_growth.main(["ab", tree, tree, "--inputs", str(path), "--articles", "7", "--passes", "2", "--cpu", "0"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["same_output"] and len(result["cpu_s"]["A"]) == len(result["cpu_s"]["B"]) == 2
