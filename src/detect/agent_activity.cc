#include "detect/agent_activity.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "core/error.h"

namespace vigie::detect {
namespace {

using audit::AuditEvent;
using audit::AuditEventType;
using audit::AuditOutcome;

constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kSecond = 1'000'000;
// Active hours kept for the baseline, and how many are needed before it counts.
constexpr size_t kBusyHoursKept = 24 * 60;
constexpr size_t kBusyHoursNeeded = 8;
// Security: an hour joins the baseline only once it is a day old. Learnt at
// once, an hour spent just under the threshold raised the next hour's
// threshold by the factor: an agent with little history could triple it
// hour after hour, within a day, without ever firing the rule.
constexpr int64_t kLearnAfterHours = 24;
// Bounds on the sliding windows, so an agent left running under an
// alert-only policy cannot grow them without end; far beyond any threshold,
// so the rules have fired long before they apply.
constexpr size_t kMaxWindowEntries = 100'000;
// Networks remembered for the concurrent-addresses window (two fire it).
constexpr size_t kMaxSessionNetworks = 64;
// Networks an agent is known to use: an agent of many networks is already
// alerted on; the cap bounds what a session used from many addresses holds.
constexpr size_t kMaxKnownNetworks = 4096;
// The DPoP keys an agent has logged in with, learnt up to this many.
constexpr size_t kMaxKnownDevices = 1024;

bool IsConsultation(AuditEventType type) {
  return type == AuditEventType::kSearch || type == AuditEventType::kFileOpening;
}

struct LocalTime {
  int hour = 0;
  int64_t day = 0;  // the local calendar day, counted from 1970-01-01
};

LocalTime LocalTimeOf(int64_t time_us) {
  std::time_t seconds = static_cast<std::time_t>(time_us / kSecond);
  std::tm local{};
  localtime_r(&seconds, &local);
  const int64_t local_seconds = static_cast<int64_t>(seconds) + local.tm_gmtoff;
  constexpr int64_t kDaySeconds = 86400;
  int64_t day = local_seconds / kDaySeconds;
  if (local_seconds % kDaySeconds < 0) --day;  // floor, before 1970 too
  return {.hour = local.tm_hour, .day = day};
}

template <typename T, typename Time>
void PruneBefore(std::deque<T>& window, int64_t limit, Time time_of) {
  while (!window.empty() && time_of(window.front()) < limit) window.pop_front();
}

// Case references remembered per agent before the counts start again.
constexpr size_t kMaxReferences = 1024;

// Whether `later` comes after `earlier` in a list sorted by surname, then
// birth date.
bool InOrder(const auto& earlier, const auto& later) {
  if (earlier.surname != later.surname) return earlier.surname < later.surname;
  return !later.birth_date.empty() && earlier.birth_date < later.birth_date;
}

// A sweep hidden among other searches: its steps are looked for among the
// agent's last kSweepHistory searches (whatever their number in between:
// several sweeps walked side by side hide each other no better), twice
// enumeration_run of them and at least kMinHiddenSteps, of which the last
// steps + kStepsOutOfOrder that could be steps: a day's ordinary searches in
// one or two initials fall in order by chance, rarely ten of twelve.
constexpr size_t kSweepHistory = 64;
constexpr size_t kHiddenSweepFactor = 2;
constexpr size_t kMinHiddenSteps = 10;
constexpr size_t kStepsOutOfOrder = 2;

// The longest chain ending at the latest search, each after the one before
// it by `follows`, among the last `lookback` searches that are `member`s;
// searches `exempt` (an inquiry's, covered) go in the chain but do not
// count. O(lookback^2).
size_t ChainToLatest(const auto& searches, size_t lookback, auto member, auto follows,
                     auto exempt) {
  std::vector<const std::remove_cvref_t<decltype(searches.back())>*> steps;
  for (auto it = searches.rbegin(); it != searches.rend() && steps.size() < lookback; ++it) {
    if (member(*it)) steps.push_back(&*it);
  }
  if (steps.empty() || steps.front() != &searches.back()) return 0;
  std::reverse(steps.begin(), steps.end());
  std::vector<size_t> ending_at(steps.size());
  for (size_t j = 0; j < steps.size(); ++j) {
    size_t before = 0;
    for (size_t i = 0; i < j; ++i) {
      if (follows(*steps[i], *steps[j])) before = std::max(before, ending_at[i]);
    }
    ending_at[j] = before + (exempt(*steps[j]) ? 0 : 1);
  }
  return ending_at.back();
}

}  // namespace

std::string NetworkOf(std::string_view address) {
  if (address.find(':') != std::string_view::npos) {
    // IPv6: its /48, from the parsed address, so every spelling of one
    // network ("2001:db8:0:1::5", "2001:db8::1:0:0:5") is one network.
    in6_addr parsed{};
    const std::string text(address);
    if (inet_pton(AF_INET6, text.c_str(), &parsed) != 1) return text;
    const uint8_t* b = parsed.s6_addr;
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(b, b + 12, kMapped)) {  // ::ffff:192.0.2.7 is IPv4's
      return std::to_string(b[12]) + "." + std::to_string(b[13]) + "." + std::to_string(b[14]) +
             ".0/24";
    }
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "%x:%x:%x::/48", (b[0] << 8) | b[1], (b[2] << 8) | b[3],
                  (b[4] << 8) | b[5]);
    return prefix;
  }
  size_t last_dot = address.rfind('.');
  if (last_dot == std::string_view::npos || std::count(address.begin(), address.end(), '.') != 3) {
    return std::string(address);
  }
  return std::string(address.substr(0, last_dot)) + ".0/24";
}

