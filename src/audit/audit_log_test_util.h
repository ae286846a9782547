#pragma once
// Test-only: a temporary audit log with a signing key, and raw access to its
// database for the tests that play the attacker.

#include <memory>

#include "audit/audit_log.h"
#include "crypto/keyring.h"
#include "tests/support/temp_dir.h"

namespace vigie::audit::testing {

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
    options.url = "sqlite:" + (dir_ / "audit.db").string();
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
  FakeClock& clock() { return clock_; }

 private:
  vigie::testing::TempDir dir_;
  SeededRandom random_{7};
  crypto::Keyring keyring_;
  FakeClock clock_{TimePoint(std::chrono::seconds(1'764'000'000))};
};

}  // namespace vigie::audit::testing
