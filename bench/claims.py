"""Claim-extraction benchmark.

``python -m bench.claims --seeds DIR --gvc FILE --incidents FILE --quotes FILE --ecb FILE --ecb-casualties FILE --json``

seeds (hand-annotated gold.json):

* ``casualty_recall``: required gold figures (not ``optional``) found by an extracted
  casualty claim with the same measure, bounds inside the gold bounds (extracted
  [min, max] within gold [min, max], an open gold max admitting any max) and -- where gold
  names a source and does not mark it ``optional_source`` -- a matching source.
* ``casualty_precision``: extracted casualty claims that match a gold figure (optional
  ones included) by measure and bounds.
* ``quote_recall``: required gold quotes whose opening words (``starts``) begin an
  extracted quote (normalised: case-folded, ``[...]`` editorial brackets and punctuation
  dropped, whitespace collapsed; the first 6 words compared).
* ``speaker_accuracy``: over found quotes whose gold speaker is not optional, the share
  whose extracted speaker matches.

Name matching (speakers and sources): case-insensitive on word tokens with leading
articles dropped; a match when one name's tokens are contained in the other's as a
contiguous run, or both have the same `actor_key`.

gvc (articles + incident records): extraction runs on title and text as given.

* ``killed_agreement``: of the articles with a main killed figure (`main_figures`), the
  share whose stated value equals the record's ``killed``; ``injured_agreement`` likewise.
* ``killed_coverage``: of the articles on incidents whose record has killed > 0, the share
  with a main killed figure.

ecb (ECB+ documents + hand-annotated casualty figures, ``ecb-dev-casualties.json``; its
``about`` gives the conventions): extraction runs on title and text as given (the title is
also a line of the text), over the annotated documents and the ``no_figures`` ones.

* ``toll_killed_accuracy``: of the documents whose ``event_killed`` is not null, the share
  whose main killed figure (`main_figures`) lies inside the annotated bounds (extracted
  [min, max] within gold [min, max], as for the seeds); no figure counts as wrong.
  ``toll_injured_accuracy`` likewise with ``event_injured``.
* ``coverage``: of the documents whose ``event_killed`` is not null, the share with a main
  killed figure (``injured_coverage`` likewise).
* ``figure_recall``: annotated figures for which the document has an extracted casualty
  claim of the same measure with bounds inside the figure's bounds.
* ``figure_precision``: extracted casualty claims that match an annotated figure of their
  document by measure and bounds.
* Measures are the annotation's: killed, injured, killed_or_injured.  A claim's ``shot`` is
  the annotation's killed_or_injured ("shot/hit/struck/stabbed with the outcome not stated");
  ``missing`` is not annotated (neither found nor wrong), so it is left out of precision.
* ``figure_recall_by_line`` / ``figure_precision_by_line``: the same, but a claim and a
  figure match only on the same line of text (a title claim is on the line that repeats
  the title): a stricter view, for diagnosis.

quotes (``--quotes FILE``: hand-annotated direct quotations, e.g. quotes-dev.json; the article
texts come from ``--gvc`` or, when it is not given, from ``gvc-dev.jsonl.gz`` beside FILE):
the ``quotes`` extractor runs on each annotated article's title and text.

* Matching: an extracted quote matches an annotated item when the item's ``starts`` words,
  normalised as above (all of them, not only six), are the first words of the extracted
  quote's text.  Items are matched in order of appearance, each extracted quote at most once.
* ``quote_recall``: {"full": .., "partial": ..}: of the annotated items of that ``kind`` that
  are not ``optional``, the share matched by an extracted quote.
* ``quote_precision``: of all extracted quotes, the share that match an annotated item
  (``optional`` ones included).  Extracted quotes that match a ``not_quotes`` entry (a title,
  a nickname, a scare quote: normalised text starting with the entry's words), and those that
  match nothing, count as false.
* ``speaker_accuracy``: over matched items that are not ``optional`` or ``optional_speaker``,
  the share whose extracted speaker (the claim's ``source``) names the right person: for a
  pronoun speaker the resolved person (``speaker_resolved``), else the speaker as written, or
  the fullest name (``speaker_full``).  An item annotated with no speaker is right when none
  is extracted.  ``speaker_missing``: the share of those items with an annotated speaker for
  which none is extracted.  ``speaker_precision``: right / speakers given.
* Speaker names match (stricter than for seeds, so a fragment never counts): both are
  case-folded; dots, quoted nicknames, relative clauses ("who ..."), leading articles and
  possessive determiners dropped; the extracted one cut at its first comma (the role after a
  name), the annotated one tried whole and cut there; titles (Mr., Sen., Gov., Sgt., Mayor,
  ...) dropped from both unless nothing else is left ("the mayor"); they match when one token
  list is a contiguous run of the other and both end in the same word (the surname, or the
  head noun of a description: "the official" = "a U.S. military official", "Podesta" =
  "Mr. John Podesta", but not "police" = "Police Chief John Smith", nor "Sen." = "Sen. Tim
  Kaine").

``articles_per_s``: all registered extractors (casualties, figures, quotes, statements)
over the gvc articles, single process, wall clock of extraction alone; ``articles_per_cpu_s``
the same over the process's CPU time (steadier than wall clock on a shared machine).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from claimwire.actors import actor_key
from claimwire.claims import CASUALTY, QUOTE, Claim
from claimwire.extractors import extract_claims, main_figures, registered
from claimwire.numbers import stated_value

_ARTICLES = {"the", "a", "an"}


def _name_tokens(name: str) -> list[str]:
    toks = re.findall(r"[a-z0-9]+", name.lower().replace(".", ""))
    while toks and toks[0] in _ARTICLES:
        toks = toks[1:]
    return toks


def names_match(gold: str | None, got: str | None) -> bool:
    if not gold or not got:
        return False
    g, x = _name_tokens(gold), _name_tokens(got)
    if not g or not x:
        return False

    def contains(a: list[str], b: list[str]) -> bool:
        return any(a[i : i + len(b)] == b for i in range(len(a) - len(b) + 1))

    if contains(g, x) or contains(x, g):
        return True
    kg, kx = actor_key(gold), actor_key(got)
    return kg is not None and kg == kx


def _within(claim: Claim, gmin: float, gmax: float | None) -> bool:
    lo = claim.value_min
    hi = claim.value_max
    if lo is None or lo < gmin:
        return False
    if gmax is None:
        return True
    return hi is not None and hi <= gmax


def _norm_quote(text: str) -> list[str]:
    text = re.sub(r"\[[^\]]*\]", " ", text)
    return re.findall(r"[a-z0-9]+", text.lower())


def bench_seeds(seeds_dir: str | Path) -> dict[str, Any]:
    seeds_dir = Path(seeds_dir)
    gold = json.loads((seeds_dir / "gold.json").read_text("utf-8"))
    req_cas = found_cas = 0
    extracted_cas = matched_cas = 0
    req_q = found_q = 0
    spk_total = spk_ok = 0
    misses: list[dict[str, Any]] = []
    for fname, ann in gold["articles"].items():
        text = (seeds_dir / fname).read_text("utf-8")
        claims = extract_claims(text, None, names=list(registered()))
        cas = [c for c in claims if c.kind == CASUALTY]
        quotes = [c for c in claims if c.kind == QUOTE]
        for g in ann.get("casualties", []):
            if g.get("optional"):
                continue
            req_cas += 1
            ok = False
            for c in cas:
                if c.measure != g["measure"] or not _within(c, g["min"], g["max"]):
                    continue
                if g.get("source") and not g.get("optional_source") and not names_match(g["source"], c.source):
                    continue
                ok = True
                break
            found_cas += ok
            if not ok:
                misses.append({"file": fname, "casualty": g})
        for c in cas:
            extracted_cas += 1
            hit = any(c.measure == g["measure"] and _within(c, g["min"], g["max"]) for g in ann.get("casualties", []))
            matched_cas += hit
            if not hit:
                misses.append({"file": fname, "extra_casualty": [c.measure, c.value_min, c.value_max, c.sentence[:80]]})
        for g in ann.get("quotes", []):
            starts = _norm_quote(g["starts"])[:6]
            match = next((q for q in quotes if _norm_quote(q.text or "")[: len(starts)] == starts), None)
            if not g.get("optional"):
                req_q += 1
                found_q += match is not None
                if match is None:
                    misses.append({"file": fname, "quote": g["starts"]})
            if match is not None and not g.get("optional_speaker") and not g.get("optional"):
                spk_total += 1
                ok = names_match(g["speaker"], match.source) if g.get("speaker") else match.source is None
                spk_ok += ok
                if not ok:
                    misses.append({"file": fname, "speaker": [g["speaker"], match.source]})
    return {
        "casualty_recall": round(found_cas / req_cas, 4) if req_cas else None,
        "casualty_precision": round(matched_cas / extracted_cas, 4) if extracted_cas else None,
        "quote_recall": round(found_q / req_q, 4) if req_q else None,
        "speaker_accuracy": round(spk_ok / spk_total, 4) if spk_total else None,
        "counts": {
            "casualty_required": req_cas,
            "casualty_found": found_cas,
            "casualty_extracted": extracted_cas,
            "casualty_matched": matched_cas,
            "quotes_required": req_q,
            "quotes_found": found_q,
            "speakers_scored": spk_total,
            "speakers_right": spk_ok,
        },
        "misses": misses,
    }


_TITLE_TOKENS = frozenset(
    """
