#pragma once
// Days for the population generator: proleptic Gregorian dates as days since
// 1970-01-01 (H. Hinnant's algorithms), and uniform draws between two days.
//
// Thread-safety: pure functions; DayBetween draws from the caller's generator.

#include <cstdint>

#include "core/random.h"
#include "records/model.h"

namespace vigie::records::internal {

int64_t DaysFromCivil(int year, int month, int day);
PartialDate CivilFromDays(int64_t days);
// The same day `years` later (or earlier); 29 February becomes the 28th.
int64_t AddYears(int64_t days, int years);
// Uniform day in [lo, hi]; with `recent`, skewed toward hi (max of two draws).
int64_t DayBetween(SeededRandom& rng, int64_t lo, int64_t hi, bool recent);

}  // namespace vigie::records::internal
