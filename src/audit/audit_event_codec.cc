#include "audit/audit_event_codec.h"

#include <limits>
#include <string>
#include <string_view>

namespace vigie::audit {
namespace {

constexpr uint64_t kMaxSigned = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

class Writer {
 public:
  Writer() { out_.push_back(kAuditEventFormatVersion); }

  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<uint8_t>(v) | 0x80);
      v >>= 7;
    }
    out_.push_back(static_cast<uint8_t>(v));
  }
  void Bytes(std::span<const uint8_t> b) {
    Varint(b.size());
    out_.insert(out_.end(), b.begin(), b.end());
  }
  void Text(std::string_view s) { Bytes({reinterpret_cast<const uint8_t*>(s.data()), s.size()}); }
  void Ids(const std::vector<int64_t>& ids) {
    Varint(ids.size());
    for (int64_t id : ids) Varint(static_cast<uint64_t>(id));
  }
  std::vector<uint8_t> Take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
};

// Reads fields in order; the first failure latches and names what broke.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  void Version() {
    if (in_.empty()) return Bad("empty input");
    if (in_[0] != kAuditEventFormatVersion) {
      return Bad("unknown format version " + std::to_string(in_[0]));
    }
    pos_ = 1;
  }

  // Minimal LEB128 only, so each value has exactly one encoding.
  uint64_t Varint(std::string_view field) {
    if (!ok()) return 0;
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) {
        Bad("truncated in " + std::string(field));
        return 0;
      }
      const uint8_t b = in_[pos_++];
      if (shift == 63 && b > 1) {
        Bad("varint overflows 64 bits in " + std::string(field));
        return 0;
      }
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        if (b == 0 && shift > 0) {
          Bad("non-minimal varint in " + std::string(field));
          return 0;
        }
        return v;
      }
    }
    {
      Bad("varint overflows 64 bits in " + std::string(field));
      return 0;
    }
  }
  int64_t Signed(std::string_view field) {
    const uint64_t v = Varint(field);
    if (v > kMaxSigned) {
      Bad(std::string(field) + " out of range");
      return 0;
    }
    return static_cast<int64_t>(v);
  }
  std::vector<uint8_t> Bytes(std::string_view field, size_t max) {
    const uint64_t n = Varint(field);
    if (!ok()) return {};
    if (n > max) {
      Bad(std::string(field) + " longer than " + std::to_string(max));
      return {};
    }
    if (n > in_.size() - pos_) {
      Bad("truncated in " + std::string(field));
      return {};
    }
    std::vector<uint8_t> b(in_.begin() + static_cast<ptrdiff_t>(pos_),
                           in_.begin() + static_cast<ptrdiff_t>(pos_ + n));
    pos_ += n;
    return b;
  }
  std::string Text(std::string_view field, size_t max) {
    std::vector<uint8_t> b = Bytes(field, max);
    return {b.begin(), b.end()};
  }
  std::vector<int64_t> Ids(std::string_view field) {
    const uint64_t n = Varint(field);
    if (!ok()) return {};
    if (n > kMaxAuditRecordIds) {
      Bad("too many " + std::string(field));
      return {};
    }
    // Each id takes at least one byte: refuse impossible counts before allocating.
    if (n > in_.size() - pos_) {
      Bad("truncated in " + std::string(field));
      return {};
    }
    std::vector<int64_t> ids;
    ids.reserve(n);
    for (uint64_t i = 0; i < n && ok(); ++i) ids.push_back(Signed(field));
    return ids;
  }
  Result<void> Finish() const {
    if (ok() && pos_ != in_.size()) {
      return Fail(ErrorCode::kDataLoss, "malformed audit event: " +
                                            std::to_string(in_.size() - pos_) + " trailing bytes");
    }
    if (!ok()) return Fail(ErrorCode::kDataLoss, "malformed audit event: " + error_);
    return {};
  }
  void Bad(std::string why) {
    if (ok()) error_ = std::move(why);
  }

 private:
  std::span<const uint8_t> in_;
  size_t pos_ = 0;
  std::string error_;
};

