// login_timing_bench: does the time of a refused login tell whether the
// service number exists? (issue 3: "unknown agent, wrong password and wrong
// code give the same answer in the same time").
//
// On a SQLite installation on disk (synchronous=FULL, as served), it
// alternates refused password steps for unknown service numbers and for a
// real agent's wrong password, and prints each one's median and 90th
// percentile and the ratio of the medians: once with the production Argon2id
// parameters (the whole refusal), once with the cheapest ones (what is left
// when hashing is taken out: the database's part, where a missing commit
// would show).
//
// With --pg URL, the same on a fresh schema of that PostgreSQL server. With
// --threads T (> 1), then T threads at once, each alternating unknown service
// numbers and its own real agent's wrong password on its own connection
// (hashing taken out): concurrent refusals, where a serialization conflict
// and its retry would be a delay of its own; then bursts of T refusals at
// once for one service number, real or unknown.
//
// Usage: login_timing_bench [--workdir DIR] [--attempts N] [--pg URL] [--threads T]
#include <algorithm>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/fresh_schema.h"
#include "core/clock.h"
#include "crypto/crypto.h"
#include "crypto/random.h"
#include "identity/identity.h"
#include "store/retry.h"
#include "store/store.h"

namespace {

using namespace vigie;
constexpr std::string_view kPassword = "correct-Lantern-57-Orbit";
constexpr std::string_view kAddress = "192.0.2.10";

[[noreturn]] void Die(const std::string& what, const Error& error) {
  std::fprintf(stderr, "login_timing_bench: %s: %s\n", what.c_str(), error.ToString().c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> result, const std::string& what) {
  if (!result) Die(what, result.error());
  return std::move(*result);
}

struct Installation {
  std::unique_ptr<store::Connection> db;
  SystemClock clock;
  crypto::SystemRandom random;
  crypto::Keyring keyring = crypto::Keyring::CreateInMemory(random);
  const crypto::DataKey* totp_key = nullptr;
  identity::InlinePasswordHasher hasher;
};

void AddTotpKey(Installation& site) {
  Must(site.keyring.AddDataKey(identity::kPurposeTotpSeeds, site.random), "TOTP key");
  site.totp_key = Must(site.keyring.Current(identity::kPurposeTotpSeeds), "TOTP key");
}

// An active agent with kPassword, hashed under `options`, and a TOTP factor.
void AddAgent(Installation& site, const std::string& service_number,
              const identity::IdentityOptions& options) {
  identity::AgentDirectory directory(*site.db, site.clock, options);
  if (!directory.FindUnit("U1")) {
    Must(directory.AddUnit({.code = "U1", .name = "Commissariat Nantes", .kind = "police"}),
         "unit");
  }
  identity::AgentWithCode added = Must(directory.AddAgent({.service_number = service_number,
                                                           .display_name = "Hélène Moreau",
                                                           .unit_code = "U1",
                                                           .roles = {"agent"}}),
                                       "agent");
  auto common = Must(identity::CommonPasswords::Parse("password\n"), "password list");
  identity::PasswordPolicy policy(std::move(common));
  identity::Activation activation(*site.db, site.clock, *site.totp_key, policy, site.hasher,
                                  options);
  Must(activation.Activate(crypto::AsText(added.activation.code.view()), kPassword), "activate");
}

struct Spread {
  double median_ms;
  double p90_ms;
};

Spread SpreadOf(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[ms.size() * 9 / 10]};
}

struct Timings {
  std::vector<double> unknown;
  std::vector<double> known;
};

// Alternates the two kinds of refusal so that both see the same disk and
// host; unknown service numbers are PN-9<lane><i>, never an agent's.
void Alternate(store::Connection& db, Installation& site, const std::string& agent,
               const identity::IdentityOptions& options, int attempts, int lane, Timings& out) {
  identity::Authenticator login(db, site.clock, *site.totp_key, site.hasher, options);
  auto time_one = [&](std::string_view service_number, std::string_view password) {
    const auto start = std::chrono::steady_clock::now();
    auto refused = login.VerifyPassword(service_number, password, kAddress);
    const auto end = std::chrono::steady_clock::now();
    if (refused || refused.error().code() != ErrorCode::kUnauthenticated) {
      std::fprintf(stderr, "login_timing_bench: expected a refusal for %.*s: %s\n",
                   static_cast<int>(service_number.size()), service_number.data(),
                   refused ? "accepted" : refused.error().ToString().c_str());
      std::exit(1);
    }
    return std::chrono::duration<double, std::milli>(end - start).count();
  };
  for (int i = 0; i < attempts; ++i) {
    const std::string absent = "PN-9" + std::to_string(lane) + std::to_string(100000 + i);
    out.unknown.push_back(time_one(absent, kPassword));
    out.known.push_back(time_one(agent, "wrong-password-" + std::to_string(i)));
  }
}

void Print(const char* label, const Timings& timings) {
  const Spread u = SpreadOf(timings.unknown);
  const Spread k = SpreadOf(timings.known);
  std::printf(
      "  %s: unknown service number median %.3f ms (p90 %.3f), real agent's wrong password "
      "median %.3f ms (p90 %.3f); ratio of the medians %.3f\n",
      label, u.median_ms, u.p90_ms, k.median_ms, k.p90_ms, u.median_ms / k.median_ms);
}

void Measure(Installation& site, const std::string& agent, const identity::IdentityOptions& options,
             int attempts, const char* label) {
  Timings timings;
  Alternate(*site.db, site, agent, options, attempts, 0, timings);
  Print(label, timings);
}

// `threads` lanes at once, lane t refusing agent PN-200<t> and unknown numbers.
void MeasureConcurrent(const std::string& url, Installation& site,
                       const identity::IdentityOptions& options, int attempts, int threads) {
  std::vector<Timings> lanes(static_cast<size_t>(threads));
  std::vector<std::unique_ptr<store::Connection>> connections;
  for (int t = 0; t < threads; ++t) connections.push_back(Must(store::Open(url), "open"));
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&, t] {
      Alternate(*connections[static_cast<size_t>(t)], site, "PN-200" + std::to_string(t + 1),
                options, attempts, t + 1, lanes[static_cast<size_t>(t)]);
    });
  }
  for (std::thread& thread : running) thread.join();
  Timings all;
  for (const Timings& lane : lanes) {
    all.unknown.insert(all.unknown.end(), lane.unknown.begin(), lane.unknown.end());
    all.known.insert(all.known.end(), lane.known.begin(), lane.known.end());
  }
  const std::string label = "hashing taken out, " + std::to_string(threads) + " threads at once";
  Print(label.c_str(), all);
}

