#pragma once
// A throw-away records database on the suite's backend (SQLite file or
// PostgreSQL schema, store/test_database.h), migrated,
// in-memory keyring from a fixed seed, and a repository over them.

#include <gtest/gtest.h>

#include <memory>

#include "core/random.h"
#include "crypto/crypto.h"
#include "records/record_repository.h"
#include "store/store.h"
#include "store/test_database.h"

namespace vigie::testing {

struct RecordsDb {
  RecordsDb() : random(99), keyring(crypto::Keyring::CreateInMemory(random)) {
    auto opened = store::Open(database.url());
    if (!opened) ADD_FAILURE() << opened.error().ToString();
    db = std::move(*opened);
    auto migrated = store::Migrate(*db, store::VigieSchema(db->dialect()));
    if (!migrated) ADD_FAILURE() << migrated.error().ToString();
    auto repo = records::RecordRepository::Create(*db, keyring);
    if (!repo) ADD_FAILURE() << repo.error().ToString();
    repository = std::make_unique<records::RecordRepository>(std::move(*repo));
  }

  store::testing::SuiteDatabase database;
  SeededRandom random;
  crypto::Keyring keyring;
  std::unique_ptr<store::Connection> db;
  std::unique_ptr<records::RecordRepository> repository;
};

}  // namespace vigie::testing
