"""Engine and session handling for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from claimwire import jsontext
from claimwire.settings import get_settings

try:
    from psycopg import Error as DriverError, OperationalError as DriverOperationalError
except ImportError:  # an install without PostgreSQL support
    DriverError, DriverOperationalError = exc.DBAPIError, exc.OperationalError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
PING_IDLE_S = 1.0  # a pooled connection idle for longer than this is pinged before use (see _ping_if_idle)


STORE_ERRORS: tuple[type[Exception], ...] = (exc.OperationalError, exc.DBAPIError, DriverOperationalError)
"""What the store raises when a statement may pass if tried again: SQLAlchemy's errors, and the driver's own from the
statements storage sends to psycopg directly (its fast paths): the connection lost, a deadlock, a serialization failure."""


def store_error_reason(error: Exception) -> str:
    """A failure's reason code for one of STORE_ERRORS: lock_conflict for a transaction PostgreSQL rolled back
    (SQLSTATE class 40: deadlock, serialization failure), else database_unavailable."""
    sqlstate = getattr(error, "sqlstate", None) or getattr(getattr(error, "orig", None), "sqlstate", None)
    return "lock_conflict" if isinstance(sqlstate, str) and sqlstate.startswith("40") else "database_unavailable"


class SqlCounts(threading.local):
    """A diagnostic (CLAIMWIRE_PROFILE_DIR, PostgreSQL): the statements sent and the transactions committed (each
    one a BEGIN and a COMMIT round trip more) by this thread (`thread`), and by the process (`process`)."""

    def __init__(self) -> None:
        self.statements = 0
        self.transactions = 0


SQL_COUNTS = SqlCounts()
SQL_COUNTS_PROCESS = {"statements": 0, "transactions": 0}


def _counted(what: str) -> None:
    setattr(SQL_COUNTS, what, getattr(SQL_COUNTS, what) + 1)
    SQL_COUNTS_PROCESS[what] += 1


def _counting_cursor():
    import psycopg

    class CountingCursor(psycopg.Cursor):
        def execute(self, *args, **kwargs):
            _counted("statements")
            return super().execute(*args, **kwargs)

        def executemany(self, *args, **kwargs):
            _counted("statements")
            return super().executemany(*args, **kwargs)

    return CountingCursor


def execute_planned(raw, statement: str, params):
    """Run STATEMENT on the psycopg connection RAW with a plan made for this run (never a prepared statement).

    psycopg prepares a statement after a few runs, and PostgreSQL may then keep one generic plan for the
    connection's life: it is planned again only when the tables it reads are analyzed. A statement that looks
    rows up by an array of keys, planned while its table was a few pages, keeps that plan's sequential scan as
    the table grows (with autovacuum off, or before its first ANALYZE: measured in docs/SCALING.md). Such
    statements come here: planning each run costs a fraction of a millisecond and always sees today's tables."""
    return raw.execute(statement, params, prepare=False)


@contextmanager
def driver_connection(engine: Engine) -> Iterator:
    """The psycopg connection of one of ENGINE's pooled connections, for a statement or two sent as they are: what
    `engine.connect()` and `exec_driver_sql` do, without SQLAlchemy's connection, execution context and result
    objects (about 70 µs of CPU a statement less, measured here; a stage sends several an article). For ENGINE in
    autocommit (`stage_autocommit`, `reading_engine`): nothing is committed or rolled back here. The driver's errors
    are raised as SQLAlchemy wraps them (`exc.IntegrityError`, `exc.OperationalError`, ...: STORE_ERRORS), and a
    connection the driver found broken is dropped from the pool, as `exec_driver_sql` would have them."""
    pooled = engine.raw_connection()
    driver = pooled.driver_connection
    try:
        yield driver
    except DriverError as error:
        if driver.closed or driver.broken:
            pooled.invalidate()
        raise exc.DBAPIError.instance(None, None, error, DriverError) from error
    finally:
        pooled.close()


