#pragma once
// Why an agent consults: every search and every file opening states one
// purpose from a fixed list, and for criminal records a case reference, so
// each consultation can later be checked against a real procedure.
// Thread-safety: stateless functions over constant tables.

#include <span>
#include <string>
#include <string_view>

#include "core/error.h"

namespace vigie::policy {

enum class Purpose {
  kIdentityCheck,          // contrôle d'identité
  kRoadsideCheck,          // contrôle routier
  kBorderControl,          // contrôle aux frontières
  kWarrantExecution,       // exécution d'un mandat ou d'une fiche
  kMissingPersonSearch,    // recherche d'une personne disparue
  kJudicialInvestigation,  // enquête judiciaire
  kAdministrativeInquiry,  // enquête administrative (habilitation, titre de séjour…)
};

std::span<const Purpose> AllPurposes();
std::string_view PurposeName(Purpose purpose);  // e.g. "identity_check"

// InvalidArgument naming the accepted values when `name` is not one.
Result<Purpose> ParsePurpose(std::string_view name);

// Whether criminal records may be consulted for this purpose (an inquiry
// into a person), as opposed to a check in the street.
bool PurposeAllowsCriminalRecords(Purpose purpose);

// A case reference: 3..64 characters of letters, digits and / . _ - (a
// procedure or file number such as "2026/00412-PJ"). Returns it trimmed of
// surrounding spaces. InvalidArgument otherwise.
Result<std::string> ValidateCaseReference(std::string_view reference);

}  // namespace vigie::policy
