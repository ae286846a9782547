#pragma once
// audit: the tamper-evident audit log. What others may use:
//   - AuditLog, the durable log with group commit, signed checkpoints and a
//     witness file (audit_log.h; docs/formats/audit-log.md), and the
//     verifier behind `vigie audit verify` (audit_verifier.h);
//   - Checkpoint and its signature and witness-file line (checkpoint.h);
//   - StoredLeafSource, proofs over a stored log from its leaves alone
//     (stored_leaf_source.h); StoredSubtreeSource, the same in O(log n) reads
//     through the stored subtree hashes (stored_subtree_source.h,
//     subtree_table.h); SubtreeCache, so repeated proofs read each leaf once
//     (subtree_cache.h);
//   - the "who consulted this person" index (person_index.h);
//   - AuditLog::ForeignEventsOf: what other nodes appended to a shared log,
//     read once for all agents (foreign_appends.h, foreign_event_cache.h);
//   - FindEvents, investigation queries over a stored log (event_search.h),
//     and each event as a JSON, RFC 5424 syslog or CEF line (event_export.h);
//   - AuditEvent and its canonical, versioned encoding (audit_event.h,
//     audit_event_codec.h; docs/formats/audit-event.md);
//   - the hash chain over encoded events and their Merkle leaf (hash_chain.h);
//   - the RFC 6962 / RFC 9162 Merkle tree: hashes, the frontier kept by a
//     writer, an in-memory tree, proof generation over any LeafHashSource and
//     the proof verifiers (docs/formats/merkle-tree.md).
// Thread-safety and errors: see each header. Only AuditLog, the verifier, the
// person index, the stored sources, the subtree table and FindEvents do I/O (through `store`).

#include "audit/audit_event.h"            // IWYU pragma: export
#include "audit/audit_event_codec.h"      // IWYU pragma: export
#include "audit/audit_log.h"              // IWYU pragma: export
#include "audit/audit_verifier.h"         // IWYU pragma: export
#include "audit/checkpoint.h"             // IWYU pragma: export
#include "audit/event_export.h"           // IWYU pragma: export
#include "audit/event_search.h"           // IWYU pragma: export
#include "audit/hash_chain.h"             // IWYU pragma: export
#include "audit/leaf_hash_source.h"       // IWYU pragma: export
#include "audit/merkle_frontier.h"        // IWYU pragma: export
#include "audit/merkle_hash.h"            // IWYU pragma: export
#include "audit/merkle_proof.h"           // IWYU pragma: export
#include "audit/merkle_tree.h"            // IWYU pragma: export
#include "audit/merkle_verify.h"          // IWYU pragma: export
#include "audit/person_index.h"           // IWYU pragma: export
#include "audit/stored_leaf_source.h"     // IWYU pragma: export
#include "audit/stored_subtree_source.h"  // IWYU pragma: export
#include "audit/subtree_cache.h"          // IWYU pragma: export
#include "audit/subtree_table.h"          // IWYU pragma: export
#include "audit/synthetic_events.h"       // IWYU pragma: export
