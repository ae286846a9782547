#include "cli/admin_portal.h"

namespace vigie::cli {

std::string DatabaseUrl(const Config& config) { return config.ResolveDatabaseUrl(config.store.url); }

AdminPortal::AdminPortal(Installation opened, std::string database_url)
    : installation(std::move(opened)),
      pool(std::move(database_url), CommandWriteOptions(installation.config), 1),
      password_policy(identity::CommonPasswords()) {}

Result<std::unique_ptr<AdminPortal>> AdminPortal::Open(const std::filesystem::path& data_dir) {
  ASSIGN_OR_RETURN(Installation installation, Installation::Open(data_dir));
  std::string url = DatabaseUrl(installation.config);
  std::unique_ptr<AdminPortal> admin(new AdminPortal(std::move(installation), std::move(url)));
  ASSIGN_OR_RETURN(admin->audit, admin->installation.OpenAuditLog(admin->clock));
  // No activation happens here: the password policy's list is not needed.
  ASSIGN_OR_RETURN(admin->portal, app::Portal::Create({.config = &admin->installation.config,
                                                       .keyring = &admin->installation.keyring,
                                                       .pool = &admin->pool,
                                                       .search = nullptr,
                                                       .clock = &admin->clock,
                                                       .password_policy = &admin->password_policy,
                                                       .hasher = &admin->hasher,
                                                       .audit = admin->audit.get()}));
  return admin;
}

}  // namespace vigie::cli
