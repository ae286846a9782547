#pragma once
// Rendering search results and person files for the terminal (aligned text)
// or for scripts (one JSON document).

#include <string>

#include "records/person_file.h"
#include "records/search.h"

namespace vigie::cli {

std::string RenderSearchText(const records::SearchResult& result);
std::string RenderSearchJson(const records::SearchResult& result);
std::string RenderPersonFileText(const records::PersonFile& file);
std::string RenderPersonFileJson(const records::PersonFile& file);

}  // namespace vigie::cli