mr mrs ms miss dr sen senator rep representative gov governor lt ltgov col gen sgt capt cpt maj cpl
pvt det officer ofc insp supt cmdr adm pres president atty rev fr prof hon judge mayor chief
sheriff deputy detective sergeant lieutenant captain commander corporal investigator us jr sr
""".split()
)
_DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "our", "my"}


def _speaker_tokens(name: str) -> list[str]:
    name = re.sub(r"[\"“”][^\"“”]{1,30}[\"“”]", " ", name)  # a quoted nickname: Ulysses "U.S." Floyd
    name = re.split(r"\s+(?:who|which|that)\s+", name)[0]
    toks = re.findall(r"[a-z0-9]+", name.lower().replace(".", "").replace("’s", "").replace("'s", ""))
    while toks and toks[0] in _DETERMINERS:
        toks = toks[1:]
    untitled = [t for t in toks if t not in _TITLE_TOKENS]
    return untitled or toks  # "the mayor" stays "mayor"; "Sen." stays "sen"


def speaker_matches(gold: str | None, got: str | None) -> bool:
    """The quotes bench's speaker match (see the module docstring)."""
    if not gold or not got:
        return False
    golds = {gold, gold.split(",")[0]}
    x = _speaker_tokens(got.split(",")[0])
    for name in golds:
        g = _speaker_tokens(name)
        if g and x and g[-1] == x[-1] and (_contains(g, x) or _contains(x, g)):
            return True
        if x and g[: len(x)] == x and len(g) > len(x) and g[len(x)] in _POSTMODIFIERS:
            return True  # "a man" for "a man inside a black vehicle"
    return False


