#pragma once
// The use notice every agent acknowledges before the first consultation of
// a session (restricted system, monitored use, misuse punished, use means
// consent). Returned at login; the acknowledgement is recorded per session.

#include <string_view>

namespace vigie::app {

inline constexpr std::string_view kUseNoticeVersion = "2026-11";

inline constexpr std::string_view kUseNoticeFr =
    "Système à accès restreint, réservé aux agents habilités pour les besoins de leur "
    "mission. Chaque connexion et chaque consultation sont enregistrées et contrôlées. "
    "Toute consultation sans motif légitime ou toute divulgation est passible de poursuites "
    "pénales et disciplinaires (articles 226-21 et 432-15 du code pénal). L'utilisation du "
    "système vaut acceptation de ces conditions.";

inline constexpr std::string_view kUseNoticeEn =
    "Restricted system, for authorised agents acting for their duties only. Every login and "
    "every consultation is recorded and monitored. Any consultation without a legitimate "
    "purpose, or any disclosure, is liable to criminal and disciplinary prosecution. Using "
    "the system means accepting these terms.";

}  // namespace vigie::app
