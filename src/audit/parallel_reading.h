#pragma once
// Large reads of the audit log on several connections: SQLite reads each
// event's page with a system call of its own, and an investigator's question
// ("what did these agents see this month", a breach report's proofs) reads
// tens of thousands of pages scattered over the log. Warm, the connections
// share the cores (ten agents' month at 100 M events: 0.61 s on four, 0.86 s
// on one). Cold, the test VM's disk serves several raw reads at once (random
// 4 KiB: 3 300/s one at a time, 13 800/s four), but SQLite's reads did not
// gain from it there (docs/benchmarks.md). Events never change once written,
// so the other connections read the same events whatever snapshot they see.
//
// Thread-safety: ReadInParts uses `db` on the calling thread and each other
// connection on a thread of its own, all joined before it returns or throws.

#include <algorithm>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "core/error.h"
#include "store/store.h"

namespace vigie::audit {

struct ParallelReading {
  // Opens a read connection to the same log; none given, or failing to
  // open, `db` reads everything alone.
  std::function<Result<std::unique_ptr<store::Connection>>()> open;
  // Reads of fewer events are done by `db` alone (connections and threads
  // cost more than they save).
  size_t from_events = 4096;
  // Connections reading at once, `db` included.
  size_t connections = 4;
};

// `read(connection, first, last)` returns the results for items [first,
// last) in order; ReadInParts returns those of [0, count), cut into
// `parallel.connections` parts, each but the first read on a connection of
// its own, when `events` (what the whole read costs, in events) reaches the
// threshold. What another connection does not answer (it cannot be opened,
// no thread can be started, it fails or throws) `db` reads again: only
// `db`'s answer can be an error, so a connection that sees another server
// (a lagging replica) never makes an event look missing.
template <typename T, typename Read>
Result<std::vector<T>> ReadInParts(store::Connection& db, size_t count, size_t events,
                                   const ParallelReading& parallel, const Read& read) {
  const size_t parts = std::min(parallel.connections, count);
  if (!parallel.open || parts < 2 || events < parallel.from_events) return read(db, 0, count);
  auto begin = [&](size_t part) { return count * part / parts; };
  std::vector<std::optional<Result<std::vector<T>>>> others(parts);  // empty: left to `db`
  std::vector<std::jthread> helpers;  // joined before `others` goes, however this returns
  try {
    for (size_t part = 1; part < parts; ++part) {
      helpers.emplace_back([&, part] {
        try {
          auto connection = parallel.open();
          if (connection) others[part] = read(**connection, begin(part), begin(part + 1));
        } catch (const std::exception&) {
          others[part].reset();
        }
      });
    }
  } catch (const std::system_error&) {
    // No more threads to be had: `db` reads the parts left.
  }
  Result<std::vector<T>> all = read(db, 0, begin(1));
  for (std::jthread& helper : helpers) helper.join();
  if (!all) return all;
  for (size_t part = 1; part < parts; ++part) {
    std::optional<Result<std::vector<T>>>& other = others[part];
    if (!other || !*other) other = read(db, begin(part), begin(part + 1));
    if (!*other) return std::move(*other);
    std::move((*other)->begin(), (*other)->end(), std::back_inserter(*all));
  }
  return all;
}

}  // namespace vigie::audit