void AgentActivity::Fire(std::vector<Finding>& findings, Rule rule, std::string detail,
                         int64_t now_us, const DetectOptions& options, bool learning) {
  const Action action = options.ActionFor(rule);
  if (learning || action == Action::kOff) return;
  int64_t& last = last_fired_us_[static_cast<size_t>(rule)];
  // Security: the interval spares officers repeated alerts and agents
  // repeated step-ups, not a suspension: an agent reinstated (or whose
  // suspension failed) and sweeping again within it is suspended again. A
  // minute still holds back the requests in flight when it was suspended.
  const int64_t interval = options.RefireSeconds(rule);
  if (last != 0 && now_us - last < interval * kSecond) return;
  last = now_us;
  findings.push_back(Finding{.rule = rule,
                             .severity = SeverityOf(rule),
                             .action = action,
                             .detail = std::move(detail)});
}

std::vector<Finding> AgentActivity::Take(const AuditEvent& event, const SearchTerms* terms,
                                         const DetectOptions& options, bool learning) {
  std::vector<Finding> findings;
  if (event.type == AuditEventType::kRefreshReuse) {
    // Who held the token twice is for a security officer to find out.
    const std::string session = "a refresh token of session " + std::to_string(event.session_id);
    if (event.subject == audit::kRefreshReuseStrangerKey) {
      // Security: the token leaked without its key, and the session goes on
      // (session_store.h). Whoever found a spent token must not get its
      // agent stepped up or suspended either: an alert, nothing more, and
      // no more often than alerts are (not each minute, as suspensions).
      const int64_t last = last_fired_us_[static_cast<size_t>(Rule::kRefreshReuse)];
      if (last != 0 && event.time_unix_micros - last < options.realert_seconds * kSecond) {
        return findings;
      }
      Fire(findings, Rule::kRefreshReuse,
           session +
               " was presented again under a stranger's DPoP key: it leaked, its holder "
               "lacks the key, and the session goes on",
           event.time_unix_micros, options, learning);
      if (!findings.empty() && findings.back().action != Action::kAlert) {
        findings.back().detail +=
            " (no " + std::string(ActionName(findings.back().action)) + " for a stranger's key)";
        findings.back().action = Action::kAlert;
      }
      return findings;
    }
    // Under the session's own key: token and key in two hands, the session
    // ended. Each fires, whatever fired within the re-alert interval (a
    // stranger's reuse just before must not spare it its action); each
    // needs a session of its own, so they cannot flood.
    last_fired_us_[static_cast<size_t>(Rule::kRefreshReuse)] = 0;
    Fire(findings, Rule::kRefreshReuse,
         session +
             " was presented again under the session's key: two parties held token and "
             "key, and the session was ended",
         event.time_unix_micros, options, learning);
    return findings;
  }
  if (event.type == AuditEventType::kLoginSecondFactorFailed &&
      event.subject.ends_with(audit::kPasskeyCounterWentBack)) {
    // Refused, but the passkey's key signed: it is in two authenticators.
    // Which one is the agent's is for an officer to find out (removing the
    // passkey ends both); the failure counts as a wrong factor too, below.
    const std::string passkey = event.subject.substr(0, event.subject.find(' '));
    Fire(findings, Rule::kClonedPasskey,
         passkey + " signed with a sign counter behind its own: a copy of it is in use",
         event.time_unix_micros, options, learning);
  }
  CheckNovelty(event, findings, options, learning);
  CheckRates(event, findings, options, learning);
  if (event.type == AuditEventType::kAuditSearch && event.outcome == AuditOutcome::kOk &&
      !event.person_ids.empty()) {
    CheckInvestigations(event, findings, options, learning);
  }
  if (terms != nullptr && event.type == AuditEventType::kSearch &&
      event.outcome == AuditOutcome::kOk) {
    CheckSearches(event, *terms, findings, options, learning);
  }
  // Only what the agent did counts as a sign of life: a refused attempt (a
  // wrong code before the right one) must not wake a dormant account quietly.
  if (event.outcome == AuditOutcome::kOk) {
    last_event_us_ = std::max(last_event_us_, event.time_unix_micros);
  }
  return findings;
}

