#pragma once
// The load generator's modes, one function each; main only parses options.
//   activate     activate accounts from a codes file, write the credentials
//   search       log agents in, pre-sign proofs, time authenticated searches
//   static       time one fixed GET (the nginx ceiling)
//   login        time full logins (password + TOTP) of agents in a loop
//   login-flood  hammer step 1 of the login with unknown service numbers
//   verify       time ES256 verification on one core (the DPoP ceiling)
// Each returns the process exit code (0 = ran and every request succeeded
// as the mode expects) after printing its report.

#include <chrono>
#include <filesystem>
#include <string>

namespace vigie::bench {

struct ApiLoadOptions {
  std::string mode;
  std::string url;
  std::string public_url;       // DPoP htu prefix; "" = the origin of url
  std::string connect_address;  // "" = resolve the URL's host
  std::string ca_file;
  std::string label;
  size_t connections = 64;
  size_t threads = 0;  // 0 = one per core
  double duration_seconds = 15;
  double warmup_seconds = 1;
  std::chrono::milliseconds response_timeout{10000};
  std::filesystem::path codes_file;
  std::filesystem::path credentials_file;
  std::filesystem::path persons_file;
  size_t agents = 8;
  size_t queries = 10000;
  std::string purpose = "identity_check";
  std::string case_reference;  // "" = none (an inquiry's purpose needs one)
  size_t proofs = 0;  // 0 = enough for the verify ceiling over the run
  int proof_lifetime_seconds = 60;
  double verify_seconds = 2;
  std::chrono::milliseconds max_backoff{50};
  // search: connections running a login flood alongside (reported apart),
  // and how long each waits after a 429 (login-flood mode too).
  size_t flood_connections = 0;
  std::chrono::milliseconds flood_backoff{0};
  bool progress = false;
};

int RunActivateMode(const ApiLoadOptions& options);
int RunSearchMode(const ApiLoadOptions& options);
int RunStaticMode(const ApiLoadOptions& options);
int RunLoginMode(const ApiLoadOptions& options);
int RunLoginFloodMode(const ApiLoadOptions& options);
int RunVerifyMode(const ApiLoadOptions& options);

}  // namespace vigie::bench
