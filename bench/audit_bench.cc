// The audit log's figures (issue 4): durable appends per second with group
// commit next to the raw fdatasync rate of the same disk, events per fsync,
// and verification speed (events/s, MB/s) over the log just written.
// With --pg URL, the durable appends again on SQLite, on PostgreSQL, and on
// PostgreSQL with two nodes (two writers on one log, as two `vigie serve`),
// side by side at --compare-events (issue 7).
// Usage: audit_bench --workdir DIR [--events N] [--writers T] [--persons-per-event P]
//                    [--pg postgresql://... [--compare-events N]]
//        audit_bench --log AUDIT_DB|postgresql://... [--readers N]
//                    (only the investigation queries, on an existing log; with
//                    --readers, only with that many connections, once: a cold
//                    figure for each after dropping the page cache)
// (defaults: 1 M events, 32 writers as `vigie serve` has on 2 cores, 20 persons
// as a full search result)

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "audit/audit_verifier.h"
#include "bench/fresh_schema.h"
#include "core/random.h"
#include "crypto/keyring.h"
#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
using vigie::audit::AuditEvent;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// What the disk gives one writer that syncs every 4 KiB write.
double RawFdatasyncPerSecond(const std::filesystem::path& dir) {
  const auto file = dir / "fdatasync.probe";
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return 0;
  std::vector<char> page(4096, 'x');
  int syncs = 0;
  const auto started = Clock::now();
  while (Seconds(started) < 2.0) {
    if (::write(fd, page.data(), page.size()) != static_cast<ssize_t>(page.size())) break;
    if (::fdatasync(fd) != 0) break;
    ++syncs;
  }
  const double rate = syncs / Seconds(started);
  ::close(fd);
  std::filesystem::remove(file);
  return rate;
}

constexpr int64_t kFirstEventMicros = 1'764'000'000'000'000;

// A search that returned `persons_per_event` persons, as the portal writes it.
AuditEvent SearchEvent(uint64_t n, int persons_per_event) {
  AuditEvent event;
  // One event every 2 s: 1 M events span 23 days, 2.6 M the 60 days the
  // window queries below look into.
  event.time_unix_micros = kFirstEventMicros + static_cast<int64_t>(n) * 2'000'000;
  event.type = vigie::audit::AuditEventType::kSearch;
  const auto agent = static_cast<int64_t>(n % 5000 + 1);
  event.actor = {.agent_id = agent,
                 .service_number = "GN-" + std::to_string(agent),
                 .unit_id = agent % 200 + 1};
  event.session_id = static_cast<int64_t>(n / 50 + 1);
  event.token_id_hash.assign(32, static_cast<uint8_t>(n));
  event.dpop_jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
  event.source_address = "10.20." + std::to_string(n % 250) + ".7";
  event.user_agent = "Mozilla/5.0 (X11; Linux x86_64) Vigie/1";
  event.purpose = "identity_check";
  event.query.terms_keyed_hash.assign(32, static_cast<uint8_t>(n >> 8));
  event.query.sealed_terms.assign(90, 0x42);
  for (int i = 0; i < persons_per_event; ++i)
    event.person_ids.push_back(static_cast<int64_t>((n * 7 + i) % 20'000'000 + 1));
  event.latency_micros = 900;
  return event;
}

