#include "bench/api_load/query_set.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>

namespace vigie::bench {
namespace {

namespace json = boost::json;

const json::string* StringAt(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value != nullptr ? value->if_string() : nullptr;
}

// The search body for one person line, or an empty string if the line is
// not a usable person.
std::string SearchBodyOf(std::string_view line, std::string_view purpose,
                         std::string_view case_reference) {
  boost::system::error_code ec;
  json::value parsed = json::parse(line, ec);
  const json::object* person = ec ? nullptr : parsed.if_object();
  if (person == nullptr) return {};
  const json::string* kind = StringAt(*person, "kind");
  const json::string* surname = StringAt(*person, "surname");
  const json::string* birth = StringAt(*person, "birth_date");
  const json::value* given = person->if_contains("given_names");
  if (kind == nullptr || *kind != "person" || surname == nullptr || birth == nullptr ||
      birth->size() < 4 || given == nullptr || !given->is_array() || given->as_array().empty() ||
      !given->as_array()[0].is_string()) {
    return {};
  }
  json::object body{{"purpose", purpose},
                    {"surname", *surname},
                    {"given_name", given->as_array()[0].as_string()},
                    {"birth_date", birth->subview(0, 4)}};
  if (!case_reference.empty()) body["case_reference"] = case_reference;
  return json::serialize(body);
}

}  // namespace

Result<std::vector<std::string>> LoadSearchBodies(const std::filesystem::path& persons_file,
                                                  size_t limit, std::string_view purpose,
                                                  std::string_view case_reference) {
  std::ifstream in(persons_file);
  if (!in) return Fail(ErrorCode::kNotFound, "cannot read " + persons_file.string());
  std::vector<std::string> bodies;
  std::string line;
  while (bodies.size() < limit && std::getline(in, line)) {
    std::string body = SearchBodyOf(line, purpose, case_reference);
    if (!body.empty()) bodies.push_back(std::move(body));
  }
  if (bodies.empty()) {
    return Fail(ErrorCode::kInvalidArgument, "no person line in " + persons_file.string());
  }
  return bodies;
}

}  // namespace vigie::bench
