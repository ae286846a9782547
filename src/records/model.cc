#include "records/model.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "core/utf8.h"
#include "records/name_normaliser.h"

namespace vigie::records {
namespace {

template <typename E, size_t N>
using NameTable = std::array<std::pair<E, std::string_view>, N>;

constexpr NameTable<Sex, 3> kSexNames{{
    {Sex::kUnknown, "unknown"}, {Sex::kFemale, "female"}, {Sex::kMale, "male"}}};
constexpr NameTable<WantedReason, 8> kReasonNames{{
    {WantedReason::kArrestWarrant, "arrest_warrant"},
    {WantedReason::kSearchWarrant, "search_warrant"},
    {WantedReason::kJudicialSupervision, "judicial_supervision"},
    {WantedReason::kEscapee, "escapee"},
    {WantedReason::kMissingAdult, "missing_adult"},
    {WantedReason::kMissingMinor, "missing_minor"},
    {WantedReason::kBannedFromTerritory, "banned_from_territory"},
    {WantedReason::kWitness, "witness"}}};
constexpr NameTable<Conduct, 4> kConductNames{{
    {Conduct::kArrest, "arrest"},
    {Conduct::kInformAuthority, "inform_authority"},
    {Conduct::kLocateDiscreetly, "locate_discreetly"},
    {Conduct::kProtect, "protect"}}};
constexpr NameTable<OffenceCategory, 12> kOffenceNames{{
    {OffenceCategory::kTheft, "theft"},
    {OffenceCategory::kBurglary, "burglary"},
    {OffenceCategory::kAssault, "assault"},
    {OffenceCategory::kHomicide, "homicide"},
    {OffenceCategory::kSexualOffence, "sexual_offence"},
    {OffenceCategory::kDrugs, "drugs"},
    {OffenceCategory::kFraud, "fraud"},
    {OffenceCategory::kTraffic, "traffic"},
    {OffenceCategory::kVandalism, "vandalism"},
    {OffenceCategory::kWeapons, "weapons"},
    {OffenceCategory::kThreats, "threats"},
    {OffenceCategory::kOther, "other"}}};
constexpr NameTable<EntryRole, 2> kRoleNames{{
    {EntryRole::kSuspect, "suspect"}, {EntryRole::kVictim, "victim"}}};

template <typename E, size_t N>
std::string_view NameOf(const NameTable<E, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename E, size_t N>
Result<E> Parse(const NameTable<E, N>& table, std::string_view text, std::string_view what) {
  std::string accepted;
  for (const auto& [v, name] : table) {
    if (name == text) return v;
    accepted += accepted.empty() ? "" : ", ";
    accepted += name;
  }
  return Fail(ErrorCode::kInvalidArgument,
              std::string(what) + " must be one of: " + accepted);
}

bool ParseInt(std::string_view text, int& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Security: every free-text field is bounded so a record cannot smuggle a
// payload of arbitrary size into the sealed store or the UI.
Result<void> CheckText(std::string_view field, std::string_view value, bool required,
                       size_t max_bytes = 100) {
  if (required && value.empty()) {
    return Fail(ErrorCode::kInvalidArgument, std::string(field) + " is required");
  }
  if (value.size() > max_bytes) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(field) + " is longer than " + std::to_string(max_bytes) + " bytes");
  }
  // Security: a record's text reaches agents' screens and exports; a bidi
  // override or a control character would show it other than stored.
  switch (FindTextFlaw(value)) {
    case TextFlaw::kNone:
      break;
    case TextFlaw::kIllFormed:
      return Fail(ErrorCode::kInvalidArgument, std::string(field) + " is not valid UTF-8");
    case TextFlaw::kControl:
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(field) + " contains a control character");
    case TextFlaw::kFormatting:
      return Fail(ErrorCode::kInvalidArgument,
                  std::string(field) + " contains a bidirectional formatting character");
  }
  return {};
}

// Security: an id is matched byte for byte (a re-import's update, a leaked
// sample's check): printable ASCII without spaces, so that no two ids that
// read alike (a zero-width space, a Cyrillic "Р", a trailing blank) name
// two persons.
Result<void> CheckId(std::string_view field, std::string_view value) {
  RETURN_IF_ERROR(CheckText(field, value, true, 64));
  if (!std::ranges::all_of(value, [](char c) { return c > ' ' && c < 0x7F; })) {
    return Fail(ErrorCode::kInvalidArgument,
                std::string(field) + " must be printable ASCII without spaces");
  }
  return {};
}

Result<void> CheckName(std::string_view field, std::string_view value) {
  RETURN_IF_ERROR(CheckText(field, value, true));
  auto normalised = NormaliseName(value);
  if (!normalised) return Fail(normalised.error().WithContext(field));
  return {};
}

Result<void> CheckDate(std::string_view field, const PartialDate& d, bool required) {
  if (!d.known()) {
    if (required) return Fail(ErrorCode::kInvalidArgument, std::string(field) + " is required");
    return {};
  }
  auto reparsed = ParsePartialDate(FormatPartialDate(d));
  if (!reparsed || !(*reparsed == d)) {
    return Fail(ErrorCode::kInvalidArgument, std::string(field) + " is not a valid date");
  }
  return {};
}

}  // namespace