def _count_statements(dbapi_connection, _record) -> None:
    dbapi_connection.cursor_factory = _counting_cursor()


def _count_commit(connection) -> None:
    if not connection.connection.dbapi_connection.autocommit:
        _counted("transactions")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # NORMAL: in WAL mode a commit does not wait for the disk (an fsync of several ms per commit, and a stage
    # commits once per article); the store stays consistent, and what a crash of the process loses is nothing —
    # only a power loss or an OS crash can take back the last commits. FULL waits for the disk at every commit.
    cursor.execute(f"PRAGMA synchronous={get_settings().sqlite_synchronous}")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_JSON = {"json_serializer": jsontext.dumps, "json_deserializer": jsontext.loads}  # JSON columns: the text the raw writes write


def make_engine(url: str, *, pooled: bool = True, synchronous_commit: str | None = None, autocommit: bool = False) -> Engine:
    """An engine for URL; SYNCHRONOUS_COMMIT (PostgreSQL): its connections' synchronous_commit, set as they open;
    AUTOCOMMIT (PostgreSQL): its connections run in autocommit from the start (`reading_engine`)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **_JSON)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    connect_args = {"options": f"-c synchronous_commit={synchronous_commit}"} if synchronous_commit else {}
    isolation = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    if not pooled:
        return create_engine(url, poolclass=NullPool, connect_args=connect_args, **isolation, **_JSON)
    engine = create_engine(url, pool_size=5, max_overflow=5, connect_args=connect_args, **isolation, **_JSON)
    _MADE_WITH[engine] = synchronous_commit
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _note_checkin)
    if get_settings().profile_dir:
        event.listen(engine, "connect", _count_statements)
        event.listen(engine, "commit", _count_commit)
    return engine


_MADE_WITH: weakref.WeakKeyDictionary[Engine, str | None] = weakref.WeakKeyDictionary()  # a pooled engine's synchronous_commit


def _note_checkin(_dbapi_connection, record) -> None:
    record.info["returned_at"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
    """Pessimistic disconnect handling for connections that sat in the pool (the database may have restarted meanwhile).

    What pool_pre_ping does, without its round trip on every checkout: a busy process takes the same
    connections again and again within milliseconds, and a ping for each transaction was a tenth of the
    statements. A connection returned less than PING_IDLE_S ago is used as it is; should the database
    have gone away within that second, the statement fails as a disconnect (the pool is invalidated) and
    the stage is retried with backoff like any other database error.
    """
    returned = record.info.get("returned_at")
    if returned is None or time.monotonic() - returned <= PING_IDLE_S:
        return
    try:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        try:
            dbapi_connection.execute("SELECT 1")
        finally:
            dbapi_connection.autocommit = autocommit
    except Exception as error:  # noqa: BLE001 - any failure here means the connection is gone: the pool takes another
        raise exc.DisconnectionError(f"pooled connection failed its ping: {error}") from error


@lru_cache(maxsize=4)
def _engine_for(url: str, pid: int) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """One engine per process and URL; a forked worker child gets its own pool."""
    return _engine_for(get_settings().database_url, os.getpid())


@lru_cache(maxsize=4)
def _stage_engine_for(url: str, pid: int, synchronous_commit: str) -> Engine:
    return make_engine(url, synchronous_commit=synchronous_commit)


def stage_engine() -> Engine:
    """The engine of the stages' own writes (clean, extract, link): results the pipeline computes again from the
    received article. On PostgreSQL their commits do not wait for the WAL flush (CLAIMWIRE_STAGE_SYNCHRONOUS_COMMIT,
    default off), as the embedded SQLite store's do not (synchronous NORMAL): a crash of the database can take back
    the last of them, never a part of one, and never one without all those committed after it (the WAL is replayed
    in order, and every durable commit flushes what was written before it). An article whose stage was taken back is
    found by the sweep and runs it again. What others may act on is durable: an article received (the API's answer,
    the intake stream's acknowledgement), the stored ledger and every change of the feed (storage/changefeed.py makes
    the transaction that writes one wait for its flush, whatever its engine), webhooks, failures. Elsewhere, or with
    the setting `on`, the one engine (get_engine)."""
    engine = get_engine()
    setting = get_settings().stage_synchronous_commit
    if engine.dialect.name != "postgresql" or setting == "on":
        return engine
    return _stage_engine_for(get_settings().database_url, os.getpid(), setting)


def stage_autocommit() -> Engine | None:
    """`stage_engine` in autocommit on PostgreSQL (a stage's one-statement reads and writes, committed at once: the
    fast path), else None."""
    engine = stage_engine()
    return reading_engine(engine) if engine.dialect.name == "postgresql" else None


def reset_engines() -> None:
    """Forget cached engines, e.g. after a test changed DATABASE_URL."""
    _engine_for.cache_clear()
    _stage_engine_for.cache_clear()
    _sessionmaker_for.cache_clear()
    reading_engine.cache_clear()
    _health_engine.cache_clear()


@lru_cache(maxsize=4)
def _health_engine(url: str, pid: int) -> Engine:
    if url.startswith("sqlite"):
        return create_engine(url, poolclass=NullPool, connect_args={"timeout": 5})
    return make_engine(url, pooled=False)


def ping() -> None:
    """One round trip to the database on a connection of its own, not one of the pool the requests share:
    a health check that never waits behind them for a connection."""
    with _health_engine(get_settings().database_url, os.getpid()).connect() as connection:
        connection.execute(text("SELECT 1"))


@lru_cache(maxsize=8)
def _sessionmaker_for(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)


@lru_cache(maxsize=8)
def reading_engine(engine: Engine) -> Engine:
    """ENGINE for statements that need no transaction around them: autocommit on PostgreSQL (no BEGIN and
    COMMIT round trips; each statement sees the latest commits), ENGINE itself elsewhere."""
    if engine.dialect.name != "postgresql":
        return engine
    if engine not in _MADE_WITH:  # not one of make_engine's pooled engines
        return engine.execution_options(isolation_level="AUTOCOMMIT")
    # a pool of its own whose connections are born in autocommit: an engine's execution option would set autocommit
    # on every checkout and take it back on every checkin (four or five checkouts an article)
    url = engine.url.render_as_string(hide_password=False)
    return make_engine(url, synchronous_commit=_MADE_WITH[engine], autocommit=True)


@contextmanager
def session_scope(*, read_only: bool = False, stage_write: bool = False) -> Iterator[Session]:
    """A session committed at the end (rolled back on an error).

    STAGE_WRITE: a stage's own results, on `stage_engine` (their commit need not wait for the disk).

    READ_ONLY: for reads that need no transaction around them (each statement sees the latest commits):
    on PostgreSQL the connection runs in autocommit, which spares the BEGIN and COMMIT round trips. Nothing
    written in such a session is kept as one unit, so write nothing in it.
    """
    engine = stage_engine() if stage_write else get_engine()
    session = _sessionmaker_for(reading_engine(engine) if read_only else engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%"))
    return config


def migrate(url: str | None = None) -> None:
    """Bring the database up to the newest migration."""
    from alembic import command

    command.upgrade(alembic_config(url), "head")


def create_database(admin_url: str, prefix: str, *, migrated: bool = True) -> str:
    """A new PostgreSQL database PREFIX_<random> on ADMIN_URL's server (benches and tests), migrated unless
    MIGRATED is false (what a new deployment starts from); returns its URL."""
    import uuid

    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    if migrated:
        migrate(url)
    return url


def drop_database(url: str, admin_url: str) -> None:
    """Drop the database of URL (made by `create_database`), its connections with it."""
    import psycopg

    reset_engines()
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