void AgentActivity::CheckInvestigations(const AuditEvent& event, std::vector<Finding>& findings,
                                        const DetectOptions& options, bool learning) {
  const int64_t now = event.time_unix_micros;
  constexpr int64_t kDay = 24 * kHour;
  for (int64_t person : event.person_ids) named_.Add(now, person);
  // Room for the threshold however high it is set, so it can still be passed.
  const size_t max_persons = std::max<size_t>(
      kMaxWindowEntries, static_cast<size_t>(options.investigation_persons_per_day) + 1);
  named_.ForgetBefore(now - kDay, max_persons);
  if (named_.size() > static_cast<uint64_t>(options.investigation_persons_per_day)) {
    Fire(findings, Rule::kInvestigationVolume,
         std::to_string(named_.size()) +
             " distinct persons named by investigations within a day (threshold " +
             std::to_string(options.investigation_persons_per_day) + ")",
         now, options, learning);
  }
}

void AgentActivity::CheckNovelty(const AuditEvent& event, std::vector<Finding>& findings,
                                 const DetectOptions& options, bool learning) {
  if (event.outcome != AuditOutcome::kOk) return;
  const int64_t now = event.time_unix_micros;
  if (last_event_us_ != 0 && now - last_event_us_ >= options.dormant_seconds * kSecond) {
    Fire(findings, Rule::kDormant,
         "first activity after " + std::to_string((now - last_event_us_) / (86400 * kSecond)) +
             " days of silence",
         now, options, learning);
  }
  const auto [hour, day] = LocalTimeOf(now);
  // Security: an hour becomes usual by its share of the events and by the
  // days it was seen on. By share alone, one night's sweep by an intruder
  // (a few dozen searches) made their hour usual for the nights after.
  const bool few_events =
      by_hour_[hour] * 100 < static_cast<uint64_t>(options.off_hours_percent) * activity_events_;
  const auto days_of_hour =
      static_cast<int>(std::count_if(hour_days_.begin(), hour_days_.end(),
                                     [&](const HourDay& seen) { return seen.hour == hour; }));
  // Days count once the agent's history holds twice as many: on their first
  // days every hour of a new agent was seen on few.
  const auto habit_days = static_cast<size_t>(2 * options.off_hours_usual_days);
  const bool few_days =
      active_days_.size() >= habit_days && days_of_hour < options.off_hours_usual_days;
  if (activity_events_ >= static_cast<uint64_t>(options.off_hours_min_events) &&
      (few_events || few_days)) {
    Fire(findings, Rule::kOffHours,
         "activity at " + std::to_string(hour) + "h, an hour holding " +
             std::to_string(by_hour_[hour]) + " of the agent's " +
             std::to_string(activity_events_) + " past events, on " + std::to_string(days_of_hour) +
             " days",
         now, options, learning);
  }
  ++activity_events_;
  ++by_hour_[hour];
  const HourDay seen{.day = static_cast<int32_t>(day), .hour = static_cast<uint8_t>(hour)};
  if (days_of_hour < options.off_hours_usual_days &&
      std::none_of(hour_days_.begin(), hour_days_.end(), [&](const HourDay& known) {
        return known.hour == seen.hour && known.day == seen.day;
      })) {
    hour_days_.push_back(seen);
  }
  if (active_days_.size() < habit_days &&
      std::find(active_days_.begin(), active_days_.end(), seen.day) == active_days_.end()) {
    active_days_.push_back(seen.day);
  }
  if (!event.source_address.empty() && event.source_address != "local") {
    std::string network = NetworkOf(event.source_address);
    if (!networks_.contains(network)) {
      if (!networks_.empty()) {
        Fire(findings, Rule::kNewNetwork,
             "address " + event.source_address + " is outside every network the agent used",
             now, options, learning);
      }
      // Beyond the cap a network stays new: more alerts, never fewer.
      if (networks_.size() < kMaxKnownNetworks) networks_.insert(network);
    }
    if (event.session_id != 0) {
      NoteSessionNetwork(std::move(network), now,
                         now - options.concurrent_window_seconds * kSecond);
      if (session_networks_.size() >= 2) {
        Fire(findings, Rule::kConcurrentAddresses,
             std::to_string(session_networks_.size()) + " networks used within " +
                 std::to_string(options.concurrent_window_seconds / 60) + " minutes",
             now, options, learning);
      }
    }
  }
  if (!event.dpop_jkt.empty() && !devices_.contains(event.dpop_jkt)) {
    if (!devices_.empty() && event.type == AuditEventType::kLoginSecondFactorOk) {
      Fire(findings, Rule::kNewDevice, "login with a DPoP key never seen for this agent", now,
           options, learning);
    }
    // Beyond the cap a key stays new: more alerts, never fewer.
    if (devices_.size() < kMaxKnownDevices) devices_.insert(event.dpop_jkt);
  }
}

