// Vigie's database schema, as versioned migrations. Never edit a released
// migration: add a new one. See docs/formats/database.md.

#include <iterator>

#include "store/store.h"

namespace vigie::store {
namespace {

// Security: no column holds a name, date or record content in clear. `sealed`
// columns are XChaCha20-Poly1305 ciphertexts under the data key `key_id`;
// `external_ref` is a keyed hash of the source system's id; `keys` holds
// keyed-hash search postings (docs/formats/search-index.md).
// The external_ref unique indexes are named, not inline UNIQUE constraints, so
// that a bulk import into empty tables can drop them and rebuild each once
// (RecordRepository::SuspendRefIndexes).
constexpr Migration kSqlite[] = {
    {1, "records",
     R"sql(
CREATE TABLE person (
  id            INTEGER PRIMARY KEY,
  external_ref  BLOB NOT NULL,
  key_id        INTEGER NOT NULL,
  sealed        BLOB NOT NULL
);
CREATE UNIQUE INDEX person_by_ref ON person(external_ref);
CREATE TABLE person_search (
  person_id     INTEGER PRIMARY KEY REFERENCES person(id),
  birth_tag     INTEGER NOT NULL,
  keys          BLOB NOT NULL,
  names         BLOB NOT NULL
);
CREATE TABLE wanted_notice (
  id            INTEGER PRIMARY KEY,
  external_ref  BLOB NOT NULL,
  person_id     INTEGER NOT NULL REFERENCES person(id),
  key_id        INTEGER NOT NULL,
  sealed        BLOB NOT NULL
);
CREATE UNIQUE INDEX wanted_notice_by_ref ON wanted_notice(external_ref);
CREATE INDEX wanted_notice_by_person ON wanted_notice(person_id);
CREATE TABLE record_entry (
  id            INTEGER PRIMARY KEY,
  external_ref  BLOB NOT NULL,
  person_id     INTEGER NOT NULL REFERENCES person(id),
  key_id        INTEGER NOT NULL,
  sealed        BLOB NOT NULL
);
CREATE UNIQUE INDEX record_entry_by_ref ON record_entry(external_ref);
CREATE INDEX record_entry_by_person ON record_entry(person_id);
)sql"},
    {
        2,
        "identity",
#include "store/internal/migration_0002_identity.inc"
    },
    {
        3,
        "sessions",
#include "store/internal/migration_0003_sessions.inc"
    },
    {
        4,
        "detect and incident",
#include "store/internal/migration_0004_detect_incident.inc"
    },
    {
        5,
        "passkeys",
#include "store/internal/migration_0005_passkeys.inc"
    },
    {
        6,
        "DPoP proofs seen",
#include "store/internal/migration_0006_dpop_replay.inc"
    },
    {
        7,
        "counts shared by nodes",
#include "store/internal/migration_0007_shared_counts.inc"
    },
    {
        8,
        "failed logins naming no agent",
#include "store/internal/migration_0008_unknown_login_failures.inc"
    },
    {
        9,
        "incident holds lifted one by one",
#include "store/internal/migration_0009_incident_hold_lifted.inc"
    },
    {
        10,
        "records generation",
#include "store/internal/migration_0010_records_generation.inc"
    },
    {
        11,
        "incident agent count",
#include "store/internal/migration_0011_incident_agent_count.inc"
    },
    {
        12,
        "detection judged",
#include "store/internal/migration_0012_detection_judged.inc"
    },
    {
        13,
        "refresh token spent by a proof",
#include "store/internal/migration_0013_refresh_spent_by.inc"
    },
    {
        14,
        "incident release mode",
#include "store/internal/migration_0014_incident_release_mode.inc"
    },
    {
        15,
        "passkey ids never reused",
#include "store/internal/migration_0015_passkey_ids_never_reused.inc"
    },
};

// The same migrations, same numbers and same meaning, in PostgreSQL SQL.
constexpr Migration kPostgres[] = {
    {
        1,
        "records",
#include "store/internal/pg_migration_0001_records.inc"
    },
    {
        2,
        "identity",
#include "store/internal/pg_migration_0002_identity.inc"
    },
    {
        3,
        "sessions",
#include "store/internal/pg_migration_0003_sessions.inc"
    },
    {
        4,
        "detect and incident",
#include "store/internal/pg_migration_0004_detect_incident.inc"
    },
    {
        5,
        "passkeys",
#include "store/internal/pg_migration_0005_passkeys.inc"
    },
    {
        6,
        "DPoP proofs seen",
#include "store/internal/pg_migration_0006_dpop_replay.inc"
    },
    {
        7,
        "counts shared by nodes",
#include "store/internal/pg_migration_0007_shared_counts.inc"
    },
    {
        8,
        "failed logins naming no agent",
#include "store/internal/pg_migration_0008_unknown_login_failures.inc"
    },
    {
        9,
        "incident holds lifted one by one",
#include "store/internal/pg_migration_0009_incident_hold_lifted.inc"
    },
    {
        10,
        "records generation",
#include "store/internal/pg_migration_0010_records_generation.inc"
    },
    {
        11,
        "incident agent count",
#include "store/internal/pg_migration_0011_incident_agent_count.inc"
    },
    {
        12,
        "detection judged",
#include "store/internal/pg_migration_0012_detection_judged.inc"
    },
    {
        13,
        "refresh token spent by a proof",
#include "store/internal/pg_migration_0013_refresh_spent_by.inc"
    },
    {
        14,
        "incident release mode",
#include "store/internal/pg_migration_0014_incident_release_mode.inc"
    },
    {
        15,
        "passkey ids never reused",
#include "store/internal/pg_migration_0015_passkey_ids_never_reused.inc"
    },
};
static_assert(std::size(kPostgres) == std::size(kSqlite), "one migration list per dialect");

}  // namespace

std::span<const Migration> VigieSchema(Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite: return kSqlite;
    case Dialect::kPostgres: return kPostgres;
  }
  return {};
}

}  // namespace vigie::store
