#include "witness/checkpoint_publisher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <filesystem>

#include "audit/audit_log.h"
#include "audit/merkle_proof.h"
#include "audit/merkle_verify.h"
#include "audit/stored_leaf_source.h"
#include "audit/stored_subtree_source.h"
#include "core/durable_file.h"
#include "core/log.h"
#include "core/regular_file.h"
#include "core/utf8.h"
#include "crypto/hash.h"
#include "http/client.h"

namespace vigie::witness {
namespace {

std::string Endpoint(const PublisherOptions& options, std::string_view path) {
  std::string base = options.witness_url;
  while (base.ends_with('/')) base.pop_back();
  return base + std::string(path);
}

Result<boost::json::object> JsonReply(const http::ClientReply& reply, std::string_view what) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(reply.body, ec);
  if (ec || !value.is_object()) {
    // Something in between answering (a proxy's error page), not the
    // witness refusing: a failure to retry, not an alarm.
    return Fail(ErrorCode::kUnavailable, std::string(what) + ": the witness's answer is not JSON");
  }
  return std::move(value.as_object());
}

// The problem the witness itself sent (RFC 9457, with the code our
// servers give), or nullopt for anything else (a proxy's error page).
std::optional<boost::json::object> WitnessProblem(const http::ClientReply& reply) {
  if (reply.content_type != "application/problem+json") return std::nullopt;
  Result<boost::json::object> body = JsonReply(reply, "problem");
  const auto* code = body ? body->if_contains("code") : nullptr;
  if (code == nullptr || !code->is_string()) return std::nullopt;
  return std::move(*body);
}

// The tree size of the last cosignature in `file` by the witness of
// `witness_key` (0 if none: not written yet, or another witness's), read from
// its tail. A line a crash cut short (no newline, not a whole line) was never
// acknowledged to anyone: it is cut off first, or the next line would be
// glued to it and the file unreadable for good. A whole line that lacks only
// its newline gets it. A `vigie audit witness` beside the server's
// publisher writes it too: both take the file's lock (Writers::kShared).
Result<uint64_t> MendAndReadLastCosignedSize(const std::filesystem::path& file,
                                             const crypto::Ed25519PublicKey& witness_key) {
  ASSIGN_OR_RETURN(const LastLine mended, MendLastLine(file, WrittenWholeJson));
  if (mended == LastLine::kCut) {
    Log(LogLevel::kWarn, "audit_cosignature_partial_line_cut", {{"file", file.string()}});
  }
  Result<int> fd = OpenRegularFile(file, O_RDONLY);
  if (!fd && fd.error().code() == ErrorCode::kNotFound) return uint64_t{0};  // not written yet
  if (!fd) return Fail(ErrorCode::kUnavailable, fd.error().message());
  DescriptorStream in(*fd);
  struct stat opened {};
  if (::fstat(*fd, &opened) != 0)
    return Fail(ErrorCode::kUnavailable, "cannot read " + file.string());
  const auto size = static_cast<uintmax_t>(opened.st_size);
  if (size == 0) return uint64_t{0};
  constexpr uintmax_t kTail = 16 * 1024;  // a line is ~600 bytes
  const uintmax_t from = size > kTail ? size - kTail : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string tail(static_cast<size_t>(size - from), '\0');
  if (!in.read(tail.data(), static_cast<std::streamsize>(tail.size()))) {
    return Fail(ErrorCode::kUnavailable, "cannot read " + file.string());
  }
  while (tail.ends_with('\n')) tail.pop_back();
  if (tail.empty()) return uint64_t{0};
  const size_t start = tail.rfind('\n');
  if (start == std::string::npos && from > 0) {
    return Fail(ErrorCode::kDataLoss, file.string() + ": its last line is too long to be one");
  }
  auto last = ParseCosignatureLine(start == std::string::npos ? tail : tail.substr(start + 1));
  if (!last) return Fail(ErrorCode::kDataLoss, file.string() + ": " + last.error().message());
  if (!CosignatureValid(*last, witness_key)) return uint64_t{0};
  return last->checkpoint.tree_size;
}

// The problem detail a refusal carries, for the log line and the
// operator's terminal. Security: text from outside, its controls (escape
// sequences that could rewrite the screen) made harmless.
std::string Detail(const boost::json::object& problem) {
  constexpr size_t kMaxDetailBytes = 200;
  const auto* detail = problem.if_contains("detail");
  return detail && detail->is_string()
             ? DisplaySafe(std::string_view(detail->get_string()), kMaxDetailBytes)
             : "";
}

}  // namespace

