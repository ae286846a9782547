#pragma once
// Search bodies that hit real people: the surname, first given name and
// birth year of the first persons of a `vigie generate` JSON Lines file.
// Thread-safety: a plain value once loaded.

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"

namespace vigie::bench {

// The JSON bodies of POST /api/v1/search, one per person read:
// {"purpose":…,"surname":…,"given_name":…,"birth_date":"YYYY"}, plus
// "case_reference" when one is given.
// Reads person lines until `limit` are collected (other kinds are skipped).
// Errors: NotFound when the file cannot be read, InvalidArgument when it
// holds no usable person line.
Result<std::vector<std::string>> LoadSearchBodies(const std::filesystem::path& persons_file,
                                                  size_t limit, std::string_view purpose,
                                                  std::string_view case_reference = {});

}  // namespace vigie::bench
