#pragma once
// http: the portal's HTTP(S) front door on Boost.Beast, as a thin adapter.
// Others use the transport-neutral Request/Response/Handler (message.h),
// problem details and the ErrorCode→status map (problem.h), and Server with
// its options and metrics. No Asio or Beast type is visible from here.
// Thread-safety and errors: see each header.

#include "http/message.h"         // IWYU pragma: export
#include "http/metrics.h"         // IWYU pragma: export
#include "http/problem.h"         // IWYU pragma: export
#include "http/server.h"          // IWYU pragma: export
#include "http/server_options.h"  // IWYU pragma: export
