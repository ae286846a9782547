#pragma once
// Request ids: 128 random bits as 32 lower-case hex digits, made by the
// server for every request. Security: a client-sent X-Request-Id is never
// trusted (it could forge or collide with another request's audit trail).
// Thread-safety: as thread-safe as `random`.

#include <string>

#include "core/random.h"

namespace vigie::http::internal {

std::string NewRequestId(RandomSource& random);

}  // namespace vigie::http::internal
