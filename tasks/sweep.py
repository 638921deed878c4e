"""The sweep: what a lost message left behind is found again from the database.

The beat task `claimwire.ordering_sweep` re-sends the next stage for every article that has made no progress
for CLAIMWIRE_ORDER_WAIT_S (a message lost with a killed worker or a restarted broker, a stage whose retries
ran out while the database was down).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from claimwire.settings import get_settings
from storage import articles
from storage.db import session_scope
from storage.models import utcnow
from tasks.pipeline import NEXT_TASK, next_task_for
from workers.app import app
from workers.logs import log

logger = logging.getLogger("claimwire.ordering")
SWEEP_LIMIT = 2000  # articles re-sent by one sweep, oldest first


@app.task(name="claimwire.ordering_sweep", ignore_result=True)
def ordering_sweep() -> list[int]:
    """Re-send the next stage of every article that has made no progress for CLAIMWIRE_ORDER_WAIT_S.

    The database is the record of where each article is; a message can be lost (a worker killed before it
    acknowledged, a broker restarted without persistence, retries run out while the database was down).
    Sending a stage again is safe: it commits with a conditional status change.
    """
    cutoff = utcnow() - timedelta(seconds=get_settings().order_wait_s)
    with session_scope() as session:
        stalled = articles.stalled(session, NEXT_TASK, cutoff, SWEEP_LIMIT)
    resent: list[int] = []
    for article_id, status, source_kind in stalled:
        app.send_task(next_task_for(status, source_kind), args=[article_id])
        resent.append(article_id)
    if resent:
        log(logger, logging.WARNING, "ordering_resent", articles=len(resent), first=resent[0], last=resent[-1])
    return resent
