#include "records/search.h"

#include <algorithm>

#include "records/internal/key_set.h"
#include "records/internal/search_hits.h"
#include "records/internal/search_keys.h"
#include "records/name_normaliser.h"
#include "records/person_file.h"
#include "records/phonetic_fr.h"

namespace vigie::records {
namespace {

using internal::Hit;
using internal::KeyFamily;
using internal::NameForms;

// How many coarse candidates are opened to compute exact reasons and rank.
constexpr int kRerankExtra = 4;

// A probe's level as a Hit holds it (search_hits.h): twice the MatchLevel,
// plus one for an exact match of the query's whole name, so that among
// equal scores a person whose "Jean-Pierre" matched ranks above the many
// whose "Jean" did.
uint8_t L(MatchLevel level, bool whole = false) {
  return static_cast<uint8_t>(2 * static_cast<int>(level) + (whole && level == MatchLevel::kExact));
}

// Typo expansion of given names covers the first form only: for a compound
// ("JEANPIERE") that is the whole compact name, which is one edit from the
// recorded one whichever part holds the typo.
constexpr size_t kGivenFormsWithTypos = 1;

// Calls visit(key) for each little-endian u64 of a packed key column.
template <typename Visit>
void ForEachPackedKey(std::span<const uint8_t> packed, Visit&& visit) {
  for (size_t i = 0; i + 8 <= packed.size(); i += 8) {
    uint64_t key = 0;
    for (int b = 0; b < 8; ++b) key |= static_cast<uint64_t>(packed[i + b]) << (8 * b);
    visit(key);
  }
}

// A given initial has no typo forms: one edit from "J" is every other
// letter and every two-letter name holding a J, so an initial typed would
// list everyone with the surname and a short given name. (Two letters keep
// theirs: a typo of a three-letter name, Léa as "Le", is still found.)
constexpr size_t kMinGivenTypoLetters = 2;

// Letters, not bytes: "J-P" is normalised to "J P", two letters.
size_t Letters(std::string_view name) {
  return static_cast<size_t>(
      std::count_if(name.begin(), name.end(), [](char c) { return c != ' '; }));
}

// Looks up every key combination the query implies (exact, phonetic and
// one-edit forms) and calls found(person, surname_level, given_level, year).
// At national scale the filters and the index outgrow the CPU caches, so keys
// are computed first and their memory prefetched before anything is read.
template <typename Found>
void ProbeIndex(const internal::PostingIndex& index, const internal::NameFilter& surnames,
                const internal::NameFilter& given_names, const internal::SearchKeyer& keyer,
                const NameForms& q, int year, Found&& found) {
  struct Probe {
    uint64_t key;
    uint8_t surname, given;  // L()
    bool year;
  };
  std::vector<Probe> probes;
  // Form 0 of a query name is the whole name; the others, its parts.
  size_t surname_form = 0, given_form = 0;
  auto probe = [&](uint64_t key, MatchLevel s, MatchLevel g, bool y) {
    probes.push_back({key, L(s, surname_form == 0), L(g, given_form == 0), y});
  };
  // Only the one-edit variants that are somebody's name are worth a look-up.
  std::vector<uint64_t> variant_keys;
  auto real_variants = [&](std::string_view name, KeyFamily vocabulary_family,
                           const internal::NameFilter& vocabulary) {
    variant_keys.clear();
    internal::ForEachOneEditVariant(name, [&](std::string_view v) {
      variant_keys.push_back(keyer.Key(vocabulary_family, v, ""));
      vocabulary.Prefetch(variant_keys.back());
    });
    std::vector<std::string> real;
    size_t i = 0;
    internal::ForEachOneEditVariant(name, [&](std::string_view v) {
      if (vocabulary.MayContain(variant_keys[i++])) real.emplace_back(v);
    });
    std::sort(real.begin(), real.end());
    real.erase(std::unique(real.begin(), real.end()), real.end());
    return real;
  };
  using enum MatchLevel;
  std::vector<std::string> given_typos;
  if (!q.given.empty() && Letters(q.given[0]) >= kMinGivenTypoLetters) {
    given_typos = real_variants(q.given[0], KeyFamily::kGivenVocabulary, given_names);
  }
  for (size_t i = 0; i < q.surnames.size(); ++i) {
    surname_form = i;
    given_form = 0;
    const std::string& s = q.surnames[i];
    const std::string& ps = q.surname_phonetic[i];
    std::vector<std::string> surname_typos = real_variants(s, KeyFamily::kSurnameVocabulary, surnames);
    if (year != 0) {
      probe(keyer.YearKey(KeyFamily::kSurnameYear, s, year), kExact, kNone, true);
      probe(keyer.YearKey(KeyFamily::kPhoneticYear, ps, year), kPhonetic, kNone, true);
      for (const auto& t : surname_typos) {
        probe(keyer.YearKey(KeyFamily::kSurnameYear, t, year), kTypo, kNone, true);
      }
    }
    for (size_t j = 0; j < q.given.size(); ++j) {
      given_form = j;
      const std::string& g = q.given[j];
      probe(keyer.Key(KeyFamily::kSurnameGiven, s, g), kExact, kExact, false);
      probe(keyer.Key(KeyFamily::kPhoneticGiven, ps, q.given_phonetic[j]), kPhonetic, kPhonetic,
            false);
      if (j >= kGivenFormsWithTypos) continue;
      for (const auto& t : surname_typos) {
        probe(keyer.Key(KeyFamily::kSurnameGiven, t, g), kTypo, kExact, false);
      }
      for (const auto& u : given_typos) {
        probe(keyer.Key(KeyFamily::kSurnameGiven, s, u), kExact, kTypo, false);
      }
    }
  }
  for (const Probe& p : probes) index.PrefetchDirectory(p.key);
  for (const Probe& p : probes) index.PrefetchBucket(p.key);
  std::vector<uint32_t> hits;
  for (const Probe& p : probes) {
    hits.clear();
    index.Lookup(p.key, hits);
    for (uint32_t person : hits) found(person, p.surname, p.given, p.year);
  }
}

// `whole`: the exact match is of the query's whole name (its form 0), not
// of one part of a compound.
MatchLevel CompareForms(const std::vector<std::string>& query,
                        const std::vector<std::string>& query_phonetic,
                        const std::vector<std::string>& record,
                        const std::vector<std::string>& record_phonetic, bool& whole,
                        size_t min_typo_letters = 0) {
  MatchLevel best = MatchLevel::kNone;
  whole = false;
  for (size_t i = 0; i < query.size(); ++i) {
    for (size_t j = 0; j < record.size(); ++j) {
      const std::string& r = record[j];
      if (query[i] == r) {
        whole = i == 0;
        return MatchLevel::kExact;
      }
      if (best < MatchLevel::kPhonetic && query_phonetic[i] == record_phonetic[j]) {
        best = MatchLevel::kPhonetic;
      } else if (best < MatchLevel::kTypo && Letters(query[i]) >= min_typo_letters &&
                 EditDistance(query[i], r, 1) <= 1) {
        best = MatchLevel::kTypo;
      }
    }
  }
  return best;
}

int LevelPoints(MatchLevel level, int exact, int phonetic, int typo) {
  switch (level) {
    case MatchLevel::kExact: return exact;
    case MatchLevel::kPhonetic: return phonetic;
    case MatchLevel::kTypo: return typo;
    case MatchLevel::kNone: return 0;
  }
  return 0;
}

BirthMatch CompareBirth(const PartialDate& query, const PartialDate& record) {
  if (!query.known()) return BirthMatch::kNotAsked;
  if (!record.known()) return BirthMatch::kUnknownInRecord;
  if (query.year != record.year) return BirthMatch::kDiffers;
  // A month that contradicts the query's is another date, as a day is.
  if (query.month != 0 && record.month != 0 && query.month != record.month) {
    return BirthMatch::kDiffers;
  }
  if (query.full() && record.full()) {
    return query == record ? BirthMatch::kSameDate : BirthMatch::kDiffers;
  }
  return BirthMatch::kSameYear;
}

int Score(const MatchReason& r, bool given_asked) {
  int score = LevelPoints(r.surname, 30, 20, 10) - (r.surname_via_alias ? 2 : 0);
  score += LevelPoints(r.given_name, 20, 14, 8);
  if (given_asked && r.given_name == MatchLevel::kNone) score -= 10;
  switch (r.birth) {
    case BirthMatch::kSameDate: score += 20; break;
    case BirthMatch::kSameYear: score += 12; break;
    case BirthMatch::kDiffers: score -= 10; break;
    case BirthMatch::kNotAsked:
    case BirthMatch::kUnknownInRecord: break;
  }
  return score;
}

// The exact reason a decrypted person matches the query.
MatchReason Explain(const SearchQuery& query, const NameForms& q, const Person& person) {
  MatchReason reason;
  NameForms own = internal::PersonForms(person, /*with_aliases=*/false);
  reason.surname = CompareForms(q.surnames, q.surname_phonetic, own.surnames, own.surname_phonetic,
                                reason.surname_whole);
  if (reason.surname != MatchLevel::kExact && !person.aliases.empty()) {
    NameForms all = internal::PersonForms(person, /*with_aliases=*/true);
    bool whole = false;
    MatchLevel via_alias =
        CompareForms(q.surnames, q.surname_phonetic, all.surnames, all.surname_phonetic, whole);
    if (via_alias > reason.surname) {
      reason.surname = via_alias;
      reason.surname_via_alias = true;
      reason.surname_whole = whole;
    }
  }
  if (!q.given.empty()) {
    reason.given_name = CompareForms(q.given, q.given_phonetic, own.given, own.given_phonetic,
                                     reason.given_name_whole, kMinGivenTypoLetters);
  }
  reason.birth = CompareBirth(query.birth_date, person.birth_date);
  return reason;
}

// Among equal scores, the whole names asked for before their parts.
int WholeNames(const MatchReason& r) { return int{r.surname_whole} + int{r.given_name_whole}; }

bool MeetsCriteria(const MatchReason& r) {
  return r.surname != MatchLevel::kNone &&
         (r.given_name != MatchLevel::kNone || r.birth == BirthMatch::kSameYear ||
          r.birth == BirthMatch::kSameDate);
}

}  // namespace

std::string_view MatchLevelName(MatchLevel level) {
  switch (level) {
    case MatchLevel::kExact: return "exact";
    case MatchLevel::kPhonetic: return "phonetic";
    case MatchLevel::kTypo: return "typo";
    case MatchLevel::kNone: return "none";
  }
  return "none";
}

std::string_view BirthMatchName(BirthMatch match) {
  switch (match) {
    case BirthMatch::kNotAsked: return "not_asked";
    case BirthMatch::kUnknownInRecord: return "unknown_in_record";
    case BirthMatch::kDiffers: return "differs";
    case BirthMatch::kSameYear: return "same_year";
    case BirthMatch::kSameDate: return "same_date";
  }
  return "not_asked";
}

bool AsksGivenName(std::string_view given_name) {
  return given_name.find_first_not_of(" \t") != std::string_view::npos;
}

bool IsGivenNameSpelledOut(std::string_view given_name) {
  auto normalised = NormaliseName(given_name);
  if (!normalised) return false;
  // A word of 2 letters or more: "J.-P." normalises to "J P", two initials.
  size_t word = 0;
  for (char c : *normalised) {
    word = c == ' ' ? 0 : word + 1;
    if (word >= kMinGivenTypoLetters) return true;
  }
  return false;
}

Result<void> ValidateQuery(const SearchQuery& query) {
  // Security: wildcards would turn a lookup into a sweep; refuse them by name
  // before normalisation would reject them as mere "symbols".
  for (std::string_view field : {std::string_view(query.surname), std::string_view(query.given_name)}) {
    if (field.find_first_of("*?%_") != std::string_view::npos) {
      return Fail(ErrorCode::kInvalidArgument,
                  "wildcards (* ? % _) are not allowed: type the name as known");
    }
  }
  auto surname = NormaliseName(query.surname);
  if (query.surname.find_first_not_of(" \t") == std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "a surname is required");
  }
  if (!surname) return Fail(surname.error().WithContext("surname"));
  size_t letters = std::count_if(surname->begin(), surname->end(), [](char c) { return c != ' '; });
  if (letters < 2) {
    return Fail(ErrorCode::kInvalidArgument, "the surname must have at least 2 letters");
  }
  const bool has_given = AsksGivenName(query.given_name);
  if (has_given) {
    auto given = NormaliseName(query.given_name);
    if (!given) return Fail(given.error().WithContext("given_name"));
  }
  if (!has_given && !query.birth_date.known()) {
    return Fail(ErrorCode::kInvalidArgument,
                "give a given name or a birth date (year at least) with the surname");
  }
  // The index tells a year or a whole day: a month would be taken for its
  // year, and the agent shown the whole year as if narrowed to that month.
  if (query.birth_date.month != 0 && !query.birth_date.full()) {
    return Fail(ErrorCode::kInvalidArgument,
                "the birth date is a year (YYYY) or a full date (YYYY-MM-DD), not a month");
  }
  return {};
}


