#pragma once
// SharedQuotaLimiter: the per-agent quotas of quota.h counted in the
// database (consultation_count, migration 7), so that every node of a
// portal sharing one PostgreSQL counts against one allowance: with N nodes
// an agent still gets one quota, not N. One autocommitted upsert per
// consultation takes the count or refuses it atomically; nodes racing for
// the last unit are ordered by the row, and only one gets it.
// Windows move forward only: a node whose clock lags behind another's by a
// moment counts in the newer window rather than starting an old one again.
// Thread-safety: Take may be called from any thread (one pooled connection
// per call).

#include "policy/quota.h"
#include "store/connection_pool.h"

namespace vigie::policy {

class SharedQuotaLimiter final : public ConsultationQuota {
 public:
  SharedQuotaLimiter(store::ConnectionPool& pool, QuotaLimits limits)
      : pool_(pool), limits_(limits) {}

  Result<void> Take(int64_t agent_id, ConsultationKind kind, int64_t unix_seconds,
                    int64_t* retry_after_seconds = nullptr) override;
  Result<void> GiveBack(int64_t agent_id, ConsultationKind kind, int64_t taken_at) override;

 private:
  store::ConnectionPool& pool_;
  const QuotaLimits limits_;
};

}  // namespace vigie::policy
