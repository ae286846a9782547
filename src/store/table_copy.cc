#include "store/table_copy.h"

#include <algorithm>
#include <bit>
#include <optional>

namespace vigie::store {
namespace {

// Rows per INSERT: few enough round trips, a statement size PostgreSQL plans fast.
constexpr size_t kRowsPerInsert = 256;
// SQLite's default ceiling on parameters per statement (PostgreSQL's is 65535).
constexpr size_t kMaxParameters = 32766;
// Rows per transaction on the target: a failure loses at most this much work,
// and no transaction grows without bound.
constexpr uint64_t kRowsPerTransaction = 16384;
// Rows fetched at a time from a PostgreSQL cursor (libpq holds a whole result).
constexpr std::string_view kRowsPerFetch = "4096";

// PostgreSQL folded the unquoted names of its migrations to lower case, so the
// quoted name it knows is the lower-case one; SQLite ignores case anyway.
std::string Quote(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out + "\"";
}

std::string ColumnList(std::span<const TableColumn> columns) {
  std::string out;
  for (const TableColumn& column : columns) out += (out.empty() ? "" : ", ") + Quote(column.name);
  return out;
}

// Primary-key order, or every column when there is none (rows equal in all
// columns are interchangeable). Byte order for text and the same place for
// NULLs on both backends, so both list the rows in one order.
std::string OrderBy(Dialect dialect, std::span<const TableColumn> columns) {
  std::vector<const TableColumn*> keys;
  for (const TableColumn& column : columns) {
    if (column.key_position > 0) keys.push_back(&column);
  }
  std::ranges::sort(keys, {}, &TableColumn::key_position);
  if (keys.empty()) {
    for (const TableColumn& column : columns) keys.push_back(&column);
  }
  std::string out = " ORDER BY ";
  for (size_t i = 0; i < keys.size(); ++i) {
    const bool text_on_postgres =
        dialect == Dialect::kPostgres && keys[i]->type == ColumnType::kText;
    out += (i == 0 ? "" : ", ") + Quote(keys[i]->name) + (text_on_postgres ? " COLLATE \"C\"" : "");
    out += " NULLS FIRST";
  }
  return out;
}

std::optional<ColumnType> Affinity(std::string_view declared) {
  std::string upper(declared);
  for (char& c : upper) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  auto has = [&](std::string_view part) { return upper.find(part) != std::string::npos; };
  if (has("INT")) return ColumnType::kInteger;
  if (has("CHAR") || has("CLOB") || has("TEXT")) return ColumnType::kText;
  if (has("BLOB")) return ColumnType::kBlob;
  if (has("REAL") || has("FLOA") || has("DOUB")) return ColumnType::kReal;
  return std::nullopt;
}

// The storage classes (SQLite's typeof) a column's values may have and still
// be copied exactly: a BLOB column may hold text, whose bytes move as they are.
bool StoredAsDeclared(ColumnType type, std::string_view stored) {
  constexpr std::string_view kStorageClass[] = {"integer", "real", "text", "blob"};
  return stored == "null" || stored == kStorageClass[static_cast<int>(type)] ||
         (type == ColumnType::kBlob && stored == "text");
}

Result<void> RequireSqlite(const Connection& db) {
  if (db.dialect() == Dialect::kSqlite) return {};
  return Fail(ErrorCode::kInvalidArgument, "tables are read from SQLite only");
}

struct Value {
  bool null = true;
  int64_t integer = 0;
  double real = 0;
  std::string bytes;
};

void Read(const Statement& row, int index, ColumnType type, Value& value) {
  value.null = row.ColumnIsNull(index);
  if (value.null) return;
  if (type == ColumnType::kInteger) {
    value.integer = row.ColumnInt(index);
  } else if (type == ColumnType::kReal) {
    value.real = row.ColumnDouble(index);
  } else {
    std::span<const uint8_t> bytes = row.ColumnBlob(index);  // a text's bytes too
    value.bytes.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
}

void Bind(Statement& insert, int index, ColumnType type, const Value& value) {
  if (value.null) {
    insert.BindNull(index);
  } else if (type == ColumnType::kInteger) {
    insert.BindInt(index, value.integer);
  } else if (type == ColumnType::kReal) {
    insert.BindDouble(index, value.real);
  } else if (type == ColumnType::kText) {
    insert.BindText(index, value.bytes);
  } else {
    insert.BindBlob(index,
                    {reinterpret_cast<const uint8_t*>(value.bytes.data()), value.bytes.size()});
  }
}

std::string MultiRowInsert(std::string_view table, std::span<const TableColumn> columns,
                           size_t rows) {
  std::string sql = "INSERT INTO " + Quote(table) + " (" + ColumnList(columns) + ") VALUES ";
  size_t parameter = 1;
  for (size_t row = 0; row < rows; ++row) {
    sql += row == 0 ? "(" : ", (";
    for (size_t c = 0; c < columns.size(); ++c) {
      sql += (c == 0 ? "$" : ", $") + std::to_string(parameter++);
    }
    sql += ")";
  }
  return sql;
}

// Inserts the first `rows` rows of `values` (row-major).
Result<void> InsertRows(Connection& to, std::string_view table,
                        std::span<const TableColumn> columns, std::span<const Value> values,
                        size_t rows) {
  ASSIGN_OR_RETURN(Statement * insert, to.Prepare(MultiRowInsert(table, columns, rows)));
  for (size_t i = 0; i < rows * columns.size(); ++i) {
    Bind(*insert, static_cast<int>(i + 1), columns[i % columns.size()].type, values[i]);
  }
  RETURN_IF_ERROR(insert->Run());
  return {};
}

// Steps `rows` to the end, calling `on_row` for each; returns how many there were.
Result<uint64_t> EachRow(Statement& rows, const std::function<void(const Statement&)>& on_row) {
  for (uint64_t count = 0;; ++count) {
    ASSIGN_OR_RETURN(bool more, rows.Step());
    if (!more) return count;
    on_row(rows);
  }
}

// Calls `on_row` for every row of `select`. On PostgreSQL through a cursor,
// so a large table never sits whole in memory. REQUIRES: a transaction.
Result<void> ForEachRow(Connection& db, std::string_view table, const std::string& select,
                        const std::function<void(const Statement&)>& on_row) {
  if (db.dialect() == Dialect::kSqlite) {
    ASSIGN_OR_RETURN(Statement * rows, db.Prepare(select));
    RETURN_IF_ERROR(EachRow(*rows, on_row));
    return {};
  }
  // A cursor per table: its FETCH, prepared once, keeps that table's row shape.
  const std::string cursor = Quote("vigie_rows_" + std::string(table));
  RETURN_IF_ERROR(db.ExecuteScript("DECLARE " + cursor + " NO SCROLL CURSOR FOR " + select));
  const std::string fetch = "FETCH FORWARD " + std::string(kRowsPerFetch) + " FROM " + cursor;
  for (uint64_t fetched = 1; fetched > 0;) {
    ASSIGN_OR_RETURN(Statement * rows, db.Prepare(fetch));
    ASSIGN_OR_RETURN(fetched, EachRow(*rows, on_row));
  }
  return db.ExecuteScript("CLOSE " + cursor);
}

void AppendU64(std::string& out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>(value >> shift);
}

}  // namespace

Result<std::vector<std::string>> SqliteTables(Connection& sqlite) {
  RETURN_IF_ERROR(RequireSqlite(sqlite));
  ASSIGN_OR_RETURN(Statement * rows,
                   sqlite.Prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND "
                                  "name <> 'schema_version' AND name NOT LIKE 'sqlite\\_%' "
                                  "ESCAPE '\\' ORDER BY rowid"));
  std::vector<std::string> tables;
  RETURN_IF_ERROR(
      EachRow(*rows, [&](const Statement& row) { tables.emplace_back(row.ColumnText(0)); }));
  return tables;
}

Result<std::vector<TableColumn>> SqliteColumns(Connection& sqlite, std::string_view table) {
  RETURN_IF_ERROR(RequireSqlite(sqlite));
  ASSIGN_OR_RETURN(Statement * rows,
                   sqlite.Prepare("SELECT name, type, pk FROM pragma_table_info($1) ORDER BY cid"));
  rows->BindText(1, table);
  std::vector<TableColumn> columns;
  std::optional<std::string> unknown;  // a declared type with no exact copy
  RETURN_IF_ERROR(EachRow(*rows, [&](const Statement& row) {
    const std::optional<ColumnType> type = Affinity(row.ColumnText(1));
    if (!type && !unknown)
      unknown = std::string(row.ColumnText(0)) + " " + std::string(row.ColumnText(1));
    columns.push_back({.name = std::string(row.ColumnText(0)),
                       .type = type.value_or(ColumnType::kBlob),
                       .key_position = static_cast<int>(row.ColumnInt(2))});
  }));
  if (columns.empty()) return Fail(ErrorCode::kNotFound, "no table " + std::string(table));
  if (unknown) {
    return Fail(ErrorCode::kInvalidArgument, "column " + *unknown + " of " + std::string(table) +
                                                 ": a declared type that cannot be copied exactly");
  }
  return columns;
}

Result<uint64_t> CopyTable(Connection& from, Connection& to, std::string_view table,
                           const std::function<void(uint64_t)>& progress) {
  ASSIGN_OR_RETURN(std::vector<TableColumn> columns, SqliteColumns(from, table));
  const size_t width = columns.size();
  const size_t rows_per_insert = std::min(kRowsPerInsert, kMaxParameters / width);
  // The values, then each one's storage class, to refuse what would not copy exactly.
  std::string select = "SELECT " + ColumnList(columns);
  for (const TableColumn& column : columns) select += ", typeof(" + Quote(column.name) + ")";
  select += " FROM " + Quote(table) + OrderBy(Dialect::kSqlite, columns);
  ASSIGN_OR_RETURN(Statement * rows, from.Prepare(select));

  std::vector<Value> values(rows_per_insert * width);
  size_t pending = 0;
  uint64_t copied = 0;
  uint64_t in_transaction = 0;
  std::optional<Transaction> transaction;
  while (true) {
    ASSIGN_OR_RETURN(bool more, rows->Step());
    if (more) {
      for (size_t c = 0; c < width; ++c) {
        const int index = static_cast<int>(c);
        std::string_view stored = rows->ColumnText(static_cast<int>(width + c));
        if (!StoredAsDeclared(columns[c].type, stored)) {
          return Fail(ErrorCode::kInvalidArgument,
                      std::string(table) + "." + columns[c].name + " holds a value of type " +
                          std::string(stored) +
                          ", not its declared one: it would not copy unchanged");
        }
        Read(*rows, index, columns[c].type, values[pending * width + c]);
      }
      ++pending;
    }
    if (pending == rows_per_insert || (!more && pending > 0)) {
      if (!transaction) {
        ASSIGN_OR_RETURN(Transaction begun, Transaction::Begin(to));
        transaction.emplace(std::move(begun));
      }
      RETURN_IF_ERROR(InsertRows(to, table, columns, values, pending));
      copied += pending;
      in_transaction += pending;
      pending = 0;
    }
    if (transaction && (in_transaction >= kRowsPerTransaction || !more)) {
      RETURN_IF_ERROR(transaction->Commit());
      transaction.reset();
      in_transaction = 0;
      if (progress) progress(copied);
    }
    if (!more) return copied;
  }
}

Result<IdCounters> SqliteIdCounters(Connection& sqlite) {
  RETURN_IF_ERROR(RequireSqlite(sqlite));
  ASSIGN_OR_RETURN(Statement * exists,
                   sqlite.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                                  "'sqlite_sequence'"));
  ASSIGN_OR_RETURN(bool counts, exists->Step());
  RETURN_IF_ERROR(exists->Run());
  IdCounters counters;
  if (!counts) return counters;
  ASSIGN_OR_RETURN(Statement * rows, sqlite.Prepare("SELECT name, seq FROM sqlite_sequence"));
  RETURN_IF_ERROR(EachRow(*rows, [&](const Statement& row) {
    counters[std::string(row.ColumnText(0))] = row.ColumnInt(1);
  }));
  return counters;
}

