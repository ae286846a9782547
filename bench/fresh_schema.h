#pragma once
// A fresh schema of a PostgreSQL server for one benchmark run.

#include <string>

#include "store/store.h"

namespace vigie::bench {

// Drops and creates `schema` on `server`; the URL whose connections use it,
// or "" when the server refused.
inline std::string FreshPostgresSchema(const std::string& server, const std::string& schema) {
  auto admin = store::Open(server);
  if (!admin) return "";
  if (!(*admin)->ExecuteScript("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " +
                               schema)) {
    return "";
  }
  return server + (server.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

}  // namespace vigie::bench
