#include "incident/claim_access.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "audit/event_search.h"

namespace vigie::incident {
namespace {

// Events read per query: large enough that a scan's per-query cost vanishes.
constexpr size_t kPage = 4096;

// Only what was really shown counts: a refused consultation returned nothing.
// Investigation answers that named persons are not accesses here: a breach
// report names only persons consultations had shown (already counted), and
// counting a claim check's own matches would make every real row of any
// later check "accessed" (a breach report counts them, for an officer's
// stolen session: breach_report.h).
bool Returned(const audit::AuditEvent& event) {
  return (event.type == audit::AuditEventType::kSearch ||
          event.type == audit::AuditEventType::kFileOpening) &&
         event.outcome == audit::AuditOutcome::kOk;
}

// Counted apart: an investigation's answer that named persons.
bool NamedByInvestigation(const audit::AuditEvent& event) {
  return event.type == audit::AuditEventType::kAuditSearch &&
         event.outcome == audit::AuditOutcome::kOk && !event.person_ids.empty();
}

void Touch(SessionAccess& access, int64_t time) {
  if (access.events == 0 || time < access.first_unix_micros) access.first_unix_micros = time;
  if (access.events == 0 || time > access.last_unix_micros) access.last_unix_micros = time;
  ++access.events;
}

// Collects (person, event) pairs compactly while the log is read, then
// aggregates them person by person: keeping each person's session list up
// to date on every event touched a cold list per access (measured: half of
// a million-row check).
class Aggregate {
 public:
  Aggregate(const AccessOptions& options, std::span<const int64_t> person_ids)
      : options_(options), persons_(person_ids.begin(), person_ids.end()) {
    slots_.reserve(persons_.size());
    for (size_t i = 0; i < persons_.size(); ++i) {
      slots_.emplace(persons_[i], static_cast<uint32_t>(i));
    }
  }

  // The slot of a person of the set, or nullopt.
  std::optional<uint32_t> SlotOf(int64_t person) const {
    auto it = slots_.find(person);
    if (it == slots_.end()) return std::nullopt;
    return it->second;
  }

  // `event` returned the persons in `slots` (each once). With `may_repeat`
  // (the person-index path) an event may come again for other persons and
  // is still counted once for its session.
  void Add(const audit::AuditEvent& event, std::span<const uint32_t> slots, bool may_repeat) {
    if (slots.empty()) return;
    size_t index = events_.size();
    bool added = true;
    if (may_repeat) {
      auto [known, inserted] = event_index_.try_emplace(event.sequence, events_.size());
      index = known->second;
      added = inserted;
    }
    if (added) {
      agents_.try_emplace(event.actor.agent_id, event.actor.service_number);
      events_.push_back(
          {event.sequence, event.time_unix_micros, event.session_id, event.actor.agent_id});
    }
    SessionInvolved& session = SessionOf(events_[index]);
    if (added) Touch(session.access, event.time_unix_micros);
    session.persons_returned += static_cast<int64_t>(slots.size());
    for (uint32_t slot : slots) accesses_.push_back({slot, static_cast<uint32_t>(index)});
  }

  // An investigation's answer named the person of `slot`.
  void Named(uint32_t slot) { ++named_[persons_[slot]]; }

  AccessReport Finish(std::string_view method, int64_t events_read) {
    AccessReport report;
    report.named_by_investigations = std::move(named_);
    report.method = method;
    report.events_read = events_read;
    report.agents = static_cast<int64_t>(agents_.size());
    // Each person's events in log order (the scan reads them in that order;
    // the index path may have met an event first through another person).
    if (event_index_.empty()) {
      std::sort(accesses_.begin(), accesses_.end());
    } else {
      std::sort(accesses_.begin(), accesses_.end(), [&](const Access& a, const Access& b) {
        return a.slot != b.slot ? a.slot < b.slot
                                : events_[a.event].sequence < events_[b.event].sequence;
      });
    }
    report.persons.reserve(persons_.size());
    for (size_t i = 0; i < accesses_.size();) {
      const uint32_t slot = accesses_[i].slot;
      PersonAccess& person = report.persons[persons_[slot]];
      SessionAccess all;
      for (; i < accesses_.size() && accesses_[i].slot == slot; ++i) {
        const Event& e = events_[accesses_[i].event];
        Touch(all, e.time);
        auto own = std::find_if(person.sessions.begin(), person.sessions.end(),
                                [&](const SessionAccess& s) {
                                  return s.session_id == e.session && s.agent_id == e.agent;
                                });
        if (own != person.sessions.end()) {
          Touch(*own, e.time);
        } else if (person.sessions.size() < options_.max_sessions_per_person) {
          person.sessions.push_back(NewSession(e));
          Touch(person.sessions.back(), e.time);
        } else {
          person.more_sessions = true;
        }
      }
      person.events = all.events;
      person.first_unix_micros = all.first_unix_micros;
      person.last_unix_micros = all.last_unix_micros;
    }
    report.sessions.reserve(sessions_.size());
    for (auto& [key, session] : sessions_) report.sessions.push_back(std::move(session));
    std::sort(report.sessions.begin(), report.sessions.end(),
              [](const SessionInvolved& a, const SessionInvolved& b) {
                if (a.persons_returned != b.persons_returned) {
                  return a.persons_returned > b.persons_returned;
                }
                return a.access.session_id != b.access.session_id
                           ? a.access.session_id < b.access.session_id
                           : a.access.agent_id < b.access.agent_id;
              });
    return report;
  }

