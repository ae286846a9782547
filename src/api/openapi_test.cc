// The OpenAPI document and the router agree: every route is documented and
// every documented operation exists.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>

#include "api/api_v1.h"
#include "api/openapi_document.h"
#include "audit/audit_event.h"
#include "records/model.h"

namespace vigie::api {
namespace {

namespace json = boost::json;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

TEST(OpenApiTest, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  json::value doc = json::parse(OpenApiDocument());
  EXPECT_EQ(doc.at("openapi").as_string(), "3.1.0");
  std::set<std::string> documented, routed;
  for (const auto& [path, item] : doc.at("paths").as_object()) {
    for (const auto& [method, operation] : item.as_object()) {
      if (path == "/healthz" || path == "/readyz") continue;  // answered by the server itself
      documented.insert(std::string(method) + " " + std::string(path));
      // Authenticated routes say so; public ones declare no DPoP session.
      bool session = false;
      for (const auto& requirement : operation.at("security").as_array()) {
        session = session || requirement.as_object().contains("DPoP");
      }
      for (const RouteInfo& route : ApiV1::Routes()) {
        if (route.path == path && Lower(route.method) == method) {
          EXPECT_EQ(route.authenticated, session) << method << " " << path;
        }
      }
    }
  }
  for (const RouteInfo& route : ApiV1::Routes()) {
    routed.insert(Lower(route.method) + " " + std::string(route.path));
  }
  EXPECT_EQ(documented, routed);
}

TEST(OpenApiTest, EveryOperationDocumentsItsErrorsAndReferencesResolve) {
  json::value doc = json::parse(OpenApiDocument());
  const json::object& schemas = doc.at("components").at("schemas").as_object();
  const json::object& responses = doc.at("components").at("responses").as_object();
  std::function<void(const json::value&)> check_refs = [&](const json::value& v) {
    if (v.is_object()) {
      for (const auto& [k, child] : v.as_object()) {
        if (k == "$ref") {
          std::string_view ref = child.as_string();
          std::string_view name = ref.substr(ref.rfind('/') + 1);
          bool found = ref.starts_with("#/components/schemas/") ? schemas.contains(name)
                                                                : responses.contains(name);
          EXPECT_TRUE(found) << ref;
        } else {
          check_refs(child);
        }
      }
    } else if (v.is_array()) {
      for (const auto& child : v.as_array()) check_refs(child);
    }
  };
  check_refs(doc);
  for (const RouteInfo& route : ApiV1::Routes()) {
    if (!route.authenticated) continue;
    const json::object& op = doc.at("paths").at(route.path).at(Lower(route.method)).as_object();
    EXPECT_TRUE(op.at("responses").as_object().contains("401")) << route.path;
    // Every session request may meet its address's budget of refused ones.
    EXPECT_TRUE(op.at("responses").as_object().contains("429")) << route.path;
    // And a proof made before this node started, or a shared replay guard
    // out of reach.
    EXPECT_TRUE(op.at("responses").as_object().contains("503")) << route.path;
    if (route.refused_when_flagged) {
      EXPECT_TRUE(op.at("responses").as_object().contains("403")) << route.path;
    }
  }
}

// The audit search's type list is the log's: a type the API accepts but the
// document leaves out is one the portal's form does not offer either.
TEST(OpenApiTest, TheAuditSearchOffersEveryEventType) {
  json::value doc = json::parse(OpenApiDocument());
  const json::array& documented = doc.at("paths")
                                      .at("/api/v1/audit/search")
                                      .at("post")
                                      .at("requestBody")
                                      .at("content")
                                      .at("application/json")
                                      .at("schema")
                                      .at("properties")
                                      .at("type")
                                      .at("enum")
                                      .as_array();
  std::vector<std::string_view> names;
  for (const json::value& name : documented) names.push_back(name.as_string());
  EXPECT_EQ(names, audit::AuditEventTypeNames());
}

// The names of `E`'s values, from the first to `last`.
template <typename E>
std::vector<std::string_view> NamesUpTo(E last, std::string_view (*name)(E)) {
  std::vector<std::string_view> names;
  for (int v = 0; v <= static_cast<int>(last); ++v) names.push_back(name(static_cast<E>(v)));
  return names;
}

std::vector<std::string_view> Documented(const json::value& doc, std::string_view schema,
                                         std::string_view property) {
  std::vector<std::string_view> names;
  for (const json::value& name : doc.at("components")
                                     .at("schemas")
                                     .at(schema)
                                     .at("properties")
                                     .at(property)
                                     .at("enum")
                                     .as_array()) {
    names.push_back(name.as_string());
  }
  return names;
}

// A file's coded values are the records model's: the portal gives words to
// each the document lists (web/test/pure.test.mjs).
TEST(OpenApiTest, AFilesCodedValuesAreTheRecordsModels) {
  using namespace records;  // NOLINT: the model's names
  json::value doc = json::parse(OpenApiDocument());
  EXPECT_EQ(Documented(doc, "PersonFile", "sex"), NamesUpTo(Sex::kMale, SexName));
  EXPECT_EQ(Documented(doc, "WantedNotice", "reason"),
            NamesUpTo(WantedReason::kWitness, WantedReasonName));
  EXPECT_EQ(Documented(doc, "WantedNotice", "conduct"), NamesUpTo(Conduct::kProtect, ConductName));
  EXPECT_EQ(Documented(doc, "RecordEntry", "category"),
            NamesUpTo(OffenceCategory::kOther, OffenceCategoryName));
  EXPECT_EQ(Documented(doc, "RecordEntry", "role"), NamesUpTo(EntryRole::kVictim, EntryRoleName));
}

}  // namespace
}  // namespace vigie::api
