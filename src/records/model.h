#pragma once
// The records agents consult: persons, wanted notices and criminal-record
// entries. Plain values; no I/O. At rest every identity field and all record
// contents are sealed (see record_codec.h); these structs are the clear form
// that lives only in memory.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace vigie::records {

// A date whose month and day may be unknown (0): "1974", "1974-03", "1974-03-12".
struct PartialDate {
  int year = 0;   // 0 = unknown entirely
  int month = 0;  // 1..12, 0 = unknown
  int day = 0;    // 1..31, 0 = unknown

  bool known() const { return year != 0; }
  bool full() const { return year != 0 && month != 0 && day != 0; }
  friend bool operator==(const PartialDate&, const PartialDate&) = default;
};

// "YYYY", "YYYY-MM" or "YYYY-MM-DD", validated (real calendar day, year 1850..2100).
Result<PartialDate> ParsePartialDate(std::string_view text);
std::string FormatPartialDate(const PartialDate& date);  // "" when unknown
// The date as YYYYMMDD, an unknown month and day taken from `fill` (MMDD):
// 0101 for the start of a period, 1231 for its end ("2024" ends on 20241231).
int DayKey(const PartialDate& date, int fill);

enum class Sex { kUnknown, kFemale, kMale };

struct Person {
  int64_t id = 0;                        // internal row id, 0 until stored
  std::string external_id;               // id in the source system (unique)
  std::string surname;                   // birth surname as recorded
  std::vector<std::string> given_names;  // in civil order
  PartialDate birth_date;
  std::string birth_place;               // commune (and department) or foreign town
  Sex sex = Sex::kUnknown;
  std::string nationality;               // ISO 3166-1 alpha-3, e.g. "FRA"
  std::vector<std::string> aliases;      // other surnames used (usage name, alias)

  friend bool operator==(const Person&, const Person&) = default;
};

enum class WantedReason {
  kArrestWarrant,         // mandat d'arrêt
  kSearchWarrant,         // mandat de recherche
  kJudicialSupervision,   // contrôle judiciaire
  kEscapee,               // évadé
  kMissingAdult,          // disparition inquiétante
  kMissingMinor,          // mineur fugueur / disparu
  kBannedFromTerritory,   // interdiction du territoire
  kWitness,               // témoin recherché
};

enum class Conduct {
  kArrest,            // interpeller
  kInformAuthority,   // aviser l'autorité sans interpeller
  kLocateDiscreetly,  // localiser discrètement
  kProtect,           // mettre en sécurité (mineur, personne vulnérable)
};

struct WantedNotice {
  int64_t id = 0;
  std::string external_id;
  std::string person_external_id;  // links to Person::external_id
  int64_t person_id = 0;           // resolved on import
  WantedReason reason = WantedReason::kArrestWarrant;
  std::string issuing_authority;   // e.g. "TJ Lyon — juge d'instruction"
  std::string reference;           // authority's reference
  PartialDate valid_from;
  PartialDate valid_until;         // unknown = no end date
  Conduct conduct = Conduct::kInformAuthority;

  friend bool operator==(const WantedNotice&, const WantedNotice&) = default;
};

enum class OffenceCategory {
  kTheft, kBurglary, kAssault, kHomicide, kSexualOffence, kDrugs, kFraud,
  kTraffic, kVandalism, kWeapons, kThreats, kOther,
};

enum class EntryRole { kSuspect, kVictim };

struct RecordEntry {
  int64_t id = 0;
  std::string external_id;
  std::string person_external_id;
  int64_t person_id = 0;
  OffenceCategory category = OffenceCategory::kOther;
  PartialDate date;
  EntryRole role = EntryRole::kSuspect;
  std::string case_reference;      // procedure number, e.g. "2023/004512"
  std::string recording_service;   // unit that recorded it

  friend bool operator==(const RecordEntry&, const RecordEntry&) = default;
};

// Stable wire names ("arrest_warrant", "suspect", ...) used by import/export and
// the API; Parse* return InvalidArgument listing the accepted names.
std::string_view SexName(Sex v);
std::string_view WantedReasonName(WantedReason v);
std::string_view ConductName(Conduct v);
std::string_view OffenceCategoryName(OffenceCategory v);
std::string_view EntryRoleName(EntryRole v);
Result<Sex> ParseSex(std::string_view s);
Result<WantedReason> ParseWantedReason(std::string_view s);
Result<Conduct> ParseConduct(std::string_view s);
Result<OffenceCategory> ParseOffenceCategory(std::string_view s);
Result<EntryRole> ParseEntryRole(std::string_view s);

// Field validation shared by import and the API: lengths, required fields,
// UTF-8. InvalidArgument names the field.
Result<void> ValidatePerson(const Person& p);
Result<void> ValidateWantedNotice(const WantedNotice& n);
Result<void> ValidateRecordEntry(const RecordEntry& e);

}  // namespace vigie::records