Result<void> CheckLength(std::string_view field, size_t size, size_t max) {
  if (size > max) {
    return Fail(ErrorCode::kResourceExhausted, "audit event " + std::string(field) + " is " +
                                                   std::to_string(size) + " bytes, limit " +
                                                   std::to_string(max));
  }
  return {};
}

Result<void> CheckNonNegative(std::string_view field, int64_t v) {
  if (v < 0) return Fail(ErrorCode::kInvalidArgument, "audit event " + std::string(field) + " < 0");
  return {};
}

Result<void> CheckIds(std::string_view field, const std::vector<int64_t>& ids) {
  if (ids.size() > kMaxAuditRecordIds) {
    return Fail(ErrorCode::kResourceExhausted, "audit event lists " + std::to_string(ids.size()) +
                                                   " " + std::string(field) + ", limit " +
                                                   std::to_string(kMaxAuditRecordIds));
  }
  for (int64_t id : ids) RETURN_IF_ERROR(CheckNonNegative(field, id));
  return {};
}

bool OutcomeMatchesRefusal(AuditOutcome outcome, const std::string& refusal_code) {
  return (outcome == AuditOutcome::kOk) == refusal_code.empty();
}

Result<void> Validate(const AuditEvent& e) {
  RETURN_IF_ERROR(CheckNonNegative("time", e.time_unix_micros));
  RETURN_IF_ERROR(CheckNonNegative("agent id", e.actor.agent_id));
  RETURN_IF_ERROR(CheckNonNegative("unit id", e.actor.unit_id));
  RETURN_IF_ERROR(CheckNonNegative("session id", e.session_id));
  if (!AuditEventTypeFromWire(static_cast<uint64_t>(e.type))) {
    return Fail(ErrorCode::kInvalidArgument,
                "unassigned audit event type " + std::to_string(static_cast<int>(e.type)));
  }
  if (e.outcome != AuditOutcome::kOk && e.outcome != AuditOutcome::kRefused) {
    return Fail(ErrorCode::kInvalidArgument, "unknown audit outcome");
  }
  if (!OutcomeMatchesRefusal(e.outcome, e.refusal_code)) {
    return Fail(ErrorCode::kInvalidArgument,
                "a refused audit event needs a refusal code, an ok one must have none");
  }
  RETURN_IF_ERROR(CheckLength("service number", e.actor.service_number.size(), kMaxAuditShortText));
  RETURN_IF_ERROR(CheckLength("token id hash", e.token_id_hash.size(), kMaxAuditDigest));
  RETURN_IF_ERROR(CheckLength("DPoP thumbprint", e.dpop_jkt.size(), kMaxAuditShortText));
  RETURN_IF_ERROR(CheckLength("source address", e.source_address.size(), kMaxAuditShortText));
  RETURN_IF_ERROR(CheckLength("user agent", e.user_agent.size(), kMaxAuditText));
  RETURN_IF_ERROR(CheckLength("purpose", e.purpose.size(), kMaxAuditText));
  RETURN_IF_ERROR(CheckLength("case reference", e.case_reference.size(), kMaxAuditText));
  RETURN_IF_ERROR(
      CheckLength("terms keyed hash", e.query.terms_keyed_hash.size(), kMaxAuditDigest));
  RETURN_IF_ERROR(CheckLength("sealed terms", e.query.sealed_terms.size(), kMaxAuditSealedTerms));
  RETURN_IF_ERROR(CheckIds("person ids", e.person_ids));
  RETURN_IF_ERROR(CheckIds("notice ids", e.notice_ids));
  RETURN_IF_ERROR(CheckIds("entry ids", e.entry_ids));
  RETURN_IF_ERROR(CheckLength("refusal code", e.refusal_code.size(), kMaxAuditShortText));
  RETURN_IF_ERROR(CheckLength("node id", e.node_id.size(), kMaxAuditShortText));
  RETURN_IF_ERROR(CheckLength("subject", e.subject.size(), kMaxAuditShortText));
  return {};
}

}  // namespace

