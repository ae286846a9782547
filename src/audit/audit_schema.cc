// The audit database's schema, as versioned migrations of its own (apart
// from Vigie's), on SQLite and on PostgreSQL. See docs/formats/audit-log.md.

#include <string_view>

#include "audit/audit_log.h"

namespace vigie::audit {
namespace {

// Security: the triggers make the log append-only for Vigie itself (a bug
// cannot rewrite history); someone with the file can drop them, which is what
// the chain, the checkpoints and the witness file are for.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE audit_event (
  sequence INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  type INTEGER NOT NULL,
  agent_id INTEGER NOT NULL,
  unit_id INTEGER NOT NULL,
  session_id INTEGER NOT NULL,
  source_address TEXT NOT NULL,
  terms_hash BLOB,
  event BLOB NOT NULL,
  chain_hash BLOB NOT NULL
);
CREATE INDEX audit_event_by_agent ON audit_event (agent_id, time_us);
CREATE INDEX audit_event_by_unit ON audit_event (unit_id, time_us);
CREATE INDEX audit_event_by_time ON audit_event (time_us);
CREATE TABLE audit_person_access (
  segment INTEGER NOT NULL,
  person_id INTEGER NOT NULL,
  sequence INTEGER NOT NULL,
  PRIMARY KEY (segment, person_id, sequence)
) WITHOUT ROWID;
CREATE TABLE audit_person_segment (segment INTEGER PRIMARY KEY);
CREATE TABLE audit_checkpoint (
  tree_size INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  root BLOB NOT NULL,
  chain_hash BLOB NOT NULL,
  key_id INTEGER NOT NULL,
  signature BLOB NOT NULL
);
CREATE TABLE audit_tip (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  size INTEGER NOT NULL,
  chain_hash BLOB NOT NULL,
  frontier BLOB NOT NULL,
  person_indexed INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

// Every perfect subtree of >= 2^kStoredSubtreeMinLevel leaves (subtree_table.h), so proofs over a
// stored log need O(log n) reads. Existing logs are backfilled on open.
constexpr std::string_view kSchemaV2 = R"sql(
CREATE TABLE IF NOT EXISTS audit_subtree (
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS audit_subtree_no_update BEFORE UPDATE ON audit_subtree
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_subtree_no_delete BEFORE DELETE ON audit_subtree
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

// How far audit_subtree is known complete (subtree_table.h): every row from
// kStoredSubtreeMinLevel for the first `subtrees_to` events, kept by the
// writers in their append transactions. A node of an older release appends
// without touching it, so the count stops there until a backfill; 0 for an
// existing log, whose rows start at a higher level (the next writer to open
// it backfills the rest).
constexpr std::string_view kSchemaV3 = R"sql(
ALTER TABLE audit_tip ADD COLUMN subtrees_to INTEGER NOT NULL DEFAULT 0;
)sql";

// The person index in chunks of sorted pairs (person_chunk.h) instead of a
// row per pair. The chunks are derived data, rebuilt by the writers from the
// events, behind `person_chunked`. The old rows (audit_person_access, up to
// `person_indexed`) are left to nodes of the previous release, which keep
// extending them during a rolling upgrade, and answer past the chunks until
// these catch up, so queries stay as quick as before the upgrade.
constexpr std::string_view kSchemaV4 = R"sql(
ALTER TABLE audit_tip ADD COLUMN person_chunked INTEGER NOT NULL DEFAULT 0;
CREATE TABLE audit_person_chunk (
  segment INTEGER NOT NULL,
  first_person INTEGER NOT NULL,
  last_person INTEGER NOT NULL,
  pairs BLOB NOT NULL,
  PRIMARY KEY (segment, first_person)
) WITHOUT ROWID;
)sql";

// SQLite has no TRUNCATE (a DELETE without WHERE meets the row triggers):
// version 5 is PostgreSQL's alone, kept here so both count the same versions.
constexpr std::string_view kSchemaV5 = "SELECT 1;";

constexpr store::Migration kMigrations[] = {{1, "audit log", kSchemaV1},
                                            {2, "audit Merkle subtrees", kSchemaV2},
                                            {3, "audit subtree coverage", kSchemaV3},
                                            {4, "audit person index in chunks", kSchemaV4},
                                            {5, "audit tables refuse TRUNCATE", kSchemaV5}};

// The same schema on PostgreSQL. Security: as on SQLite, the triggers keep
// Vigie itself from rewriting history; in production the audit schema is
// also owned by another role than the one Vigie connects as
// (docs/operations.md), so UPDATE and DELETE are not even granted.
constexpr std::string_view kPgSchemaV1 = R"sql(
CREATE TABLE audit_event (
  sequence BIGINT PRIMARY KEY,
  time_us BIGINT NOT NULL,
  type BIGINT NOT NULL,
  agent_id BIGINT NOT NULL,
  unit_id BIGINT NOT NULL,
  session_id BIGINT NOT NULL,
  source_address TEXT NOT NULL,
  terms_hash BYTEA,
  event BYTEA NOT NULL,
  chain_hash BYTEA NOT NULL
);
CREATE INDEX audit_event_by_agent ON audit_event (agent_id, time_us);
CREATE INDEX audit_event_by_unit ON audit_event (unit_id, time_us);
CREATE INDEX audit_event_by_time ON audit_event (time_us);
CREATE TABLE audit_person_access (
  segment BIGINT NOT NULL,
  person_id BIGINT NOT NULL,
  sequence BIGINT NOT NULL,
  PRIMARY KEY (segment, person_id, sequence)
);
CREATE TABLE audit_person_segment (segment BIGINT PRIMARY KEY);
CREATE TABLE audit_checkpoint (
  tree_size BIGINT PRIMARY KEY,
  time_us BIGINT NOT NULL,
  root BYTEA NOT NULL,
  chain_hash BYTEA NOT NULL,
  key_id BIGINT NOT NULL,
  signature BYTEA NOT NULL
);
CREATE TABLE audit_tip (
  id BIGINT PRIMARY KEY CHECK (id = 1),
  size BIGINT NOT NULL,
  chain_hash BYTEA NOT NULL,
  frontier BYTEA NOT NULL,
  person_indexed BIGINT NOT NULL DEFAULT 0
);
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE OR DELETE ON audit_checkpoint
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
)sql";

