#pragma once
// Authenticated search requests, each with its own DPoP proof (unique jti,
// ath of the session's token). A stock is signed before the timed part so
// the client's ECDSA cost stays out of the measurement; proofs stay
// acceptable for the server's proof lifetime (60 s by default) from then on.
// Thread-safety: SearchRequestStock::Take is thread-safe; building is not.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/api_load/api_session.h"

namespace vigie::bench {

// One complete POST /api/v1/search request, its proof signed now.
std::string SearchRequest(const ApiSession& session, const ApiEndpoint& endpoint,
                          std::string_view json_body);

class SearchRequestStock {
 public:
  // Signs `count` requests on `threads` threads, cycling through `bodies`
  // from `first_body`.
  // REQUIRES: bodies not empty, threads >= 1.
  static std::unique_ptr<SearchRequestStock> Sign(const ApiSession& session,
                                                  const ApiEndpoint& endpoint,
                                                  const std::vector<std::string>& bodies,
                                                  size_t first_body, size_t count, size_t threads);

  // The next unused request; empty once the stock is spent.
  std::string_view Take();
  size_t size() const { return requests_.size(); }

 private:
  std::vector<std::string> requests_;
  std::atomic<size_t> next_{0};
};

}  // namespace vigie::bench
