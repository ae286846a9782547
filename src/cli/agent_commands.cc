// `vigie unit add|list` and `vigie agent add|list|show|suspend|reinstate|reset`:
// administration from the server's console, as the local operator, through
// the same use cases as the API.

#include <boost/json.hpp>
#include <cstdio>

#include "cli/admin_portal.h"
#include "cli/commands.h"
#include "crypto/bytes.h"

namespace vigie::cli {
namespace {

namespace json = boost::json;

std::string RolesText(const identity::RoleSet& roles) { return roles.ToString(); }

void PrintAgent(const identity::Agent& agent) {
  std::printf("%-12s %-8s %-19s %-30s %s\n", agent.service_number.c_str(), agent.unit_code.c_str(),
              std::string(identity::AgentStatusName(agent.status)).c_str(),
              RolesText(agent.roles).c_str(), agent.display_name.c_str());
}

json::object AgentJson(const identity::Agent& agent) {
  return {{"service_number", agent.service_number},
          {"display_name", agent.display_name},
          {"unit", agent.unit_code},
          {"roles", agent.roles.ToString()},
          {"status", identity::AgentStatusName(agent.status)},
          {"totp_enrolled", agent.totp_enrolled}};
}

void PrintActivation(const identity::AgentWithCode& issued) {
  std::printf("Activation code for %s (shown once; hand it over in person, valid until %lld):\n",
              issued.agent.service_number.c_str(),
              static_cast<long long>(issued.activation.expires_at));
  std::printf("  %.*s\n", static_cast<int>(issued.activation.code.view().size()),
              reinterpret_cast<const char*>(issued.activation.code.view().data()));
}

template <typename F>
int WithPortal(const std::filesystem::path& data_dir, F&& body) {
  auto admin = AdminPortal::Open(data_dir);
  if (!admin) return ReportError(admin.error());
  return body(*(*admin)->portal);
}

}  // namespace

int RunUnitAdd(const std::filesystem::path& data_dir, const identity::NewUnit& unit) {
  return WithPortal(data_dir, [&](app::Portal& portal) {
    auto added = portal.AddUnit(app::LocalOperator(), unit);
    if (!added) return ReportError(added.error());
    std::printf("Unit %s created: %s (%s)\n", added->code.c_str(), added->name.c_str(),
                std::string(identity::UnitKindName(added->kind)).c_str());
    return 0;
  });
}

int RunUnitList(const std::filesystem::path& data_dir, bool as_json) {
  return WithPortal(data_dir, [&](app::Portal& portal) {
    auto units = portal.ListUnits(app::LocalOperator());
    if (!units) return ReportError(units.error());
    json::array out;
    for (const identity::Unit& unit : *units) {
      if (as_json) {
        out.emplace_back(json::object{
            {"code", unit.code}, {"name", unit.name}, {"kind", identity::UnitKindName(unit.kind)}});
      } else {
        std::printf("%-10s %-17s %s\n", unit.code.c_str(),
                    std::string(identity::UnitKindName(unit.kind)).c_str(), unit.name.c_str());
      }
    }
    if (as_json) std::printf("%s\n", json::serialize(out).c_str());
    return 0;
  });
}

int RunAgentAdd(const std::filesystem::path& data_dir, const identity::NewAgent& agent) {
  return WithPortal(data_dir, [&](app::Portal& portal) {
    auto added = portal.AddAgent(app::LocalOperator(), agent);
    if (!added) return ReportError(added.error());
    PrintAgent(added->agent);
    PrintActivation(*added);
    return 0;
  });
}

int RunAgentList(const std::filesystem::path& data_dir, const std::string& unit, bool as_json) {
  return WithPortal(data_dir, [&](app::Portal& portal) {
    identity::AgentQuery query;
    if (!unit.empty()) query.unit_code = unit;
    query.limit = identity::kMaxAgentPage;
    json::array out;
    // Pages through every agent, a thousand at a time.
    while (true) {
      auto agents = portal.ListAgents(app::LocalOperator(), query);
      if (!agents) return ReportError(agents.error());
      for (const identity::Agent& agent : *agents) {
        if (as_json) {
          out.emplace_back(AgentJson(agent));
        } else {
          PrintAgent(agent);
        }
      }
      if (static_cast<int64_t>(agents->size()) < query.limit) break;
      query.after_id = agents->back().id;
    }
    if (as_json) std::printf("%s\n", json::serialize(out).c_str());
    return 0;
  });
}

int RunAgentAction(const std::filesystem::path& data_dir, AgentAction action,
                   const std::string& service_number, bool as_json) {
  return WithPortal(data_dir, [&](app::Portal& portal) {
    app::Caller me = app::LocalOperator();
    if (action == AgentAction::kReset) {
      auto reset = portal.ResetAgent(me, service_number);
      if (!reset) return ReportError(reset.error());
      if (as_json) {
        json::object out = AgentJson(reset->agent);
        out["activation_code"] = crypto::AsText(reset->activation.code.view());
        out["activation_expires_at"] = reset->activation.expires_at;
        std::printf("%s\n", json::serialize(out).c_str());
        return 0;
      }
      PrintAgent(reset->agent);
      PrintActivation(*reset);
      return 0;
    }
    Result<identity::Agent> agent =
        action == AgentAction::kShow      ? portal.ShowAgent(me, service_number)
        : action == AgentAction::kSuspend ? portal.SuspendAgent(me, service_number)
                                          : portal.ReinstateAgent(me, service_number);
    if (!agent) return ReportError(agent.error());
    if (as_json) {
      std::printf("%s\n", json::serialize(AgentJson(*agent)).c_str());
    } else {
      PrintAgent(*agent);
    }
    return 0;
  });
}

}  // namespace vigie::cli
