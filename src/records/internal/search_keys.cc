#include "records/internal/search_keys.h"

#include <algorithm>
#include <cstring>

#include "records/name_normaliser.h"
#include "records/phonetic_fr.h"

namespace vigie::records::internal {
namespace {

void AddUnique(std::vector<std::string>& list, std::string value) {
  if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) {
    list.push_back(std::move(value));
  }
}

void AddSurnameForms(NameForms& forms, std::string_view raw) {
  auto normalised = NormaliseName(raw);
  if (!normalised) return;
  for (auto& form : SurnameForms(*normalised)) AddUnique(forms.surnames, std::move(form));
}

void FillPhonetics(NameForms& forms) {
  for (const auto& s : forms.surnames) forms.surname_phonetic.push_back(PhoneticKeyFr(s));
  for (const auto& g : forms.given) forms.given_phonetic.push_back(PhoneticKeyFr(g));
}

}  // namespace

NameForms PersonForms(const Person& person, bool with_aliases) {
  NameForms forms;
  AddSurnameForms(forms, person.surname);
  if (with_aliases) {
    for (const auto& alias : person.aliases) AddSurnameForms(forms, alias);
  }
  std::vector<std::string> given;
  for (const auto& g : person.given_names) {
    if (auto n = NormaliseName(g)) given.push_back(std::move(*n));
  }
  forms.given = GivenNameForms(given);
  FillPhonetics(forms);
  return forms;
}

Result<NameForms> QueryForms(std::string_view surname, std::string_view given_name) {
  NameForms forms;
  if (!surname.empty()) {
    auto normalised = NormaliseName(surname);
    if (!normalised) return Fail(normalised.error().WithContext("surname"));
    forms.surnames = SurnameForms(*normalised);
  }
  if (!given_name.empty()) {
    auto normalised = NormaliseName(given_name);
    if (!normalised) return Fail(normalised.error().WithContext("given_name"));
    forms.given = GivenNameForms({*normalised});
  }
  FillPhonetics(forms);
  return forms;
}

uint64_t SearchKeyer::Key(KeyFamily family, std::string_view a, std::string_view b) const {
  // Fields are A–Z only (or a phonetic code), so '|' cannot occur inside them.
  char buffer[512];
  size_t n = std::min(a.size(), size_t{250});
  size_t m = std::min(b.size(), size_t{250});
  buffer[0] = static_cast<char>(family);
  std::memcpy(buffer + 1, a.data(), n);
  buffer[1 + n] = '|';
  std::memcpy(buffer + 2 + n, b.data(), m);
  return hasher_.Hash(std::string_view(buffer, 2 + n + m));
}

uint64_t SearchKeyer::YearKey(KeyFamily family, std::string_view a, int year) const {
  // Years are 1850..2100 (validated): always four digits.
  char digits[4];
  for (int i = 3, y = year; i >= 0; --i, y /= 10) digits[i] = static_cast<char>('0' + y % 10);
  return Key(family, a, std::string_view(digits, 4));
}

std::vector<uint64_t> SearchKeyer::PersonKeys(const NameForms& forms,
                                              const PartialDate& birth) const {
  std::vector<uint64_t> keys;
  for (size_t i = 0; i < forms.surnames.size(); ++i) {
    const std::string& s = forms.surnames[i];
    const std::string& ps = forms.surname_phonetic[i];
    if (birth.known()) {
      keys.push_back(YearKey(KeyFamily::kSurnameYear, s, birth.year));
      keys.push_back(YearKey(KeyFamily::kPhoneticYear, ps, birth.year));
    }
    for (size_t j = 0; j < forms.given.size(); ++j) {
      keys.push_back(Key(KeyFamily::kSurnameGiven, s, forms.given[j]));
      keys.push_back(Key(KeyFamily::kPhoneticGiven, ps, forms.given_phonetic[j]));
    }
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

std::vector<uint64_t> SearchKeyer::VocabularyKeys(const NameForms& forms) const {
  std::vector<uint64_t> keys = {forms.surnames.size()};
  for (const auto& s : forms.surnames) keys.push_back(Key(KeyFamily::kSurnameVocabulary, s, ""));
  for (const auto& g : forms.given) keys.push_back(Key(KeyFamily::kGivenVocabulary, g, ""));
  return keys;
}

uint32_t SearchKeyer::BirthTag(const PartialDate& birth) const {
  if (!birth.known()) return 0;
  if (birth.month == 0) return 1;
  if (!birth.full()) {
    uint64_t h = Key(KeyFamily::kSurnameYear, "#birth-month", FormatPartialDate(birth));
    return static_cast<uint32_t>(h & (kMonthTag - 1)) | kMonthTag;
  }
  uint64_t h = Key(KeyFamily::kSurnameYear, "#birth-date", FormatPartialDate(birth));
  return static_cast<uint32_t>(h & 0x3fffffffU) | kFullDateTag;
}

std::vector<std::string> OneEditVariants(std::string_view s) {
  std::vector<std::string> out;
  ForEachOneEditVariant(s, [&](std::string_view v) { out.emplace_back(v); });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace vigie::records::internal
