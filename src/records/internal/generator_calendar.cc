#include "records/internal/generator_calendar.h"

#include <algorithm>

namespace vigie::records::internal {

int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

PartialDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return PartialDate{static_cast<int>(yoe + era * 400 + (m <= 2)), m, d};
}

int64_t AddYears(int64_t days, int years) {
  PartialDate c = CivilFromDays(days);
  if (c.month == 2 && c.day == 29) c.day = 28;
  return DaysFromCivil(c.year + years, c.month, c.day);
}

int64_t DayBetween(SeededRandom& rng, int64_t lo, int64_t hi, bool recent) {
  if (hi <= lo) return lo;
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  uint64_t off = rng.Below(span);
  if (recent) off = std::max(off, rng.Below(span));
  return lo + static_cast<int64_t>(off);
}

}  // namespace vigie::records::internal
