#pragma once
// Copying Vigie's tables from an SQLite database to another database (in
// practice PostgreSQL, for `vigie migrate-store`), and checking afterwards
// that both sides hold the same rows.
//
// What a table holds is read from SQLite itself (sqlite_master and
// PRAGMA table_info); the target's tables must already exist with the same
// names and columns (created by the target's own migrations). Table names
// come from the database, never from a user; they are quoted all the same.
//
// Thread-safety: as Connection: each connection used by one thread at a time.
// Ownership: nothing is kept beyond a call.

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "crypto/hash.h"
#include "store/store.h"

namespace vigie::store {

// The storage classes a copied column may have, from its declared SQLite type
// by SQLite's affinity rules (INT → integer, CHAR/CLOB/TEXT → text, BLOB →
// blob, REAL/FLOA/DOUB → real).
enum class ColumnType { kInteger, kReal, kText, kBlob };

struct TableColumn {
  std::string name;
  ColumnType type;
  int key_position = 0;  // 1-based position in the primary key; 0: not in it
};

// The tables of an SQLite database in the order they were created (so a table
// comes after those its foreign keys name), without schema_version and
// SQLite's own sqlite_* tables.
// Errors: InvalidArgument when `sqlite` is not SQLite; storage errors.
Result<std::vector<std::string>> SqliteTables(Connection& sqlite);

// The columns of an SQLite table, in order.
// Errors: NotFound for no such table; InvalidArgument when `sqlite` is not
// SQLite or a column's declared type has NUMERIC affinity or none (its values
// could not be copied exactly); storage errors.
Result<std::vector<TableColumn>> SqliteColumns(Connection& sqlite, std::string_view table);

// Copies every row of `table` from `from` (SQLite) into the same, existing
// table of `to`, in primary-key order, several rows per INSERT and one
// transaction on `to` per batch; `progress(rows copied so far)` after each.
// Returns the number of rows copied. NULLs stay NULL.
// REQUIRES: no transaction open on `to`. For a consistent copy, hold a
// transaction on `from` (a write one keeps writers out meanwhile).
// Errors: InvalidArgument when a stored value does not have its column's
// type (an INTEGER column holding a real, say: it would not survive the copy
// unchanged); Conflict when the target refuses a row; storage errors. On
// error, the batches already committed stay in `to`.
Result<uint64_t> CopyTable(Connection& from, Connection& to, std::string_view table,
                           const std::function<void(uint64_t)>& progress);

// The highest id each SQLite AUTOINCREMENT table ever gave, by table
// (sqlite_sequence): more than its rows show once the last were deleted, and
// such a table's ids are never given again (an audit event may name one).
// Empty when no table counts so.
using IdCounters = std::map<std::string, int64_t, std::less<>>;
Result<IdCounters> SqliteIdCounters(Connection& sqlite);

// After rows were copied with their ids: moves each PostgreSQL identity
// column of the connection's current schema past the largest id stored, and
// past its table's counter in `given_before` (SqliteIdCounters of the
// source), as SQLite does by itself. Nothing to do on SQLite.
// Errors: storage errors.
Result<void> SyncIdentityColumns(Connection& db, const IdCounters& given_before = {});

// The number of rows of `table`.
Result<uint64_t> CountRows(Connection& db, std::string_view table);

// A SHA-256 digest of every row of `table` restricted to `columns`, in the
// order of the primary key (of every column when there is none): each value
// is hashed with a type tag and its length, so the digest is the same on
// SQLite and on PostgreSQL exactly when the rows are.
// REQUIRES: a transaction open on `db` (on PostgreSQL the rows are streamed
// through a cursor, which lives in a transaction).
// Errors: storage errors.
Result<crypto::Sha256Digest> TableDigest(Connection& db, std::string_view table,
                                         std::span<const TableColumn> columns);

}  // namespace vigie::store
