#pragma once

// Signals for the ingest benchmark. Every signal is valid for vikd's default region (VR21: municipality
// GM0796, theme "2.1", or the themes and municipalities of a `Spread`) and unique: external_id is the
// run prefix plus a counter. The same signal can be
// produced as a protobuf message (gRPC), as the protobuf JSON mapping (HTTP) or as one line of COPY text
// holding exactly the columns vikd fills in `signals` (the COPY baseline).
// Thread-safety: safe for concurrent use.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "vik/v1/signal.pb.h"

namespace vik::bench {

// The columns of `signals` (migrations/0003_ingest.sql) that vikd's insert sets, in this order; id and
// received_at take their defaults in every path.
inline constexpr const char* kSignalColumns =
    "source, external_id, content_hash, msg_type, status, kind, categories, theme, urgency, severity, "
    "certainty, sent_at, municipalities, headline, refs, payload, received_by, partner";
inline constexpr int kSignalColumnCount = 18;

// One row as vikd stores it, every value in PostgreSQL's text input form (bytea as "\x<hex>",
// arrays as "{...}"), in the order of kSignalColumns.
struct StoredRow {
  std::string values[kSignalColumnCount];
};

// Which themes and municipalities the signals name: signal n takes themes[n % T] and
// municipalities[(n / T) % M], so that they land in T x M different risks of the picture. Empty: "2.1"
// and GM0796 (every signal in the same risk). REQUIRES: codes valid for the region.
struct Spread {
  std::vector<std::string> themes;
  std::vector<std::string> municipalities;
};

class SignalFactory {
 public:
  // `run_prefix` makes the external ids of this run unique among runs on the same database.
  SignalFactory(std::string source, std::string run_prefix, Spread spread = {});

  // A new signal, sent now.
  void Fill(vik::v1::Signal* out);
  // Appends a new signal as protobuf JSON (one object, no trailing separator).
  void AppendJson(std::string& out);
  // A new signal as the row vikd would store: payload is its deterministic serialization, content_hash
  // the SHA-256 of the payload.
  StoredRow MakeRow(const std::string& partner, const std::string& received_by);

  std::uint64_t produced() const { return next_.load(std::memory_order_relaxed); }

 private:
  std::uint64_t Next() { return next_.fetch_add(1, std::memory_order_relaxed); }
  std::string ExternalId(std::uint64_t n) const;
  static std::string Headline(std::uint64_t n);
  const std::string& Theme(std::uint64_t n) const;
  const std::string& Municipality(std::uint64_t n) const;

  const std::string source_;
  const std::string prefix_;
  const Spread spread_;
  std::atomic<std::uint64_t> next_{0};
};

// What vikd stores as `payload`: the deterministic serialization of `signal`.
std::string CanonicalPayload(const vik::v1::Signal& signal);

// The SHA-256 digest of `bytes` (32 raw bytes).
std::string Sha256(const std::string& bytes);

// RFC 3339 in UTC with microseconds, e.g. "2024-05-01T09:30:00.123456Z".
std::string NowRfc3339();

// Lowercase hex of `bytes`.
std::string Hex(const std::string& bytes);

}  // namespace vik::bench
