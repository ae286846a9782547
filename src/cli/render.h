#pragma once
// Rendering search results and person files for the terminal (aligned text)
// or for scripts (one JSON document).

#include <string>

#include "policy/consultation_policy.h"
#include "records/person_file.h"
#include "records/search.h"

namespace vigie::cli {

// `visibility`: what the consultation may show (criminal records or not);
// results are minimised to it already, the columns follow it.
std::string RenderSearchText(const records::SearchResult& result,
                             const policy::Visibility& visibility);
std::string RenderSearchJson(const records::SearchResult& result,
                             const policy::Visibility& visibility);
std::string RenderPersonFileText(const records::PersonFile& file,
                                 const policy::Visibility& visibility);
std::string RenderPersonFileJson(const records::PersonFile& file,
                                 const policy::Visibility& visibility);

}  // namespace vigie::cli
