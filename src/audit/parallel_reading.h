#pragma once
// Large reads of the audit log on two connections: SQLite reads each event's
// page with a system call of its own, and an investigator's question ("what
// did these agents see this month", a breach report's proofs) reads tens of
// thousands of pages scattered over the log, so two connections on two
// cores answer in about half the time. Events never change once written,
// so a second connection reads the same events whatever snapshot it sees.
//
// Thread-safety: ReadInTwo uses `db` on the calling thread and the second
// connection on a thread of its own, joined before it returns or throws.

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
  // Reads of fewer events are done by `db` alone (a connection and a thread
  // cost more than they save).
  size_t from_events = 4096;
};

// `read(connection, first, last)` returns the results for items [first,
// last) in order; ReadInTwo returns those of [0, count), the second half
// read on a connection of `parallel`'s when `events` (what the whole read
// costs, in events) reaches its threshold. What the second connection does
// not answer (it cannot be opened, no thread can be started, it fails or
// throws) `db` reads again: only `db`'s answer can be an error, so a second
// connection that sees another server (a lagging replica) never makes an
// event look missing.
template <typename T, typename Read>
Result<std::vector<T>> ReadInTwo(store::Connection& db, size_t count, size_t events,
                                 const ParallelReading& parallel, const Read& read) {
  if (!parallel.open || count < 2 || events < parallel.from_events) return read(db, 0, count);
  const size_t half = count / 2;
  std::optional<Result<std::vector<T>>> second;  // empty: left to `db`
  std::jthread helper;                           // joined however this returns
  try {
    helper = std::jthread([&] {
      try {
        auto helper_db = parallel.open();
        if (helper_db) second = read(**helper_db, half, count);
      } catch (const std::exception&) {
        second.reset();
      }
    });
  } catch (const std::system_error&) {
    // No thread to be had: `db` reads both halves.
  }
  Result<std::vector<T>> first = read(db, 0, half);
  if (helper.joinable()) helper.join();
  if (!first) return first;
  if (!second || !*second) second = read(db, half, count);
  if (!*second) return std::move(*second);
  std::move((*second)->begin(), (*second)->end(), std::back_inserter(*first));
  return first;
}

}  // namespace vigie::audit
