#include "audit/synthetic_events.h"

#include <string>

namespace vigie::audit {
namespace {

// SplitMix64: a good spread of (seed, n, salt) without state.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

AuditEvent SyntheticAuditEvent(uint64_t n, const SyntheticEventOptions& options) {
  auto draw = [&](uint64_t salt, uint64_t range) {
    return Mix(Mix(options.seed + salt * 0x100000001b3ULL) ^ n) % range;
  };
  AuditEvent event;
  event.time_unix_micros = options.first_unix_micros + static_cast<int64_t>(n) * options.spacing_micros;
  const auto agent = static_cast<int64_t>(draw(1, static_cast<uint64_t>(options.agents)) + 1);
  event.actor = {.agent_id = agent,
                 .service_number = "GN-" + std::to_string(agent),
                 .unit_id = agent % std::max<int64_t>(1, options.agents / 25) + 1};
  // An agent's session lasts about 50 of its events.
  event.session_id = agent * 1'000'000 + static_cast<int64_t>(n / (50 * 5'000));
  event.token_id_hash.assign(32, static_cast<uint8_t>(draw(2, 256)));
  event.dpop_jkt = "jkt-" + std::to_string(agent);
  event.source_address = "10." + std::to_string(agent % 250) + "." +
                         std::to_string(agent / 250 % 250) + ".7";
  event.user_agent = "Mozilla/5.0 (X11; Linux x86_64) Vigie/1";
  const uint64_t kind = draw(3, 10);
  if (kind < 7) {
    event.type = AuditEventType::kSearch;
    event.purpose = "identity_check";
    const auto found = static_cast<int>(
        draw(4, static_cast<uint64_t>(options.max_persons_per_search) + 1));
    for (int i = 0; i < found; ++i) {
      event.person_ids.push_back(static_cast<int64_t>(
          draw(100 + static_cast<uint64_t>(i), static_cast<uint64_t>(options.persons)) + 1));
    }
  } else if (kind < 9) {
    event.type = AuditEventType::kFileOpening;
    event.purpose = "judicial_investigation";
    event.case_reference = "PV-" + std::to_string(draw(6, 100'000));
    event.person_ids.push_back(static_cast<int64_t>(draw(7, static_cast<uint64_t>(options.persons)) + 1));
  } else {
    event.type = draw(8, 2) == 0 ? AuditEventType::kLoginPasswordOk
                                 : AuditEventType::kLoginSecondFactorOk;
  }
  event.latency_micros = static_cast<int64_t>(300 + draw(9, 2'000));
  return event;
}

}  // namespace vigie::audit