Result<void> SyncIdentityColumns(Connection& db, const IdCounters& given_before) {
  if (db.dialect() != Dialect::kPostgres) return {};
  ASSIGN_OR_RETURN(Statement * identities,
                   db.Prepare("SELECT table_name, column_name FROM information_schema.columns "
                              "WHERE table_schema = current_schema() AND is_identity = 'YES'"));
  std::vector<std::pair<std::string, std::string>> found;
  RETURN_IF_ERROR(EachRow(*identities, [&](const Statement& row) {
    found.emplace_back(row.ColumnText(0), row.ColumnText(1));
  }));
  for (const auto& [table, column] : found) {
    const auto counted = given_before.find(table);
    // pg_get_serial_sequence parses its first argument as an identifier, not its second.
    ASSIGN_OR_RETURN(
        Statement * sync,
        db.Prepare("SELECT setval(pg_get_serial_sequence($1, $2), greatest(coalesce("
                   "(SELECT max(" +
                   Quote(column) + ") FROM " + Quote(table) + "), 0), $3) + 1, false)"));
    sync->BindText(1, Quote(table))
        .BindText(2, column)
        .BindInt(3, counted == given_before.end() ? 0 : counted->second);
    RETURN_IF_ERROR(sync->Run());
  }
  return {};
}

