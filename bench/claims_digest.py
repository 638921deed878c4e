"""A digest of what cleaning and claim extraction make of the dev data: the proof that a speed change changed nothing.

    python -m bench.claims_digest [--out FILE] [--limit N] [--no-html]

For every gvc-dev article, ecb-dev document and seed (and, unless --no-html, every extraction-dev page):

- the clean stage's work as tasks/clean.py does it on a text item: the candidate junk line keys of the raw text,
  `clean_document` without and with outlet junk (the keys of lines that recur in three or more texts of the
  same set, so that the learned-junk path runs too), every field of the cleaned document, the content hash;
- the extract stage's work as tasks/extract.py does it: `extract_claims_capped` (the configured extractors, the
  configured cap) on the cleaned text and title, every field of every claim in order; and the same on the raw
  text with and without its title (more kinds of text through the extractors).

Writes one line per item (its id and the SHA-256 of its record) to FILE, and prints the SHA-256 over all of them:
two runs agree on the last line exactly when every item's cleaning and claims are the same byte for byte.
`diff` two FILEs to see which items differ.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bench import shared_dir


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)


def _sha(value) -> str:
    return hashlib.sha256(_canonical(value).encode("utf-8")).hexdigest()


def _records(path: Path, limit: int | None) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        out = [json.loads(line) for line in handle]
    return out[:limit] if limit else out


def _seeds(directory: Path) -> list[dict]:
    return [{"id": path.name, "title": None, "text": path.read_text(encoding="utf-8")} for path in sorted(directory.glob("*.txt"))]


def _recurring_keys(texts: list[str]) -> set[str]:
    """Line keys found in three or more of TEXTS: stand-ins for an outlet's learned junk."""
    from claimwire import junk

    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(junk.candidate_line_keys(text))
    return {key for key, count in counts.items() if count >= junk.MIN_KEY_ARTICLES}


def _document(doc) -> dict:
    from dataclasses import asdict

    return asdict(doc)


def _claims(text: str, title: str | None) -> list[dict]:
    from claimwire.extractors import extract_claims_capped
    from claimwire.settings import get_settings

    claims, cut = extract_claims_capped(text, title, max_claims=get_settings().max_claims_per_article)
    return [claim.to_dict() for claim in claims] + ([cut.to_dict()] if cut else [])


def _clean(raw: bytes, content_type: str, title: str | None, outlet_junk: set[str]):
    from claimwire.cleaning import clean_document
    from claimwire.errors import InputError

    try:
        return clean_document(raw, content_type=content_type, title=title, outlet_junk=outlet_junk)
    except InputError as exc:
        return exc


def text_record(record: dict, outlet_junk: set[str]) -> dict:
    from claimwire import junk
    from claimwire.cleaning import TEXT, decode_body
    from tasks.clean import content_hash

    raw = record["text"].encode("utf-8")
    title = record.get("title")
    out: dict = {"line_keys": sorted(junk.candidate_line_keys(decode_body(raw)))}
    for name, keys in (("plain", set()), ("junk", outlet_junk)):
        doc = _clean(raw, TEXT, title, keys)
        if isinstance(doc, Exception):
            out[name] = {"error": repr(doc)}
            continue
        out[name] = {"doc": _document(doc), "hash": content_hash(doc.text) if doc.text else None}
        if name == "plain" and not doc.is_empty:
            out[name]["claims"] = _claims(doc.text, doc.title)
    out["raw_claims"] = _claims(record["text"], title)
    out["raw_claims_untitled"] = _claims(record["text"], None)
    return out


def html_record(html: bytes) -> dict:
    from claimwire.cleaning import HTML

    doc = _clean(html, HTML, None, set())
    if isinstance(doc, Exception):
        return {"error": repr(doc)}
    return {"doc": _document(doc), "claims": _claims(doc.text, doc.title) if not doc.is_empty else []}


def items(limit: int | None, with_html: bool) -> Iterator[tuple[str, dict]]:
    data = shared_dir() / "data"
    sets = [
        ("gvc", _records(data / "gvc-dev.jsonl.gz", limit)),
        ("ecb", _records(data / "ecb-dev.jsonl.gz", limit)),
        ("seed", _seeds(shared_dir() / "seeds")),
    ]
    for name, records in sets:
        outlet_junk = _recurring_keys([record["text"] for record in records])
        for record in records:
            yield f"{name}:{record['id']}", text_record(record, outlet_junk)
    pages = sorted((data / "extraction-dev" / "html").glob("*.html.gz")) if with_html else []
    for path in pages[:limit] if limit else pages:
        yield f"html:{path.name}", html_record(gzip.decompress(path.read_bytes()))


def _write(found: Iterator[tuple[str, dict]], out, dump) -> tuple[int, str]:
    whole = hashlib.sha256()
    count = 0
    for item_id, record in found:
        line = f"{item_id} {_sha(record)}"
        whole.update(line.encode("utf-8") + b"\n")
        print(line, file=out)
        if dump:
            print(_canonical({"id": item_id, **record}), file=dump)
        count += 1
    return count, whole.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="-", help="one line per item: id and digest (default: standard output)")
    parser.add_argument("--limit", type=int, default=None, help="the first N items of each set")
    parser.add_argument("--no-html", action="store_true", help="leave out the extraction-dev pages")
    parser.add_argument("--dump", default=None, help="also write every item's whole record, one JSON per line")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as files:
        out = sys.stdout if args.out == "-" else files.enter_context(open(args.out, "w", encoding="utf-8"))
        dump = files.enter_context(open(args.dump, "w", encoding="utf-8")) if args.dump else None
        count, whole = _write(items(args.limit, not args.no_html), out, dump)
    print(f"items {count} digest {whole}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
