#pragma once
// The portal as the command line's administration commands use it: an open
// installation, its audit log, no search index, the local operator as the actor.

#include <filesystem>
#include <memory>

#include "app/portal.h"
#include "cli/installation.h"
#include "identity/identity.h"
#include "store/connection_pool.h"

namespace vigie::cli {

struct AdminPortal {
  Installation installation;
  store::ConnectionPool pool;
  SystemClock clock;
  identity::PasswordPolicy password_policy;
  identity::InlinePasswordHasher hasher;
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<app::Portal> portal;

  // Errors from Installation::Open, OpenAuditLog and Portal::Create.
  static Result<std::unique_ptr<AdminPortal>> Open(const std::filesystem::path& data_dir);

 private:
  AdminPortal(Installation opened, std::string database_url);
};

// The records database's URL (Config::ResolveDatabaseUrl).
std::string DatabaseUrl(const Config& config);

}  // namespace vigie::cli
