"""Cleaning benchmarks.

``python -m bench.clean DIR --json``: extraction quality on a directory in the
format of extraction-dev (``html/ID.html.gz`` + ``ground-truth.json``), scored exactly as
the Article Extraction Benchmark (4-token shingles of ``\\w+`` tokens, multisets, per-page
precision/recall averaged, F1 of the means), against trafilatura ``extract()`` with default
settings timed in the same run (interleaved page by page, order alternating).

``python -m bench.clean --seeds DIR --json``: raw-text cleaning on the seed
texts.  ``junk_lines_left``: lines of gold.json's ``boilerplate`` list still present as a
line of the cleaned text of a seed containing it.  ``article_sentences_lost``: sentences
of the seeds (lines that are not gold boilerplate, split after ``.``/``!``/``?`` followed by
a space, at least 3 word tokens) whose normalised form (word tokens, case-folded) is found
neither in the cleaned text nor in the cleaned title.  Teaser lines ("More news: ...",
"Read more: ...", named as junk by the issue) are not article sentences; when one missing
from gold.json is removed it is listed under ``teaser_lines_removed_not_in_gold`` and
counted in ``article_sentences_lost_strict`` (gold-list-only definition).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

from bench import print_result
from claimwire.cleaning import HTML, TEXT, clean_document
from claimwire.errors import InputError

_TOKEN = re.compile(r"\w+")


def _shingles(text: str) -> Counter:
    words = _TOKEN.findall(text or "")
    return Counter(tuple(words[i : i + 4]) for i in range(len(words) - 3))


def page_scores(predicted: str, truth: str) -> tuple[float | None, float | None]:
    pred, gold = _shingles(predicted), _shingles(truth)
    tp = sum((pred & gold).values())
    fp = sum((pred - gold).values())
    fn = sum((gold - pred).values())
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall


def aggregate(scores: list[tuple[float | None, float | None]]) -> dict:
    ps = [p for p, _ in scores if p is not None]
    rs = [r for _, r in scores if r is not None]
    p = sum(ps) / len(ps) if ps else 0.0
    r = sum(rs) / len(rs) if rs else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4)}


def _ours(html: str, url: str | None) -> str:
    try:
        return clean_document(html, content_type=HTML, url=url).text
    except InputError:
        return ""


def _baseline(html: str, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def run_pages(directory: str | Path) -> dict:
    directory = Path(directory)
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    ours_scores, base_scores = [], []
    ours_time = base_time = 0.0
    import trafilatura  # noqa: F401 - import cost outside the timings

    _ours("<html><body><p>warm up</p></body></html>", None)
    for i, page_id in enumerate(sorted(truth)):
        html = gzip.decompress((directory / "html" / f"{page_id}.html.gz").read_bytes()).decode("utf-8")
        url = truth[page_id].get("url")
        runs = [("ours", _ours), ("base", _baseline)]
        if i % 2:
            runs.reverse()
        out = {}
        for name, fn in runs:
            start = time.perf_counter()
            out[name] = fn(html, url)
            elapsed = time.perf_counter() - start
            if name == "ours":
                ours_time += elapsed
            else:
                base_time += elapsed
        body = truth[page_id]["articleBody"]
        ours_scores.append(page_scores(out["ours"], body))
        base_scores.append(page_scores(out["base"], body))
    n = len(ours_scores)
    result = {"pages": n, **aggregate(ours_scores)}
    base = aggregate(base_scores)
    result.update(
        baseline_precision=base["precision"],
        baseline_recall=base["recall"],
        baseline_f1=base["f1"],
        pages_per_s=round(n / ours_time, 2) if ours_time else 0.0,
        baseline_pages_per_s=round(n / base_time, 2) if base_time else 0.0,
    )
    return result


def _norm(text: str) -> str:
    return " ".join(_TOKEN.findall(text.casefold()))


# "More news: <headline of another article>" teasers link elsewhere: the issue names them
# as junk, so they are not sentences of the article (counted apart, see the docstring).
_TEASER = re.compile(r"(more news|read more|see also|also read|related)\s*:", re.IGNORECASE)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)]*\s+")


def sentences(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        for sentence in _SENTENCE_SPLIT.split(line.strip()):
            if len(_TOKEN.findall(sentence)) >= 3:
                out.append(sentence)
    return out


def run_seeds(directory: str | Path) -> dict:
    directory = Path(directory)
    gold = json.loads((directory / "gold.json").read_text(encoding="utf-8"))
    boilerplate = [" ".join(line.split()) for line in gold.get("boilerplate", [])]
    junk_norm = {_norm(line) for line in boilerplate}
    junk_left: list[str] = []
    lost: list[str] = []
    removed_other: list[str] = []
    teasers_removed: list[str] = []
    files = sorted(directory.glob("*.txt"))
    for path in files:
        raw = path.read_text(encoding="utf-8")
        doc = clean_document(raw, content_type=TEXT)
        cleaned_lines = {" ".join(line.split()) for line in doc.text.splitlines()}
        raw_lines = {" ".join(line.split()) for line in raw.splitlines()}
        for line in boilerplate:
            if line in raw_lines and line in cleaned_lines:
                junk_left.append(f"{path.name}: {line}")
        haystack = _norm(doc.text) + " \n " + _norm(doc.title or "")
        for line in raw.splitlines():
            if _norm(line) in junk_norm:
                continue
            for sentence in sentences(line):
                if _norm(sentence) not in haystack:
                    if _TEASER.match(line.strip()):
                        teasers_removed.append(f"{path.name}: {sentence}")
                    else:
                        lost.append(f"{path.name}: {sentence}")
        removed_other += [f"{path.name}: {line}" for line in doc.removed_lines if _norm(line) not in junk_norm]
    return {
        "seeds": len(files),
        "junk_lines_left": len(junk_left),
        "article_sentences_lost": len(lost),
        "article_sentences_lost_strict": len(lost) + len(teasers_removed),
        "junk_lines_left_detail": junk_left,
        "article_sentences_lost_detail": lost,
        "teaser_lines_removed_not_in_gold": teasers_removed,
        "removed_lines_not_in_gold": removed_other,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="claimwire bench clean", description=__doc__.split("\n\n")[0])
    parser.add_argument("dir", nargs="?", help="directory in the extraction-dev format")
    parser.add_argument("--seeds", metavar="DIR", help="seed texts directory with gold.json")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    if bool(args.dir) == bool(args.seeds):
        parser.error("give either DIR or --seeds DIR")
    result = run_seeds(args.seeds) if args.seeds else run_pages(args.dir)
    print_result(result, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
