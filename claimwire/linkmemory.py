"""The link index in memory: the same answers as the storage-backed one, for tests and for tuning the linker
without a database (`bench/fit_linker.py`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from claimwire.linkfeatures import UNDATED, ArticleFeatures
from claimwire.linking import Candidate, LinkDecision, bucket_of, bucket_range, counted_keys, decide


class MemoryIndex:
    """The same index in memory: for tests and for tuning the linker without a database."""

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.documents = 0
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)  # key -> [(day, article_id)]
        self.articles: dict[int, ArticleFeatures] = {}
        self.event_of: dict[int, int] = {}
        self.next_event = 1

    def document_frequencies(self, keys: Iterable[str]) -> tuple[dict[str, int], int]:
        return {k: self.df[k] for k in keys if k in self.df}, self.documents

    def candidates(self, keys: Sequence[str], day: int, limit_per_key: int) -> list[tuple[str, int]]:
        found = []
        for key in keys:
            low, high = bucket_range(key, day)
            rows = [(d, a) for d, a in self.postings.get(key, ()) if low <= bucket_of(d) <= high or bucket_of(d) == UNDATED]
            rows.sort(key=lambda r: (-bucket_of(r[0]), -r[1]))
            found.extend((key, a) for _, a in rows[:limit_per_key])
        return found

    def load(self, article_ids: Sequence[int]) -> list[Candidate]:
        return [Candidate(a, self.event_of[a], self.articles[a]) for a in sorted(article_ids)]

    def link(self, article_id: int, features: ArticleFeatures) -> LinkDecision:
        decision, keys = decide(features, self)
        event_id = decision.event_id
        if event_id is None:
            event_id = self.next_event
            self.next_event += 1
        for other in decision.merge:
            for article, event in self.event_of.items():
                if event == other:
                    self.event_of[article] = event_id
        self.event_of[article_id] = event_id
        self.articles[article_id] = features
        self.documents += 1
        self.df.update(counted_keys(features.keys))
        for key in keys:
            self.postings[key].append((features.day, article_id))
        decision.opened = decision.event_id is None
        decision.event_id = event_id
        return decision
