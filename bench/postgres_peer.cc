#include "bench/postgres_peer.h"

#include <cstdio>
#include <utility>

#include "records/name_normaliser.h"

namespace vigie::bench {
namespace {

std::string Compact(const std::string& name) {
  auto normalised = records::NormaliseName(name);
  if (!normalised) return "";
  auto forms = records::SurnameForms(*normalised);
  return forms.empty() ? "" : forms[0];
}

std::string CompactGiven(const std::string& name) {
  auto normalised = records::NormaliseName(name);
  if (!normalised) return "";
  std::string out;
  for (char c : *normalised) {
    if (c != ' ') out += c;
  }
  return out;
}

void AppendCopyField(std::string& row, const std::string& value) {
  for (char c : value) {
    if (c == '\t' || c == '\n' || c == '\\') row += '\\';
    row += c;
  }
}

// Queries in disjunctive form so each branch can use its own index.
constexpr const char* kYearOnly =
    "SELECT id FROM person WHERE (surname_norm = $1 AND birth_year = $2) "
    "OR (surname_dm = dmetaphone($1) AND birth_year = $2) "
    "ORDER BY (surname_norm = $1) DESC, levenshtein(surname_norm, $1), id LIMIT 20";
constexpr const char* kGivenOnly =
    "SELECT id FROM person WHERE (surname_norm = $1 AND given_norm = $3) "
    "OR (surname_dm = dmetaphone($1) AND given_dm = dmetaphone($3)) "
    "ORDER BY (surname_norm = $1) DESC, levenshtein(surname_norm, $1), id LIMIT 20";
constexpr const char* kBoth =
    "SELECT id FROM person WHERE (surname_norm = $1 AND birth_year = $2) "
    "OR (surname_dm = dmetaphone($1) AND birth_year = $2) "
    "OR (surname_norm = $1 AND given_norm = $3) "
    "OR (surname_dm = dmetaphone($1) AND given_dm = dmetaphone($3)) "
    "ORDER BY (surname_norm = $1) DESC, (birth_year = $2) DESC, (given_norm = $3) DESC, "
    "levenshtein(surname_norm, $1), id LIMIT 20";

}  // namespace

PostgresPeer::PostgresPeer(const std::string& conninfo) {
  conn_ = PQconnectdb(conninfo.c_str());
  ok_ = PQstatus(conn_) == CONNECTION_OK;
  if (!ok_) std::fprintf(stderr, "postgres: %s", PQerrorMessage(conn_));
}

PostgresPeer::~PostgresPeer() { PQfinish(conn_); }

bool PostgresPeer::Exec(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  bool good = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!good) std::fprintf(stderr, "postgres: %s\n  in: %s\n", PQerrorMessage(conn_), sql.c_str());
  PQclear(r);
  return good;
}

bool PostgresPeer::Load(const records::PopulationGenerator& generator, uint64_t persons) {
  if (!Exec("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch") ||
      !Exec("DROP TABLE IF EXISTS person") ||
      !Exec("CREATE TABLE person (id bigint PRIMARY KEY, surname text, given_names text, "
            "birth_date text, birth_place text, surname_norm text, given_norm text, "
            "birth_year int, "
            "surname_dm text GENERATED ALWAYS AS (dmetaphone(surname_norm)) STORED, "
            "given_dm text GENERATED ALWAYS AS (dmetaphone(given_norm)) STORED)")) {
    return false;
  }
  PGresult* r = PQexec(conn_,
                       "COPY person (id, surname, given_names, birth_date, birth_place, "
                       "surname_norm, given_norm, birth_year) FROM STDIN");
  if (PQresultStatus(r) != PGRES_COPY_IN) {
    std::fprintf(stderr, "postgres: %s", PQerrorMessage(conn_));
    PQclear(r);
    return false;
  }
  PQclear(r);
  std::string buffer;
  for (uint64_t i = 0; i < persons; ++i) {
    const records::Person p = generator.Make(i).person;
    buffer += std::to_string(i + 1) + '\t';
    AppendCopyField(buffer, p.surname);
    buffer += '\t';
    std::string given;
    for (const auto& g : p.given_names) given += (given.empty() ? "" : " ") + g;
    AppendCopyField(buffer, given);
    buffer += '\t';
    AppendCopyField(buffer, records::FormatPartialDate(p.birth_date));
    buffer += '\t';
    AppendCopyField(buffer, p.birth_place);
    buffer += '\t';
    AppendCopyField(buffer, Compact(p.surname));
    buffer += '\t';
    AppendCopyField(buffer, CompactGiven(p.given_names.empty() ? "" : p.given_names[0]));
    buffer += '\t';
    buffer += p.birth_date.known() ? std::to_string(p.birth_date.year) : "\\N";
    buffer += '\n';
    if (buffer.size() > (1 << 20)) {
      if (PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) != 1) return false;
      buffer.clear();
    }
  }
  if (PQputCopyData(conn_, buffer.data(), static_cast<int>(buffer.size())) != 1 ||
      PQputCopyEnd(conn_, nullptr) != 1) {
    return false;
  }
  r = PQgetResult(conn_);
  bool copied = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!copied) std::fprintf(stderr, "postgres: %s", PQerrorMessage(conn_));
  PQclear(r);
  while ((r = PQgetResult(conn_)) != nullptr) PQclear(r);
  return copied && Exec("SET maintenance_work_mem = '1GB'") &&
         Exec("CREATE INDEX ON person (surname_norm, birth_year)") &&
         Exec("CREATE INDEX ON person (surname_dm, birth_year)") &&
         Exec("CREATE INDEX ON person (surname_norm, given_norm)") &&
         Exec("CREATE INDEX ON person (surname_dm, given_dm)") && Exec("VACUUM ANALYZE person");
}

std::vector<int64_t> PostgresPeer::Search(const records::SearchProbe& probe) {
  std::string surname = Compact(probe.surname);
  std::string given = CompactGiven(probe.given_name);
  std::string year = probe.birth_date.known() ? std::to_string(probe.birth_date.year) : "";
  if (!prepared_) {
    // Typed parameters so every statement takes the same three, even when unused.
    const Oid types[3] = {25, 23, 25};  // text, int4, text
    for (auto [name, sql] : {std::pair{"year", kYearOnly}, {"given", kGivenOnly}, {"both", kBoth}}) {
      PGresult* p = PQprepare(conn_, name, sql, 3, types);
      if (PQresultStatus(p) != PGRES_COMMAND_OK) std::fprintf(stderr, "postgres: %s", PQerrorMessage(conn_));
      PQclear(p);
    }
    prepared_ = true;
  }
  const char* statement = year.empty() ? "given" : given.empty() ? "year" : "both";
  const char* values[3] = {surname.c_str(), year.empty() ? nullptr : year.c_str(),
                           given.empty() ? nullptr : given.c_str()};
  PGresult* r = PQexecPrepared(conn_, statement, 3, values, nullptr, nullptr, 0);
  std::vector<int64_t> ids;
  if (PQresultStatus(r) == PGRES_TUPLES_OK) {
    for (int i = 0; i < PQntuples(r); ++i) ids.push_back(std::atoll(PQgetvalue(r, i, 0)));
  } else {
    std::fprintf(stderr, "postgres: %s", PQerrorMessage(conn_));
  }
  PQclear(r);
  return ids;
}

}  // namespace vigie::bench
