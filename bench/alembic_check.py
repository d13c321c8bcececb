#!/usr/bin/env python3
"""Alembic's no-change drift check (what `alembic check` does from Alembic 1.9; Debian 12 has
1.8): compare the SQLAlchemy models with the live database at head; exit 3 on any difference.
usage: BENCH_SQLALCHEMY_URL=... alembic_check.py ALEMBIC_DIR"""
import os
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

sys.path.insert(0, sys.argv[1])
import models  # noqa: E402

engine = create_engine(os.environ["BENCH_SQLALCHEMY_URL"])
with engine.connect() as connection:
    diff = compare_metadata(MigrationContext.configure(connection), models.metadata)
for d in diff:
    print(d)
sys.exit(3 if diff else 0)
