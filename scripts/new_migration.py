"""Write a service's next Alembic migration from the difference between its tables and its
migrations so far: `python scripts/new_migration.py intake "add media hash"`.

Review the generated file before committing it; it is plain Alembic operations.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "gen")]

from runtime.db import MIGRATIONS_ENV  # noqa: E402
from runtime.modules import spec_of  # noqa: E402


def main(service: str, message: str) -> None:
    spec = spec_of(service)
    with tempfile.TemporaryDirectory() as tmp:
        engine = sa.create_engine(f"sqlite:///{tmp}/scratch.sqlite3")
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS_ENV))
        cfg.set_main_option("version_locations", str(spec.migrations))
        cfg.set_main_option("path_separator", "os")
        existing = sorted(p for p in spec.migrations.glob("[0-9]*.py"))
        rev_id = f"{len(existing) + 1:04d}"
        with engine.begin() as conn:
            cfg.attributes.update(connection=conn, metadata=spec.metadata, schema=None)
            command.upgrade(cfg, "heads")
            command.revision(cfg, message=message, autogenerate=True, rev_id=rev_id,
                             version_path=str(spec.migrations), head="head" if existing else "base")
    for path in spec.migrations.glob(f"{rev_id}_*.py"):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
