// `vigie alert list|ack`, `vigie incident contain|release|list` and
// `vigie canary plant|list`: incident response from the server's console, as
// the local operator, through the same use cases as the API.

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "api/incident_json.h"
#include "cli/admin_portal.h"
#include "cli/commands.h"
#include "cli/operator_read.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "detect/alert_store.h"
#include "records/generator.h"
#include "records/person_file.h"
#include "records/record_repository.h"

namespace vigie::cli {
namespace {

namespace json = boost::json;

template <typename F>
int WithPortal(const std::filesystem::path& data_dir, F&& body) {
  auto admin = AdminPortal::Open(data_dir);
  if (!admin) return ReportError(admin.error());
  return body(*(*admin)->portal);
}

std::string UtcText(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

void PrintIncident(const incident::Incident& incident) {
  std::printf(
      "Incident %lld (%s, by %s): %s; %lld agents%s%s\n", static_cast<long long>(incident.id),
      UtcText(incident.opened_at).c_str(), incident.opened_by.c_str(), incident.scope.c_str(),
      static_cast<long long>(incident.agent_count), incident.lockdown ? "; portal locked down" : "",
      incident.released_at
          ? ("; released " + UtcText(*incident.released_at) +
             (incident.release_mode
                  ? " (" + std::string(incident::ReleaseModeName(*incident.release_mode)) + ")"
                  : "") +
             (incident.unreleased_count > 0
                  ? " but for " + std::to_string(incident.unreleased_count) +
                        " agents (release it again)"
                  : ""))
                .c_str()
          : "; open");
  std::printf("  reason: %s\n", incident.reason.c_str());
}

// An incident's act that stands with its events not in the log: said, and
// the exit status of the log unavailable, so that no script takes it as
// done nor does it again. `status` otherwise.
int UnlessUnrecorded(bool events_recorded, int64_t incident_id, int status) {
  if (events_recorded) return status;
  std::fprintf(stderr,
               "vigie: incident %lld: done, but the audit log did not record its events (see the "
               "log; do not do it again)\n",
               static_cast<long long>(incident_id));
  return ExitCodeFor(ErrorCode::kUnavailable);
}

}  // namespace

int RunAlertList(const std::filesystem::path& data_dir, const AlertListOptions& options) {
  return WithPortal(data_dir, [&](app::Portal& portal) {
    auto alerts = portal.ListAlerts(app::LocalOperator(),
                                    {.open_only = !options.all, .limit = options.limit});
    if (!alerts) return ReportError(alerts.error());
    for (const detect::Alert& alert : *alerts) {
      if (options.json) {
        std::printf("%s\n", json::serialize(api::AlertJson(alert)).c_str());
        continue;
      }
      std::printf("%-6lld %s %-8s %-22s %-8s %-12s %s%s\n", static_cast<long long>(alert.id),
                  UtcText(alert.raised_at).c_str(), alert.severity.c_str(), alert.rule.c_str(),
                  alert.action.c_str(), alert.service_number.c_str(), alert.detail.c_str(),
                  alert.acknowledged_at ? " [acknowledged]" : "");
    }
    return 0;
  });
}

int RunAlertAcknowledge(const std::filesystem::path& data_dir, int64_t alert_id,
                        const std::string& note) {
  return WithPortal(data_dir, [&](app::Portal& portal) {
    auto acknowledged = portal.AcknowledgeAlert(app::LocalOperator(), alert_id, note);
    if (!acknowledged) return ReportError(acknowledged.error());
    std::printf("Alert %lld acknowledged\n", static_cast<long long>(acknowledged->id));
    return 0;
  });
}

int RunIncidentContain(const std::filesystem::path& data_dir, const ContainOptions& options) {
  return WithPortal(data_dir, [&](app::Portal& portal) {
    incident::ContainRequest request{.scope = {.service_numbers = options.agents,
                                               .unit_code = options.unit,
                                               .everyone = options.everyone},
                                     .reason = options.reason,
                                     .lockdown = options.lockdown};
    auto contained = portal.Contain(app::LocalOperator(), std::move(request));
    if (!contained) return ReportError(contained.error());
    // Exit 1 while some agent is left to suspend: a script must not take it as done.
    const int status = contained->not_suspended.empty() ? 0 : 1;
    if (options.json) {
      std::printf("%s\n", json::serialize(api::ContainedJson(*contained)).c_str());
      return UnlessUnrecorded(contained->events_recorded, contained->incident.id, status);
    }
    PrintIncident(contained->incident);
    std::printf("  %lld sessions revoked. Release with: vigie incident release %lld\n",
                static_cast<long long>(contained->sessions_revoked),
                static_cast<long long>(contained->incident.id));
    if (!contained->released_meanwhile.empty()) {
      std::string names;
      for (const std::string& agent : contained->released_meanwhile) names += " " + agent;
      std::printf("  released while it ran, not suspended:%s\n", names.c_str());
    }
    if (status != 0) {
      std::string names;
      for (const std::string& agent : contained->not_suspended) names += " " + agent;
      std::fprintf(stderr,
                   "vigie: not suspended (the incident bars their sessions; contain them again "
                   "to finish):%s\n",
                   names.c_str());
    }
    return UnlessUnrecorded(contained->events_recorded, contained->incident.id, status);
  });
}

int RunIncidentRelease(const std::filesystem::path& data_dir, int64_t incident_id, bool reinstate,
                       std::string_view reason, bool as_json) {
  return WithPortal(data_dir, [&](app::Portal& portal) {
    auto released = portal.ReleaseIncident(
        app::LocalOperator(), incident_id,
        reinstate ? incident::ReleaseMode::kReinstate : incident::ReleaseMode::kReset, reason);
    if (!released) return ReportError(released.error());
    if (as_json) {
      json::object out = api::IncidentJson(released->incident);
      auto service_numbers = [](const std::vector<identity::Agent>& agents) {
        json::array numbers;
        for (const identity::Agent& agent : agents) numbers.emplace_back(agent.service_number);
        return numbers;
      };
      out["reset"] = service_numbers(released->reset);
      out["reinstated"] = service_numbers(released->reinstated);
      out["kept_suspended"] = service_numbers(released->kept_suspended);
      json::array still;
      for (const std::string& agent : released->still_contained) still.emplace_back(agent);
      out["still_contained"] = std::move(still);
      json::array failed;
      for (const std::string& agent : released->not_released) failed.emplace_back(agent);
      out["not_released"] = std::move(failed);
      out["events_recorded"] = released->events_recorded;
      std::printf("%s\n", json::serialize(out).c_str());
      return UnlessUnrecorded(released->events_recorded, incident_id,
                              released->not_released.empty() ? 0 : 1);
    }
    PrintIncident(released->incident);
    for (const identity::Agent& agent : released->reset) {
      // Another incident's hold refuses a reset until it is released too.
      const bool held = std::ranges::find(released->still_contained, agent.service_number) !=
                        released->still_contained.end();
      std::printf(
          "  %-12s credentials erased: an administrator issues a new activation code "
          "(vigie agent reset %s)%s\n",
          agent.service_number.c_str(), agent.service_number.c_str(),
          held ? " once the other incident holding it is released"
          : agent.status == identity::AgentStatus::kSuspended
              ? "; it works once the agent is reinstated"
              : "");
    }
    for (const identity::Agent& agent : released->reinstated) {
      std::printf("  %-12s %s\n", agent.service_number.c_str(),
                  std::string(identity::AgentStatusName(agent.status)).c_str());
    }
    for (const identity::Agent& agent : released->kept_suspended) {
      std::printf("  %-12s kept suspended (suspended before the incident)\n",
                  agent.service_number.c_str());
    }
    for (const std::string& agent : released->still_contained) {
      std::printf("  %-12s still held by another open incident\n", agent.c_str());
    }
    for (const std::string& agent : released->not_released) {
      // Either a failure (release again to finish) or a state not the
      // release's to decide (suspended, disabled): the log says which.
      std::printf(
          "  %-12s NOT released (see the log: release again, or an administrator decides)\n",
          agent.c_str());
    }
    return UnlessUnrecorded(released->events_recorded, incident_id,
                            released->not_released.empty() ? 0 : 1);
  });
}

int RunIncidentList(const std::filesystem::path& data_dir, bool open_only, bool as_json) {
  return WithPortal(data_dir, [&](app::Portal& portal) {
    auto incidents = portal.ListIncidents(app::LocalOperator(), open_only);
    if (!incidents) return ReportError(incidents.error());
    for (const incident::Incident& incident : *incidents) {
      if (as_json) {
        std::printf("%s\n", json::serialize(api::IncidentJson(incident)).c_str());
      } else {
        PrintIncident(incident);
      }
    }
    return 0;
  });
}

int RunIncidentAgents(const std::filesystem::path& data_dir, int64_t incident_id, bool as_json) {
  return WithPortal(data_dir, [&](app::Portal& portal) {
    constexpr size_t kPage = 1000;
    for (int64_t after = 0;;) {
      auto page = portal.IncidentAgents(app::LocalOperator(), incident_id, after, kPage);
      if (!page) return ReportError(page.error());
      for (const incident::HeldAgent& agent : *page) {
        if (as_json) {
          std::printf("%s\n", json::serialize(json::object{{"service_number", agent.service_number},
                                                           {"lifted", agent.lifted}})
                                  .c_str());
        } else {
          std::printf("%-12s %s\n", agent.service_number.c_str(), agent.lifted ? "lifted" : "held");
        }
      }
      if (page->size() < kPage) return 0;
      after = page->back().agent_id;
    }
  });
}

namespace {

// A wanted notice no one acts on harshly, open-ended so the decoy stays
// findable by agents (who find wanted persons only): should a real namesake
// be checked one day, the conduct is to inform, never to arrest.
records::WantedNotice DecoyNotice(records::WantedNotice generated,
                                  const records::PartialDate& today) {
  generated.reason = records::WantedReason::kWitness;
  generated.conduct = records::Conduct::kInformAuthority;
  if (records::DayNumber(generated.valid_from) > records::DayNumber(today)) {
    generated.valid_from = today;
  }
  generated.valid_until = {};
  return generated;
}

}  // namespace

int RunCanaryPlant(const std::filesystem::path& data_dir, int count) {
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  auto repository = records::RecordRepository::Create(*installation->db, installation->keyring);
  if (!repository) return ReportError(repository.error());
  // Decoys look like anyone else - a generated person, drawn from an
  // unpredictable seed, with an external id nobody else can hold - but bear
  // a rare surname (the rarer half of the long tail), so that honest
  // searches almost never list one, while a sweep meets them as it meets
  // anyone. Each is wanted today, open-ended, so every consulting role's
  // searches can find one (agents' find wanted persons only).
  std::vector<std::string> tail;
  if (std::ifstream in(std::filesystem::path(VIGIE_SHARE_DIR) / "surnames-fr.txt"); in) {
    for (std::string line; std::getline(in, line);) tail.push_back(line);
  }
  auto random_below = [](uint64_t bound) {
    uint64_t value = 0;
    for (uint8_t byte : crypto::RandomBytes(sizeof value)) value = (value << 8) | byte;
    return value % bound;  // bias below 2^-40 for the bounds used here
  };
  records::PopulationGenerator generator({.seed = random_below(UINT64_MAX), .wanted_share = 1.0},
                                         std::move(tail));
  if (generator.long_tail_size() < 2) {
    return ReportError(Error(ErrorCode::kInternal, "the surname list is missing: no rare names"));
  }
  // Who planted decoys, and when, is in the log before they exist (never
  // which persons: that is what `canary list` guards).
  SystemClock clock;
  if (auto recorded = RecordOperatorCommand(*installation, clock,
                                            "canary plant: " + std::to_string(count) + " decoys");
      !recorded) {
    return ReportError(recorded.error());
  }
  const records::PartialDate today = records::DateOf(std::chrono::system_clock::now());
  std::vector<int64_t> planted;
  // One transaction: decoys nobody watches would be real-looking persons.
  auto tx = records::BeginRecordsWrite(*installation->db);
  if (!tx) return ReportError(tx.error());
  uint64_t index = 0;
  for (int i = 0; i < count; ++i) {
    records::PopulationGenerator::Generated decoy = generator.Make(index++);
    for (int draws = 1; decoy.notices.empty() && draws < 1000; ++draws) {
      decoy = generator.Make(index++);
    }
    if (decoy.notices.empty()) {
      return ReportError(Error(ErrorCode::kInternal, "the generator made no wanted decoy"));
    }
    const size_t half = generator.long_tail_size() / 2;
    decoy.person.surname = generator.LongTailSurname(half + random_below(half));
    decoy.person.external_id = "P" + crypto::HexEncode(crypto::RandomBytes(12));
    if (auto put = repository->PutPerson(decoy.person); !put) return ReportError(put.error());
    records::WantedNotice notice = DecoyNotice(decoy.notices.front(), today);
    notice.external_id = "W" + decoy.person.external_id.substr(1) + "-1";
    notice.person_external_id = decoy.person.external_id;
    if (auto put = repository->PutWantedNotice(notice); !put) return ReportError(put.error());
    planted.push_back(decoy.person.id);
  }
  if (auto added = detect::AddCanaries(*installation->db, planted, std::time(nullptr)); !added) {
    return ReportError(added.error());
  }
  // Running servers watch the decoys, then find them, once this commits.
  if (auto advanced = repository->AdvanceGeneration(); !advanced) {
    return ReportError(advanced.error());
  }
  if (auto committed = tx->Commit(); !committed) return ReportError(committed.error());
  std::printf(
      "%zu canary persons planted; running servers watch them from their next check "
      "([search] reload_check_ms; from their next start if it is 0).\n",
      planted.size());
  return 0;
}

int RunCanaryList(const std::filesystem::path& data_dir) {
  auto installation = Installation::Open(data_dir);
  if (!installation) return ReportError(installation.error());
  auto canaries = detect::ListCanaries(*installation->db);
  if (!canaries) return ReportError(canaries.error());
  // Which persons are decoys is what an insider would want to avoid them:
  // the read is in the log before the list is printed (fails closed).
  SystemClock clock;
  if (auto recorded = RecordOperatorRead(
          *installation, clock, "canary list: " + std::to_string(canaries->size()) + " decoys");
      !recorded) {
    return ReportError(recorded.error());
  }
  for (int64_t id : *canaries) std::printf("%lld\n", static_cast<long long>(id));
  return 0;
}

}  // namespace vigie::cli
