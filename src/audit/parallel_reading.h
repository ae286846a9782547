#pragma once
// Large reads of the audit log on two connections: SQLite reads each event's
// page with a system call of its own, and an investigator's question ("what
// did these agents see this month", a breach report's proofs) reads tens of
// thousands of pages scattered over the log, so two connections on two
// cores answer in about half the time. Events never change once written,
// so a second connection reads the same events whatever snapshot it sees.
//
// Thread-safety: ReadInTwo uses `db` on the calling thread and the second
// connection on a thread of its own, which it joins before returning.

#include <algorithm>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
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
// costs, in events) reaches its threshold. A second connection that cannot
// be opened leaves its half to `db`.
template <typename T, typename Read>
Result<std::vector<T>> ReadInTwo(store::Connection& db, size_t count, size_t events,
                                 const ParallelReading& parallel, const Read& read) {
  if (!parallel.open || count < 2 || events < parallel.from_events) return read(db, 0, count);
  const size_t half = count / 2;
  std::optional<Result<std::vector<T>>> second;  // empty: no second connection
  std::thread helper([&] {
    auto helper_db = parallel.open();
    if (helper_db) second = read(**helper_db, half, count);
  });
  Result<std::vector<T>> first = read(db, 0, half);
  helper.join();
  if (!second) second = read(db, half, count);
  if (!first) return first;
  if (!*second) return std::move(*second);
  std::move((*second)->begin(), (*second)->end(), std::back_inserter(*first));
  return first;
}

}  // namespace vigie::audit