Result<uint64_t> CountRows(Connection& db, std::string_view table) {
  ASSIGN_OR_RETURN(Statement * count, db.Prepare("SELECT count(*) FROM " + Quote(table)));
  ASSIGN_OR_RETURN(bool row, count->Step());
  const uint64_t rows = row ? static_cast<uint64_t>(count->ColumnInt(0)) : 0;
  RETURN_IF_ERROR(count->Run());
  return rows;
}

Result<crypto::Sha256Digest> TableDigest(Connection& db, std::string_view table,
                                         std::span<const TableColumn> columns) {
  const std::string select =
      "SELECT " + ColumnList(columns) + " FROM " + Quote(table) + OrderBy(db.dialect(), columns);
  crypto::Sha256Hasher hasher;
  std::string row_bytes;
  Value value;
  RETURN_IF_ERROR(ForEachRow(db, table, select, [&](const Statement& row) {
    row_bytes.clear();
    for (size_t c = 0; c < columns.size(); ++c) {
      const ColumnType type = columns[c].type;
      Read(row, static_cast<int>(c), type, value);
      // One tag byte per value (0 for NULL), then a fixed-size number or a
      // length and the bytes: no two different rows hash the same bytes.
      row_bytes += static_cast<char>(value.null ? 0 : 1 + static_cast<int>(type));
      if (value.null) continue;
      if (type == ColumnType::kInteger) {
        AppendU64(row_bytes, static_cast<uint64_t>(value.integer));
      } else if (type == ColumnType::kReal) {
        AppendU64(row_bytes, std::bit_cast<uint64_t>(value.real));
      } else {
        AppendU64(row_bytes, value.bytes.size());
        row_bytes += value.bytes;
      }
    }
    hasher.Update(row_bytes);
  }));
  return hasher.Final();
}

}  // namespace vigie::store