Result<RecordSearch> RecordSearch::Load(RecordRepository& repository, const LoadProgress& progress,
                                        const std::stop_token& stop) {
  ASSIGN_OR_RETURN(int64_t total, repository.CountPersons());
  std::vector<internal::Posting> postings;
  postings.reserve(static_cast<size_t>(total) * 8);  // ~7.4 postings a person
  RecordSearch search;
  internal::KeySet surname_vocabulary(1 << 16), given_vocabulary(1 << 12);
  int64_t done = 0;
  RETURN_IF_ERROR(repository.ForEachPostingSet(
      [&](const SealedPerson& row, uint32_t birth_tag, std::span<const uint8_t> packed,
          std::span<const uint8_t> names) {
        auto id = static_cast<uint32_t>(row.id);
        search.rows_.Add(row);
        if (search.birth_tags_.size() <= id) search.birth_tags_.resize(id + 1, 0);
        search.birth_tags_[id] = birth_tag;
        ForEachPackedKey(packed, [&](uint64_t key) { postings.push_back({key, id}); });
        uint64_t surname_count = 0;
        size_t at = 0;
        ForEachPackedKey(names, [&](uint64_t key) {
          if (at == 0) {
            surname_count = key;
          } else {
            (at <= surname_count ? surname_vocabulary : given_vocabulary).Insert(key);
          }
          ++at;
        });
        if (progress && (++done % 65536 == 0 || done == total)) progress(done, total);
      },
      RecordRepository::kRowsPerPage, stop));
  RETURN_IF_ERROR(Continuing(stop));
  search.index_ = internal::PostingIndex::Build(std::move(postings));
  RETURN_IF_ERROR(Continuing(stop));
  search.person_facts_.assign(search.birth_tags_.size(), 0);
  auto facts_of = [&](int64_t person_id) -> uint16_t* {
    if (person_id <= 0 || static_cast<size_t>(person_id) >= search.person_facts_.size()) {
      return nullptr;
    }
    return &search.person_facts_[static_cast<size_t>(person_id)];
  };
  RETURN_IF_ERROR(repository.ForEachRecordEntryCount(
      [&](int64_t person_id, int64_t count) {
        if (uint16_t* facts = facts_of(person_id)) {
          *facts = static_cast<uint16_t>((*facts & kNamedInNotice) |
                                         std::min<int64_t>(count, kMaxEntryCount));
        }
      },
      RecordRepository::kRowsPerPage, stop));
  RETURN_IF_ERROR(repository.ForEachWantedNotice(
      [&](const WantedNotice& notice) {
        search.wanted_.push_back({static_cast<uint32_t>(notice.person_id), WindowOf(notice)});
        if (uint16_t* facts = facts_of(notice.person_id)) *facts |= kNamedInNotice;
      },
      RecordRepository::kRowsPerPage, stop));
  std::sort(search.wanted_.begin(), search.wanted_.end(),
            [](const Wanted& a, const Wanted& b) { return a.person < b.person; });
  search.surnames_ = internal::NameFilter::Build(surname_vocabulary.Keys());
  search.given_names_ = internal::NameFilter::Build(given_vocabulary.Keys());
  search.birth_tags_.shrink_to_fit();
  return search;
}

