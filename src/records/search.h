#pragma once
// Name search over sealed records: exact, phonetic and one-typo matches,
// ranked with the reason of each match, returning at most 20 minimal
// summaries. Opening a full file is a separate call (person_file.h).
//
// Security: a query needs a surname plus a given name or a birth date; no
// wildcard, no blank criteria (DESIGN: "searches need real identifying
// criteria"). Results are capped by the caller's max_results (≤ 20).
//
// Thread-safety: after Load, Search may be called from several threads, each
// with its own RecordRepository (connection).

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/huge_page_allocator.h"
#include "records/internal/name_filter.h"
#include "records/internal/posting_index.h"
#include "records/internal/sealed_rows.h"
#include "records/model.h"
#include "records/person_file.h"
#include "records/record_repository.h"

namespace vigie::records {

struct SearchQuery {
  std::string surname;
  std::string given_name;  // optional
  PartialDate birth_date;  // optional: year, year-month or full
};

enum class MatchLevel { kNone, kTypo, kPhonetic, kExact };
enum class BirthMatch { kNotAsked, kUnknownInRecord, kDiffers, kSameYear, kSameDate };

struct MatchReason {
  MatchLevel surname = MatchLevel::kNone;
  bool surname_via_alias = false;
  MatchLevel given_name = MatchLevel::kNone;  // kNone also when not asked
  BirthMatch birth = BirthMatch::kNotAsked;
  // An exact match of the query's whole name, not of one part of a
  // compound ("Jean-Pierre" matching "Jean-Pierre", not "Jean"): ranks first
  // among results of the same score.
  bool surname_whole = false;
  bool given_name_whole = false;
};

std::string_view MatchLevelName(MatchLevel level);
std::string_view BirthMatchName(BirthMatch match);

struct PersonSummary {
  int64_t person_id = 0;
  std::string surname;
  std::vector<std::string> given_names;
  PartialDate birth_date;
  std::string birth_place;
  bool wanted = false;         // at least one notice valid today (as of the index load)
  int64_t record_entries = 0;  // number of criminal-record entries (as of the index load)
  MatchReason reason;
  int score = 0;
};

// Whom a search may find. Wanted persons alone is what a consultation that
// may not see criminal records gets: a person listed without a notice in
// force would tell the agent they are on file for something else.
enum class SearchScope { kEveryPerson, kWantedToday };

struct SearchResult {
  std::vector<PersonSummary> summaries;  // best first, at most max_results
  int64_t total_matches = 0;             // candidates meeting the criteria
};

// InvalidArgument with a message an agent can act on.
Result<void> ValidateQuery(const SearchQuery& query);

// Whether a query's given name asks for one: only spaces or tabs is none,
// for the search, its audit event and the detection alike.
bool AsksGivenName(std::string_view given_name);

// Whether a given name is spelled out, not initials: a word of 2 letters
// or more once normalised ("J." and "J.-P." are initials; one that fails to
// normalise is neither). Only a spelled-out given name makes, with a full birth date,
// someone's identity as their papers show it.
bool IsGivenNameSpelledOut(std::string_view given_name);

// Called with (persons loaded, total) while loading; may be empty.
using LoadProgress = std::function<void(int64_t done, int64_t total)>;

class RecordSearch {
 public:
  // Reads every person's postings and builds the in-memory index, with the
  // facts summaries show (persons' sealed rows, notice windows, entry
  // counts). The index is a snapshot: records imported later are found, and
  // corrections show in summaries, after the next Load (a server builds it
  // again when the records change: live_search.h). Opening a file
  // (person_file.h) always reads the database.
  // A stop requested ends the load early (Unavailable).
  static Result<RecordSearch> Load(RecordRepository& repository, const LoadProgress& progress = {},
                                   const std::stop_token& stop = {});

  // Errors: InvalidArgument for a query that fails ValidateQuery, DataLoss
  // when a record fails authentication. With kWantedToday, persons without a
  // notice in force today (as of the load) are neither listed nor counted.
  Result<SearchResult> Search(const SearchQuery& query, RecordRepository& repository,
                              const Clock& clock, int max_results = 20,
                              SearchScope scope = SearchScope::kEveryPerson) const;

  size_t posting_count() const { return index_.size(); }
  size_t memory_bytes() const;

 private:
  internal::PostingIndex index_;
  internal::NameFilter surnames_;     // surname forms that exist
  internal::NameFilter given_names_;  // given-name forms that exist
  internal::SealedRows rows_;         // persons as summaries show them, still sealed
  HugeVector<uint32_t> birth_tags_;    // by person id
  // By person id: criminal-record entries (saturating) and whether a wanted
  // notice names the person — one slot read per summary, where searching the
  // notices cost ~20 cache misses at national scale.
  static constexpr uint16_t kNamedInNotice = 0x8000;
  static constexpr uint16_t kMaxEntryCount = 0x7fff;
  HugeVector<uint16_t> person_facts_;
  struct Wanted {
    uint32_t person;
    NoticeWindow window;
  };
  std::vector<Wanted> wanted_;  // sorted by person
  // Whether a notice names `person` and is in force on day `today`.
  bool WantedOn(uint32_t person, int today) const;
};

}  // namespace vigie::records
