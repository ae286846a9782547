#pragma once
// AgentActivity: what detection knows of one agent - the baseline learnt from
// the agent's own history (usual hours, networks, DPoP keys, how many
// distinct persons a busy hour of theirs returns) and the sliding windows the
// rate rules look at - and the rules that judge each new event against it.
//
// Every event goes through Take in log order: first the agent's history when
// the detector first meets them (learning: nothing fires), then each live
// event. Times are the events' own, so a replay judges as the live run did.
//
// Thread-safety: none; the Detector serialises access per agent.

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "audit/audit_event.h"
#include "detect/detection_rules.h"
#include "detect/distinct_persons.h"

namespace vigie::detect {

// A search's terms, which its audit event holds only sealed.
struct SearchTerms {
  std::string surname;     // normalised (records::NormaliseName)
  bool given_name = false;  // one spelled out (records::IsGivenNameSpelledOut)
  std::string birth_date;  // "YYYY", "YYYY-MM" or "YYYY-MM-DD"; empty when not given
  // A search that could find wanted persons only (an agent's, or any purpose
  // short of an inquiry): an empty answer then means nobody wanted - the
  // usual outcome of a street check - not that nobody matched: no miss.
  bool wanted_only = false;
  // Its purpose is an inquiry, which names a case: only then does a case
  // reference link the search to a purpose (a street check's is typed at will).
  bool inquiry = false;
};

// One rule that fired on an event.
struct Finding {
  Rule rule = Rule::kQueryRate;
  Severity severity = Severity::kWarning;
  Action action = Action::kAlert;
  std::string detail;  // for the security officer: what was seen, against which threshold
  // The event that fired it, when not the one observed: an earlier one,
  // judged again once the agent's history could be read (Detector). The
  // alert names its session, address and number.
  std::optional<audit::AuditEvent> earlier_event;
};

// "192.0.2.0/24" for IPv4, the /48 for IPv6, the text itself otherwise.
std::string NetworkOf(std::string_view address);

class AgentActivity {
 public:
  // Takes `event` (one of this agent's; `terms` for a search, else null) and
  // returns the rules it fires, each at most once per realert interval.
  // `learning`: history being replayed - the state moves, nothing fires.
  std::vector<Finding> Take(const audit::AuditEvent& event, const SearchTerms* terms,
                            const DetectOptions& options, bool learning);

  // The time of the agent's latest event taken in (0: none).
  int64_t last_event_unix_micros() const { return last_event_us_; }

  // Activity older than the baseline's window: it only tells when the agent
  // was last seen (the dormant rule looks further back than the baseline).
  void NoteEarlierActivity(int64_t time_unix_micros) {
    last_event_us_ = std::max(last_event_us_, time_unix_micros);
  }
  // The same, from a successful event: its time, and its network and DPoP
  // key as known ones. Security: else an agent back after more than the
  // baseline's days (a month's leave, short of dormancy) had none known, and
  // an intruder's first use with the agent's credentials became its habit
  // unremarked.
  void NoteEarlierActivity(const audit::AuditEvent& event);
  // `rule` fired for this agent at that time (its alert_raised event, from
  // the log): it is not fired again within the re-alert interval.
  void NoteEarlierAlert(Rule rule, int64_t time_unix_micros) {
    int64_t& last = last_fired_us_[static_cast<size_t>(rule)];
    last = std::max(last, time_unix_micros);
  }
  // What `other` (this agent's, learnt another way) fired, noted as above.
  void NoteAlertsOf(const AgentActivity& other) {
    for (size_t rule = 0; rule < last_fired_us_.size(); ++rule) {
      last_fired_us_[rule] = std::max(last_fired_us_[rule], other.last_fired_us_[rule]);
    }
  }

 private:
  struct SearchSample {
    std::string surname;
    std::string birth_date;
    std::string case_reference;  // "" when none was given
    bool found_nobody = false;
    bool purpose_linked = false;
    bool inquiry = false;  // its purpose names a case (SearchTerms::inquiry)
    bool covered = false;  // an inquiry's, its reference then within enumeration_case_list
  };

