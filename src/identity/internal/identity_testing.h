#pragma once
// Test fixture for identity: a migrated temp SQLite database, a fake clock,
// a keyring with a "totp-seeds" key, cheap Argon2id parameters, and helpers
// to create and activate agents. Tests only.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/clock.h"
#include "core/random.h"
#include "crypto/crypto.h"
#include "identity/identity.h"
#include "store/store.h"
#include "tests/support/matchers.h"
#include "store/test_database.h"

namespace vigie::identity::testing {

// 2024-03-01T12:00:00Z
inline constexpr int64_t kStart = 1709294400;

inline IdentityOptions CheapOptions() {
  IdentityOptions options;
  // Security: tests only — the minimum Argon2id cost keeps ASan runs fast.
  options.argon2 = {.t_cost = 1, .m_cost_kib = 8};
  return options;
}

inline constexpr std::string_view kGoodPassword = "correct-Lantern-57-Orbit";

struct IdentityDb {
  IdentityDb()
      : clock(TimePoint(std::chrono::seconds(kStart))),
        random(7),
        keyring(crypto::Keyring::CreateInMemory(random)) {
    auto opened = store::Open(database.url());
    if (!opened) ADD_FAILURE() << opened.error().ToString();
    db = std::move(*opened);
    auto migrated = store::Migrate(*db, store::VigieSchema(db->dialect()));
    if (!migrated) ADD_FAILURE() << migrated.error().ToString();
    auto id = keyring.AddDataKey(kPurposeTotpSeeds, random);
    if (!id) ADD_FAILURE() << id.error().ToString();
    totp_key = *keyring.Current(kPurposeTotpSeeds);
    auto common = CommonPasswords::Parse("password\nqwertyuiop123\nmotdepasse123\n");
    if (!common) ADD_FAILURE() << common.error().ToString();
    policy = std::make_unique<PasswordPolicy>(std::move(*common));
  }

  AgentDirectory Directory() { return AgentDirectory(*db, clock, options); }
  Activation Activator() { return Activation(*db, clock, *totp_key, *policy, hasher, options); }
  Authenticator Login() { return Authenticator(*db, clock, *totp_key, hasher, options); }

  // Adds unit "U1" once and an agent; returns the agent and its code.
  AgentWithCode AddAgent(std::string service_number = "PN-1001",
                         std::string name = "Hélène Moreau") {
    AgentDirectory directory = Directory();
    if (!directory.FindUnit("U1")) {
      auto unit =
          directory.AddUnit({.code = "U1", .name = "Commissariat Nantes", .kind = "police"});
      if (!unit) ADD_FAILURE() << unit.error().ToString();
    }
    auto added = directory.AddAgent({.service_number = service_number,
                                     .display_name = name,
                                     .unit_code = "U1",
                                     .roles = {"agent", "investigator"}});
    if (!added) {
      ADD_FAILURE() << added.error().ToString();
      return {};
    }
    return std::move(*added);
  }

  // Adds and activates an agent; returns its TOTP seed (decoded from the URI).
  std::vector<uint8_t> AddActiveAgent(std::string service_number = "PN-1001") {
    AgentWithCode added = AddAgent(service_number);
    auto activated =
        Activator().Activate(crypto::AsText(added.activation.code.view()), kGoodPassword);
    if (!activated) {
      ADD_FAILURE() << activated.error().ToString();
      return {};
    }
    auto seed = crypto::Base32Decode(activated->enrolment.secret_base32());
    if (!seed) ADD_FAILURE() << seed.error().ToString();
    return *seed;
  }

  int64_t Now() const { return UnixSeconds(clock.Now()); }

  // Failed logins written down, naming an agent or not.
  int64_t FailuresWritten() {
    auto rows = db->Prepare(
        "SELECT (SELECT count(*) FROM login_failure) + (SELECT count(*) FROM "
        "unknown_login_failure)");
    if (!rows || !(*rows)->Step().value_or(false)) return -1;
    const int64_t count = (*rows)->ColumnInt(0);
    (void)(*rows)->Run();
    return count;
  }

  store::testing::SuiteDatabase database;
  FakeClock clock;
  SeededRandom random;
  crypto::Keyring keyring;
  const crypto::DataKey* totp_key = nullptr;
  std::unique_ptr<store::Connection> db;
  std::unique_ptr<PasswordPolicy> policy;
  InlinePasswordHasher hasher;
  IdentityOptions options = CheapOptions();
};

}  // namespace vigie::identity::testing