_POSTMODIFIERS = {"in", "inside", "at", "near", "from", "with", "on", "outside", "across"}


def _contains(a: list[str], b: list[str]) -> bool:
    return any(a[i : i + len(b)] == b for i in range(len(a) - len(b) + 1))


_PRONOUNS = {"he", "she", "they", "it", "we", "i", "him", "her", "them"}


def _gold_speakers(item: dict[str, Any]) -> list[str]:
    names = []
    if item.get("speaker") and item["speaker"].lower() not in _PRONOUNS:
        names.append(item["speaker"])
    for field in ("speaker_resolved", "speaker_full"):
        if item.get(field):
            names.append(item[field])
    return names


def bench_quotes(annotation_path: str | Path, articles: list[dict[str, Any]]) -> dict[str, Any]:
    gold = json.loads(Path(annotation_path).read_text("utf-8"))["articles"]
    by_id = {a["id"]: a for a in articles if a.get("id") in gold}
    missing_texts = sorted(set(gold) - set(by_id))
    if missing_texts:
        raise ValueError(f"{len(missing_texts)} annotated articles are not in the article file, e.g. {missing_texts[0]}")
    req = {"full": 0, "partial": 0}
    found = {"full": 0, "partial": 0}
    extracted = true_pos = as_not_quote = 0
    scored = right = given = missing = 0
    misses: list[dict[str, Any]] = []
    for art_id, ann in gold.items():
        art = by_id[art_id]
        claims = [c for c in extract_claims(art.get("text") or "", art.get("title"), names=["quotes"]) if c.kind == QUOTE]
        words = [_norm_quote(c.text or "") for c in claims]
        used, matched = _match_quotes(words, ann["quotes"])
        for n, item in enumerate(ann["quotes"]):
            idx = matched[n]
            kind = item.get("kind", "full")
            if not item.get("optional"):
                req[kind] += 1
                found[kind] += idx is not None
                if idx is None:
                    misses.append({"article": art_id, "quote": item["starts"], "kind": kind})
            if idx is None or item.get("optional") or item.get("optional_speaker"):
                continue
            got = claims[idx].source
            scored += 1
            given += got is not None
            if item.get("speaker") is None:
                ok = got is None
            else:
                ok = any(speaker_matches(name, got) for name in _gold_speakers(item))
                missing += got is None
            right += ok
            if not ok:
                misses.append(
                    {
                        "article": art_id,
                        "quote": item["starts"],
                        "speaker": item.get("speaker"),
                        "resolved": item.get("speaker_resolved"),
                        "full": item.get("speaker_full"),
                        "got": got,
                    }
                )
        not_quotes = [_norm_quote(n) for n in ann.get("not_quotes", [])]
        for i, claim in enumerate(claims):
            extracted += 1
            true_pos += used[i]
            if not used[i]:
                nq = any(n and words[i][: len(n)] == n for n in not_quotes)
                as_not_quote += nq
                misses.append({"article": art_id, "extra_quote": (claim.text or "")[:60], "not_quote": nq})
    return {
        "quote_recall": {kind: round(found[kind] / req[kind], 4) if req[kind] else None for kind in req},
        "quote_precision": round(true_pos / extracted, 4) if extracted else None,
        "speaker_accuracy": round(right / scored, 4) if scored else None,
        "speaker_missing": round(missing / scored, 4) if scored else None,
        "speaker_precision": round(right / given, 4) if given else None,
        "counts": {
            "articles": len(gold),
            "required": req,
            "found": found,
            "extracted": extracted,
            "extracted_matched": true_pos,
            "extracted_not_quotes": as_not_quote,
            "speakers_scored": scored,
            "speakers_right": right,
            "speakers_given": given,
            "speakers_missing": missing,
        },
        "misses": misses,
    }


