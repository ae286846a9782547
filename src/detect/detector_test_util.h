#pragma once
// What the Detector tests share: options, and an agent's search event.

#include <string>
#include <vector>

#include "detect/detector.h"

namespace vigie::detect::detector_test {

inline constexpr int64_t kSecond = 1'000'000;
inline constexpr int64_t kNow = 1'800'000'000LL * kSecond;

inline DetectOptions Options() { return *DetectOptions::From(Config::Detect{}); }

inline audit::AuditEvent Search(int64_t agent, uint64_t sequence, int64_t at,
                                std::vector<int64_t> persons, std::string address = "10.0.0.1") {
  audit::AuditEvent e;
  e.sequence = sequence;
  e.type = audit::AuditEventType::kSearch;
  e.time_unix_micros = at;
  e.actor.agent_id = agent;
  e.session_id = agent * 100;
  e.source_address = std::move(address);
  e.person_ids = std::move(persons);
  return e;
}

}  // namespace vigie::detect::detector_test