namespace {

// GET `path` from the witness: its JSON answer, once it names the configured
// witness key (DataLoss when it names another: someone else answers there).
Result<boost::json::object> GetFromWitness(const PublisherOptions& options, std::string_view path) {
  ASSIGN_OR_RETURN(http::ClientReply reply,
                   http::Exchange({.url = Endpoint(options, path),
                                   .trusted_certificate_file = options.trusted_certificate_file,
                                   .timeout = options.timeout}));
  if (reply.status != 200) {
    return Fail(ErrorCode::kUnavailable, "the witness answered " + std::to_string(reply.status) +
                                             " to " + std::string(path));
  }
  ASSIGN_OR_RETURN(boost::json::object body, JsonReply(reply, path));
  const auto* key = body.if_contains("witness_public_key");
  if (key == nullptr || !key->is_string()) {
    // An older witness's /v1/log-keys, or not a witness at all: not an impostor.
    return Fail(ErrorCode::kUnavailable, "the witness's answer to " + std::string(path) +
                                             " names no key: is the witness up to date?");
  }
  if (key->get_string() != crypto::HexEncode(options.witness_public_key)) {
    return Fail(ErrorCode::kDataLoss, "the witness at " + options.witness_url +
                                          " does not have the configured public key");
  }
  return body;
}

}  // namespace

Result<std::optional<Cosignature>> FetchWitnessed(const PublisherOptions& options) {
  ASSIGN_OR_RETURN(boost::json::object body, GetFromWitness(options, "/v1/latest"));
  const auto* held = body.if_contains("cosignature");
  if (held == nullptr || held->is_null()) return std::nullopt;
  auto cosignature = CosignatureFromJson(*held);
  if (!cosignature || !CosignatureValid(*cosignature, options.witness_public_key)) {
    return Fail(ErrorCode::kDataLoss, "the witness's latest cosignature does not check");
  }
  return *cosignature;
}

Result<std::vector<LogKey>> FetchWitnessLogKeys(const PublisherOptions& options) {
  ASSIGN_OR_RETURN(boost::json::object body, GetFromWitness(options, "/v1/log-keys"));
  const auto* lines = body.if_contains("log_keys");
  if (lines == nullptr || !lines->is_array()) {
    return Fail(ErrorCode::kUnavailable, "/v1/log-keys: no 'log_keys' list in the answer");
  }
  std::string text;
  for (const auto& line : lines->get_array()) {
    if (!line.is_string()) return Fail(ErrorCode::kUnavailable, "/v1/log-keys: not a key line");
    text += std::string(line.get_string()) + "\n";
  }
  auto keys = ParseLogKeys(text);
  if (!keys) return Fail(ErrorCode::kUnavailable, "/v1/log-keys: " + keys.error().message());
  return std::move(*keys);
}