// "What did these 10 agents see in the last 30 days" and "who consulted this
// person" (100 persons spread over the ids the log holds), timed: read by
// one connection, and with others reading parts of each large answer
// (as `vigie audit search` does; on SQLite). 0 on success.
int Investigate(vigie::store::Connection& db, const std::string& url, int64_t last_micros,
                int64_t first_person, int64_t last_person, size_t readers) {
  const int64_t persons = std::max<int64_t>(1, last_person - first_person + 1);
  const vigie::audit::ParallelReading several{
      .open = [&url] { return vigie::store::Open(url, {.read_only = true}); }};
  // One connection and the default's several, alternated twice so neither
  // reads only what the other brought into the page cache; or only
  // `readers`, once.
  std::vector<size_t> rounds{1, several.connections, 1, several.connections};
  if (readers > 0) rounds = {readers};
  for (const size_t connections : rounds) {
    vigie::audit::ParallelReading reading = several;
    reading.connections = connections;
    const std::string label =
        connections == 1 ? "one reader" : std::to_string(connections) + " readers";
    const auto agents_started = Clock::now();
    uint64_t agents_seen = 0;
    for (int64_t agent = 1; agent <= 10; ++agent) {
      auto found =
          vigie::audit::FindEvents(db,
                                   {.agent_id = agent,
                                    .since_unix_micros = last_micros - int64_t{30} * 86'400'000'000,
                                    .limit = 10'000'000},
                                   reading);
      if (!found) return 1;
      agents_seen += found->size();
    }
    std::printf(
        "what 10 agents did in the last 30 days, %s: %llu events in %.3f s (target <= 1 s)\n",
        label.c_str(), static_cast<unsigned long long>(agents_seen), Seconds(agents_started));
    double worst = 0, total = 0;
    uint64_t accesses = 0;
    for (int64_t i = 1; i <= 100; ++i) {
      const auto person_started = Clock::now();
      auto found = vigie::audit::FindEvents(
          db, {.person_id = first_person + (i * 7919) % persons, .limit = 1'000'000}, reading);
      if (!found) return 1;
      accesses += found->size();
      const double seconds = Seconds(person_started);
      worst = std::max(worst, seconds);
      total += seconds;
    }
    std::printf(
        "who consulted a person, %s (100 persons, %llu accesses): mean %.4f s, worst %.4f s "
        "(target <= 1 s)\n",
        label.c_str(), static_cast<unsigned long long>(accesses), total / 100, worst);
  }
  return 0;
}

// --log FILE|URL: the two questions on a log written by `vigie generate
// --audit-events N` (for the 100 M-event figure), nothing else; a
// postgresql:// URL names a log on PostgreSQL.
int InvestigateExisting(const std::string& file, size_t readers) {
  const bool postgres = file.starts_with("postgresql://");
  auto db = postgres ? vigie::store::Open(file)
                     : vigie::store::Open("sqlite:" + file, {.read_only = true});
  if (!db) {
    std::fprintf(stderr, "audit_bench: %s\n", db.error().message().c_str());
    return 1;
  }
  auto scalar = [&](const char* sql) -> int64_t {
    auto row = (*db)->Prepare(sql);
    if (!row || !*(*row)->Step()) return 0;
    const int64_t value = (*row)->ColumnInt(0);
    (void)(*row)->Run();
    return value;
  };
  const int64_t events = scalar("SELECT coalesce(max(sequence) + 1, 0) FROM audit_event");
  std::printf("== audit log %s: %lld events\n", postgres ? "on PostgreSQL" : file.c_str(),
              static_cast<long long>(events));
  return Investigate(**db, postgres ? file : "sqlite:" + file,
                     scalar("SELECT max(time_us) FROM audit_event"),
                     scalar("SELECT min(first_person) FROM audit_person_chunk"),
                     scalar("SELECT max(last_person) FROM audit_person_chunk"), readers);
}

}  // namespace