void AgentActivity::NoteEarlierActivity(const AuditEvent& event) {
  NoteEarlierActivity(event.time_unix_micros);
  if (!event.source_address.empty() && event.source_address != "local" &&
      networks_.size() < kMaxKnownNetworks) {
    networks_.insert(NetworkOf(event.source_address));
  }
  if (!event.dpop_jkt.empty() && devices_.size() < kMaxKnownDevices) {
    devices_.insert(event.dpop_jkt);
  }
}

void AgentActivity::NoteSessionNetwork(std::string network, int64_t now, int64_t since) {
  std::erase_if(session_networks_, [since](const NetworkUse& use) { return use.last_us < since; });
  auto used = std::ranges::find(session_networks_, network, &NetworkUse::network);
  if (used != session_networks_.end()) {
    used->last_us = std::max(used->last_us, now);
    return;
  }
  if (session_networks_.size() >= kMaxSessionNetworks) {
    session_networks_.erase(std::ranges::min_element(session_networks_, {}, &NetworkUse::last_us));
  }
  session_networks_.push_back({std::move(network), now});
}

void AgentActivity::CheckRates(const AuditEvent& event, std::vector<Finding>& findings,
                               const DetectOptions& options, bool learning) {
  const int64_t now = event.time_unix_micros;
  // A login's second factor or a step-up refused for another reason than a
  // wrong or replayed code (a seed or stored passkey that does not open, the
  // database) is recorded, and is our fault, not a sign of someone guessing.
  const bool failed_factor =
      (event.type == AuditEventType::kLoginSecondFactorFailed ||
       (event.type == AuditEventType::kStepUp && event.outcome != AuditOutcome::kOk)) &&
      event.refusal_code == ErrorCodeName(ErrorCode::kUnauthenticated);
  if (failed_factor) {
    factor_failures_.push_back(now);
    PruneBefore(factor_failures_, now - options.second_factor_window_seconds * kSecond,
                [](int64_t t) { return t; });
    if (factor_failures_.size() >= static_cast<size_t>(options.second_factor_failures)) {
      Fire(findings, Rule::kSecondFactorFailures,
           std::to_string(factor_failures_.size()) + " wrong second factors within " +
               std::to_string(options.second_factor_window_seconds / 60) + " minutes",
           now, options, learning);
    }
  }
  if (!IsConsultation(event.type)) return;
  consultations_.push_back(now);
  PruneBefore(consultations_, now - kMinute, [](int64_t t) { return t; });
  if (consultations_.size() > kMaxWindowEntries) consultations_.pop_front();
  if (consultations_.size() > static_cast<size_t>(options.query_rate_per_minute)) {
    Fire(findings, Rule::kQueryRate,
         std::to_string(consultations_.size()) + " consultations within a minute (threshold " +
             std::to_string(options.query_rate_per_minute) + ")",
         now, options, learning);
  }
  if (event.outcome != AuditOutcome::kOk) return;
  const bool someone_new = CountPersons(event);
  const int64_t usual = usual_busiest_hour_;
  const int64_t threshold = std::min<int64_t>(
      options.persons_per_hour_ceiling,
      std::max<int64_t>(options.persons_per_hour_floor, usual * options.persons_per_hour_factor));
  // Only a consultation that adds to the sweep: an agent reinstated after a
  // false alarm is not suspended again for the persons seen before it.
  if (someone_new && static_cast<int64_t>(persons_.size()) > threshold) {
    Fire(findings, Rule::kDistinctPersons,
         std::to_string(persons_.size()) + " distinct persons within an hour (threshold " +
             std::to_string(threshold) +
             "; the agent's usual busiest hour: " + std::to_string(usual) + ")",
         now, options, learning);
  }
}

