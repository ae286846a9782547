#pragma once
// RecordRepository: persons, wanted notices and criminal-record entries in
// the database, sealed at rest.
//
// Security: every record is sealed with XChaCha20-Poly1305 under the current
// "records" data key, with associated data binding the ciphertext to its
// table, its own external reference and (for notices and entries) its
// person's, so a blob moved to another row or person fails to open. External
// ids are stored as keyed hashes; search postings as keyed hashes.
//
// Thread-safety: one repository per connection, used by one thread at a time.
// Writes must happen inside a transaction the caller holds (Transaction).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <utility>
#include <vector>

#include "core/error.h"
#include "crypto/crypto.h"
#include "records/model.h"
#include "store/store.h"

namespace vigie::records {

enum class PutOutcome { kInserted, kUpdated };

// The transaction every writer of records (an import, planted decoys) puts
// them in: writers take turns, so the ids one plans above today's maximum
// (NextFreeIds) stay free until it commits. SQLite's write lock does that
// already; on PostgreSQL the writers queue on an advisory lock of the
// records' schema. Either waits `store.busy_timeout_ms` at most for the
// writer before it, then fails with Unavailable (an import running: plant
// decoys or import again once it has finished).
Result<store::Transaction> BeginRecordsWrite(store::Connection& db);

// Between two pages or phases of a long read (an index build): Unavailable
// ("stopped") once `stop` is requested, so the read ends early.
Result<void> Continuing(const std::stop_token& stop);

// A person's row as stored: still sealed, viewed in place (valid only as long
// as the buffer it points into).
struct SealedPerson {
  int64_t id = 0;
  uint32_t key_id = 0;
  std::span<const uint8_t> ref;     // keyed hash of the external id (the seal's AD)
  std::span<const uint8_t> sealed;
};

// A record made ready for the database away from it: encoded, sealed, its
// references and search postings computed. Lets a bulk import seal on one
// thread while another writes.
struct PreparedRecord {
  enum class Kind { kPerson, kWantedNotice, kRecordEntry } kind = Kind::kPerson;
  std::vector<uint8_t> ref;         // keyed hash of the external id
  std::vector<uint8_t> parent_ref;  // the person's, for notices and entries
  std::string parent_external_id;   // for error messages only
  uint32_t key_id = 0;
  std::vector<uint8_t> sealed;
  uint32_t birth_tag = 0;           // persons only
  std::vector<uint8_t> keys;        // persons only: packed postings
  std::vector<uint8_t> names;       // persons only: packed vocabulary keys
};

// What a caller holding the write transaction may already know, to save
// look-ups (the importer keeps both across a whole file).
struct ApplyHints {
  std::optional<int64_t> person_id;  // the parent person's id (notices, entries)
  // kUnknown: look the external ref up (row_id, if set, is a free id to use
  // for a new row). kNew: no row has this ref, insert as row_id.
  // kExisting: row row_id has this ref, update it.
  enum class Row { kUnknown, kNew, kExisting } row = Row::kUnknown;
  std::optional<int64_t> row_id;
};

class RecordRepository {
 public:
  // Errors: NotFound when the keyring lacks the "records" or "search-index" key.
  static Result<RecordRepository> Create(store::Connection& db, const crypto::Keyring& keys);

  // Thread-safe and free of database access: may run on another thread than
  // the one that applies the result.
  Result<PreparedRecord> Prepare(const Person& person) const;
  Result<PreparedRecord> Prepare(const WantedNotice& notice) const;
  Result<PreparedRecord> Prepare(const RecordEntry& entry) const;

  // The next unused id of each table, for ApplyHints::free_id.
  struct FreeIds {
    int64_t person = 1, notice = 1, entry = 1;
    int64_t& For(PreparedRecord::Kind kind);
  };
  Result<FreeIds> NextFreeIds();

  // Writes a prepared record: inserts, or replaces the one with the same
  // external id (keeping its internal id). NotFound when a notice or entry
  // names a person not imported.
  struct Applied {
    PutOutcome outcome;
    int64_t id;         // the row's id
    int64_t person_id;  // the person's id (the row's own for a person)
  };
  Result<Applied> Apply(const PreparedRecord& record, const ApplyHints& hints = {});
  // The NotFound error of a notice or entry whose person was never imported.
  static Error UnknownPerson(const PreparedRecord& record);