// Durable appends per second by `writers` threads spread over `nodes`
// writers (AuditLog instances, as nodes have) on one log at `url`.
double DurableAppendRate(const std::string& url, const std::filesystem::path& dir, uint64_t events,
                         int writers, int nodes, int persons_per_event,
                         const vigie::crypto::DataKey& signing) {
  vigie::SystemClock clock;
  std::vector<std::unique_ptr<vigie::audit::AuditLog>> logs;
  for (int n = 0; n < nodes; ++n) {
    vigie::audit::AuditLogOptions options;
    options.url = url;
    options.node_id = "node-" + std::to_string(n);
    options.witness_file = dir / ("witness-" + std::to_string(n) + ".jsonl");
    options.max_wait = std::chrono::seconds(30);
    auto log = vigie::audit::AuditLog::Open(options, signing, clock);
    if (!log) {
      std::fprintf(stderr, "audit_bench: %s: %s\n", url.c_str(), log.error().message().c_str());
      return 0;
    }
    logs.push_back(std::move(*log));
  }
  std::atomic<uint64_t> next{0}, failed{0};
  const auto started = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      vigie::audit::AuditLog& log = *logs[static_cast<size_t>(t % nodes)];
      for (uint64_t n = next++; n < events; n = next++) {
        if (!log.Append(SearchEvent(n, persons_per_event))) ++failed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double rate = static_cast<double>(events) / Seconds(started);
  uint64_t commits = 0;
  for (const auto& log : logs) commits += log->stats().commits;
  std::printf("  %s, %d node(s): %.1f events per commit\n", url.substr(0, url.find(':')).c_str(),
              nodes,
              static_cast<double>(events) / static_cast<double>(std::max<uint64_t>(1, commits)));
  if (failed > 0)
    std::fprintf(stderr, "audit_bench: %llu appends refused\n",
                 static_cast<unsigned long long>(failed.load()));
  return rate;
}

int CompareBackends(const std::string& server, const std::filesystem::path& dir, uint64_t events,
                    int writers, int persons_per_event, const vigie::crypto::DataKey& signing) {
  std::printf("== audit log on SQLite and PostgreSQL: %llu events, %d writers\n",
              static_cast<unsigned long long>(events), writers);
  const double sqlite = DurableAppendRate("sqlite:" + (dir / "compare.db").string(), dir, events,
                                          writers, 1, persons_per_event, signing);
  const double pg = DurableAppendRate(vigie::bench::FreshPostgresSchema(server, "audit_bench_one"),
                                      dir, events, writers, 1, persons_per_event, signing);
  const double pg_two =
      DurableAppendRate(vigie::bench::FreshPostgresSchema(server, "audit_bench_two"), dir, events,
                        writers, 2, persons_per_event, signing);
  if (sqlite <= 0 || pg <= 0 || pg_two <= 0) return 1;
  std::printf("durable appends, SQLite: %.0f events/s\n", sqlite);
  std::printf("durable appends, PostgreSQL, one node: %.0f events/s (ratio to SQLite: %.2f)\n", pg,
              pg / sqlite);
  std::printf("durable appends, PostgreSQL, two nodes: %.0f events/s (ratio to one node: %.2f)\n",
              pg_two, pg_two / pg);
  return 0;
}

int main(int argc, char** argv) {
  std::filesystem::path workdir = "/tmp/vigie-bench";
  uint64_t events = 1'000'000;
  int writers = 32;
  int persons_per_event = 20;
  std::string pg_server;
  uint64_t compare_events = 100'000;
  std::string existing_log;
  size_t readers = 0;  // 0: one and the default's several, alternated
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--workdir")
      workdir = argv[i + 1];
    else if (flag == "--events")
      events = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--writers")
      writers = std::atoi(argv[i + 1]);  // 0: skip the blocked writers
    else if (flag == "--persons-per-event")
      persons_per_event = std::atoi(argv[i + 1]);
    else if (flag == "--log")
      existing_log = argv[i + 1];
    else if (flag == "--readers")
      readers = std::strtoull(argv[i + 1], nullptr, 10);
    else if (flag == "--pg")
      pg_server = argv[i + 1];
    else if (flag == "--compare-events")
      compare_events = std::strtoull(argv[i + 1], nullptr, 10);
  }
  if (!existing_log.empty()) return InvestigateExisting(existing_log, readers);
  const auto dir = workdir / "audit-bench";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);

  vigie::SeededRandom random(11);
  vigie::crypto::Keyring keyring = vigie::crypto::Keyring::CreateInMemory(random);
  if (!keyring.AddDataKey(vigie::crypto::kPurposeAuditSigning, random)) return 1;
  const vigie::crypto::DataKey& signing = **keyring.Current(vigie::crypto::kPurposeAuditSigning);
  vigie::SystemClock clock;

  if (!pg_server.empty()) {
    return CompareBackends(pg_server, dir, compare_events, std::max(writers, 2), persons_per_event,
                           signing);
  }
  const double raw = RawFdatasyncPerSecond(dir);
  std::printf("== audit log: %llu events of %d persons each, %d concurrent writers, %s\n",
              static_cast<unsigned long long>(events), persons_per_event, writers, dir.c_str());
  std::printf("raw fdatasync (4 KiB writes): %.0f/s\n", raw);

  vigie::audit::AuditLogOptions options;
  options.url = "sqlite:" + (dir / "audit.db").string();
  options.witness_file = dir / "witness.jsonl";
  options.max_wait = std::chrono::seconds(30);  // measure throughput, not refusals
  auto log = vigie::audit::AuditLog::Open(options, signing, clock);
  if (!log) {
    std::fprintf(stderr, "audit_bench: %s\n", log.error().message().c_str());
    return 1;
  }
  std::atomic<uint64_t> next{0};
  std::atomic<uint64_t> failed{0};
  const auto started = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&] {
      for (uint64_t n = next++; n < events; n = next++) {
        if (!(*log)->Append(SearchEvent(n, persons_per_event))) ++failed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const double append_seconds = Seconds(started);
  const vigie::audit::AuditLogStats stats = (*log)->stats();

  // The same again, handed over 16 384 at a time: what the log itself
  // sustains when callers do not each block a thread. The next chunk is made
  // while the log writes this one, as requests make events while it writes.
  const auto bulk_started = Clock::now();
  constexpr uint64_t kChunk = 16'384;
  auto make_chunk = [&](uint64_t first) {
    std::vector<AuditEvent> chunk;
    for (uint64_t n = first; n < std::min(first + kChunk, 2 * events); ++n) {
      chunk.push_back(SearchEvent(n, persons_per_event));
    }
    return chunk;
  };
  std::future<std::vector<AuditEvent>> next_chunk =
      std::async(std::launch::async, make_chunk, events);
  for (uint64_t first = events; first < 2 * events; first += kChunk) {
    std::vector<AuditEvent> chunk = next_chunk.get();
    if (first + kChunk < 2 * events) {
      next_chunk = std::async(std::launch::async, make_chunk, first + kChunk);
    }
    if (!(*log)->AppendAll(std::move(chunk))) ++failed;
  }
  const double bulk_rate = static_cast<double>(events) / Seconds(bulk_started);
  const uint64_t bulk_commits = (*log)->stats().commits - stats.commits;
  log->reset();
  if (writers > 0) {
    const double append_rate = static_cast<double>(events) / append_seconds;
    std::printf(
        "durable appends: %.0f events/s (%.2f s), %llu commits, %.1f events per fsync, "
        "%llu failed\n",
        append_rate, append_seconds, static_cast<unsigned long long>(stats.commits),
        static_cast<double>(stats.size) / static_cast<double>(std::max<uint64_t>(1, stats.commits)),
        static_cast<unsigned long long>(failed.load()));
    std::printf("  ratio to the 100 000 events/s target: %.2f; to raw fdatasync: %.1fx\n",
                append_rate / 100'000.0, append_rate / std::max(raw, 1.0));
  }
  std::printf(
      "durable appends handed over in bulk: %.0f events/s, %.0f events per fsync "
      "(ratio to 100 000/s: %.2f)\n",
      bulk_rate, static_cast<double>(events) / std::max<double>(1, bulk_commits),
      bulk_rate / 100'000.0);

  auto db = vigie::store::Open(options.url, {.read_only = true});
  if (!db) return 1;
  const auto public_key = vigie::crypto::Ed25519KeyPair::FromSeed(signing.bytes()).public_key();
  const auto verify_started = Clock::now();
  auto report =
      vigie::audit::VerifyAuditLog(**db, [&](uint32_t) { return std::optional(public_key); }, {});
  const double verify_seconds = Seconds(verify_started);
  if (!report || !report->ok) {
    std::fprintf(stderr, "audit_bench: the log does not verify\n");
    return 1;
  }
  const double verify_rate = static_cast<double>(report->events) / verify_seconds;
  std::printf("verification: %.0f events/s, %.1f MB/s (%.2f s, %llu checkpoints)\n", verify_rate,
              static_cast<double>(report->bytes) / 1e6 / verify_seconds, verify_seconds,
              static_cast<unsigned long long>(report->checkpoints));
  std::printf("  ratio to the 1 000 000 events/s target: %.2f\n", verify_rate / 1e6);

  // The investigator's two questions on this log (2 x events).
  const int64_t last_micros = kFirstEventMicros + static_cast<int64_t>(2 * events) * 2'000'000;
  // SearchEvent's persons: (n * 7 + i) % 20 M + 1, n from the first phase's
  // 0 (the bulk phase's `events` without writers) to 2 x events.
  const uint64_t first_n = writers > 0 ? 0 : events;
  return Investigate(**db, options.url, last_micros,
                     static_cast<int64_t>(first_n * 7 % 20'000'000 + 1),
                     static_cast<int64_t>(std::min<uint64_t>(2 * events * 7, 20'000'000)),
                     /*readers=*/0);
}