bool AgentActivity::CountPersons(const AuditEvent& event) {
  const int64_t now = event.time_unix_micros;
  const int64_t bucket = now / kHour;
  if (bucket != hour_bucket_) {
    if (hour_bucket_ >= 0 && !bucket_persons_.empty()) {
      unlearnt_hours_.emplace_back(hour_bucket_, static_cast<uint32_t>(bucket_persons_.size()));
    }
    bool learnt = false;
    while (!unlearnt_hours_.empty() && unlearnt_hours_.front().first <= bucket - kLearnAfterHours) {
      busy_hours_.push_back(unlearnt_hours_.front().second);
      if (busy_hours_.size() > kBusyHoursKept) busy_hours_.pop_front();
      unlearnt_hours_.pop_front();
      learnt = true;
    }
    if (learnt) LearnBusiestHour();
    bucket_persons_.clear();
    hour_bucket_ = bucket;
  }
  persons_.ForgetBefore(now - kHour,
                        kMaxWindowEntries);  // first: a person back after an hour is new
  bool someone_new = false;
  for (int64_t person : event.person_ids) {
    // The hour's count saturates at the cap (far beyond any threshold).
    if (bucket_persons_.size() < kMaxWindowEntries) bucket_persons_.insert(person);
    someone_new = persons_.Add(now, person) || someone_new;
  }
  persons_.ForgetBefore(now - kHour, kMaxWindowEntries);
  return someone_new;
}

