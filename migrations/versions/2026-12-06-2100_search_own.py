"""The search vectors of the Vorhaben entries in a narrow table of their own, PostgreSQL only
(issue 18, search speed): `search_own` (the entry, its Vorhaben, its scope, the entry's
weighted tsvector) with a GIN index, kept by a trigger on `search_entries`, as the titles
are since 0036.

The search's second tier takes the newest Vorhaben whose own text matches. Read from
`search_entries`, the GIN index's matches were fetched from the wide rows of that table
(the four token columns and the vector) and rechecked there: "OZG" and "Cloud" 100-115 ms at
100,000 Vorhaben, most of it blocks read past PostgreSQL's cache. Here a row holds only
what the lookup returns and the vector, which is stored out of line (`toast_tuple_target`):
the matches' rows sit in a few hundred blocks. The count of hits reads it too. SQLite's FTS5
reads the Vorhaben columns apart already (a column filter).

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0037"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTION = """
CREATE FUNCTION search_own_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_own (entry_id, vorhaben_id, scope, own)
    VALUES (NEW.id, NEW.vorhaben_id, NEW.scope, NEW.search_vector)
    ON CONFLICT (entry_id) DO UPDATE SET
        vorhaben_id = EXCLUDED.vorhaben_id, scope = EXCLUDED.scope, own = EXCLUDED.own;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE search_own ("
        " entry_id integer PRIMARY KEY"
        " REFERENCES search_entries (id) ON DELETE CASCADE,"
        " vorhaben_id integer NOT NULL,"
        " scope varchar(20) NOT NULL,"
        " own tsvector NOT NULL)"
        " WITH (toast_tuple_target = 128)"
    )
    op.execute(
        "INSERT INTO search_own (entry_id, vorhaben_id, scope, own) "
        "SELECT id, vorhaben_id, scope, search_vector FROM search_entries "
        "WHERE kind = 'vorhaben'"
    )
    op.execute("CREATE INDEX ix_search_own_own ON search_own USING gin (own)")
    op.execute(FUNCTION)
    # The vector is generated from the token columns: an update of one of them changes it.
    op.execute(
        "CREATE TRIGGER search_own_keep AFTER INSERT OR UPDATE OF tokens_a, tokens_b, "
        "tokens_c, tokens_d, scope, vorhaben_id ON search_entries FOR EACH ROW "
        "WHEN (NEW.kind = 'vorhaben') EXECUTE FUNCTION search_own_keep()"
    )
    op.execute("ANALYZE search_own")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER search_own_keep ON search_entries")
    op.execute("DROP FUNCTION search_own_keep()")
    op.execute("DROP TABLE search_own")