 private:
  struct Event {
    uint64_t sequence;
    int64_t time;
    int64_t session;  // session 0 (no session) is told apart by agent
    int64_t agent;
  };
  struct Access {
    uint32_t slot;
    uint32_t event;  // events_ index, in the order read
    auto operator<=>(const Access&) const = default;
  };
  struct PairHash {
    size_t operator()(const std::pair<int64_t, int64_t>& p) const {
      return std::hash<int64_t>()(p.first) * 31 + std::hash<int64_t>()(p.second);
    }
  };

  SessionAccess NewSession(const Event& e) const {
    return {.session_id = e.session, .agent_id = e.agent, .service_number = agents_.at(e.agent)};
  }
  SessionInvolved& SessionOf(const Event& e) {
    auto it = sessions_.find({e.session, e.agent});
    if (it == sessions_.end()) {
      it =
          sessions_.emplace(std::pair{e.session, e.agent}, SessionInvolved{NewSession(e), 0}).first;
    }
    return it->second;
  }

  const AccessOptions& options_;
  std::vector<int64_t> persons_;                 // by slot
  std::unordered_map<int64_t, uint32_t> slots_;  // person id → slot
  std::vector<Event> events_;
  std::unordered_map<uint64_t, size_t> event_index_;  // sequence → events_ index
  std::vector<Access> accesses_;
  std::unordered_map<int64_t, std::string> agents_;  // agent id → service number
  std::unordered_map<std::pair<int64_t, int64_t>, SessionInvolved, PairHash> sessions_;
  std::unordered_map<int64_t, int64_t> named_;  // person id → investigation events
};

}  // namespace

Result<AccessReport> FindAccesses(store::Connection& audit_db, std::span<const int64_t> person_ids,
                                  const AccessOptions& options) {
  Aggregate aggregate(options, person_ids);
  int64_t events_read = 0;
  const bool by_index = person_ids.size() <= options.max_indexed_persons;
  audit::EventFilter filter;
  filter.limit = std::numeric_limits<size_t>::max();  // every event, a page at a time
  std::vector<uint32_t> slots;
  // Reads every event of `filter` and hands each returning someone to
  // `take`, each investigation answer naming someone to `named`.
  auto read_all = [&](auto&& take, auto&& named) -> Result<void> {
    RETURN_IF_ERROR(
        audit::StreamEvents(audit_db, filter, kPage, [&](const audit::AuditEvent& event) {
          if (Returned(event)) take(event);
          if (NamedByInvestigation(event)) named(event);
          if (++events_read % static_cast<int64_t>(kPage) == 0 && options.progress) {
            options.progress(events_read);
          }
        }));
    if (options.progress) options.progress(events_read);
    return Result<void>{};
  };
  if (by_index) {
    for (int64_t person : person_ids) {
      filter.person_id = person;
      const uint32_t slot = *aggregate.SlotOf(person);
      RETURN_IF_ERROR(read_all(
          [&](const audit::AuditEvent& event) {
            aggregate.Add(event, std::span<const uint32_t>(&slot, 1), /*may_repeat=*/true);
          },
          [&](const audit::AuditEvent&) { aggregate.Named(slot); }));
    }
    return aggregate.Finish("person_index", events_read);
  }
  // The persons of the set `event` names, each once.
  auto slots_of = [&](const audit::AuditEvent& event) {
    slots.clear();
    for (int64_t person : event.person_ids) {
      if (auto slot = aggregate.SlotOf(person)) slots.push_back(*slot);
    }
    std::sort(slots.begin(), slots.end());  // a person listed twice counts once
    slots.erase(std::unique(slots.begin(), slots.end()), slots.end());
    return std::span<const uint32_t>(slots);
  };
  RETURN_IF_ERROR(read_all(
      [&](const audit::AuditEvent& event) {
        aggregate.Add(event, slots_of(event), /*may_repeat=*/false);
      },
      [&](const audit::AuditEvent& event) {
        for (uint32_t slot : slots_of(event)) aggregate.Named(slot);
      }));
  return aggregate.Finish("log_scan", events_read);
}

}  // namespace vigie::incident
