#pragma once
// Test-only: a temporary audit log with a signing key on the suite's backend
// (store/test_database.h), and raw access to its database for the tests that
// play the attacker.

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "audit/audit_log.h"
#include "crypto/keyring.h"
#include "store/test_database.h"
#include "tests/support/temp_dir.h"

namespace vigie::audit::testing {

// What an attacker with full access to the database does first: lift the
// triggers that keep the log append-only.
inline Result<void> LiftAppendOnlyGuards(store::Connection& db) {
  if (db.dialect() == store::Dialect::kPostgres) {
    return db.ExecuteScript(
        "ALTER TABLE audit_event DISABLE TRIGGER USER; "
        "ALTER TABLE audit_checkpoint DISABLE TRIGGER USER; "
        "ALTER TABLE IF EXISTS audit_subtree DISABLE TRIGGER USER;");
  }
  std::string script;
  for (const char* table : {"audit_event", "audit_checkpoint", "audit_subtree"}) {
    for (const char* change : {"update", "delete"}) {
      script += std::string("DROP TRIGGER IF EXISTS ") + table + "_no_" + change + "; ";
    }
  }
  return db.ExecuteScript(script);
}

// What a log written before its tables refused TRUNCATE (schema version 5)
// looks like.
inline Result<void> BackToSchemaVersion4(store::Connection& db) {
  if (db.dialect() == store::Dialect::kPostgres) {
    RETURN_IF_ERROR(
        db.ExecuteScript("DROP TRIGGER audit_checkpoint_no_truncate ON audit_checkpoint; "
                         "DROP TRIGGER audit_subtree_no_truncate ON audit_subtree;"));
  }
  return db.ExecuteScript("DELETE FROM schema_version WHERE version = 5;");
}

// What a log written before the person index went into chunks (schema
// version 4) looks like: its rows per access (audit_person_access) are the
// index, up to person_indexed (none here: 0).
inline Result<void> BackToSchemaVersion3(store::Connection& db) {
  RETURN_IF_ERROR(BackToSchemaVersion4(db));
  return db.ExecuteScript(
      "DROP TABLE audit_person_chunk; DELETE FROM audit_person_segment; "
      "ALTER TABLE audit_tip DROP COLUMN person_chunked; "
      "UPDATE audit_tip SET person_indexed = 0; "
      "DELETE FROM schema_version WHERE version = 4;");
}

// Runs `sql` with `ints` bound to $1, $2, ... and then `blob`, if any, to the
// next parameter: the attacker's edits.
inline Result<void> RunSql(store::Connection& db, std::string_view sql,
                           std::initializer_list<int64_t> ints,
                           std::span<const uint8_t> blob = {}) {
  ASSIGN_OR_RETURN(store::Statement * statement, db.Prepare(sql));
  int index = 1;
  for (int64_t value : ints) statement->BindInt(index++, value);
  if (!blob.empty()) statement->BindBlob(index, blob);
  RETURN_IF_ERROR(statement->Run());
  return {};
}

// An SQL expression for 32 zero bytes.
inline std::string ZeroHashSql(const store::Connection& db) {
  return db.dialect() == store::Dialect::kPostgres ? "decode(repeat('00', 32), 'hex')"
                                                   : "zeroblob(32)";
}

// An SQL script that makes every insert into the audit events fail, as a full
// disk or a failing server does (undone by AcceptInsertsSql).
inline std::string RefuseInsertsSql(const store::Connection& db) {
  if (db.dialect() == store::Dialect::kPostgres) {
    return "CREATE FUNCTION refuse_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE "
           "EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$; CREATE "
           "TRIGGER refuse_insert BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION "
           "refuse_insert();";
  }
  return "CREATE TRIGGER refuse_insert BEFORE INSERT ON audit_event BEGIN SELECT "
         "RAISE(ABORT, 'database or disk is full'); END;";
}
inline std::string AcceptInsertsSql(const store::Connection& db) {
  return db.dialect() == store::Dialect::kPostgres ? "DROP TRIGGER refuse_insert ON audit_event"
                                                   : "DROP TRIGGER refuse_insert";
}

inline AuditEvent SearchEvent(int64_t agent_id, std::vector<int64_t> person_ids) {
  AuditEvent event;
  event.time_unix_micros = 1'764'000'000'000'000 + agent_id;
  event.type = AuditEventType::kSearch;
  event.actor = {
      .agent_id = agent_id, .service_number = "GN-" + std::to_string(agent_id), .unit_id = 3};
  event.session_id = 10 + agent_id;
  event.source_address = "192.0.2.7";
  event.purpose = "identity_check";
  event.person_ids = std::move(person_ids);
  return event;
}

class AuditLogFixture {
 public:
  AuditLogFixture() : keyring_(crypto::Keyring::CreateInMemory(random_)) {
    (void)keyring_.AddDataKey(crypto::kPurposeAuditSigning, random_);
  }

  AuditLogOptions Options() const {
    AuditLogOptions options;
    options.url = database_.url();
    options.witness_file = dir_ / "witness.jsonl";
    options.checkpoint_every_events = 10;
    return options;
  }

  std::unique_ptr<AuditLog> OpenLog(AuditLogOptions options) {
    auto log = AuditLog::Open(std::move(options), SigningKey(), clock_);
    if (!log) throw std::runtime_error(log.error().message());
    return std::move(*log);
  }
  std::unique_ptr<AuditLog> OpenLog() { return OpenLog(Options()); }

  // A plain connection to the log's database, as someone holding the file has.
  std::unique_ptr<store::Connection> RawDatabase() const {
    auto db = store::Open(Options().url);
    if (!db) throw std::runtime_error(db.error().message());
    return std::move(*db);
  }

  const crypto::DataKey& SigningKey() const {
    return **keyring_.Current(crypto::kPurposeAuditSigning);
  }
  crypto::Ed25519PublicKey PublicKey() const {
    return crypto::Ed25519KeyPair::FromSeed(SigningKey().bytes()).public_key();
  }
  std::optional<crypto::Ed25519PublicKey> KeyById(uint32_t id) const {
    if (id != SigningKey().id) return std::nullopt;
    return PublicKey();
  }

  const vigie::testing::TempDir& dir() const { return dir_; }
  store::testing::Backend backend() const { return database_.backend(); }
  FakeClock& clock() { return clock_; }

 private:
  vigie::testing::TempDir dir_;
  store::testing::SuiteDatabase database_;
  SeededRandom random_{7};
  crypto::Keyring keyring_;
  FakeClock clock_{TimePoint(std::chrono::seconds(1'764'000'000))};
};

}  // namespace vigie::audit::testing
