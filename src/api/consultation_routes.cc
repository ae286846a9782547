// Search and file opening: the consultations.

#include <boost/json.hpp>

#include "api/internal/routes.h"
#include "api/json_body.h"
#include "api/records_json.h"

namespace vigie::api::internal {
namespace {

Result<app::ConsultationInput> ConsultationOf(const JsonBody& body) {
  app::ConsultationInput input;
  ASSIGN_OR_RETURN(input.purpose, body.RequiredString("purpose", kMaxShort));
  ASSIGN_OR_RETURN(input.case_reference, body.OptionalString("case_reference", kMaxShort * 2));
  return input;
}

// A consultation's answer, which the server sends only once its audit event
// is durable (and, when it cannot, runs `held.withheld`).
template <typename Answer>
http::Response HeldJson(const boost::json::value& body, app::Held<Answer>& held) {
  http::Response response = Json(200, body);
  response.hold_until = std::move(held.durable);
  response.on_withheld = std::move(held.withheld);
  return response;
}

}  // namespace

Result<http::Response> PostSearch(Call& call) {
  ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(call.context.request.body,
                                                  {"purpose", "case_reference", "surname",
                                                   "given_name", "birth_date"}));
  ASSIGN_OR_RETURN(app::ConsultationInput input, ConsultationOf(body));
  records::SearchQuery query;
  ASSIGN_OR_RETURN(query.surname, body.RequiredString("surname", kMaxName));
  ASSIGN_OR_RETURN(std::optional<std::string> given, body.OptionalString("given_name", kMaxName));
  query.given_name = given.value_or("");
  ASSIGN_OR_RETURN(std::optional<std::string> birth, body.OptionalString("birth_date", kMaxShort));
  if (birth.has_value()) {
    auto date = records::ParsePartialDate(*birth);
    if (!date) return Fail(date.error().WithContext("'birth_date'"));
    query.birth_date = *date;
  }
  ASSIGN_OR_RETURN(app::Held<app::SearchAnswer> held,
                   call.portal.SearchHeld(*call.context.caller, input, query, &call.retry_after));
  return HeldJson(SearchResultJson(held.answer.result, held.answer.visibility), held);
}

Result<http::Response> PostOpenFile(Call& call) {
  ASSIGN_OR_RETURN(int64_t person_id, PathId(call.context, "person_id", "person id"));
  ASSIGN_OR_RETURN(JsonBody body,
                   JsonBody::Parse(call.context.request.body, {"purpose", "case_reference"}));
  ASSIGN_OR_RETURN(app::ConsultationInput input, ConsultationOf(body));
  ASSIGN_OR_RETURN(
      app::Held<app::FileAnswer> held,
      call.portal.OpenPersonFileHeld(*call.context.caller, input, person_id, &call.retry_after));
  return HeldJson(PersonFileJson(held.answer.file, held.answer.visibility), held);
}

}  // namespace vigie::api::internal