def _match_quotes(words: list[str], items: list[dict[str, Any]]) -> tuple[list[bool], dict[int, int | None]]:
    """Each annotated quotation's extracted match (by its opening words), and which extracted quotes were matched.
    Required items first, so an optional one (a headline repeating a quote) cannot take their match."""
    used = [False] * len(words)
    matched: dict[int, int | None] = {}
    for n, item in sorted(enumerate(items), key=lambda x: bool(x[1].get("optional"))):
        starts = _norm_quote(item["starts"])
        idx = next((i for i, w in enumerate(words) if not used[i] and starts and w[: len(starts)] == starts), None)
        if idx is not None:
            used[idx] = True
        matched[n] = idx
    return used, matched


def load_gvc(path: str | Path) -> list[dict[str, Any]]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def bench_gvc(articles: list[dict[str, Any]], incidents: dict[str, Any]) -> dict[str, Any]:
    k_n = k_ok = i_n = i_ok = cov_n = cov_ok = 0
    for art in articles:
        rec = incidents.get(str(art.get("event")))
        claims = extract_claims(art.get("text") or "", art.get("title"), names=["casualties"])
        main = main_figures(claims)
        if rec is None:
            continue
        if "killed" in main:
            k_n += 1
            k_ok += stated_value(main["killed"].value_min, main["killed"].value_max, main["killed"].hedge) == rec["killed"]
        if "injured" in main:
            i_n += 1
            i_ok += stated_value(main["injured"].value_min, main["injured"].value_max, main["injured"].hedge) == rec["injured"]
        if (rec.get("killed") or 0) > 0:
            cov_n += 1
            cov_ok += "killed" in main
    return {
        "killed_agreement": round(k_ok / k_n, 4) if k_n else None,
        "injured_agreement": round(i_ok / i_n, 4) if i_n else None,
        "killed_coverage": round(cov_ok / cov_n, 4) if cov_n else None,
        "counts": {
            "articles": len(articles),
            "with_killed": k_n,
            "killed_agree": k_ok,
            "with_injured": i_n,
            "injured_agree": i_ok,
            "killed_gt0": cov_n,
            "covered": cov_ok,
        },
    }