Result<std::vector<uint8_t>> EncodeAuditEvent(const AuditEvent& e) {
  RETURN_IF_ERROR(Validate(e));
  Writer w;
  w.Varint(e.sequence);
  w.Varint(static_cast<uint64_t>(e.time_unix_micros));
  w.Varint(static_cast<uint64_t>(e.type));
  w.Varint(static_cast<uint64_t>(e.actor.agent_id));
  w.Text(e.actor.service_number);
  w.Varint(static_cast<uint64_t>(e.actor.unit_id));
  w.Varint(static_cast<uint64_t>(e.session_id));
  w.Bytes(e.token_id_hash);
  w.Text(e.dpop_jkt);
  w.Text(e.source_address);
  w.Text(e.user_agent);
  w.Text(e.purpose);
  w.Text(e.case_reference);
  w.Bytes(e.query.terms_keyed_hash);
  w.Bytes(e.query.sealed_terms);
  w.Ids(e.person_ids);
  w.Ids(e.notice_ids);
  w.Ids(e.entry_ids);
  w.Varint(static_cast<uint64_t>(e.outcome));
  w.Text(e.refusal_code);
  w.Varint(e.latency_micros);
  w.Text(e.node_id);
  w.Text(e.subject);
  std::vector<uint8_t> out = w.Take();
  // Unreachable with the per-field limits above; kept so the encoder can never
  // write what the decoder refuses if a limit changes.
  RETURN_IF_ERROR(CheckLength("encoding", out.size(), kMaxAuditEventSize));
  return out;
}

Result<AuditEvent> DecodeAuditEvent(std::span<const uint8_t> bytes) {
  if (bytes.size() > kMaxAuditEventSize) {
    return Fail(ErrorCode::kDataLoss, "malformed audit event: " + std::to_string(bytes.size()) +
                                          " bytes exceeds the limit");
  }
  Reader r(bytes);
  AuditEvent e;
  r.Version();
  e.sequence = r.Varint("sequence");
  e.time_unix_micros = r.Signed("time");
  const uint64_t type = r.Varint("event type");
  if (auto t = AuditEventTypeFromWire(type)) {
    e.type = *t;
  } else {
    r.Bad("unknown event type " + std::to_string(type));
  }
  e.actor.agent_id = r.Signed("agent id");
  e.actor.service_number = r.Text("service number", kMaxAuditShortText);
  e.actor.unit_id = r.Signed("unit id");
  e.session_id = r.Signed("session id");
  e.token_id_hash = r.Bytes("token id hash", kMaxAuditDigest);
  e.dpop_jkt = r.Text("DPoP thumbprint", kMaxAuditShortText);
  e.source_address = r.Text("source address", kMaxAuditShortText);
  e.user_agent = r.Text("user agent", kMaxAuditText);
  e.purpose = r.Text("purpose", kMaxAuditText);
  e.case_reference = r.Text("case reference", kMaxAuditText);
  e.query.terms_keyed_hash = r.Bytes("terms keyed hash", kMaxAuditDigest);
  e.query.sealed_terms = r.Bytes("sealed terms", kMaxAuditSealedTerms);
  e.person_ids = r.Ids("person ids");
  e.notice_ids = r.Ids("notice ids");
  e.entry_ids = r.Ids("entry ids");
  const uint64_t outcome = r.Varint("outcome");
  if (outcome > static_cast<uint64_t>(AuditOutcome::kRefused)) {
    r.Bad("unknown outcome " + std::to_string(outcome));
  } else {
    e.outcome = static_cast<AuditOutcome>(outcome);
  }
  e.refusal_code = r.Text("refusal code", kMaxAuditShortText);
  if (r.ok() && !OutcomeMatchesRefusal(e.outcome, e.refusal_code)) {
    r.Bad("refusal code does not match the outcome");
  }
  e.latency_micros = r.Varint("latency");
  e.node_id = r.Text("node id", kMaxAuditShortText);
  e.subject = r.Text("subject", kMaxAuditShortText);
  RETURN_IF_ERROR(r.Finish());
  return e;
}

}  // namespace vigie::audit