  void Fire(std::vector<Finding>& findings, Rule rule, std::string detail, int64_t now_us,
            const DetectOptions& options, bool learning);
  std::string HiddenSweep(size_t run) const;
  void CheckNovelty(const audit::AuditEvent& event, std::vector<Finding>& findings,
                    const DetectOptions& options, bool learning);
  // The persons an officer's investigations named within a day (breach
  // reports with their subjects' names, claim checks): a stolen officer's
  // session reads identities through them rather than through searches.
  void CheckInvestigations(const audit::AuditEvent& event, std::vector<Finding>& findings,
                           const DetectOptions& options, bool learning);
  void CheckRates(const audit::AuditEvent& event, std::vector<Finding>& findings,
                  const DetectOptions& options, bool learning);
  void CheckSearches(const audit::AuditEvent& event, const SearchTerms& terms,
                     std::vector<Finding>& findings, const DetectOptions& options, bool learning);
  // Whether `reference` is new to lone_references_ (then added, keeping the
  // last `keep` of the day).
  bool NewLoneReference(const std::string& reference, int64_t now, size_t keep);
  // Whether the event brought a person new to the hour's window.
  bool CountPersons(const audit::AuditEvent& event);
  void NoteSessionNetwork(std::string network, int64_t now, int64_t since);
  void LearnBusiestHour();  // after busy_hours_ changed

  // Baseline.
  int64_t last_event_us_ = 0;
  uint64_t activity_events_ = 0;
  std::array<uint64_t, 24> by_hour_{};
  // The local days each hour of the day was active on, up to
  // off_hours_usual_days of them an hour (beyond, the hour is usual by days).
  struct HourDay {
    int32_t day = 0;  // the local calendar day, counted from 1970-01-01
    uint8_t hour = 0;
  };
  std::vector<HourDay> hour_days_;
  std::vector<int32_t> active_days_;  // up to 2 x off_hours_usual_days of them
  std::unordered_set<std::string> networks_;
  std::unordered_set<std::string> devices_;
  int64_t hour_bucket_ = -1;                   // the clock hour being counted
  std::unordered_set<int64_t> bucket_persons_;  // its distinct persons
  // Past active hours as (clock hour, distinct persons), until they are a
  // day old and join busy_hours_.
  std::deque<std::pair<int64_t, uint32_t>> unlearnt_hours_;
  std::deque<uint32_t> busy_hours_;             // distinct persons of past active hours
  int64_t usual_busiest_hour_ = 0;              // distinct persons; 0 without enough history
  // Sliding windows.
  std::deque<int64_t> consultations_;                   // times, last minute
  DistinctPersons persons_;                             // the last hour's
  std::deque<SearchSample> searches_;                   // the last few
  // Searches under each case reference since the agent was learnt (past
  // kMaxReferences, the least used is forgotten): a break in the
  // order does not start a list anew, and a list walked in any order is
  // still one list of so many surnames.
  struct ReferenceUse {
    size_t searches = 0;
    int64_t last_used = 0;
    // The surnames of the last 24 hours (sliding), each with when it was
    // last searched; up to enumeration_case_list + 1.
    std::unordered_map<std::string, int64_t> surnames;
  };
  std::unordered_map<std::string, ReferenceUse> by_reference_;
  // The case references that were a search's only purpose link (no full
  // identity), each with when it first was within the last day; at most
  // enumeration_case_references + 1.
  std::deque<std::pair<int64_t, std::string>> lone_references_;
  std::deque<int64_t> factor_failures_;                 // times
  // Persons named by the officer's investigations (breach reports naming
  // their subjects, claim checks), the last day's: one report downloaded in
  // three formats names its subjects once.
  DistinctPersons named_;
  // Networks used in a session within the concurrent-addresses window, each
  // with its last use: not every use, which made each event of a busy agent
  // cost the whole window.
  struct NetworkUse {
    std::string network;
    int64_t last_us = 0;
  };
  std::vector<NetworkUse> session_networks_;
  std::array<int64_t, kRuleCount> last_fired_us_{};
};

}  // namespace vigie::detect