Result<std::optional<Cosignature>> CheckpointPublisher::PublishOnce(store::Connection& audit_db,
                                                                    const PublisherOptions& options,
                                                                    audit::SubtreeCache& cache) {
  ASSIGN_OR_RETURN(const uint64_t written, MendAndReadLastCosignedSize(options.cosignature_file,
                                                                       options.witness_public_key));
  // Asked after the file was read: a `vigie audit witness` beside the
  // server's publisher may have had a newer one countersigned meanwhile.
  ASSIGN_OR_RETURN(std::optional<Cosignature> held, FetchWitnessed(options));
  ASSIGN_OR_RETURN(std::optional<audit::Checkpoint> ours, audit::ReadLatestCheckpoint(audit_db));
  const uint64_t held_size = held ? held->checkpoint.tree_size : 0;
  // Security: the witness holds less than it countersigned for us (its store
  // emptied, or restored from an old backup): it would now countersign a
  // truncated log. Only a new witness, with a key of its own, starts over.
  if (held_size < written) {
    return Fail(ErrorCode::kDataLoss, "the witness holds tree size " + std::to_string(held_size) +
                                          " but countersigned " + std::to_string(written) +
                                          " for this log already: it lost countersignatures");
  }
  // The witness holds a tree our log must still extend: a shorter log or
  // another root (or chain) at that size means ours was truncated or rewritten.
  if (held &&
      (!ours || ours->tree_size < held_size ||
       (ours->tree_size == held_size && (ours->root != held->checkpoint.root ||
                                         ours->chain_hash != held->checkpoint.chain_hash)))) {
    return Fail(ErrorCode::kDataLoss,
                "the witness countersigned tree size " + std::to_string(held_size) +
                    " which this log no longer extends (truncated or rewritten)");
  }
  // The witness's answer for what it holds may have been lost on the way (a
  // timeout, a full disk here, a line a crash cut short): the file gets it
  // now, before anything newer.
  if (held && written < held_size) {
    RETURN_IF_ERROR(AppendDurably(options.cosignature_file, CosignatureLine(*held) + "\n", 0644,
                                  Writers::kShared));
  }
  if (!ours || ours->tree_size == held_size) return held;

  // The stored subtrees spare the first proof after a start a pass over the
  // whole log; the cache keeps what they do not hold.
  ASSIGN_OR_RETURN(audit::StoredSubtreeSource leaves, audit::StoredSubtreeSource::Open(audit_db));
  // Events gone from under our own signed checkpoint: an alarm, not a proof
  // that cannot be made (it read as an unreachable witness).
  if (leaves.Size() < ours->tree_size) {
    return Fail(ErrorCode::kDataLoss, "the log holds " + std::to_string(leaves.Size()) +
                                          " events under its checkpoint of tree size " +
                                          std::to_string(ours->tree_size) + " (truncated)");
  }
  cache.Attach(leaves);
  Submission submission{.checkpoint = *ours, .from_size = held_size};
  if (held_size > 0) {
    ASSIGN_OR_RETURN(submission.consistency_proof,
                     audit::ConsistencyProof(cache, held_size, ours->tree_size));
    // Security: the witness takes a signed proof that fails for the log's
    // own word that it forked. One made from damaged derived rows
    // (audit_subtree, or the cache of them) must not be that word: a proof
    // that fails is made again from the events alone, and only if that one
    // fails too is it sent as it is - the log itself no longer extends the
    // witnessed tree, which is what the witness's alarm is for.
    if (!audit::VerifyConsistency(held_size, ours->tree_size, held->checkpoint.root, ours->root,
                                  submission.consistency_proof)) {
      // The cache may hold damaged hashes (those of its levels): forgotten,
      // and filled again from the events, so the next rounds do not each
      // read every event again, nor keep the damage once the rows are mended.
      cache.Forget();
      ASSIGN_OR_RETURN(audit::StoredLeafSource events, audit::StoredLeafSource::Open(audit_db));
      cache.Attach(events);
      auto from_events = audit::ConsistencyProof(cache, held_size, ours->tree_size);
      cache.Attach(leaves);  // as every return leaves it: each round attaches first
      if (!from_events) return Fail(from_events.error());
      submission.consistency_proof = std::move(*from_events);
      if (audit::VerifyConsistency(held_size, ours->tree_size, held->checkpoint.root, ours->root,
                                   submission.consistency_proof)) {
        Log(LogLevel::kError, "audit_subtrees_damaged",
            {{"from_size", static_cast<int64_t>(held_size)},
             {"to_size", static_cast<int64_t>(ours->tree_size)},
             {"hint",
              "a proof from the stored subtrees failed, the events' own held: run "
              "vigie audit verify"}});
      }
    }
  }
  // A key file without the checkpoint's key cannot sign for it: needs a hand,
  // so a refusal (alerted on), not a failure to retry.
  Result<void> signature = options.log_signing_keys
                               ? SignSubmission(*options.log_signing_keys, submission)
                               : Fail(ErrorCode::kNotFound, "no signing key given");
  if (!signature) {
    return Fail(ErrorCode::kPermissionDenied,
                "cannot sign the submission: " + signature.error().message());
  }
  ASSIGN_OR_RETURN(http::ClientReply reply,
                   http::Exchange({.method = "POST",
                                   .url = Endpoint(options, "/v1/checkpoints"),
                                   .content_type = "application/json",
                                   .body = boost::json::serialize(SubmissionJson(submission)),
                                   .trusted_certificate_file = options.trusted_certificate_file,
                                   .timeout = options.timeout}));
  // The witness's own problem on a submission it could not take: ours
  // malformed (400), or its store damaged (500, DataLoss here). Retrying
  // mends neither: refusals someone must act on, not an outage logged once.
  if (reply.status == 400 || reply.status == 500) {
    if (std::optional<boost::json::object> problem = WitnessProblem(reply)) {
      return Fail(reply.status == 400 ? ErrorCode::kInvalidArgument : ErrorCode::kDataLoss,
                  "the witness could not take checkpoint " + std::to_string(ours->tree_size) +
                      " (" + std::to_string(reply.status) + "): " + Detail(*problem));
    }
  }
  // Only the witness's own answers are read; anything else (a proxy's error
  // page) is a failure to retry, whatever its body.
  const bool answered =
      reply.status == 200 || reply.status == 403 || reply.status == 409 || reply.status == 422;
  if (!answered) {
    return Fail(ErrorCode::kUnavailable,
                "the witness answered " + std::to_string(reply.status) + " to /v1/checkpoints");
  }
  ASSIGN_OR_RETURN(boost::json::object body, JsonReply(reply, "/v1/checkpoints"));
  switch (reply.status) {
    case 409:  // it countersigned a newer one meanwhile (another publisher): next round
      return Fail(ErrorCode::kUnavailable, "the witness moved on: " + Detail(body));
    case 403:
      return Fail(ErrorCode::kPermissionDenied, "the witness refused us: " + Detail(body));
    case 422:
      return Fail(ErrorCode::kDataLoss,
                  "the witness refused checkpoint " + std::to_string(ours->tree_size) +
                      " as inconsistent with what it countersigned: " + Detail(body));
    default:  // 200
      break;
  }
  const auto* cosigned = body.if_contains("cosignature");
  auto cosignature = cosigned ? CosignatureFromJson(*cosigned)
                              : Result<Cosignature>(Fail(ErrorCode::kDataLoss, "no cosignature"));
  if (!cosignature || cosignature->checkpoint != *ours ||
      !CosignatureValid(*cosignature, options.witness_public_key)) {
    return Fail(ErrorCode::kDataLoss, "the witness's cosignature does not check");
  }
  RETURN_IF_ERROR(AppendDurably(options.cosignature_file, CosignatureLine(*cosignature) + "\n",
                                0644, Writers::kShared));
  return *cosignature;
}