constexpr std::string_view kPgSchemaV2 = R"sql(
CREATE TABLE audit_subtree (
  level BIGINT NOT NULL,
  idx BIGINT NOT NULL,
  hash BYTEA NOT NULL,
  PRIMARY KEY (level, idx)
);
CREATE TRIGGER audit_subtree_no_update BEFORE UPDATE OR DELETE ON audit_subtree
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
)sql";

constexpr std::string_view kPgSchemaV3 = R"sql(
ALTER TABLE audit_tip ADD COLUMN subtrees_to BIGINT NOT NULL DEFAULT 0;
)sql";

constexpr std::string_view kPgSchemaV4 = R"sql(
ALTER TABLE audit_tip ADD COLUMN person_chunked BIGINT NOT NULL DEFAULT 0;
CREATE TABLE audit_person_chunk (
  segment BIGINT NOT NULL,
  first_person BIGINT NOT NULL,
  last_person BIGINT NOT NULL,
  pairs BYTEA NOT NULL,
  PRIMARY KEY (segment, first_person)
);
)sql";

// Only the events refused TRUNCATE before: a role owning the schema could
// empty the checkpoints or the stored subtrees in one statement.
constexpr std::string_view kPgSchemaV5 = R"sql(
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_subtree_no_truncate BEFORE TRUNCATE ON audit_subtree
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
)sql";

constexpr store::Migration kPgMigrations[] = {{1, "audit log", kPgSchemaV1},
                                              {2, "audit Merkle subtrees", kPgSchemaV2},
                                              {3, "audit subtree coverage", kPgSchemaV3},
                                              {4, "audit person index in chunks", kPgSchemaV4},
                                              {5, "audit tables refuse TRUNCATE", kPgSchemaV5}};

}  // namespace

std::span<const store::Migration> AuditLogSchema(store::Dialect dialect) {
  if (dialect == store::Dialect::kPostgres) return kPgMigrations;
  return kMigrations;
}

}  // namespace vigie::audit
