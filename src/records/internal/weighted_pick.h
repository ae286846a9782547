#pragma once
// Weighted choice over a fixed table for the population generator: cumulative
// weights and a binary search, drawn from the caller's seeded generator.
//
// Thread-safety: immutable once filled; Pick may run concurrently.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/random.h"

namespace vigie::records::internal {

class WeightedIndex {
 public:
  void Add(double weight) {
    total_ += std::max(weight, 0.0);
    cumulative_.push_back(total_);
  }
  bool empty() const { return total_ <= 0.0; }
  size_t size() const { return cumulative_.size(); }
  // REQUIRES: !empty().
  size_t Pick(SeededRandom& rng) const {
    const double x = rng.Unit() * total_;
    const size_t i = static_cast<size_t>(
        std::upper_bound(cumulative_.begin(), cumulative_.end(), x) - cumulative_.begin());
    return std::min(i, cumulative_.size() - 1);
  }

 private:
  std::vector<double> cumulative_;
  double total_ = 0.0;
};

// A weighted subset of rows of some table: Pick() returns the row number.
class RowPicker {
 public:
  void Add(uint32_t row, double weight) {
    if (weight <= 0) return;
    rows_.push_back(row);
    index_.Add(weight);
  }
  bool empty() const { return index_.empty(); }
  uint32_t Pick(SeededRandom& rng) const { return rows_[index_.Pick(rng)]; }

 private:
  std::vector<uint32_t> rows_;
  WeightedIndex index_;
};

}  // namespace vigie::records::internal
