#pragma once
// Name normalisation for the records search: turns a surname or given name as
// typed (accents, ligatures, apostrophes, hyphens, "St"/"Ste") into one
// canonical comparison form, and derives the index forms a person is found
// under. The phonetic key and typo distance live in phonetic_fr.h; the rules
// are written up in docs/names-and-phonetics.md.
//
// Thread-safety: every function is pure (no shared state) and safe to call
// concurrently. Results are returned by value; inputs are only borrowed for
// the duration of the call.

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace vigie::records {

// Longest accepted input to NormaliseName, in bytes.
inline constexpr size_t kMaxNameBytes = 200;

// Canonical comparison form: upper-case ASCII letters A-Z, tokens separated by
// single spaces, no leading or trailing space.
//  - Folds Latin-1 and Latin Extended-A letters to ASCII:
//    É->E, Ç->C, Œ->OE, Æ->AE, ß->SS, Ø->O, Ł->L, Ñ->N, Ş->S, Þ->TH, Ĳ->IJ;
//    beyond them, a precomposed letter whose decomposition is such a letter
//    plus accents folds as that letter (Vietnamese ễ->E, pinyin ǚ->U,
//    Romanian ș->S), and ẞ->SS; lower case is upper-cased; combining accents
//    (U+0300..U+036F, i.e. NFD input) directly after a letter are dropped,
//    so NFC and NFD input fold the same.
//  - Apostrophes (' ’ ʼ ‘ ` ´) join the parts and swallow adjacent separators:
//    D'ARTAGNAN and D' Artagnan -> DARTAGNAN, N'Diaye -> NDIAYE.
//  - Hyphens (- and U+2010..U+2013), underscores, dots, commas, slashes, space,
//    tab, no-break and other Unicode spaces become one separating space.
//  - Tokens "ST" and "STE" expand to SAINT and SAINTE.
// The result is idempotent: NormaliseName(*NormaliseName(x)) == *NormaliseName(x).
// Errors (all InvalidArgument; messages give a byte offset or code point, never
// the name itself): empty input, input longer than kMaxNameBytes, invalid UTF-8
// (incl. overlong forms, surrogates, > U+10FFFF, truncated sequences), control
// characters (incl. CR/LF), digits, any other symbol, invisible format
// characters, letters of scripts it cannot fold (Greek, Cyrillic, Arabic, CJK,
// ...), and input containing no letter at all.
Result<std::string> NormaliseName(std::string_view utf8);

// True iff `bytes` is well-formed UTF-8 per RFC 3629 (no overlong encodings,
// no surrogates, nothing above U+10FFFF). The empty string is valid.
bool IsValidUtf8(std::string_view bytes);

// True iff `text` is valid UTF-8 free of control characters other than tab
// and line feed, and of bidirectional formatting: free text an operator may
// type (a reason, a note), shown as stored.
bool IsPlainText(std::string_view text);

// Index forms of a normalised SURNAME, spaces removed, deduplicated, at most 4,
// most specific first:
//  1. the whole name compacted: "DE LA FONTAINE" -> "DELAFONTAINE";
//  2. without leading particles (DE DU DES D LE LA LES L VAN VON DER DEN DI DA
//     DOS DAS DEL DELLA DELLE AL EL TER): "FONTAINE";
//  3. for double-barrelled names (two or more significant tokens of >= 2
//     letters, where "DIT" and particles are not significant, so "X DIT Y"
//     qualifies) each significant token: "MARTIN DUPONT" -> "MARTIN", "DUPONT".
// REQUIRES: `normalised` is a NormaliseName result (other bytes are kept as is).
// Returns an empty vector for an empty input.
std::vector<std::string> SurnameForms(std::string_view normalised);

// Index forms of normalised GIVEN NAMES, one element per given name as entered
// ({"JEAN PIERRE", "MARIE"}): for each in civil order, the compacted compound
// ("JEANPIERRE") then, for a compound, its tokens of >= 2 letters ("JEAN",
// "PIERRE"); deduplicated, at most 4: {"JEANPIERRE","JEAN","PIERRE","MARIE"}.
// REQUIRES: each element is a NormaliseName result.
std::vector<std::string> GivenNameForms(const std::vector<std::string>& normalised_given_names);

}  // namespace vigie::records
