#pragma once
// core: what every Vigie component stands on — errors, time, randomness,
// configuration and logging. Depends on nothing else in the project.

#include "core/clock.h"    // IWYU pragma: export
#include "core/config.h"   // IWYU pragma: export
#include "core/confirmation.h"  // IWYU pragma: export
#include "core/durable_file.h"  // IWYU pragma: export
#include "core/error.h"    // IWYU pragma: export
#include "core/log.h"      // IWYU pragma: export
#include "core/random.h"   // IWYU pragma: export
