#include "bench/api_load/search_requests.h"

#include <thread>

#include "bench/api_load/request_text.h"

namespace vigie::bench {

std::string SearchRequest(const ApiSession& session, const ApiEndpoint& endpoint,
                          std::string_view json_body) {
  std::string proof = session.signer->Proof("POST", endpoint.Htu(kSearchPath), UnixNow(),
                                            AccessTokenHash(session.access_token));
  return RequestText("POST", kSearchPath, endpoint.host_header,
                     DpopHeaders(session.Authorization(), proof), json_body);
}

std::unique_ptr<SearchRequestStock> SearchRequestStock::Sign(
    const ApiSession& session, const ApiEndpoint& endpoint, const std::vector<std::string>& bodies,
    size_t first_body, size_t count, size_t threads) {
  auto stock = std::make_unique<SearchRequestStock>();
  stock->requests_.resize(count);
  std::vector<std::thread> signers;
  for (size_t t = 0; t < threads; ++t) {
    signers.emplace_back([&, t] {
      for (size_t i = t; i < count; i += threads) {
        stock->requests_[i] =
            SearchRequest(session, endpoint, bodies[(first_body + i) % bodies.size()]);
      }
    });
  }
  for (std::thread& signer : signers) signer.join();
  return stock;
}

std::string_view SearchRequestStock::Take() {
  size_t index = next_.fetch_add(1, std::memory_order_relaxed);
  return index < requests_.size() ? std::string_view(requests_[index]) : std::string_view();
}

}  // namespace vigie::bench
