#pragma once
// Runs a command line through the shell and captures its exit code, stdout
// and stderr (for end-to-end tests of the `vigie` binary).

#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

namespace vigie::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline CommandResult RunCommand(const std::string& command, const std::filesystem::path& scratch) {
  auto out = scratch / "cmd.out";
  auto err = scratch / "cmd.err";
  std::string full = command + " >" + out.string() + " 2>" + err.string() + " </dev/null";
  int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadWholeFile(out);
  r.err = ReadWholeFile(err);
  return r;
}

// Whether the process whose id `pid_file` holds has ended: gone, or a
// zombie with no thread left. One started in the background by a shell that
// has since exited waits for PID 1 to reap it, which can take seconds; once
// its last thread has gone it holds nothing (no file, lock or port), so
// waiting for the reaping would only waste time.
inline bool ProcessEnded(const std::filesystem::path& pid_file) {
  std::string pid = ReadWholeFile(pid_file);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  std::ifstream stat("/proc/" + pid + "/stat");
  std::string line;
  if (pid.empty() || !std::getline(stat, line)) return true;
  // The state is the field after the command name, which ends with ')'.
  const size_t name_end = line.rfind(')');
  if (name_end == std::string::npos || name_end + 2 >= line.size()) return true;
  const char state = line[name_end + 2];
  if (state != 'Z' && state != 'X') return false;
  // The main thread's state: other threads may still be closing files.
  std::error_code error;
  auto threads = std::filesystem::directory_iterator("/proc/" + pid + "/task", error);
  return error || std::distance(threads, std::filesystem::directory_iterator()) <= 1;
}

// Sends SIGTERM to the process whose id `pid_file` holds and waits up to
// `patience` for it to end; whether it did.
inline bool StopProcess(const std::filesystem::path& pid_file, std::chrono::milliseconds patience) {
  (void)std::system(("kill $(cat " + pid_file.string() + ") 2>/dev/null").c_str());
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (!ProcessEnded(pid_file)) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace vigie::testing
