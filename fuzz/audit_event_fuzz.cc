// Fuzz target: the audit event decoder. Stored events are read back by the
// verifier, exporters and investigation queries; a corrupt or hostile row must
// give DataLoss, never a crash, and whatever decodes must re-encode to exactly
// the same bytes (one encoding per event, or the hash chain could be forked).
#include <span>
#include <vector>

#include "audit/audit_event_codec.h"
#include "audit/hash_chain.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  using namespace vigie::audit;
  auto event = DecodeAuditEvent(bytes);
  if (!event) {
    if (event.error().code() != vigie::ErrorCode::kDataLoss) __builtin_trap();
    return 0;
  }
  auto encoded = EncodeAuditEvent(*event);
  if (!encoded || *encoded != std::vector<uint8_t>(data, data + size)) __builtin_trap();
  (void)ChainHash(kGenesisChainHash, bytes);
  return 0;
}
