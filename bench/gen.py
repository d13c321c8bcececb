#!/usr/bin/env python3
"""The benchmark's synthetic project: N tables and a history of R revisions, written three ways.

  gen.py --tables N --revisions R --out DIR

writes
  DIR/cpp/models.hpp, DIR/cpp/t0000.hpp ...   Retort models at head (one header per table)
  DIR/migrations/versions/*.json               Retort's history (format 1), R revisions
  DIR/alembic/models.py                        the same models in SQLAlchemy
  DIR/alembic/versions/*.py                    the same history as Alembic revision scripts
  DIR/alembic/alembic.ini, env.py, script.py.mako

Table i is t0000 ... with eight columns of mixed types (bigint identity primary key,
varchar(100) with an index, integer and boolean with server defaults, double precision,
timestamptz default now(), nullable text, and a nullable bigint foreign key to table
(i-1)/2 (t0000 to itself)). Revision 1 creates every table, then its foreign keys; revisions
2..R each add one column to one table (nullable integer, nullable varchar(40), or integer NOT
NULL DEFAULT 0, in turn), and every fifth also indexes it. The models are the head of that
history, so `retort check` of the scanned models against the history finds nothing: that is
how the generated history is validated (bench/run.sh fails otherwise).
"""
import argparse
import json
import os
import shutil

PUBLIC = "public"


def tname(i):
    return f"t{i:04d}"


def base_columns():
    # (name, retort json column, C++ field, SQLAlchemy column)
    return [
        ("id", {"name": "id", "type": "bigint", "nullable": False, "identity": "by_default"},
         "RETORT_COLUMN(primary_key, identity) std::int64_t id;",
         "sa.Column('id', sa.BigInteger(), sa.Identity(), nullable=False)"),
        ("name", {"name": "name", "type": "varchar(100)", "nullable": False},
         "RETORT_COLUMN(length = 100, index) std::string name;",
         "sa.Column('name', sa.String(100), nullable=False)"),
        ("quantity", {"name": "quantity", "type": "integer", "nullable": False, "default": "0"},
         'RETORT_COLUMN(server_default = "0") std::int32_t quantity;',
         "sa.Column('quantity', sa.Integer(), nullable=False, server_default=sa.text('0'))"),
        ("price", {"name": "price", "type": "double precision", "nullable": False},
         "double price;",
         "sa.Column('price', sa.Float(precision=53), nullable=False)"),
        ("active", {"name": "active", "type": "boolean", "nullable": False, "default": "true"},
         'RETORT_COLUMN(server_default = "true") bool active;',
         "sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.text('true'))"),
        ("created_at", {"name": "created_at", "type": "timestamptz", "nullable": False, "default": "now()"},
         'RETORT_COLUMN(server_default = "now()") retort::Timestamp created_at;',
         "sa.Column('created_at', sa.DateTime(timezone=True), nullable=False, server_default=sa.text('now()'))"),
        ("note", {"name": "note", "type": "text", "nullable": True},
         "std::optional<std::string> note;",
         "sa.Column('note', sa.Text(), nullable=True)"),
        ("parent_id", {"name": "parent_id", "type": "bigint", "nullable": True},
         None,  # written per table: it names the referenced table
         "sa.Column('parent_id', sa.BigInteger(), nullable=True)"),
    ]


def added_column(r):
    """The column revision r (2..R) adds: (name, json, C++ field, SQLAlchemy column, indexed)."""
    c = f"c{r:04d}"
    kind = r % 3
    indexed = r % 5 == 0
    ix = "index" if indexed else ""
    if kind == 0:
        j = {"name": c, "type": "integer", "nullable": True}
        cpp = (f"RETORT_COLUMN({ix}) " if ix else "") + f"std::optional<std::int32_t> {c};"
        py = f"sa.Column('{c}', sa.Integer(), nullable=True)"
    elif kind == 1:
        j = {"name": c, "type": "varchar(40)", "nullable": True}
        cpp = f"RETORT_COLUMN(length = 40{', index' if ix else ''}) std::optional<std::string> {c};"
        py = f"sa.Column('{c}', sa.String(40), nullable=True)"
    else:
        j = {"name": c, "type": "integer", "nullable": False, "default": "0"}
        cpp = f'RETORT_COLUMN(server_default = "0"{", index" if ix else ""}) std::int32_t {c};'
        py = f"sa.Column('{c}', sa.Integer(), nullable=False, server_default=sa.text('0'))"
    return c, j, cpp, py, indexed


def parent(i):
    """The table table i's foreign key references: a binary tree (t0000 references itself), so
    reflection that follows foreign keys (SQLAlchemy's) recurses log N deep, not N."""
    return (i - 1) // 2 if i > 0 else 0


