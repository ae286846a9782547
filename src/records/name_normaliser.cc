#include "records/name_normaliser.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/utf8.h"
#include "records/internal/latin_precomposed.h"

namespace vigie::records {
namespace {

// ASCII folding of U+00C0..U+017F (Latin-1 letters and Latin Extended-A).
// nullptr marks the two non-letters of the block, × and ÷.
// clang-format off
constexpr std::array<const char*, 0x180 - 0xC0> kLatinFold = {
    // U+00C0  À Á Â Ã Ä Å Æ Ç È É Ê Ë Ì Í Î Ï
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    // U+00D0  Ð Ñ Ò Ó Ô Õ Ö × Ø Ù Ú Û Ü Ý Þ ß
    "D", "N", "O", "O", "O", "O", "O", nullptr, "O", "U", "U", "U", "U", "Y", "TH", "SS",
    // U+00E0  à á â ã ä å æ ç è é ê ë ì í î ï
    "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    // U+00F0  ð ñ ò ó ô õ ö ÷ ø ù ú û ü ý þ ÿ
    "D", "N", "O", "O", "O", "O", "O", nullptr, "O", "U", "U", "U", "U", "Y", "TH", "Y",
    // U+0100  Ā ā Ă ă Ą ą Ć ć Ĉ ĉ Ċ ċ Č č Ď ď
    "A", "A", "A", "A", "A", "A", "C", "C", "C", "C", "C", "C", "C", "C", "D", "D",
    // U+0110  Đ đ Ē ē Ĕ ĕ Ė ė Ę ę Ě ě Ĝ ĝ Ğ ğ
    "D", "D", "E", "E", "E", "E", "E", "E", "E", "E", "E", "E", "G", "G", "G", "G",
    // U+0120  Ġ ġ Ģ ģ Ĥ ĥ Ħ ħ Ĩ ĩ Ī ī Ĭ ĭ Į į
    "G", "G", "G", "G", "H", "H", "H", "H", "I", "I", "I", "I", "I", "I", "I", "I",
    // U+0130  İ ı Ĳ ĳ Ĵ ĵ Ķ ķ ĸ Ĺ ĺ Ļ ļ Ľ ľ Ŀ
    "I", "I", "IJ", "IJ", "J", "J", "K", "K", "K", "L", "L", "L", "L", "L", "L", "L",
    // U+0140  ŀ Ł ł Ń ń Ņ ņ Ň ň ŉ Ŋ ŋ Ō ō Ŏ ŏ
    "L", "L", "L", "N", "N", "N", "N", "N", "N", "N", "N", "N", "O", "O", "O", "O",
    // U+0150  Ő ő Œ œ Ŕ ŕ Ŗ ŗ Ř ř Ś ś Ŝ ŝ Ş ş
    "O", "O", "OE", "OE", "R", "R", "R", "R", "R", "R", "S", "S", "S", "S", "S", "S",
    // U+0160  Š š Ţ ţ Ť ť Ŧ ŧ Ũ ũ Ū ū Ŭ ŭ Ů ů
    "S", "S", "T", "T", "T", "T", "T", "T", "U", "U", "U", "U", "U", "U", "U", "U",
    // U+0170  Ű ű Ų ų Ŵ ŵ Ŷ ŷ Ÿ Ź ź Ż ż Ž ž ſ
    "U", "U", "U", "U", "W", "W", "Y", "Y", "Y", "Z", "Z", "Z", "Z", "Z", "Z", "S",
};
// clang-format on

// A precomposed letter beyond U+017F folded as its decomposition folds
// (Vietnamese, pinyin, Romanian ...), or the one letter there without a
// decomposition that names need: the capital sharp s.
const char* FoldBeyondLatinA(int32_t cp) {
  if (cp == 0x1E9E) return "SS";  // ẞ
  const auto& table = internal::kPrecomposedLatin;
  const auto* found = std::lower_bound(table.begin(), table.end(), static_cast<char32_t>(cp),
                                       [](const internal::PrecomposedLatin& row, char32_t wanted) {
                                         return row.code_point < wanted;
                                       });
  return found != table.end() && found->code_point == static_cast<char32_t>(cp) ? found->folded
                                                                                : nullptr;
}

bool IsApostrophe(int32_t cp) {
  return cp == '\'' || cp == '`' || cp == 0x00B4 || cp == 0x02BC || cp == 0x2018 || cp == 0x2019;
}

bool IsSeparator(int32_t cp) {
  switch (cp) {
    case ' ':
    case '\t':
    case '-':
    case '_':
    case '.':
    case ',':
    case '/':
    case 0x00A0:
    case 0x1680:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return (cp >= 0x2000 && cp <= 0x200A)      // en quad .. hair space
             || (cp >= 0x2010 && cp <= 0x2013);  // hyphen, no-break hyphen, dashes
  }
}

bool IsControl(int32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

bool IsCombiningAccent(int32_t cp) { return cp >= 0x0300 && cp <= 0x036F; }

Error Rejected(std::string_view what, int32_t cp, size_t offset) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "name: %.*s U+%04X at byte %zu",
                static_cast<int>(what.size() > 40 ? 40 : what.size()), what.data(),
                static_cast<unsigned>(cp), offset);
  return Error(ErrorCode::kInvalidArgument, buf);
}

// Expands a just-finished "ST"/"STE" token, which starts at `start`, in place.
void ExpandSaint(std::string& out, size_t start) {
  const std::string_view token(out.data() + start, out.size() - start);
  if (token == "ST") {
    out.resize(start);
    out += "SAINT";
  } else if (token == "STE") {
    out.resize(start);
    out += "SAINTE";
  }
}

// Particles dropped from the front of a surname (form 2) and never counted as
// a significant part (form 3). "DIT" only joins the two names of a "dit" name.
bool IsParticle(std::string_view t) {
  static constexpr std::array<std::string_view, 23> kParticles = {
      "DE", "DU", "DES", "D",   "LE",  "LA",    "LES",   "L",  "VAN", "VON", "DER", "DEN",
      "DI", "DA", "DOS", "DAS", "DEL", "DELLA", "DELLE", "AL", "EL",  "TER", "DIT"};
  for (std::string_view p : kParticles) {
    if (p == t) return true;
  }
  return false;
}

std::vector<std::string_view> Tokens(std::string_view s) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    const size_t start = i;
    while (i < s.size() && s[i] != ' ') ++i;
    if (i > start) tokens.push_back(s.substr(start, i - start));
  }
  return tokens;
}

