#include "records/internal/search_hits.h"

#include <algorithm>
#include <memory>

namespace vigie::records::internal {
namespace {

Hit Combined(Hit a, const Hit& b) {
  a.surname_level = std::max(a.surname_level, b.surname_level);
  a.given_level = std::max(a.given_level, b.given_level);
  a.year = a.year || b.year;
  return a;
}

// Merges two runs sorted by person with no person twice in either, folding a
// person present in both; returns the end of the output.
Hit* MergeFolding(const Hit* a, const Hit* a_end, const Hit* b, const Hit* b_end, Hit* out) {
  while (a != a_end && b != b_end) {
    if (a->person < b->person) {
      *out++ = *a++;
    } else if (b->person < a->person) {
      *out++ = *b++;
    } else {
      *out++ = Combined(*a++, *b++);
    }
  }
  out = std::copy(a, a_end, out);
  return std::copy(b, b_end, out);
}

}  // namespace

// A common name's hits are a few runs of thousands next to dozens of short
// ones: merging the runs from the shortest up moves the long ones once or
// twice, where pairwise merging in order would move every hit log2(runs)
// times; folding duplicates while merging shrinks what later merges move.
void FoldByPerson(std::vector<Hit>& hits) {
  struct Run {
    size_t begin, end;
  };
  std::vector<Run> runs;
  for (size_t i = 0; i < hits.size(); ++i) {
    if (i == 0 || hits[i].person <= hits[i - 1].person) {  // strictly ascending runs
      if (!runs.empty()) runs.back().end = i;
      runs.push_back({i, hits.size()});
    }
  }
  if (runs.size() <= 1) return;
  std::sort(runs.begin(), runs.end(),
            [](const Run& a, const Run& b) { return a.end - a.begin < b.end - b.begin; });
  // Two buffers the merges alternate between, left uninitialised: a common
  // name has tens of thousands of hits.
  auto buffer = std::make_unique_for_overwrite<Hit[]>(2 * hits.size());
  Hit* merged = buffer.get();
  Hit* spare = merged + hits.size();
  Hit* merged_end = std::copy(hits.begin() + static_cast<std::ptrdiff_t>(runs[0].begin),
                              hits.begin() + static_cast<std::ptrdiff_t>(runs[0].end), merged);
  for (size_t r = 1; r < runs.size(); ++r) {
    Hit* out_end = MergeFolding(merged, merged_end, hits.data() + runs[r].begin,
                                hits.data() + runs[r].end, spare);
    std::swap(merged, spare);
    merged_end = out_end;
  }
  hits.assign(merged, merged_end);
}

}  // namespace vigie::records::internal