size_t RecordSearch::memory_bytes() const {
  return index_.MemoryBytes() + surnames_.MemoryBytes() + given_names_.MemoryBytes() +
         rows_.MemoryBytes() + birth_tags_.capacity() * sizeof(uint32_t) +
         person_facts_.capacity() * sizeof(uint16_t) + wanted_.capacity() * sizeof(Wanted);
}

bool RecordSearch::WantedOn(uint32_t person, int today) const {
  const uint16_t facts = person < person_facts_.size() ? person_facts_[person] : 0;
  if ((facts & kNamedInNotice) == 0) return false;
  auto [first, last] =
      std::equal_range(wanted_.begin(), wanted_.end(), Wanted{person, {}},
                       [](const Wanted& a, const Wanted& b) { return a.person < b.person; });
  return std::any_of(first, last, [&](const Wanted& w) { return w.window.Contains(today); });
}

Result<SearchResult> RecordSearch::Search(const SearchQuery& query, RecordRepository& repository,
                                          const Clock& clock, int max_results,
                                          SearchScope scope) const {
  RETURN_IF_ERROR(ValidateQuery(query));
  const int today = DayNumber(DateOf(clock.Now()));
  const bool wanted_only = scope == SearchScope::kWantedToday;
  max_results = std::clamp(max_results, 1, 20);
  const bool given_asked = AsksGivenName(query.given_name);
  ASSIGN_OR_RETURN(NameForms q,
                   internal::QueryForms(query.surname, given_asked ? query.given_name : ""));
  internal::SearchKeyer keyer(repository.search_hasher());
  // Hits go to a flat vector, then are merged per person: for common names
  // (thousands of hits) this is several times cheaper than a hash map.
  std::vector<Hit> hits;
  ProbeIndex(index_, surnames_, given_names_, keyer, q, query.birth_date.year,
             [&](uint32_t person, uint8_t surname_level, uint8_t given_level, bool year) {
               hits.push_back({person, surname_level, given_level, year});
             });
  internal::FoldByPerson(hits);

  // Coarse ranking from the postings alone; no record is opened yet.
  const uint32_t query_tag = keyer.BirthTag(query.birth_date);
  const uint32_t query_month_tag =
      keyer.BirthTag({.year = query.birth_date.year, .month = query.birth_date.month});
  struct Ranked {
    int score;
    uint32_t person;
  };
  std::vector<Ranked> ranked;
  const bool check_date = query.birth_date.full();
  // At national scale birth_tags_ is far larger than the CPU caches, and a
  // common name has thousands of candidates: fetch their tags ahead so the
  // cache misses overlap instead of queueing one after another.
  constexpr size_t kPrefetchDistance = 16;
  ranked.reserve(hits.size());
  for (size_t i = 0; i < hits.size(); ++i) {
    if (check_date && i + kPrefetchDistance < hits.size() && hits[i + kPrefetchDistance].year &&
        hits[i + kPrefetchDistance].person < birth_tags_.size()) {
      __builtin_prefetch(&birth_tags_[hits[i + kPrefetchDistance].person]);
    }
    if (wanted_only && i + kPrefetchDistance < hits.size() &&
        hits[i + kPrefetchDistance].person < person_facts_.size()) {
      __builtin_prefetch(&person_facts_[hits[i + kPrefetchDistance].person]);
    }
    const Hit& c = hits[i];
    if (wanted_only && !WantedOn(c.person, today)) continue;
    // A same full date implies a year-probe hit, which most candidates of a
    // common name lack: only those few need their birth tag read.
    const uint32_t tag =
        check_date && c.year && c.person < birth_tags_.size() ? birth_tags_[c.person] : 0;
    const bool same_date = tag != 0 && tag == query_tag;
    // Born another day, or another month, of that year, with no given name
    // to match: it cannot meet the criteria, so it is neither counted nor
    // let crowd out those that can. (A tag collision passes here and is
    // judged on opening.)
    const bool another_date = (internal::IsFullDateTag(tag) && !same_date) ||
                              (internal::IsMonthTag(tag) && tag != query_month_tag);
    if (c.given_level == 0 && another_date) continue;
    // Levels are L()'s. A whole name's match only breaks ties: a simple
    // name's exact match (always whole) gains nothing over a phonetic one.
    const int level_score = (c.surname_level >> 1) * 10 + (c.given_level >> 1) * 6 +
                            (c.year ? 4 : 0) + (same_date ? 8 : 0);
    int score = 4 * level_score + (c.surname_level & 1) + (c.given_level & 1);
    ranked.push_back({score, c.person});
  }
  size_t to_open = std::min(ranked.size(), static_cast<size_t>(max_results + kRerankExtra));
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(to_open),
                    ranked.end(), [](const Ranked& a, const Ranked& b) {
                      return a.score != b.score ? a.score > b.score : a.person < b.person;
                    });

  SearchResult result;
  result.total_matches = static_cast<int64_t>(ranked.size());
  std::vector<Person> persons;
  for (size_t i = 0; i < to_open; ++i) rows_.PrefetchSlot(ranked[i].person);
  for (size_t i = 0; i < to_open; ++i) rows_.PrefetchRow(ranked[i].person);
  for (size_t i = 0; i < to_open; ++i) {
    // Every indexed person's row was loaded with its postings.
    std::optional<SealedPerson> row = rows_.Find(ranked[i].person);
    if (!row) return Fail(ErrorCode::kInternal, "search snapshot lacks an indexed person");
    ASSIGN_OR_RETURN(Person person, repository.OpenPerson(*row));
    persons.push_back(std::move(person));
  }
  for (Person& person : persons) {
    MatchReason reason = Explain(query, q, person);
    if (!MeetsCriteria(reason)) {  // a keyed-hash collision or a stale posting
      --result.total_matches;
      continue;
    }
    PersonSummary summary;
    summary.person_id = person.id;
    summary.surname = std::move(person.surname);
    summary.given_names = std::move(person.given_names);
    summary.birth_date = person.birth_date;
    summary.birth_place = std::move(person.birth_place);
    summary.reason = reason;
    summary.score = Score(reason, given_asked);
    result.summaries.push_back(std::move(summary));
  }
  std::sort(result.summaries.begin(), result.summaries.end(),
            [](const PersonSummary& a, const PersonSummary& b) {
              if (a.score != b.score) return a.score > b.score;
              if (WholeNames(a.reason) != WholeNames(b.reason)) {
                return WholeNames(a.reason) > WholeNames(b.reason);
              }
              return a.person_id < b.person_id;
            });
  if (result.summaries.size() > static_cast<size_t>(max_results)) {
    result.summaries.resize(static_cast<size_t>(max_results));
  }
  for (PersonSummary& s : result.summaries) {
    auto person = static_cast<uint32_t>(s.person_id);
    s.record_entries = person < person_facts_.size() ? person_facts_[person] & kMaxEntryCount : 0;
    s.wanted = WantedOn(person, today);
  }
  return result;
}

}  // namespace vigie::records
