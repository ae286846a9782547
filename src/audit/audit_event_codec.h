#pragma once
// The canonical binary encoding of an AuditEvent, format version 1, as
// specified in docs/formats/audit-event.md. These bytes are what the hash
// chain and the Merkle tree commit to, so the encoding is deterministic (one
// event, one encoding: minimal LEB128 varints, fixed field order, no optional
// framing) and decoding is strict (anything EncodeAuditEvent would not have
// produced is refused).
//
// Thread-safety: pure functions.
// Errors: EncodeAuditEvent returns InvalidArgument for values the format
// cannot hold (negative ids or time, an unassigned event type or outcome, a
// refusal code inconsistent with the outcome) and ResourceExhausted for a
// field over its limit. DecodeAuditEvent returns DataLoss for anything
// malformed: truncation, trailing bytes, unknown version, non-minimal or
// overlong varints, out-of-range values, unknown enum values, fields over
// their limits.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "audit/audit_event.h"
#include "core/error.h"

namespace vigie::audit {

inline constexpr uint8_t kAuditEventFormatVersion = 1;

// Security: the limits bound what a corrupt or hostile stored event can make a
// verifier, exporter or investigation query allocate (at most 256 KiB per
// event), and stop one request from bloating the log. They are part of the
// format: raising one is a new version.
inline constexpr size_t kMaxAuditEventSize = 256 * 1024;
inline constexpr size_t kMaxAuditShortText =
    256;  // service number, jkt, address, refusal, node, subject
inline constexpr size_t kMaxAuditText = 1024;  // user agent, purpose, case reference
inline constexpr size_t kMaxAuditDigest = 64;  // token id hash, terms keyed hash
inline constexpr size_t kMaxAuditSealedTerms = 4096;
inline constexpr size_t kMaxAuditRecordIds = 4096;  // per list

Result<std::vector<uint8_t>> EncodeAuditEvent(const AuditEvent& event);

Result<AuditEvent> DecodeAuditEvent(std::span<const uint8_t> bytes);

}  // namespace vigie::audit