def qn(t):
    return {"schema": PUBLIC, "name": t}


def fk_of(i):
    t = tname(i)
    ref = tname(parent(i))
    return {"name": f"fk_{t}_parent_id_{ref}", "columns": ["parent_id"],
            "references": {"schema": PUBLIC, "table": ref, "columns": ["id"]}, "on_delete": "cascade"}


def table_def(i):
    t = tname(i)
    return {"schema": PUBLIC, "name": t,
            "columns": [c[1] for c in base_columns()],
            "primary_key": {"name": f"pk_{t}", "columns": ["id"]},
            "indexes": [{"name": f"ix_{t}_name", "columns": ["name"]}]}


def revision_id(r):
    return f"{r:04d}be7c4a11"[:12]


def write_json(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def plan(n, r_total):
    """Revision r (2..R) -> table index it changes."""
    return {r: (r * 37) % n for r in range(2, r_total + 1)}


def write_retort_history(out, n, r_total, targets):
    d = os.path.join(out, "migrations", "versions")
    os.makedirs(d)
    for r in range(1, r_total + 1):
        if r == 1:
            up = [{"op": "create_table", "table": table_def(i)} for i in range(n)]
            up += [{"op": "add_foreign_key", "table": qn(tname(i)), "foreign_key": fk_of(i)} for i in range(n)]
            down = [{"op": "drop_foreign_key", "table": qn(tname(i)), "foreign_key": fk_of(i)}
                    for i in reversed(range(n))]
            down += [{"op": "drop_table", "table": table_def(i)} for i in reversed(range(n))]
            message = f"create {n} tables"
        else:
            t = tname(targets[r])
            c, j, _, _, indexed = added_column(r)
            up = [{"op": "add_column", "table": qn(t), "column": j}]
            down = [{"op": "drop_column", "table": qn(t), "column": j}]
            message = f"add {t}.{c}"
            if indexed:
                ix = {"name": f"ix_{t}_{c}", "columns": [c]}
                up.append({"op": "create_index", "table": qn(t), "index": ix})
                down.insert(0, {"op": "drop_index", "table": qn(t), "index": ix})
        created_s = r  # seconds after a fixed epoch, in order
        doc = {"format": 1, "id": revision_id(r), "parents": [revision_id(r - 1)] if r > 1 else [],
               "message": message,
               "created": f"2026-01-01T{created_s // 3600:02d}:{created_s // 60 % 60:02d}:{created_s % 60:02d}Z",
               "upgrade": up, "downgrade": down}
        write_json(os.path.join(d, f"20260101{r:06d}_{revision_id(r)}_{message.replace(' ', '_').replace('.', '_')}.json"), doc)


def columns_by_table(n, r_total, targets):
    extra = {i: [] for i in range(n)}
    for r in range(2, r_total + 1):
        extra[targets[r]].append(added_column(r))
    return extra


def write_cpp(out, n, extra):
    d = os.path.join(out, "cpp")
    os.makedirs(d)
    for i in range(n):
        t = tname(i)
        ref = tname(parent(i))
        lines = ["// Generated by bench/gen.py.", "#pragma once", "",
                 "#include <cstdint>", "#include <optional>", "#include <string>", "",
                 "#include <retort/model.hpp>", "", "namespace bench {", "",
                 f'struct RETORT_TABLE("{t}") T{i:04d} {{']
        for name, _, cpp, _ in base_columns():
            if name == "parent_id":
                cpp = (f'RETORT_COLUMN(references = "{ref}.id", on_delete = cascade) '
                       "std::optional<std::int64_t> parent_id;")
            lines.append(f"  {cpp}")
        for _, _, cpp, _, _ in extra[i]:
            lines.append(f"  {cpp}")
        lines += ["};", "", "}  // namespace bench", ""]
        with open(os.path.join(d, f"{t}.hpp"), "w") as f:
            f.write("\n".join(lines))
    with open(os.path.join(d, "models.hpp"), "w") as f:
        f.write("// Generated by bench/gen.py: every table.\n#pragma once\n\n")
        f.writelines(f'#include "{tname(i)}.hpp"\n' for i in range(n))


ALEMBIC_INI = """[alembic]
script_location = %(here)s
version_locations = %(here)s/versions

[loggers]
keys = root
[handlers]
keys = console
[formatters]
keys = generic
[logger_root]
level = WARN
handlers = console
[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic
[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

ENV_PY = '''# Generated by bench/gen.py: online migrations against $BENCH_SQLALCHEMY_URL, one
# transaction per revision (as Retort does).
import os
import sys

from alembic import context
from sqlalchemy import create_engine

sys.path.insert(0, os.path.dirname(__file__))
import models  # noqa: E402

engine = create_engine(os.environ["BENCH_SQLALCHEMY_URL"])
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=models.metadata,
                      transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
'''

MAKO = '''"""${message}"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = None
depends_on = None


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''

NAMING = ('{"pk": "pk_%(table_name)s", "ix": "ix_%(table_name)s_%(column_0_name)s", '
          '"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s", '
          '"uq": "uq_%(table_name)s_%(column_0_name)s"}')


def write_alembic(out, n, r_total, targets, extra):
    d = os.path.join(out, "alembic")
    v = os.path.join(d, "versions")
    os.makedirs(v)
    with open(os.path.join(d, "alembic.ini"), "w") as f:
        f.write(ALEMBIC_INI)
    with open(os.path.join(d, "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(d, "script.py.mako"), "w") as f:
        f.write(MAKO)

    # The models: Core tables on one MetaData (what autogenerate compares).
    m = ["# Generated by bench/gen.py: the same tables as the Retort models.",
         "import sqlalchemy as sa", "", f"metadata = sa.MetaData(naming_convention={NAMING})", ""]
    for i in range(n):
        t = tname(i)
        ref = tname(parent(i))
        m.append(f"sa.Table('{t}', metadata,")
        for name, _, _, py in base_columns():
            if name == "name":
                py = py.replace("nullable=False)", "nullable=False, index=True)")
            if name == "parent_id":
                py = (f"sa.Column('parent_id', sa.BigInteger(), sa.ForeignKey('{ref}.id', ondelete='CASCADE'), "
                      "nullable=True)")
            if name == "id":
                py = py.replace("nullable=False)", "primary_key=True)")
            m.append(f"    {py},")
        for _, _, _, py, indexed in extra[i]:
            if indexed:
                py = py[:-1] + ", index=True)"
            m.append(f"    {py},")
        m.append(")")
    with open(os.path.join(d, "models.py"), "w") as f:
        f.write("\n".join(m) + "\n")

    def script(r, up, down, message):
        prev = repr(revision_id(r - 1)) if r > 1 else "None"
        body = [f'"""{message}"""', "from alembic import op", "import sqlalchemy as sa", "",
                f"revision = {revision_id(r)!r}", f"down_revision = {prev}", "branch_labels = None",
                "depends_on = None", "", "", "def upgrade():"]
        body += [f"    {s}" for s in up] + ["", "", "def downgrade():"] + [f"    {s}" for s in down]
        with open(os.path.join(v, f"{revision_id(r)}_rev{r:04d}.py"), "w") as f:
            f.write("\n".join(body) + "\n")

    up, down = [], []
    for i in range(n):
        t = tname(i)
        cols = []
        for name, _, _, py in base_columns():
            cols.append(py)
        up.append(f"op.create_table('{t}', " + ", ".join(cols) + f", sa.PrimaryKeyConstraint('id', name='pk_{t}'))")
        up.append(f"op.create_index('ix_{t}_name', '{t}', ['name'])")
    for i in range(n):
        t = tname(i)
        ref = tname(parent(i))
        up.append(f"op.create_foreign_key('fk_{t}_parent_id_{ref}', '{t}', '{ref}', ['parent_id'], ['id'], "
                  "ondelete='CASCADE')")
        down.insert(0, f"op.drop_constraint('fk_{t}_parent_id_{ref}', '{t}', type_='foreignkey')")
    down += [f"op.drop_table('{tname(i)}')" for i in reversed(range(n))]
    script(1, up, down, f"create {n} tables")
    for r in range(2, r_total + 1):
        t = tname(targets[r])
        c, _, _, py, indexed = added_column(r)
        up = [f"op.add_column('{t}', {py})"]
        down = [f"op.drop_column('{t}', '{c}')"]
        if indexed:
            up.append(f"op.create_index('ix_{t}_{c}', '{t}', ['{c}'])")
            down.insert(0, f"op.drop_index('ix_{t}_{c}', table_name='{t}')")
        script(r, up, down, f"add {t}.{c}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tables", type=int, required=True)
    ap.add_argument("--revisions", type=int, required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if a.tables < 1 or a.revisions < 1:
        ap.error("--tables and --revisions must be at least 1")
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    os.makedirs(a.out)
    targets = plan(a.tables, a.revisions)
    extra = columns_by_table(a.tables, a.revisions, targets)
    write_retort_history(a.out, a.tables, a.revisions, targets)
    write_cpp(a.out, a.tables, extra)
    write_alembic(a.out, a.tables, a.revisions, targets, extra)


if __name__ == "__main__":
    main()
