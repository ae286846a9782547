#include "incident/claim_identity.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>

#include "crypto/secret_bytes.h"
#include "records/name_normaliser.h"

namespace vigie::incident {
namespace {

crypto::SearchKeyHasher RandomHasher(RandomSource& random) {
  const std::array<uint8_t, crypto::SearchKeyHasher::kKeySize> zero{};
  crypto::SecretBytes key(zero);  // wiped when it goes out of scope
  random.Fill(key.mutable_view());
  return crypto::SearchKeyHasher(key.view().first<crypto::SearchKeyHasher::kKeySize>());
}

// NormaliseName without its spaces: "DE LA FONTAINE" and "DELAFONTAINE" agree.
Result<std::string> Compact(std::string_view name) {
  ASSIGN_OR_RETURN(std::string normalised, records::NormaliseName(name));
  std::erase(normalised, ' ');
  return normalised;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

Result<records::PartialDate> ParseSampleDate(std::string_view text) {
  // A time after an ISO date: "1980-03-12T00:00:00Z", "1980-03-12 00:00:00" (SQL dumps).
  if (text.size() > 10 && (text[10] == 'T' || text[10] == ' ')) text = text.substr(0, 10);
  // Day first: DD/MM/YYYY, DD-MM-YYYY, DD.MM.YYYY (one-digit day or month too).
  for (char sep : {'/', '-', '.'}) {
    size_t a = text.find(sep);
    if (a == std::string_view::npos || a > 2) continue;
    size_t b = text.find(sep, a + 1);
    if (b == std::string_view::npos) continue;
    std::string_view day = text.substr(0, a), month = text.substr(a + 1, b - a - 1),
                     year = text.substr(b + 1);
    if (!AllDigits(day) || !AllDigits(month) || month.size() > 2 || year.size() != 4 ||
        !AllDigits(year)) {
      break;
    }
    std::string iso = std::string(year) + "-" + (month.size() == 1 ? "0" : "") +
                      std::string(month) + "-" + (day.size() == 1 ? "0" : "") + std::string(day);
    return records::ParsePartialDate(iso);
  }
  return records::ParsePartialDate(text);
}

IdentityKeyer::IdentityKeyer(RandomSource& random) : hasher_(RandomHasher(random)) {}

uint64_t IdentityKeyer::Key(std::string_view surname, std::string_view given,
                            const records::PartialDate& birth) const {
  std::string material;
  material.reserve(surname.size() + given.size() + 16);
  material.append(surname).push_back('|');
  material.append(given).push_back('|');
  material.append(records::FormatPartialDate(birth));
  return hasher_.Hash(material);
}

Result<uint64_t> IdentityKeyer::RowKey(std::string_view surname, std::string_view given_names,
                                       std::string_view birth_date) const {
  if (surname.empty()) return Fail(ErrorCode::kInvalidArgument, "surname is empty");
  if (given_names.empty()) return Fail(ErrorCode::kInvalidArgument, "given_names is empty");
  if (birth_date.empty()) return Fail(ErrorCode::kInvalidArgument, "birth_date is empty");
  auto s = Compact(surname);
  if (!s) return Fail(s.error().WithContext("surname"));
  std::string given(given_names);
  std::replace(given.begin(), given.end(), ';', ' ');  // the normaliser takes ',' as a space
  auto g = Compact(given);
  if (!g) return Fail(g.error().WithContext("given_names"));
  auto birth = ParseSampleDate(birth_date);
  // Security: a reason never quotes the row (it is personal data, and it
  // goes into the check's answer); the records' parser does.
  if (!birth) {
    return Fail(ErrorCode::kInvalidArgument,
                "birth_date: not a date (YYYY, YYYY-MM, YYYY-MM-DD or DD/MM/YYYY, a real day)");
  }
  return Key(*s, *g, *birth);
}

std::optional<IdentityKeyer::PersonKeys> IdentityKeyer::KeysOf(
    const records::Person& person) const {
  auto surname = Compact(person.surname);
  if (!surname || person.given_names.empty()) return std::nullopt;
  std::string all, first;
  for (size_t i = 0; i < person.given_names.size(); ++i) {
    auto g = Compact(person.given_names[i]);
    if (!g) return std::nullopt;
    all += *g;
    if (i == 0) first = *g;
  }
  PersonKeys keys;
  keys.all_given_names = Key(*surname, all, person.birth_date);
  if (person.given_names.size() > 1)
    keys.first_given_name = Key(*surname, first, person.birth_date);
  return keys;
}

}  // namespace vigie::incident