std::string Compact(const std::vector<std::string_view>& tokens, size_t from) {
  std::string out;
  for (size_t k = from; k < tokens.size(); ++k) out += tokens[k];
  return out;
}

constexpr size_t kMaxForms = 4;

// Appends `form` unless empty, already present, or the list is full.
void AddForm(std::vector<std::string>& forms, std::string form) {
  if (form.empty() || forms.size() >= kMaxForms) return;
  for (const std::string& f : forms) {
    if (f == form) return;
  }
  forms.push_back(std::move(form));
}

}  // namespace

bool IsValidUtf8(std::string_view bytes) { return IsWellFormedUtf8(bytes); }

bool IsPlainText(std::string_view text) {
  return text.find('\r') == std::string_view::npos &&
         FindTextFlaw(text, /*line_breaks=*/true) == TextFlaw::kNone;
}

Result<std::string> NormaliseName(std::string_view utf8) {
  if (utf8.empty()) return Fail(ErrorCode::kInvalidArgument, "name: empty");
  // Security: a hard byte limit bounds the work per call and the size of index
  // keys; real names, even compound ones, stay far below it.
  if (utf8.size() > kMaxNameBytes) {
    return Fail(ErrorCode::kInvalidArgument,
                "name: longer than " + std::to_string(kMaxNameBytes) + " bytes");
  }
  std::string out;
  out.reserve(utf8.size() + 8);
  size_t token_start = 0;
  bool pending_space = false;  // a separator was seen since the last letter
  bool joining = false;        // an apostrophe was seen since the last letter
  bool after_letter = false;   // the previous code point was a letter (for combining marks)
  size_t pos = 0;
  while (pos < utf8.size()) {
    const size_t offset = pos;
    const int32_t cp = DecodeUtf8CodePoint(utf8, pos);
    if (cp < 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  "name: invalid UTF-8 at byte " + std::to_string(offset));
    }
    const char* folded = nullptr;
    char ascii[2] = {0, 0};
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z')) {
      ascii[0] = static_cast<char>(cp & ~0x20);  // upper case
      folded = ascii;
    } else if (cp >= 0xC0 && cp < 0x180) {
      folded = kLatinFold[static_cast<size_t>(cp - 0xC0)];
      if (folded == nullptr) return Fail(Rejected("symbol", cp, offset));
    } else if (const char* beyond = FoldBeyondLatinA(cp)) {
      folded = beyond;
    }
    if (folded != nullptr) {
      if (pending_space && !joining && !out.empty()) {
        ExpandSaint(out, token_start);
        out += ' ';
        token_start = out.size();
      }
      out += folded;
      pending_space = joining = false;
      after_letter = true;
      continue;
    }
    if (IsCombiningAccent(cp)) {
      // NFD input: the accent of the letter just folded. Elsewhere it is a
      // stray mark that could hide one name inside another: refuse it.
      if (!after_letter) return Fail(Rejected("combining mark without a letter", cp, offset));
      continue;
    }
    after_letter = false;
    if (IsApostrophe(cp)) {
      joining = true;
    } else if (IsSeparator(cp)) {
      pending_space = true;
    } else if (cp >= '0' && cp <= '9') {
      return Fail(Rejected("digit", cp, offset));
    } else if (IsControl(cp)) {
      // Security: a name is one line of text; line breaks and other controls
      // point at injection attempts or corrupt input, so fail closed.
      return Fail(Rejected("control character", cp, offset));
    } else if (cp < 0x180) {
      return Fail(Rejected("symbol", cp, offset));
    } else {
      // Security: other scripts and invisible format characters (zero-width
      // joiners, bidi controls) are refused rather than dropped, so that two
      // visually identical names cannot normalise apart or together silently.
      return Fail(Rejected("unsupported character", cp, offset));
    }
  }
  if (out.empty()) return Fail(ErrorCode::kInvalidArgument, "name: contains no letter");
  ExpandSaint(out, token_start);
  return out;
}