// Once per past hour, not per event: the baseline only moves when an hour ends.
void AgentActivity::LearnBusiestHour() {
  if (busy_hours_.size() < kBusyHoursNeeded) return;
  // The 90th percentile of the agent's active hours: a busy but ordinary hour.
  std::vector<uint32_t> sorted(busy_hours_.begin(), busy_hours_.end());
  const size_t at = sorted.size() * 9 / 10;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(at), sorted.end());
  usual_busiest_hour_ = sorted[at];
}

// A sweep with other searches slipped between its steps, so that no run of
// consecutive ones is in order: its steps, picked out of the last searches,
// still walk surnames within one initial and the next, or one surname's
// birth dates. An inquiry's list is no steps while its reference covers it:
// the latest search's reference, or, for a search under none (a street
// check among the list's), the last covered one's. A list under another
// reference counts: a sweep split between references is one sweep.
std::string AgentActivity::HiddenSweep(size_t run) const {
  const SearchSample& latest = searches_.back();
  const size_t steps = std::max(kHiddenSweepFactor * run, kMinHiddenSteps);
  if (steps > kSweepHistory) return "";
  const size_t lookback = steps + kStepsOutOfOrder;
  std::string_view list = latest.case_reference;
  if (!latest.covered) {
    auto last_covered = std::find_if(searches_.rbegin(), searches_.rend(),
                                     [](const SearchSample& s) { return s.covered; });
    list = last_covered == searches_.rend() ? "" : std::string_view(last_covered->case_reference);
  }
  auto exempt = [&](const SearchSample& s) { return s.covered && s.case_reference == list; };
  const char initial = latest.surname.empty() ? ' ' : latest.surname[0];
  // Upwards, the steps begin with this initial or the one before; downwards,
  // this one or the one after.
  auto up = [&](const SearchSample& s) {
    return !s.surname.empty() && (s.surname[0] == initial || s.surname[0] + 1 == initial);
  };
  auto down = [&](const SearchSample& s) {
    return !s.surname.empty() && (s.surname[0] == initial || s.surname[0] == initial + 1);
  };
  auto before = [](const SearchSample& a, const SearchSample& b) { return a.surname < b.surname; };
  auto after = [](const SearchSample& a, const SearchSample& b) { return a.surname > b.surname; };
  if (ChainToLatest(searches_, lookback, up, before, exempt) >= steps ||
      ChainToLatest(searches_, lookback, down, after, exempt) >= steps) {
    return "searches walking surnames in alphabetical order among others";
  }
  auto dated_namesake = [&](const SearchSample& s) {
    return s.surname == latest.surname && !s.birth_date.empty();
  };
  auto born_before = [](const SearchSample& a, const SearchSample& b) {
    return a.birth_date < b.birth_date;
  };
  auto born_after = [](const SearchSample& a, const SearchSample& b) {
    return a.birth_date > b.birth_date;
  };
  if (ChainToLatest(searches_, lookback, dated_namesake, born_before, exempt) >= steps ||
      ChainToLatest(searches_, lookback, dated_namesake, born_after, exempt) >= steps) {
    return "searches of one surname sweeping birth dates in order among others";
  }
  return "";
}

