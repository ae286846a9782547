#pragma once
// What the AgentActivity tests share: options, events and how to read findings.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "detect/agent_activity.h"

namespace vigie::detect::activity_test {

using audit::AuditEvent;
using audit::AuditEventType;

inline constexpr int64_t kSecond = 1'000'000;
inline constexpr int64_t kHour = 3600 * kSecond;
// 2027-01-15 08:00:00 UTC, a Friday morning.
inline constexpr int64_t kMorning = 1'800'000'000LL * kSecond;

inline DetectOptions Options() {
  auto options = DetectOptions::From(Config::Detect{});
  EXPECT_TRUE(options.has_value());
  return *options;
}

inline AuditEvent Event(AuditEventType type, int64_t at, std::string address = "10.1.2.3") {
  AuditEvent e;
  e.type = type;
  e.time_unix_micros = at;
  e.actor.agent_id = 7;
  e.session_id = 1;
  e.source_address = std::move(address);
  e.dpop_jkt = "key-1";
  return e;
}

inline AuditEvent Search(int64_t at, std::vector<int64_t> persons,
                         std::string address = "10.1.2.3") {
  AuditEvent e = Event(AuditEventType::kSearch, at, std::move(address));
  e.person_ids = std::move(persons);
  return e;
}

inline std::vector<int64_t> Persons(int64_t first, int count) {
  std::vector<int64_t> ids;
  for (int i = 0; i < count; ++i) ids.push_back(first + i);
  return ids;
}

inline std::vector<std::string> Rules(const std::vector<Finding>& findings) {
  std::vector<std::string> names;
  for (const Finding& f : findings) names.emplace_back(RuleName(f.rule));
  return names;
}

inline bool Fired(const std::vector<Finding>& findings, Rule rule) {
  for (const Finding& f : findings) {
    if (f.rule == rule) return true;
  }
  return false;
}

}  // namespace vigie::detect::activity_test
