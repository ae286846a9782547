#pragma once
// records: the persons, wanted notices and criminal-record entries agents
// consult — the model, sealed storage, name search, import and the synthetic
// data generator. Depends on core, crypto and store.

#include "records/exchange_format.h"    // IWYU pragma: export
#include "records/generator.h"          // IWYU pragma: export
#include "records/importer.h"           // IWYU pragma: export
#include "records/model.h"              // IWYU pragma: export
#include "records/person_file.h"        // IWYU pragma: export
#include "records/record_repository.h"  // IWYU pragma: export
#include "records/search.h"             // IWYU pragma: export
#include "records/search_probe.h"       // IWYU pragma: export