void AgentActivity::CheckSearches(const AuditEvent& event, const SearchTerms& terms,
                                  std::vector<Finding>& findings, const DetectOptions& options,
                                  bool learning) {
  const size_t run = static_cast<size_t>(options.enumeration_run);
  const size_t window = static_cast<size_t>(options.enumeration_window);
  // An inquiry comes with a case reference; someone checked in the street
  // comes with their papers: surname, given name and full birth date.
  const bool by_reference = terms.inquiry && !event.case_reference.empty();
  const bool full_identity = terms.given_name && terms.birth_date.size() == 10;
  searches_.push_back(SearchSample{.surname = terms.surname,
                                   .birth_date = terms.birth_date,
                                   .case_reference = event.case_reference,
                                   .found_nobody = event.person_ids.empty() && !terms.wanted_only,
                                   .purpose_linked = by_reference || full_identity,
                                   .inquiry = terms.inquiry});
  while (searches_.size() > std::max({run, window, kSweepHistory})) {
    searches_.pop_front();
  }
  const int64_t now = event.time_unix_micros;
  const SearchSample& latest = searches_.back();
  const size_t case_list = static_cast<size_t>(options.enumeration_case_list);
  size_t under_reference = 0, surnames_under_reference = 0;
  bool new_surname = false;
  if (!latest.case_reference.empty()) {
    // Security: one is forgotten, not all of them: the least used (then
    // the least recently), so the reference a sweep runs under keeps its
    // counts however many throwaway references are typed to wipe them.
    if (by_reference_.size() >= kMaxReferences && !by_reference_.contains(latest.case_reference)) {
      by_reference_.erase(std::ranges::min_element(by_reference_, {}, [](const auto& entry) {
        return std::pair(entry.second.searches, entry.second.last_used);
      }));
    }
    ReferenceUse& use = by_reference_[latest.case_reference];
    use.last_used = std::max(use.last_used, now);
    under_reference = ++use.searches;
    // The last 24 hours' surnames, sliding: a case worked for weeks meets
    // more people than a list, and a day that restarts at a fixed moment
    // would let a sweep straddle it twice as long.
    std::erase_if(use.surnames,
                  [&](const auto& surname) { return now - surname.second > 24 * kHour; });
    auto seen = use.surnames.find(latest.surname);
    new_surname = seen == use.surnames.end();
    if (!new_surname) {
      seen->second = std::max(seen->second, now);  // a late event does not shorten its day
    } else if (use.surnames.size() <= case_list) {
      use.surnames.emplace(latest.surname, now);
    }
    surnames_under_reference = use.surnames.size();
    // An inquiry's search, while its reference covers no more than a list.
    searches_.back().covered = latest.inquiry && under_reference <= case_list;
  }
  // An inquiry's list is short, whatever the order it is worked in: a sweep
  // shuffled under one typed reference walks more surnames in a day than any.
  // Only a surname new to it fires: the case's people searched again are not.
  if (new_surname && surnames_under_reference > case_list) {
    Fire(findings, Rule::kEnumeration,
         "more than " + std::to_string(case_list) +
             " different surnames searched under one case reference within a day",
         now, options, learning);
  } else if (searches_.size() >= run) {
    // A sweep walks a list: surnames in strictly increasing order within one
    // or two initial letters, or one surname with birth dates in order.
    // Worked through in order under one case reference it is an inquiry's
    // list, while the agent's searches under that reference (all of them:
    // one out of order now and then does not start a new list) number at
    // most enumeration_case_list: a reference anyone can type must not
    // switch the rule off for good.
    // A list walked backwards is a sweep too: each order is checked both ways.
    auto first = searches_.end() - static_cast<std::ptrdiff_t>(run);
    bool names_up = true, names_down = true, dates_up = true, dates_down = true;
    bool dated = true, one_reference = !latest.case_reference.empty();
    bool listed_up = true, listed_down = true;
    std::unordered_set<char> initials;
    for (auto it = first; it != searches_.end(); ++it) {
      initials.insert(it->surname.empty() ? ' ' : it->surname[0]);
      dated = dated && !it->birth_date.empty();
      // A reference typed with a street check makes no inquiry's list.
      one_reference = one_reference && it->inquiry && it->case_reference == latest.case_reference;
      if (it != first) {
        const SearchSample& before = *(it - 1);
        names_up = names_up && before.surname < it->surname;
        names_down = names_down && before.surname > it->surname;
        const bool same_name = before.surname == it->surname;
        dates_up = dates_up && same_name && before.birth_date < it->birth_date;
        dates_down = dates_down && same_name && before.birth_date > it->birth_date;
        listed_up = listed_up && InOrder(before, *it);
        listed_down = listed_down && InOrder(*it, before);
      }
    }
    const bool one_inquiry = one_reference && (listed_up || listed_down);
    const bool alphabetical = names_up || names_down;
    const bool by_birth_date = dated && (dates_up || dates_down);
    if (one_inquiry && under_reference > case_list) {
      Fire(findings, Rule::kEnumeration,
           std::to_string(under_reference) +
               " searches under one case reference, walking names in order",
           now, options, learning);
    } else if (!one_inquiry && alphabetical && initials.size() <= 2) {
      Fire(findings, Rule::kEnumeration,
           std::to_string(run) + " searches walking surnames in alphabetical order", now, options,
           learning);
    } else if (!one_inquiry && by_birth_date) {
      Fire(findings, Rule::kEnumeration,
           std::to_string(run) + " searches of one surname sweeping birth dates in order", now,
           options, learning);
    } else if (std::string detail = HiddenSweep(run); !detail.empty()) {
      Fire(findings, Rule::kEnumeration, std::move(detail), now, options, learning);
    }
  }
  if (searches_.size() >= window) {
    size_t misses = 0, unlinked = 0;
    for (auto it = searches_.end() - static_cast<std::ptrdiff_t>(window); it != searches_.end();
         ++it) {
      misses += it->found_nobody ? 1 : 0;
      unlinked += it->purpose_linked ? 0 : 1;
    }
    // Each only on a search that is itself one (a miss, an unlinked one):
    // what an agent did before a reinstatement does not suspend it again.
    if (latest.found_nobody &&
        misses * 100 >= static_cast<size_t>(options.enumeration_miss_percent) * window) {
      Fire(findings, Rule::kEnumeration,
           std::to_string(misses) + " of the last " + std::to_string(window) +
               " searches found nobody",
           now, options, learning);
    } else if (!latest.purpose_linked &&
               unlinked * 100 >=
                   static_cast<size_t>(options.enumeration_unlinked_percent) * window) {
      Fire(findings, Rule::kEnumeration,
           std::to_string(unlinked) + " of the last " + std::to_string(window) +
               " searches had no plausible purpose link (no case reference under an inquiry "
               "purpose, no full identity)",
           now, options, learning);
    }
  }
  // A reference typed anew every few searches links them to nothing: each
  // would otherwise cover a list of its own. (Files checked one each, as for
  // clearances, show full identities and are not counted.)
  const size_t most_references = static_cast<size_t>(options.enumeration_case_references);
  if (by_reference && !full_identity &&
      NewLoneReference(latest.case_reference, now, most_references + 1) &&
      lone_references_.size() > most_references) {
    Fire(findings, Rule::kEnumeration,
         "more than " + std::to_string(most_references) +
             " different case references within a day, each a search's only purpose link",
         now, options, learning);
  }
}

bool AgentActivity::NewLoneReference(const std::string& reference, int64_t now, size_t keep) {
  while (!lone_references_.empty() && now - lone_references_.front().first > 24 * kHour) {
    lone_references_.pop_front();
  }
  if (std::ranges::any_of(lone_references_,
                          [&](const auto& use) { return use.second == reference; })) {
    return false;
  }
  lone_references_.emplace_back(now, reference);
  // One beyond the threshold is all the rule needs to know.
  if (lone_references_.size() > keep) lone_references_.pop_front();
  return true;
}

}  // namespace vigie::detect
