#pragma once
// Who works on an installation's data directory. `vigie serve`, and every
// command while it has the installation open (Installation::Open), hold a
// shared lease (several may); `vigie migrate-store` holds the exclusive one
// for its whole run. Without it, a server left running through a move to
// PostgreSQL would go on serving consultations and writing their events into
// the old SQLite log, unseen by the portal's real one: it holds no lock
// between requests, so the move's own database locks do not see it. A
// command that opened the log before the move and wrote after it would do
// the same.
//
// The lease is an flock(2) on <data dir>/serve.lock, released by the kernel
// when the process ends, however it ends.
//
// The commands that change the key file (`vigie keys rotate|activate|
// retire`) also hold <data dir>/keys.lock, exclusive: each reads the file,
// changes it and writes it whole, so two at once would undo one another (a
// retirement lost, a staged key given twice).
//
// Taken as the installation is opened (Installation::Open and its kin),
// once its owner checks have passed and before its database is: opening
// migrates its schema, which must not happen under a running server of
// another release.
//
// Thread-safety: a lease is held, not used. Errors: Conflict when the other
// kind is held (the message says by whom); NotFound when there is no data
// directory; Unavailable when the lock file cannot be opened.

#include <filesystem>

#include "core/error.h"

namespace vigie::cli {

class InstallationLease {
 public:
  enum class Kind { kServing, kMoving, kChangingKeys };

  static Result<InstallationLease> Take(const std::filesystem::path& data_dir, Kind kind);

  InstallationLease(InstallationLease&& other) noexcept;
  InstallationLease& operator=(InstallationLease&& other) noexcept;
  ~InstallationLease();

 private:
  explicit InstallationLease(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace vigie::cli
