#include "records/search_probe.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "records/name_normaliser.h"

namespace vigie::records {
namespace {

bool IsAsciiUpper(char c) { return c >= 'A' && c <= 'Z'; }

// Latin-1 / œ aware case mapping that keeps accents ("Hélène" → "HÉLÈNE").
std::string ChangeCase(std::string_view s, bool upper) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const auto uc = static_cast<unsigned char>(c);
    if (uc < 0x80) {
      out.push_back(static_cast<char>(upper ? std::toupper(uc) : std::tolower(uc)));
      continue;
    }
    if (i + 1 < s.size()) {
      const auto next = static_cast<unsigned char>(s[i + 1]);
      if (uc == 0xC3 && upper && next >= 0xA0 && next <= 0xBE && next != 0xB7) {
        out.push_back(c);
        out.push_back(static_cast<char>(next - 0x20));
        ++i;
        continue;
      }
      if (uc == 0xC3 && !upper && next >= 0x80 && next <= 0x9E && next != 0x97) {
        out.push_back(c);
        out.push_back(static_cast<char>(next + 0x20));
        ++i;
        continue;
      }
      if (uc == 0xC5 && (next == 0x92 || next == 0x93)) {  // Œ œ
        out.push_back(c);
        out.push_back(static_cast<char>(upper ? 0x92 : 0x93));
        ++i;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string FoldToUpperAscii(std::string_view s) {
  // The search's own canonical form, so probes are built the way queries are read.
  return NormaliseName(s).value_or("");
}

namespace {

bool IsVowel(char c) { return std::string_view("AEIOUY").find(c) != std::string_view::npos; }
bool IsConsonant(char c) { return IsAsciiUpper(c) && !IsVowel(c); }

// Sound-preserving French respellings of an upper-case ASCII surname.
std::vector<std::string> PhoneticVariants(const std::string& s) {
  std::vector<std::string> out;
  const size_t n = s.size();
  auto at = [&](size_t i) { return i < n ? s[i] : '\0'; };
  auto add = [&](size_t pos, size_t len, std::string_view with) {
    std::string v = s.substr(0, pos) + std::string(with) + s.substr(pos + len);
    if (v != s && !v.empty() && std::any_of(v.begin(), v.end(), IsAsciiUpper)) {
      out.push_back(std::move(v));
    }
  };
  auto ends_with = [&](std::string_view suf) { return std::string_view(s).ends_with(suf); };

  for (size_t i = 0; i < n; ++i) {
    const char c = s[i];
    const char prev = i > 0 ? s[i - 1] : '\0';
    const char next = at(i + 1);
    if (s.compare(i, 3, "EAU") == 0) add(i, 3, "O");
    if (c == 'A' && next == 'U' && prev != 'E' && at(i + 2) != 'L') add(i, 2, "O");
    if (c == 'O' && prev != 'A' && prev != 'E' && prev != 'O' &&
        std::string_view("UINMY").find(next == '\0' ? '#' : next) == std::string_view::npos) {
      add(i, 1, "AU");
    }
    if (c == 'P' && next == 'H') add(i, 2, "F");
    if (c == 'F' && next != 'F' && prev != 'F') add(i, 1, "PH");
    if (c == 'T' && next == 'H') add(i, 2, "T");
    if (c == 'T' && prev != 'T' && prev != 'S' && next != 'H' && i > 0 && IsVowel(next)) {
      add(i, 1, "TH");
    }
    if (c == 'Y' && !IsVowel(next)) add(i, 1, "I");
    if (c == 'I' && IsConsonant(prev) && (next == '\0' || IsConsonant(next))) add(i, 1, "Y");
    if (IsConsonant(c) && c != 'S' && next == c && !(c == 'L' && prev == 'I')) add(i, 2, {&c, 1});
    if (std::string_view("BLMNPRT").find(c) != std::string_view::npos && IsVowel(prev) &&
        IsVowel(next) && i > 0) {
      const char dbl[2] = {c, c};
      add(i, 1, {dbl, 2});
    }
    if (c == 'C' && (next == 'A' || next == 'O' || next == 'U') && prev != 'C') add(i, 1, "K");
    if (c == 'K' && (next == 'A' || next == 'O' || next == 'U')) add(i, 1, "C");
    if (c == 'C' && (next == 'E' || next == 'I' || next == 'Y') && prev != 'S' && prev != 'C') {
      add(i, 1, IsVowel(prev) ? "SS" : "S");  // GARCIA → GARSIA, LUCIEN → LUSSIEN
    }
    if ((c == 'A' || c == 'E') && next == 'N' && IsConsonant(at(i + 2)) && at(i + 2) != 'N' &&
        prev != 'I' && prev != 'E') {
      add(i, 1, c == 'A' ? "E" : "A");
    }
    if (c == 'A' && next == 'I' && prev != 'E') add(i, 2, "EI");
    if (c == 'E' && next == 'I') add(i, 2, "AI");
    if (c == 'S' && IsVowel(prev) && IsVowel(next)) add(i, 1, "Z");
    if (c == 'Z' && IsVowel(prev) && IsVowel(next)) add(i, 1, "S");
    if (c == 'B' && next == 'V') add(i, 1, "");
  }
  // Endings.
  if (ends_with("ER") && n > 3) add(n - 2, 2, "EZ");
  if (ends_with("EZ") && n > 3) add(n - 2, 2, "ER");
  if (ends_with("AULT")) {
    add(n - 4, 4, "AUD");
    add(n - 4, 4, "AUT");
  }
  if (ends_with("AUD")) add(n - 3, 3, "AULT");
  if (ends_with("AUT")) add(n - 3, 3, "AULT");
  if (ends_with("CQ")) add(n - 1, 1, "");
  if (ends_with("RC")) add(n, 0, "Q");
  if (n >= 4) {
    const char last = s[n - 1];
    const char before = s[n - 2];
    // Silent final consonant dropped: DURAND → DURAN, PETIT → PETI, ROUX → ROU.
    if (std::string_view("DTSXZ").find(last) != std::string_view::npos &&
        (IsVowel(before) || before == 'N' || before == 'R') && !ends_with("EZ") &&
        !ends_with("ET") && !ends_with("ES")) {
      add(n - 1, 1, "");
    }
    // Silent final consonant added: SIMON → SIMOND, BERNAR → BERNARD, ROU → ROUX.
    if (ends_with("ON") || ends_with("AN") || ends_with("IN")) {
      add(n, 0, "D");
      add(n, 0, "T");
    }
    if (ends_with("AR")) add(n, 0, "D");
    if (ends_with("OU")) add(n, 0, "X");
    // Mute final E after L or R: MOREL ↔ MORELE.
    if (last == 'L' || (last == 'R' && before != 'E')) add(n, 0, "E");
    if (last == 'E' && (before == 'L' || before == 'R') && IsVowel(s[n - 3])) add(n - 1, 1, "");
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

constexpr std::array<std::string_view, 3> kAzertyRows = {"AZERTYUIOP", "QSDFGHJKLM", "WXCVBN"};

// Letters adjacent to `c` on a French AZERTY keyboard.
std::string KeyboardNeighbours(char c) {
  std::string out;
  for (int r = 0; r < 3; ++r) {
    const size_t i = kAzertyRows[r].find(c);
    if (i == std::string_view::npos) continue;
    auto take = [&](int row, long col) {
      if (row < 0 || row > 2 || col < 0) return;
      if (static_cast<size_t>(col) < kAzertyRows[row].size()) out.push_back(kAzertyRows[row][col]);
    };
    const long col = static_cast<long>(i);
    take(r, col - 1);
    take(r, col + 1);
    take(r - 1, col);  // row above is shifted left by half a key
    take(r - 1, col + 1);
    take(r + 1, col - 1);
    take(r + 1, col);
    break;
  }
  if (out.empty()) out = "E";  // not a letter key: any letter will do
  return out;
}

bool EndsAreLetters(const std::string& s) {
  return !s.empty() && IsAsciiUpper(s.front()) && IsAsciiUpper(s.back());
}

// Exactly one edit to an upper-case ASCII key that has at least one letter.
std::string OneTypo(const std::string& key, SeededRandom& rng) {
  std::vector<size_t> letters;
  for (size_t i = 0; i < key.size(); ++i) {
    if (IsAsciiUpper(key[i])) letters.push_back(i);
  }
  const size_t pos = letters[rng.Below(letters.size())];
  const double u = rng.Unit();
  if (u < 0.2 && key.size() >= 2) {  // deletion
    std::string v = key;
    v.erase(pos, 1);
    if (EndsAreLetters(v) && v.find("  ") == std::string::npos) return v;
  } else if (u < 0.4) {  // insertion: a doubled key or a neighbour, before or after
    const std::string nb = KeyboardNeighbours(key[pos]);
    const char ins = rng.Unit() < 0.4 ? key[pos] : nb[rng.Below(nb.size())];
    std::string v = key;
    v.insert(v.begin() + static_cast<long>(pos + rng.Below(2)), ins);
    return v;
  } else if (u < 0.6) {  // adjacent transposition of two different letters
    std::vector<size_t> swaps;
    for (size_t i = 0; i + 1 < key.size(); ++i) {
      if (IsAsciiUpper(key[i]) && IsAsciiUpper(key[i + 1]) && key[i] != key[i + 1]) {
        swaps.push_back(i);
      }
    }
    if (!swaps.empty()) {
      const size_t i = swaps[rng.Below(swaps.size())];
      std::string v = key;
      std::swap(v[i], v[i + 1]);
      return v;
    }
  }
  // Substitution by a keyboard neighbour (also the fallback).
  const std::string nb = KeyboardNeighbours(key[pos]);
  std::string v = key;
  v[pos] = nb[rng.Below(nb.size())];
  return v;
}

// As recorded, upper case, upper case without accents, or lower case.
std::string Recase(std::string_view s, SeededRandom& rng) {
  const double u = rng.Unit();
  if (u < 0.4) return std::string(s);
  if (u < 0.6) return ChangeCase(s, true);
  if (u < 0.9) return FoldToUpperAscii(s);
  return ChangeCase(s, false);
}

}  // namespace

std::optional<SearchProbe> MakeProbe(const Person& p, QueryVariant variant, SeededRandom& rng) {
  if (p.surname.empty() || p.given_names.empty() || p.given_names.front().empty()) {
    return std::nullopt;
  }
  const std::string& given = p.given_names.front();
  SearchProbe probe;
  probe.variant = variant;
  if (p.birth_date.full() && rng.Unit() < 0.7) {
    probe.birth_date = p.birth_date;
  } else if (p.birth_date.known()) {
    probe.birth_date = PartialDate{p.birth_date.year, 0, 0};
  }

  switch (variant) {
    case QueryVariant::kExact:
      probe.surname = Recase(p.surname, rng);
      probe.given_name = Recase(given, rng);
      return probe;

    case QueryVariant::kPhonetic: {
      const std::vector<std::string> variants = PhoneticVariants(FoldToUpperAscii(p.surname));
      if (variants.empty()) return std::nullopt;
      probe.surname = variants[rng.Below(variants.size())];
      probe.given_name = Recase(given, rng);
      return probe;
    }

    case QueryVariant::kTypo: {
      std::string surname_key = FoldToUpperAscii(p.surname);
      std::string given_key = FoldToUpperAscii(given);
      const bool surname_ok = std::any_of(surname_key.begin(), surname_key.end(), IsAsciiUpper);
      const bool given_ok = std::any_of(given_key.begin(), given_key.end(), IsAsciiUpper);
      if (!surname_ok && !given_ok) return std::nullopt;
      const bool on_surname = surname_ok && (!given_ok || rng.Unit() < 0.6);
      if (on_surname) {
        probe.surname = OneTypo(surname_key, rng);
        probe.given_name = Recase(given, rng);
      } else {
        probe.surname = Recase(p.surname, rng);
        probe.given_name = OneTypo(given_key, rng);
      }
      return probe;
    }
  }
  return std::nullopt;
}

}  // namespace vigie::records
