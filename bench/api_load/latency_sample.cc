#include "bench/api_load/latency_sample.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace vigie::bench {

void LatencySample::Merge(const LatencySample& other) {
  values_.insert(values_.end(), other.values_.begin(), other.values_.end());
  sorted_ = false;
}

double LatencySample::QuantileMs(double q) {
  if (values_.empty()) return 0;
  if (!sorted_) {
    std::sort(values_.begin(), values_.end());
    sorted_ = true;
  }
  double rank = std::ceil(q * static_cast<double>(values_.size()));
  size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  index = std::min(index, values_.size() - 1);
  return values_[index] / 1000.0;
}

double LatencySample::MeanMs() const {
  if (values_.empty()) return 0;
  double sum = std::accumulate(values_.begin(), values_.end(), 0.0);
  return sum / static_cast<double>(values_.size()) / 1000.0;
}

}  // namespace vigie::bench
