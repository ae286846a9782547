#pragma once
// Opening one of Vigie's own files so that what is opened is the file at
// that name: never through a symbolic link (a link put in its place must not
// have Vigie read or lock its target) and without waiting on a FIFO. The
// check is made on the descriptor opened, so nothing can be swapped in
// between a look at the name and the open.
//
// Thread-safety: reentrant.

#include <ext/stdio_filebuf.h>
#include <filesystem>
#include <istream>

#include "core/error.h"

namespace vigie {

// `flags`: O_RDONLY, O_WRONLY or O_RDWR, with O_CREAT (the file then made
// with `create_mode`) and O_APPEND as wanted. The descriptor is the
// caller's to close. Errors: NotFound when nothing is at `path` (and not
// created); InvalidArgument when what is there is not a regular file (a
// link, a FIFO, a directory, a device); Unavailable naming the system's
// reason otherwise.
Result<int> OpenRegularFile(const std::filesystem::path& path, int flags,
                            unsigned create_mode = 0600);

// An input stream over a descriptor it takes, and closes when destroyed.
// One it could not take is closed at once and the stream is bad (bad()).
class DescriptorStream : public std::istream {
 public:
  explicit DescriptorStream(int fd);

 private:
  __gnu_cxx::stdio_filebuf<char> buffer_;
};

}  // namespace vigie
