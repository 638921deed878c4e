"""`python -m bench.link_cpu`: the load bench's stream (the file, then its copies) linked in memory, timed per pass."""

from __future__ import annotations

import gzip
import json

from bench import link_cpu

_BLAST = (
    "A bomb exploded outside a bank in central Athens early on Tuesday, killing two security guards and wounding "
    "five passers-by, police said. Officers sealed off Stadiou Street after the blast."
)
_FLOOD = (
    "Flash floods swept through three villages near Sylhet on Monday, killing 14 people, officials said. "
    "Rescue boats reached the Surma river banks by nightfall."
)


def _file(tmp_path):
    records = [
        {
            "id": 1,
            "title": "Bomb outside Athens bank kills two guards",
            "text": _BLAST,
            "published": "2024-03-05",
            "url": "https://a.example/1",
        },
        {"id": 2, "title": "Floods kill 14 near Sylhet", "text": _FLOOD, "published": "2024-07-01", "url": "https://b.example/2"},
    ]
    path = tmp_path / "stream.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.writelines(json.dumps(r) + "\n" for r in records)
    return path


def test_the_copies_join_their_originals_events_and_every_pass_decides_alike(tmp_path, capsys):
    cache = tmp_path / "features.pickle"
    assert link_cpu.main(["--gvc", str(_file(tmp_path)), "--articles", "6", "--passes", "2", "--cache", str(cache)]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["articles"] == 6 and first["events"] == 2 and len(first["cpu_s"]) == 2
    assert cache.exists()
    link_cpu.main(["--gvc", str(tmp_path / "absent.jsonl.gz"), "--articles", "6", "--passes", "1", "--cache", str(cache)])
    assert json.loads(capsys.readouterr().out)["digest"] == first["digest"]  # the cached stream, decided alike