CheckpointPublisher::CheckpointPublisher(PublisherOptions options,
                                         std::unique_ptr<store::Connection> db)
    : options_(std::move(options)), db_(std::move(db)) {}

Result<std::unique_ptr<CheckpointPublisher>> CheckpointPublisher::Start(PublisherOptions options) {
  // A URL no call would take is a mistake to say now, not an outage to
  // retry each second while the log goes unwitnessed.
  RETURN_IF_ERROR(http::CheckClientUrl(options.witness_url));
  ASSIGN_OR_RETURN(std::unique_ptr<store::Connection> db,
                   store::Open(options.audit_url, {.read_only = true}));
  std::unique_ptr<CheckpointPublisher> publisher(
      new CheckpointPublisher(std::move(options), std::move(db)));
  publisher->thread_ = std::thread([raw = publisher.get()] { raw->Run(); });
  return publisher;
}

CheckpointPublisher::~CheckpointPublisher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

PublisherStats CheckpointPublisher::stats() const {
  return {.witnessed_size = witnessed_size_.load(),
          .refusals = refusals_.load(),
          .failures = failures_.load()};
}

void CheckpointPublisher::Run() {
  bool was_failing = false;
  // A refusal persists until someone acts: logged when it changes and once a
  // minute while it lasts (the metric counts every one), not every second.
  std::string last_refusal;
  auto last_refusal_logged = std::chrono::steady_clock::time_point{};
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    auto published = PublishOnce(*db_, options_, cache_);
    lock.lock();
    if (published) {
      if (*published) witnessed_size_ = (*published)->checkpoint.tree_size;
      if (was_failing || !last_refusal.empty()) Log(LogLevel::kInfo, "audit_witness_resumed", {});
      was_failing = false;
      last_refusal.clear();
    } else if (published.error().code() == ErrorCode::kDataLoss ||
               published.error().code() == ErrorCode::kPermissionDenied ||
               published.error().code() == ErrorCode::kInvalidArgument) {
      // Refused, the witness failing on its side (its store), or a mistake
      // in our own settings (trusted certificates that cannot be loaded): no
      // retry mends these, someone must act.
      ++refusals_;
      const auto now = std::chrono::steady_clock::now();
      if (published.error().message() != last_refusal ||
          now - last_refusal_logged >= std::chrono::minutes(1)) {
        Log(LogLevel::kError, "audit_witness_refused", {{"error", published.error().message()}});
        last_refusal = published.error().message();
        last_refusal_logged = now;
      }
    } else {
      ++failures_;
      // Once per outage, not every second.
      if (!was_failing) {
        Log(LogLevel::kWarn, "audit_witness_unreachable", {{"error", published.error().message()}});
      }
      was_failing = true;
    }
    wake_.wait_for(lock, options_.interval, [this] { return stopping_; });
  }
}