int DayKey(const PartialDate& d, int fill) {
  return d.year * 10000 + (d.month == 0 ? fill / 100 : d.month) * 100 +
         (d.day == 0 ? fill % 100 : d.day);
}

Result<PartialDate> ParsePartialDate(std::string_view text) {
  auto bad = [&] {
    return Fail(ErrorCode::kInvalidArgument,
                "date must be YYYY, YYYY-MM or YYYY-MM-DD (got '" + DisplaySafe(text, 20) + "')");
  };
  PartialDate d;
  if (text.size() != 4 && text.size() != 7 && text.size() != 10) return bad();
  if (!ParseInt(text.substr(0, 4), d.year)) return bad();
  if (text.size() >= 7 && (text[4] != '-' || !ParseInt(text.substr(5, 2), d.month))) return bad();
  if (text.size() == 10 && (text[7] != '-' || !ParseInt(text.substr(8, 2), d.day))) return bad();
  if (d.year < 1850 || d.year > 2100) return bad();
  if (text.size() >= 7 && (d.month < 1 || d.month > 12)) return bad();
  if (text.size() == 10 && (d.day < 1 || d.day > DaysInMonth(d.year, d.month))) return bad();
  return d;
}

std::string FormatPartialDate(const PartialDate& d) {
  if (!d.known()) return "";
  char buf[16];
  if (d.month == 0) {
    std::snprintf(buf, sizeof buf, "%04d", d.year);
  } else if (d.day == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02d", d.year, d.month);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  }
  return buf;
}

std::string_view SexName(Sex v) { return NameOf(kSexNames, v); }
std::string_view WantedReasonName(WantedReason v) { return NameOf(kReasonNames, v); }
std::string_view ConductName(Conduct v) { return NameOf(kConductNames, v); }
std::string_view OffenceCategoryName(OffenceCategory v) { return NameOf(kOffenceNames, v); }
std::string_view EntryRoleName(EntryRole v) { return NameOf(kRoleNames, v); }
Result<Sex> ParseSex(std::string_view s) { return Parse(kSexNames, s, "sex"); }
Result<WantedReason> ParseWantedReason(std::string_view s) {
  return Parse(kReasonNames, s, "reason");
}
Result<Conduct> ParseConduct(std::string_view s) { return Parse(kConductNames, s, "conduct"); }
Result<OffenceCategory> ParseOffenceCategory(std::string_view s) {
  return Parse(kOffenceNames, s, "category");
}
Result<EntryRole> ParseEntryRole(std::string_view s) { return Parse(kRoleNames, s, "role"); }

Result<void> ValidatePerson(const Person& p) {
  RETURN_IF_ERROR(CheckId("id", p.external_id));
  RETURN_IF_ERROR(CheckName("surname", p.surname));
  if (p.given_names.empty() || p.given_names.size() > 4) {
    return Fail(ErrorCode::kInvalidArgument, "given_names must hold 1 to 4 names");
  }
  for (const auto& g : p.given_names) RETURN_IF_ERROR(CheckName("given_names", g));
  if (p.aliases.size() > 4) {
    return Fail(ErrorCode::kInvalidArgument, "aliases must hold at most 4 names");
  }
  for (const auto& a : p.aliases) RETURN_IF_ERROR(CheckName("aliases", a));
  RETURN_IF_ERROR(CheckDate("birth_date", p.birth_date, false));
  RETURN_IF_ERROR(CheckText("birth_place", p.birth_place, false));
  if (!p.nationality.empty() &&
      (p.nationality.size() != 3 ||
       !std::all_of(p.nationality.begin(), p.nationality.end(),
                    [](char c) { return c >= 'A' && c <= 'Z'; }))) {
    return Fail(ErrorCode::kInvalidArgument,
                "nationality must be an ISO 3166-1 alpha-3 code such as FRA");
  }
  return {};
}

Result<void> ValidateWantedNotice(const WantedNotice& n) {
  RETURN_IF_ERROR(CheckId("id", n.external_id));
  RETURN_IF_ERROR(CheckId("person_id", n.person_external_id));
  RETURN_IF_ERROR(CheckText("issuing_authority", n.issuing_authority, true));
  RETURN_IF_ERROR(CheckText("reference", n.reference, true));
  RETURN_IF_ERROR(CheckDate("valid_from", n.valid_from, true));
  RETURN_IF_ERROR(CheckDate("valid_until", n.valid_until, false));
  // As the notice's window reads them: "2024" holds all of 2024.
  if (n.valid_until.known() && DayKey(n.valid_until, 1231) < DayKey(n.valid_from, 101)) {
    return Fail(ErrorCode::kInvalidArgument, "valid_until is before valid_from");
  }
  return {};
}

Result<void> ValidateRecordEntry(const RecordEntry& e) {
  RETURN_IF_ERROR(CheckId("id", e.external_id));
  RETURN_IF_ERROR(CheckId("person_id", e.person_external_id));
  RETURN_IF_ERROR(CheckDate("date", e.date, true));
  RETURN_IF_ERROR(CheckText("case_reference", e.case_reference, true));
  RETURN_IF_ERROR(CheckText("recording_service", e.recording_service, true));
  return {};
}

}  // namespace vigie::records
