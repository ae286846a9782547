#pragma once
// The side-by-side peer: the same persons in plain PostgreSQL 15 tables (names
// in clear), searched with fuzzystrmatch's dmetaphone and b-tree indexes.

#include <libpq-fe.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_workload.h"

namespace vigie::bench {

class PostgresPeer {
 public:
  explicit PostgresPeer(const std::string& conninfo);
  ~PostgresPeer();
  bool ok() const { return ok_; }

  // (Re)creates the table, copies the persons in and builds the indexes.
  bool Load(const records::PopulationGenerator& generator, uint64_t persons);
  // Person ids of at most 20 matches, best first.
  std::vector<int64_t> Search(const records::SearchProbe& probe);

 private:
  bool Exec(const std::string& sql);
  PGconn* conn_ = nullptr;
  bool ok_ = false;
  bool prepared_ = false;
};

}  // namespace vigie::bench
