"""Loading, before the first article, what the first article would otherwise load.

The language identifier's model is read and unpacked on first use, and the claim extractors are imported (their
patterns compiled) on first use: together a second or more of CPU that would fall on the first article a
process handles — in a deployment, on every worker process's first article, and on the articles queued behind
it. `warm_up` cleans, extracts and keys a short sample article (HTML and plain text) so that a process pays
that cost before it takes traffic (workers/app.py runs it in a worker's main process, before the pool's
processes are forked from it, so they start warm and share what it loaded).
"""

from __future__ import annotations

import time

from claimwire import cleaning, language, linking
from claimwire.extractors import extract_claims

SAMPLE_TITLE = "Two killed, 12 injured as bus overturns near Sylhet"
SAMPLE_TEXT = (
    "SYLHET, Bangladesh (Reuters) - At least two people were killed and 12 others injured on Tuesday when a "
    "crowded bus overturned on a flooded highway near Sylhet, police said.\n\n"
    '"The driver lost control on the water," said Abdul Karim, a local police official. He said the toll '
    "could rise, as three of the injured were in critical condition.\n\n"
    "Officials said about 500 families had been moved to shelters since Sunday."
)
SAMPLE_HTML = (
    f"<html><head><title>{SAMPLE_TITLE}</title></head><body><nav>Home | World</nav><article>"
    + "".join(f"<p>{paragraph}</p>" for paragraph in SAMPLE_TEXT.split("\n\n"))
    + "</article><footer>Copyright</footer></body></html>"
)


def warm_up() -> float:
    """Run the domain pipeline once on the sample article (as HTML and as text); returns the seconds it took."""
    started = time.perf_counter()
    language._identifier()  # the sample is plainly English: the classifier's model would not be loaded on it
    for body, content_type in ((SAMPLE_HTML, cleaning.HTML), (SAMPLE_TEXT, cleaning.TEXT)):
        document = cleaning.clean_document(body, content_type=content_type, title=SAMPLE_TITLE)
        extract_claims(document.text, SAMPLE_TITLE)
        linking.article_features(SAMPLE_TITLE, document.text, None)
    return time.perf_counter() - started