std::vector<std::string> SurnameForms(std::string_view normalised) {
  std::vector<std::string> forms;
  const std::vector<std::string_view> tokens = Tokens(normalised);
  if (tokens.empty()) return forms;
  AddForm(forms, Compact(tokens, 0));

  size_t first = 0;
  while (first + 1 < tokens.size() && IsParticle(tokens[first])) ++first;
  // Security: a single letter left once the particles are gone is no name
  // ("Le M"): searched, it would pass the 2-letter rule on the whole name
  // and match, through typos, everyone named Ma, Mo or My born that year.
  if (std::string rest = Compact(tokens, first); rest.size() >= 2) AddForm(forms, std::move(rest));

  size_t significant = 0;
  for (std::string_view t : tokens) {
    if (t.size() >= 2 && !IsParticle(t)) ++significant;
  }
  if (significant >= 2) {
    for (std::string_view t : tokens) {
      if (t.size() >= 2 && !IsParticle(t)) AddForm(forms, std::string(t));
    }
  }
  return forms;
}

std::vector<std::string> GivenNameForms(const std::vector<std::string>& normalised_given_names) {
  std::vector<std::string> forms;
  for (const std::string& given : normalised_given_names) {
    const std::vector<std::string_view> tokens = Tokens(given);
    if (tokens.empty()) continue;
    AddForm(forms, Compact(tokens, 0));
    if (tokens.size() >= 2) {
      for (std::string_view t : tokens) {
        if (t.size() >= 2) AddForm(forms, std::string(t));
      }
    }
    if (forms.size() >= kMaxForms) break;
  }
  return forms;
}

}  // namespace vigie::records
