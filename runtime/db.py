"""Each service's own database: a SQLite file (monolithic mode) or a PostgreSQL schema.

A service never reads another's tables. On PostgreSQL every service connects with `search_path`
set to its own schema, so the same table definitions and migrations serve both modes.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

MIGRATIONS_ENV = Path(__file__).parent / "alembic"


class Database:
    def __init__(self, service: str, url: str, metadata: sa.MetaData, migrations: Path, pool_size: int = 5):
        self.service = service
        self.metadata = metadata
        self.migrations = migrations
        self.url = sa.engine.make_url(url)
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        # The service's audit trail (runtime/audit.py AuditTrail.attach) and the hooks run in every
        # transaction before it commits (the trail's record of a mutating call).
        self.audit = None
        self.before_commit: list[Callable[[Connection], None]] = []
        self.schema = service if self.is_postgres else None
        if self.is_postgres:
            self.engine: Engine = sa.create_engine(
                self.url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                connect_args={"options": f"-csearch_path={service}", "connect_timeout": 5},
            )
        else:
            if self.url.database:
                Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine = sa.create_engine(self.url, connect_args={"timeout": 30, "check_same_thread": False})

            @sa.event.listens_for(self.engine, "connect")
            def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA busy_timeout=30000")
                cur.close()

            # SQLite's own transaction handling defers locks; take the write lock at BEGIN so two
            # writers queue instead of failing with "database is locked" half-way.
            @sa.event.listens_for(self.engine, "begin")
            def _sqlite_begin(conn):  # pragma: no cover - trivial
                conn.exec_driver_sql("BEGIN IMMEDIATE")

            @sa.event.listens_for(self.engine, "connect")
            def _no_pysqlite_tx(dbapi_conn, _record):  # pragma: no cover - trivial
                dbapi_conn.isolation_level = None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction; the before_commit hooks run in it once its body succeeded."""
        with self.engine.begin() as conn:
            # What the transaction does, for the hooks (runtime/audit.py: rows written, events' cases).
            conn.info["pakn.tx"] = {"wrote": False, "case_ids": []}
            try:
                yield conn
                for hook in self.before_commit:
                    hook(conn)
            finally:
                conn.info.pop("pakn.tx", None)

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return True
        except Exception:  # noqa: BLE001 - readiness only reports
            log.warning("database of %s unreachable", self.service)
            return False

    def migrate(self) -> None:
        """Bring the service's schema to the newest Alembic revision."""
        from alembic import command
        from alembic.config import Config as AlembicConfig

        if self.is_postgres:
            with self.engine.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{self.service}"')
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS_ENV))
        cfg.set_main_option("version_locations", str(self.migrations))
        cfg.set_main_option("path_separator", "os")
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            cfg.attributes["metadata"] = self.metadata
            cfg.attributes["schema"] = self.schema
            command.upgrade(cfg, "heads")

    def dispose(self) -> None:
        self.engine.dispose()


def sqlite_url(data_dir: Path, service: str) -> str:
    return f"sqlite:///{(data_dir / 'db' / f'{service}.sqlite3').resolve()}"