def load_ecb_casualties(path: str | Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text("utf-8"))


def _claim_line(claim: Claim, text: str, title: str | None) -> int:
    """The 0-based line of `text` a claim stands on (a title claim: the line that repeats the title)."""
    if claim.extra.get("in_title"):
        lines = [line.strip() for line in text.split("\n")]
        return lines.index(title.strip()) if title and title.strip() in lines else -1
    return text.count("\n", 0, claim.start)


#: claim measure -> the annotation's measure ("shot" with the outcome not stated is killed_or_injured)
_ECB_MEASURES = {"killed": "killed", "injured": "injured", "killed_or_injured": "killed_or_injured", "shot": "killed_or_injured"}


def _figure_match(claim: Claim, figure: dict[str, Any]) -> bool:
    return _ECB_MEASURES.get(claim.measure or "") == figure["measure"] and _within(claim, figure["min"], figure["max"])


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def bench_ecb(articles: list[dict[str, Any]], annotation: dict[str, Any]) -> dict[str, Any]:
    by_id = {a["id"]: a for a in articles}
    docs: dict[str, dict[str, Any]] = dict(annotation["documents"])
    docs.update({doc_id: {"figures": [], "event_killed": None, "event_injured": None} for doc_id in annotation.get("no_figures", [])})
    n = {"killed": 0, "injured": 0}
    right = {"killed": 0, "injured": 0}
    covered = {"killed": 0, "injured": 0}
    fig_n = fig_found = fig_line = ext_n = ext_ok = ext_line = 0
    for doc_id, gold in docs.items():
        art = by_id[doc_id]
        text, title = art.get("text") or "", art.get("title")
        claims = [c for c in extract_claims(text, title, names=["casualties"]) if c.kind == CASUALTY]
        main = main_figures(claims)
        claims = [c for c in claims if c.measure in _ECB_MEASURES]
        for measure in ("killed", "injured"):
            toll = gold.get(f"event_{measure}")
            if toll is None:
                continue
            n[measure] += 1
            covered[measure] += measure in main
            right[measure] += measure in main and _within(main[measure], toll["min"], toll["max"])
        lines = [_claim_line(c, text, title) for c in claims]
        figures = gold["figures"]
        for f in figures:
            fig_n += 1
            fig_found += any(_figure_match(c, f) for c in claims)
            fig_line += any(_figure_match(c, f) and line == f["line"] for c, line in zip(claims, lines))
        for c, line in zip(claims, lines):
            ext_n += 1
            ext_ok += any(_figure_match(c, f) for f in figures)
            ext_line += any(_figure_match(c, f) and line == f["line"] for f in figures)
    return {
        "toll_killed_accuracy": _share(right["killed"], n["killed"]),
        "toll_injured_accuracy": _share(right["injured"], n["injured"]),
        "coverage": _share(covered["killed"], n["killed"]),
        "injured_coverage": _share(covered["injured"], n["injured"]),
        "figure_recall": _share(fig_found, fig_n),
        "figure_precision": _share(ext_ok, ext_n),
        "figure_recall_by_line": _share(fig_line, fig_n),
        "figure_precision_by_line": _share(ext_line, ext_n),
        "counts": {
            "documents": len(docs),
            "with_killed_toll": n["killed"],
            "killed_right": right["killed"],
            "with_injured_toll": n["injured"],
            "injured_right": right["injured"],
            "figures": fig_n,
            "figures_found": fig_found,
            "claims": ext_n,
            "claims_matched": ext_ok,
        },
    }


