#pragma once
// The JSON form of search results and person files, cut to what the
// consultation may show: a field the caller may not see is absent, not
// shown as empty (an agent must not read "no criminal record" into a
// hidden count). Used by the API and by the command line.
// Thread-safety: pure functions.

#include <boost/json/object.hpp>

#include "policy/consultation_policy.h"
#include "records/person_file.h"
#include "records/search.h"

namespace vigie::api {

boost::json::object SearchResultJson(const records::SearchResult& result,
                                     const policy::Visibility& visibility);
boost::json::object PersonFileJson(const records::PersonFile& file,
                                   const policy::Visibility& visibility);

}  // namespace vigie::api
