#pragma once

// In-memory stores for the peer followers: FakeMirrorStore (store::MirrorStore: one row per peer
// with its cursor, region, errors and status; the pages and snapshots applied) and
// FakeChangeFeedStore (store::ChangeFeedStore: this node's feed, as a pusher reads it). Fenced
// writes pass `fence` (fake_fence.h); calls fail as `faults` says (fault_plan.h; one operation per
// method, named after it). Header-only, no I/O. Thread-safety: safe for concurrent use.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fakes/fake_fence.h"
#include "fakes/fault_plan.h"
#include "store/mirror_store.h"

namespace vik::testing {

class FakeMirrorStore final : public store::MirrorStore {
 public:
  void AddPeer(const store::PeerRecord& peer) {
    std::lock_guard lock(mu_);
    peers_[peer.name] = peer;
  }
  // Another writer (a push received) moves the peer's cursor.
  void MoveCursor(const std::string& peer, const std::string& cursor) {
    std::lock_guard lock(mu_);
    peers_[peer].cursor = cursor;
  }

  core::Result<std::vector<store::PeerRecord>> ReadPeers(const std::vector<std::string>& names) override {
    if (core::Status s = faults.Before("ReadPeers"); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    std::vector<store::PeerRecord> out;
    for (const auto& name : names) {
      if (auto it = peers_.find(name); it != peers_.end()) {
        out.push_back(it->second);
      }
    }
    return out;
  }
  core::Status ApplyMirrorSnapshot(const std::optional<store::Fence>& writer, const std::string& endpoint,
                                   const store::MirrorSnapshot& snapshot) override {
    if (core::Status s = Write("ApplyMirrorSnapshot", writer); !s.ok()) {
      return s;
    }
    {
      std::lock_guard lock(mu_);
      auto& peer = Row(snapshot.peer, endpoint);
      if (snapshot.from_cursor && *snapshot.from_cursor != peer.cursor) {
        return core::Aborted("the peer's cursor moved");
      }
      peer.cursor = snapshot.cursor;
      peer.region = snapshot.region;
      ++peer.snapshots;
      snapshots_.push_back(snapshot);
    }
    return faults.After("ApplyMirrorSnapshot");
  }
  core::Status ApplyMirrorChanges(const std::optional<store::Fence>& writer, const std::string& endpoint,
                                  const store::MirrorApply& apply) override {
    if (core::Status s = Write("ApplyMirrorChanges", writer); !s.ok()) {
      return s;
    }
    {
      std::lock_guard lock(mu_);
      auto& peer = Row(apply.peer, endpoint);
      if (peer.cursor != apply.from_cursor) {
        return core::Aborted("the peer's cursor is no longer \"" + apply.from_cursor + "\"");
      }
      peer.cursor = apply.next_cursor;
      peer.changes_applied += apply.changes;
      peer.consecutive_errors = 0;
      applied_.push_back(apply);
    }
    return faults.After("ApplyMirrorChanges");
  }
  core::Status RecordPeerContact(const std::optional<store::Fence>& writer, const std::string& peer,
                                 const std::string& endpoint, const std::optional<std::string>& status) override {
    if (core::Status s = Write("RecordPeerContact", writer); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    auto& row = Row(peer, endpoint);
    row.consecutive_errors = 0;
    if (status) {
      row.status = *status;
    }
    return core::Status::Ok();
  }
  core::Status RecordPeerStatus(const store::Fence& writer, const std::string& peer, const std::string& endpoint,
                                const std::string& status) override {
    if (core::Status s = Write("RecordPeerStatus", writer); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    Row(peer, endpoint).status = status;
    return core::Status::Ok();
  }
  core::Status RecordPeerError(const std::optional<store::Fence>& writer, const std::string& peer,
                               const std::string& endpoint, const std::string& error, bool resync) override {
    if (core::Status s = Write("RecordPeerError", writer); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    auto& row = Row(peer, endpoint);
    row.last_error = error;
    ++row.consecutive_errors;
    if (resync) {
      row.cursor.clear();
    }
    return core::Status::Ok();
  }

  store::PeerRecord Peer(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = peers_.find(name);
    return it == peers_.end() ? store::PeerRecord{} : it->second;
  }
  std::vector<store::MirrorApply> Applied() const {
    std::lock_guard lock(mu_);
    return applied_;
  }
  std::vector<store::MirrorSnapshot> Snapshots() const {
    std::lock_guard lock(mu_);
    return snapshots_;
  }

  FaultPlan faults;
  FakeFence fence;

 private:
  core::Status Write(const char* operation, const std::optional<store::Fence>& f) {
    if (core::Status s = faults.Before(operation); !s.ok()) {
      return s;
    }
    return fence.Check(f);
  }
  store::PeerRecord& Row(const std::string& name, const std::string& endpoint) {
    auto& row = peers_[name];
    row.name = name;
    row.endpoint = endpoint;
    return row;
  }

  mutable std::mutex mu_;
  std::map<std::string, store::PeerRecord> peers_;
  std::vector<store::MirrorApply> applied_;
  std::vector<store::MirrorSnapshot> snapshots_;
};

class FakeChangeFeedStore final : public store::ChangeFeedStore {
 public:
  // Appends a change (picture "actual", no body) to this node's feed.
  void AddChange(const std::string& kind, const std::string& object) {
    std::lock_guard lock(mu_);
    store::ChangeRecord c;
    c.cursor = {++xid_, 0};
    c.at_us = 1'700'000'000'000'000 + static_cast<std::int64_t>(xid_);
    c.picture = "actual";
    c.kind = kind;
    c.object = object;
    feed_.push_back(std::move(c));
  }
  store::ChangeCursor Last() const {
    std::lock_guard lock(mu_);
    return feed_.empty() ? store::ChangeCursor{} : feed_.back().cursor;
  }

  core::Result<store::ChangePage> ReadChanges(const std::optional<store::ChangeCursor>& after, int limit,
                                              const std::string&) override {
    if (core::Status s = faults.Before("ReadChanges"); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    store::ChangePage page;
    page.next = after.value_or(store::ChangeCursor{});
    for (const auto& c : feed_) {
      if (after && c.cursor <= *after) {
        continue;
      }
      if (static_cast<int>(page.changes.size()) == limit) {
        page.more = true;
        break;
      }
      page.changes.push_back(c);
      page.next = c.cursor;
    }
    limits_.push_back(limit);
    return page;
  }
  core::Result<store::SnapshotRecord> ReadSnapshot(const std::string& region, const std::string& picture,
                                                   const std::string&, std::chrono::seconds) override {
    if (core::Status s = faults.Before("ReadSnapshot"); !s.ok()) {
      return s;
    }
    std::lock_guard lock(mu_);
    store::SnapshotRecord snapshot;
    snapshot.status.region = region;
    snapshot.status.picture.picture = picture;
    snapshot.cursor = feed_.empty() ? store::ChangeCursor{} : feed_.back().cursor;
    return snapshot;
  }
  // The `limit` of each ReadChanges, in order.
  std::vector<int> Limits() const {
    std::lock_guard lock(mu_);
    return limits_;
  }

  FaultPlan faults;

 private:
  mutable std::mutex mu_;
  std::vector<store::ChangeRecord> feed_;
  std::vector<int> limits_;
  std::uint64_t xid_ = 900;
};

}  // namespace vik::testing