Result<std::vector<Cosignature>> ReadCosignatureFile(const std::filesystem::path& file) {
  std::vector<Cosignature> cosignatures;
  // Never through a link (the writer refuses one too), nor waiting on a
  // FIFO in its place (`audit verify` would hang).
  Result<int> fd = OpenRegularFile(file, O_RDONLY);
  if (!fd && fd.error().code() == ErrorCode::kNotFound) return cosignatures;
  if (!fd) return Fail(ErrorCode::kDataLoss, fd.error().message());
  DescriptorStream in(*fd);
  size_t number = 0;
  for (std::string line; in && std::getline(in, line);) {
    ++number;
    auto cosignature = ParseCosignatureLine(line);
    // A last line a crash cut short: never acknowledged.
    if (!cosignature && in.eof() && !WrittenWholeJson(line)) break;
    if (!cosignature) {
      return Fail(ErrorCode::kDataLoss, file.string() + ":" + std::to_string(number) + ": " +
                                            cosignature.error().message());
    }
    cosignatures.push_back(*cosignature);
  }
  // Those after a read error would be dropped silently: fewer checkpoints
  // to hold the log to.
  if (in.bad()) return Fail(ErrorCode::kDataLoss, "error reading " + file.string());
  return cosignatures;
}

}  // namespace vigie::witness
