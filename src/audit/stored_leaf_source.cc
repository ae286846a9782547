#include "audit/stored_leaf_source.h"

#include "audit/hash_chain.h"
#include "audit/log_tables.h"

namespace vigie::audit {

Result<StoredLeafSource> StoredLeafSource::Open(store::Connection& db) {
  ASSIGN_OR_RETURN(const uint64_t size, StoredEventCount(db));
  return StoredLeafSource(db, size);
}

Result<std::vector<uint8_t>> StoredLeafSource::Event(uint64_t index) const {
  if (index >= size_) return Fail(ErrorCode::kNotFound, "no audit event " + std::to_string(index));
  ASSIGN_OR_RETURN(store::Statement * row,
                   db_->Prepare("SELECT event FROM audit_event WHERE sequence = $1"));
  row->BindInt(1, static_cast<int64_t>(index));
  ASSIGN_OR_RETURN(bool found, row->Step());
  if (!found)
    return Fail(ErrorCode::kDataLoss, "audit event " + std::to_string(index) + " is missing");
  std::span<const uint8_t> bytes = row->ColumnBlob(0);
  std::vector<uint8_t> event(bytes.begin(), bytes.end());
  RETURN_IF_ERROR(row->Run());  // the single row is done
  return event;
}

Result<Sha256Digest> StoredLeafSource::LeafHash(uint64_t index) const {
  ASSIGN_OR_RETURN(std::vector<uint8_t> event, Event(index));
  return AuditEventLeafHash(event);
}

}  // namespace vigie::audit