def speed(articles: list[dict[str, Any]]) -> tuple[float, float]:
    """(articles per wall-clock second, articles per CPU second of this process)."""
    names = list(registered())
    start = time.process_time()
    wall = time.perf_counter()
    for art in articles:
        extract_claims(art.get("text") or "", art.get("title"), names=names)
    elapsed = time.perf_counter() - wall
    cpu = time.process_time() - start

    def rate(seconds: float) -> float:
        return round(len(articles) / seconds, 1) if seconds > 0 else float("inf")

    return rate(elapsed), rate(cpu)


def run(
    seeds_dir: str | Path | None,
    gvc_path: str | Path | None,
    incidents_path: str | Path | None,
    quotes_path: str | Path | None = None,
    ecb_path: str | Path | None = None,
    ecb_casualties_path: str | Path | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if seeds_dir:
        out["seeds"] = bench_seeds(seeds_dir)
    if ecb_path and ecb_casualties_path:
        out["ecb"] = bench_ecb(load_gvc(ecb_path), load_ecb_casualties(ecb_casualties_path))
    articles = load_gvc(gvc_path) if gvc_path else None
    if quotes_path:
        texts = articles if articles is not None else load_gvc(Path(quotes_path).parent / "gvc-dev.jsonl.gz")
        out["quotes"] = bench_quotes(quotes_path, texts)
    if articles is not None:
        if incidents_path:
            incidents = json.loads(Path(incidents_path).read_text("utf-8"))
            out["gvc"] = bench_gvc(articles, incidents)
        # fresh texts: the per-text caches must not make the timing look better
        timed = [{"title": a.get("title"), "text": (a.get("text") or "") + " "} for a in articles]
        out["articles_per_s"], out["articles_per_cpu_s"] = speed(timed)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="claimwire bench claims", description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", help="directory with the seed articles and gold.json")
    parser.add_argument("--gvc", help="gvc articles (.jsonl or .jsonl.gz)")
    parser.add_argument("--incidents", help="gvc incident records (.json)")
    parser.add_argument("--quotes", help="annotated quotations (quotes-dev.json); texts from --gvc or beside it")
    parser.add_argument("--ecb", help="ECB+ documents (.jsonl or .jsonl.gz), scored with --ecb-casualties")
    parser.add_argument("--ecb-casualties", help="hand-annotated casualty figures of ECB+ documents (.json)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--misses", action="store_true", help="include the misses in the output")
    args = parser.parse_args(argv)
    if bool(args.ecb) != bool(args.ecb_casualties):
        parser.error("--ecb and --ecb-casualties go together")
    result = run(args.seeds, args.gvc, args.incidents, args.quotes, args.ecb, args.ecb_casualties)
    for section in ("seeds", "quotes"):
        if section in result and not args.misses:
            result[section].pop("misses", None)
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