// Bursts: `threads` refusals at the same moment for ONE service number,
// alternately a real agent's (PN-1002) and an unknown one: where refusals
// for one real agent conflicted on PostgreSQL and were run again after a
// pause, and an unknown number's never did. Also counts the conflicts met.
void MeasureBursts(const std::string& url, Installation& site,
                   const identity::IdentityOptions& options, int rounds, int threads) {
  std::vector<std::unique_ptr<store::Connection>> connections;
  for (int t = 0; t < threads; ++t) connections.push_back(Must(store::Open(url), "open"));
  Timings timings;
  std::mutex mutex;
  const int64_t conflicts_before = store::TransactionConflictsSeen();
  for (int round = 0; round < 2 * rounds; ++round) {
    const bool known = round % 2 == 1;
    const std::string target = known ? "PN-1002" : "PN-9BURST" + std::to_string(round);
    std::barrier start(threads);
    std::vector<std::thread> running;
    for (int t = 0; t < threads; ++t) {
      running.emplace_back([&, t] {
        identity::Authenticator login(*connections[static_cast<size_t>(t)], site.clock,
                                      *site.totp_key, site.hasher, options);
        start.arrive_and_wait();
        const auto begun = std::chrono::steady_clock::now();
        auto refused = login.VerifyPassword(target, "wrong-password-burst", kAddress);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begun)
                .count();
        if (refused || refused.error().code() != ErrorCode::kUnauthenticated) {
          std::fprintf(stderr, "login_timing_bench: a burst refusal failed: %s\n",
                       refused ? "accepted" : refused.error().ToString().c_str());
          std::exit(1);
        }
        std::lock_guard lock(mutex);
        (known ? timings.known : timings.unknown).push_back(ms);
      });
    }
    for (std::thread& thread : running) thread.join();
  }
  const std::string label =
      "hashing taken out, bursts of " + std::to_string(threads) + " at once for one service number";
  Print(label.c_str(), timings);
  std::printf("  transaction conflicts met during the bursts: %lld\n",
              static_cast<long long>(store::TransactionConflictsSeen() - conflicts_before));
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path workdir = "/tmp/vigie-bench";
  int attempts = 200;
  int threads = 1;
  std::string pg;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--workdir") {
      workdir = argv[i + 1];
    } else if (flag == "--attempts") {
      attempts = std::max(10, std::atoi(argv[i + 1]));
    } else if (flag == "--pg") {
      pg = argv[i + 1];
    } else if (flag == "--threads") {
      threads = std::clamp(std::atoi(argv[i + 1]), 1, 64);
    } else {
      std::fprintf(stderr,
                   "usage: login_timing_bench [--workdir DIR] [--attempts N] [--pg URL] "
                   "[--threads T]\n");
      return 2;
    }
  }
  std::filesystem::create_directories(workdir);
  const std::filesystem::path file = workdir / "login-timing.db";
  auto remove_file = [&] {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::filesystem::remove(file.string() + suffix);
    }
  };
  remove_file();
  const std::string url =
      pg.empty() ? "sqlite:" + file.string() : bench::FreshPostgresSchema(pg, "login_timing");
  if (url.empty()) {
    std::fprintf(stderr, "login_timing_bench: cannot make a schema on %s\n", pg.c_str());
    return 1;
  }
  Installation site;
  site.db = Must(store::Open(url), "open");
  Must(store::Migrate(*site.db, store::VigieSchema(site.db->dialect())), "migrate");
  // The agents are never locked here: every refusal of them is a wrong password.
  identity::IdentityOptions production;
  production.lockout_threshold = 1 << 30;
  identity::IdentityOptions cheapest = production;
  cheapest.argon2 = {.t_cost = 1, .m_cost_kib = 8};
  AddTotpKey(site);
  AddAgent(site, "PN-1001", production);
  AddAgent(site, "PN-1002", cheapest);
  if (threads > 1) {
    for (int t = 1; t <= threads; ++t) AddAgent(site, "PN-200" + std::to_string(t), cheapest);
  }

  std::printf("== refused logins (%d of each kind, alternated; %s)\n", attempts,
              pg.empty() ? ("SQLite on " + workdir.string()).c_str() : "PostgreSQL");
  Measure(site, "PN-1001", production, attempts, "production Argon2id");
  Measure(site, "PN-1002", cheapest, attempts, "hashing taken out");
  if (threads > 1) {
    MeasureConcurrent(url, site, cheapest, attempts, threads);
    MeasureBursts(url, site, cheapest, std::max(10, attempts / threads), threads);
  }
  if (pg.empty()) remove_file();
  return 0;
}