  // For a bulk load into empty tables, inside the write transaction: drops
  // the external-ref unique indexes (the caller then guarantees uniqueness
  // and passes kNew/kExisting hints), and rebuilds each with one sort, which
  // is several times cheaper than millions of random index insertions.
  // A rolled-back transaction restores them.
  Result<void> SuspendRefIndexes();
  Result<void> RestoreRefIndexes();

  // Prepare + Apply. Sets person.id.
  Result<PutOutcome> PutPerson(Person& person);
  // Resolve person_external_id; NotFound when no such person was imported.
  Result<PutOutcome> PutWantedNotice(WantedNotice& notice);
  Result<PutOutcome> PutRecordEntry(RecordEntry& entry);

  // NotFound for an unknown id; DataLoss when the sealed row fails to open.
  Result<Person> GetPerson(int64_t id);
  // The persons that exist among `ids` (at most kMaxBatch), in no set order.
  Result<std::vector<Person>> GetPersons(std::span<const int64_t> ids);
  // Opens a row read earlier (ForEachPostingSet). DataLoss when it fails
  // authentication. Thread-safe: no database access.
  Result<Person> OpenPerson(const SealedPerson& row) const;
  Result<std::vector<WantedNotice>> WantedNoticesOf(int64_t person_id);
  Result<std::vector<RecordEntry>> RecordEntriesOf(int64_t person_id);
  Result<int64_t> CountPersons();

  // The records' generation (0 before any write). Every transaction that
  // writes records advances it once before committing, so that running
  // servers know their search index is stale (live_search.h).
  Result<int64_t> Generation();
  Result<void> AdvanceGeneration();

  // A read transaction on the repository's connection.
  Result<store::Transaction> BeginRead() { return store::Transaction::BeginRead(*db_); }

  static constexpr size_t kMaxBatch = 64;

  // Streams every person's search postings and name-vocabulary keys (packed
  // little-endian u64s) with its sealed row, in id order, to `visit`. Read
  // `page_rows` persons a statement: libpq holds a statement's whole result
  // in memory, which for every person at national scale is gigabytes.
  // A stop requested ends the walk between pages (Unavailable); `page_rows`
  // below 1 is InvalidArgument.
  static constexpr int64_t kRowsPerPage = 16384;
  Result<void> ForEachPostingSet(
      const std::function<void(const SealedPerson& row, uint32_t birth_tag,
                               std::span<const uint8_t> packed_keys,
                               std::span<const uint8_t> packed_names)>& visit,
      int64_t page_rows = kRowsPerPage, const std::stop_token& stop = {});

  // Streams every wanted notice (opened), in pages the same way, and every
  // person's number of record entries, for the search snapshot's summary facts.
  Result<void> ForEachWantedNotice(const std::function<void(const WantedNotice&)>& visit,
                                   int64_t page_rows = kRowsPerPage,
                                   const std::stop_token& stop = {});
  Result<void> ForEachRecordEntryCount(
      const std::function<void(int64_t person_id, int64_t count)>& visit,
      int64_t page_rows = kRowsPerPage, const std::stop_token& stop = {});

  const crypto::SearchKeyHasher& search_hasher() const { return *search_hasher_; }

 private:
  RecordRepository(store::Connection& db, const crypto::Keyring& keys,
                   std::unique_ptr<crypto::SearchKeyHasher> search_hasher,
                   uint32_t records_key_id);

  std::vector<uint8_t> ExternalRef(std::string_view kind, std::string_view external_id) const;
  Result<int64_t> NextFreeId(PreparedRecord::Kind kind);
  Result<std::optional<int64_t>> FindId(std::string_view find_sql, std::span<const uint8_t> ref);
  Result<std::vector<uint8_t>> Unseal(std::string_view table, std::span<const uint8_t> ref,
                                      std::span<const uint8_t> parent_ref, uint32_t key_id,
                                      std::span<const uint8_t> sealed) const;
  Result<std::vector<WantedNotice>> ReadNotices(store::Statement* rows);
  template <typename Record>
  Result<PreparedRecord> PrepareChild(PreparedRecord::Kind kind, std::string_view table,
                                      std::string_view ref_kind, const Record& record,
                                      std::vector<uint8_t> plaintext) const;
  template <typename Record>
  Result<PutOutcome> PutChild(Record& record);

  store::Connection* db_;
  const crypto::Keyring* keys_;
  std::unique_ptr<crypto::SearchKeyHasher> search_hasher_;  // pinned: holds key bytes
  uint32_t records_key_id_;
};

}  // namespace vigie::records
