#pragma once

// The store module's face to the rest of vikd: opens the pool, owns the migrator and the
// repositories. Includes no libpqxx, so app/ and other modules can hold a Store.
// Thread-safety: safe for concurrent use; every call blocks on the database (call it from the
// blocking pool, never from an Asio or gRPC reaction).

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <prometheus/registry.h>

#include "core/result.h"
#include "domain/reference_data.h"
#include "domain/reference_files.h"
#include "store/cap_store.h"
#include "store/change_records.h"
#include "store/cluster_records.h"
#include "store/connection_string.h"
#include "store/credential_store.h"
#include "store/delivery_store.h"
#include "store/feed_store.h"
#include "store/ingest_records.h"
#include "store/lease_store.h"
#include "store/mirror_records.h"
#include "store/mirror_store.h"
#include "store/picture_records.h"
#include "store/picture_store.h"
#include "store/signal_writer.h"
#include "store/subscription_records.h"

namespace vik::store {

struct StoreOptions {
  std::string dsn;  // operator's DSN (key=value or URI, multi-host allowed)
  ConnectionSettings connection;
  std::size_t pool_size = 8;
  std::chrono::milliseconds acquire_timeout{2000};
  // Migrations from this directory instead of the ones compiled into the binary.
  std::optional<std::filesystem::path> migrations_dir;
  std::string applied_by = "vikd";
  // Open parked references (pending_references) one partner may have; a reference beyond it is
  // dropped, not parked (the receipt says so). 0: none are parked.
  std::size_t max_pending_references = 10000;
};

// One vikd instance as registered in the shared database.
struct InstanceRecord {
  std::string node_id;
  std::string region;
  std::string version;
  std::string http_address;
  std::string grpc_address;
  double started_at_unix = 0;
};

// The one PostgreSQL implementation of every consumer's narrow interface (store/*_store.h,
// store/signal_writer.h): each stateful class takes only its slice.
class Store : public SignalWriter,
              public CredentialStore,
              public CapStore,
              public FeedStore,
              public LeaseStore,
              public PictureStore,
              public DeliveryStore,
              public MirrorStore,
              public ChangeFeedStore {
 public:
  // Validates the DSN and loads the migrations; connects lazily (never fails on an unreachable DB).
  static core::Result<std::unique_ptr<Store>> Open(const StoreOptions& options, prometheus::Registry& registry);
  ~Store() override;

  // A sibling store on the same database (same settings, statements and migrations) with a pool of
  // its own: at most `size` connections, opened lazily, waited for at most `acquire_timeout`. Work
  // that must not wait behind the read API's connections (the leader lease, the singleton jobs,
  // ingest) runs on a lane; its metrics carry pool=`lane` ("lease", "jobs", ...; the store Open
  // returns is "api"). The metrics registry Open was given must outlive the lane.
  std::unique_ptr<Store> OpenLane(const std::string& lane, std::size_t size,
                                  std::chrono::milliseconds acquire_timeout) const;

  // See PgMigrator.
  core::Result<int> Migrate();
  core::Status CheckSchema(bool allow_newer = false);
  int LatestSchemaVersion() const;

  core::Status Ping();
  core::Status RegisterInstance(const InstanceRecord& instance);
  core::Status TouchInstance(const std::string& node_id);

  // --- ingest (pg_ingest.cc) ---
  // Stores `rows` and `audit` in one transaction: one result per row, in order. Rows already stored
  // come back as kDuplicate (same content hash) or kConflict (different content), with the original's
  // id. When the batch fails because of one row, each row is retried in its own transaction so that
  // one bad row never fails its neighbours (kFailed with the reason). A whole-batch error status
  // (UNAVAILABLE, UNKNOWN for an in-doubt commit, ...) means nothing of the batch is acknowledged.
  core::Result<std::vector<WriteResult>> WriteSignals(const std::vector<SignalWrite>& rows,
                                                      const std::vector<AuditRecord>& audit,
                                                      const std::string& node_id) override;
  core::Status AppendAudit(const std::vector<AuditRecord>& audit) override;
  // Applies references that were parked while their target was stored concurrently (at most
  // `limit`, newest first, none older than `max_age`); the number of signals ended. In the same
  // transaction deletes up to 10 * `limit` parked references older than `max_age` (resolved or
  // not: the retention of pending_references). Idempotent; run by the leader.
  core::Result<int> SweepPendingReferences(int limit, std::chrono::seconds max_age);
  // Active tokens and all sources, for the authenticator's cache.
  core::Result<Credentials> LoadCredentials() override;
  core::Result<domain::ReferenceData> LoadReferenceData(const std::string& region);

  // --- CAP (pg_cap.cc) ---
  // Stores the message verbatim and its signals, applies its references (cancel/update) and any
  // parked references to it, and appends `audit`, all in one transaction. The same (source,
  // identifier) again: kDuplicate with the stored signals when the bytes are identical, kConflict
  // otherwise (nothing written but the audit). Whole-call errors as WriteSignals. With
  // `message.fence` set, FAILED_PRECONDITION ("fenced") and nothing written when the fence no longer
  // holds; with `message.feed_entry` set, the entry is marked (accepted, duplicate, or refused for a
  // conflict) in the same transaction.
  core::Result<CapWriteResult> WriteCapMessage(const CapMessageWrite& message, const std::vector<AuditRecord>& audit,
                                               const std::string& node_id) override;
  // NOT_FOUND when no such message.
  core::Result<CapMessageRecord> ReadCapMessage(const std::string& id);
  // NOT_FOUND when no such signal (`id` must be a UUID).
  core::Result<SignalRecord> ReadSignal(const std::string& id);
  // Signals matching `query`, newest first, at most query.limit.
  core::Result<std::vector<ListedSignal>> ListSignals(const SignalQuery& query);
  // The region's current alerts of `status` ("actual", "exercise", ...), newest first, at most `limit`.
  core::Result<std::vector<AlertIndexRow>> ListCurrentAlerts(const std::string& status, int limit);

  // --- the region's crisis state (pg_reference.cc) ---
  // The newest versions, newest first (at most `limit`); empty when never set.
  core::Result<std::vector<RegionState>> RegionStateHistory(const std::string& region, int limit);
  // Appends `state` as version expected_version + 1 with `audit`, in one transaction. ABORTED when
  // the current version is not `expected_version` (someone else changed it: reload and retry);
  // FAILED_PRECONDITION for an unknown GRIP level or phase.
  core::Result<RegionState> SetRegionState(const std::string& region, int expected_version, const RegionState& state,
                                           const AuditRecord& audit);

  // --- the risk picture (pg_picture.cc) ---
  // The leader's keeper. Warm-up: one consistent snapshot of the signals that can contribute at
  // `now` (window end after now - lookback, open-ended signals starting after now - max_validity -
  // lookback), analyst levels, source freshness, the risks as last written and the keeper's cursor.
  core::Result<PictureWarmup> LoadPictureWarmup(core::WallTime expiring_after, core::WallTime open_after) override;
  // Every registered source with its expected interval and last signal (never: the epoch).
  core::Result<std::vector<SourceSeen>> ReadPictureSources() override;
  // Final change-log rows after `after` (at most `limit`), with the signals and analyst levels they
  // name as stored now.
  core::Result<PictureBatch> ReadPictureChanges(const ChangeCursor& after, int limit) override;
  // Writes one round (risks, level history and change-log rows, source freshness, counts, cursor)
  // in one transaction; FAILED_PRECONDITION ("fenced") and nothing written when `fence` no longer
  // holds the lease.
  core::Status WritePicture(const Fence& fence, const PictureWrite& write) override;

  // Reads for the API (any instance). ReadRegionalStatus: one snapshot of everything the status
  // shows; at most `limit` risks in priority order.
  core::Result<RegionalStatusRecord> ReadRegionalStatus(const std::string& region, const std::string& picture,
                                                        int limit, const std::string& lease,
                                                        std::chrono::seconds live_window);
  core::Result<std::vector<RiskRecord>> ListRisks(const RiskQuery& query);
  // NOT_FOUND when the risk was never in the picture and never assessed.
  // At most `levels_limit` level points and `assessments_limit` assessment versions, newest first.
  core::Result<RiskDetail> ReadRisk(const std::string& picture, const std::string& id, int levels_limit,
                                    int assessments_limit);
  // Appends an assessment as version expected_version + 1, with `audit`, in one transaction.
  // ABORTED when the current version is not `expected_version`; INVALID_ARGUMENT naming what does
  // not exist (theme, municipality of `region`, partner, likelihood or impact class).
  core::Result<AssessmentRecord> AppendAssessment(const std::string& region, const std::string& picture,
                                                  const domain::RiskKey& key, int expected_version,
                                                  const AssessmentRecord& assessment, const AuditRecord& audit);

  // --- the public change feed (pg_changes.cc; docs/exchange.md) ---
  // At most `limit` final changes after `after` (none: from the oldest kept), with the bodies they
  // name as stored now. OUT_OF_RANGE when `after` is older than the oldest change kept (pruned) or
  // beyond this database's transactions (another node's cursor, or a restored database).
  core::Result<ChangePage> ReadChanges(const std::optional<ChangeCursor>& after, int limit,
                                       const std::string& region) override;
  // The status of `picture` with every risk, and the cursor to follow the feed from.
  core::Result<SnapshotRecord> ReadSnapshot(const std::string& region, const std::string& picture,
                                            const std::string& lease, std::chrono::seconds live_window) override;
  // Deletes at most `limit` changes written before `written_before` that the picture keeper has
  // read, moving the horizon; the number deleted. Fenced (the leader's job).
  core::Result<int> PruneChanges(const Fence& fence, core::WallTime written_before, int limit);

  // --- mirrors of peer nodes (pg_mirror.cc; docs/exchange.md "Mirroring peers") ---
  // The peers named in `names` that have a row, by region.
  core::Result<std::vector<PeerRecord>> ReadPeers(const std::vector<std::string>& names) override;
  // The mirror's writes; each creates the peer's row when missing. With `fence` (the leader's
  // follower) FAILED_PRECONDITION ("fenced") and nothing written when it no longer holds the lease;
  // without (a push received by any instance) the cursor checks alone serialise writers.
  // ApplyMirrorSnapshot replaces the peer's risks and region state and sets its cursor; ABORTED when
  // `snapshot.from_cursor` is set and the stored cursor is another; ALREADY_EXISTS when another peer
  // already mirrors the same region.
  core::Status ApplyMirrorSnapshot(const std::optional<Fence>& fence, const std::string& endpoint,
                                   const MirrorSnapshot& snapshot) override;
  // Applies a page and moves the cursor in one transaction; ABORTED (nothing written) when the stored
  // cursor is no longer `apply.from_cursor` (another writer moved it: reload it).
  core::Status ApplyMirrorChanges(const std::optional<Fence>& fence, const std::string& endpoint,
                                  const MirrorApply& apply) override;
  // A successful call with nothing to apply; `status` (binary vik.v1.RegionalStatus) when fetched.
  core::Status RecordPeerContact(const std::optional<Fence>& fence, const std::string& peer,
                                 const std::string& endpoint, const std::optional<std::string>& status) override;
  // The peer's status (binary vik.v1.RegionalStatus) fetched while its feed is failing: stored
  // for the national status, but neither contact nor the error state changes (a peer whose feed
  // makes no progress goes stale with its error however well its status call answers).
  core::Status RecordPeerStatus(const Fence& fence, const std::string& peer, const std::string& endpoint,
                                const std::string& status) override;
  // A failed call; `resync` forgets the cursor so that the next attempt starts from a snapshot.
  // Fenced on the leader's follower; without a fence for a refused push (push_receiver.h).
  core::Status RecordPeerError(const std::optional<Fence>& fence, const std::string& peer, const std::string& endpoint,
                               const std::string& error, bool resync) override;
  // The mirrored pictures of `peers`: region state, risk counts, the first `top` risks of `picture`,
  // and per theme the peers with risks at level >= `min_level`.
  core::Result<MirrorOverview> ReadMirrorOverview(const std::vector<std::string>& peers, const std::string& picture,
                                                  int top, int min_level);
  // Mirrored signals (binary vik.v1.StoredSignal) of `peers`, newest first, at most `limit`; pairs
  // of (peer, body).
  core::Result<std::vector<std::pair<std::string, std::string>>> ListMirrorSignals(
      const std::vector<std::string>& peers, int limit);
  // Forgets mirrored signals received and risks out of the picture before `before`, at most
  // `limit` of each; the number deleted. Fenced.
  core::Result<int> PruneMirror(const Fence& fence, core::WallTime before, int limit);
  // --- subscriptions and webhook deliveries (pg_subscriptions.cc; docs/exchange.md) ---
  // Administration, audited in the same transaction. CreateSubscription: the new id;
  // ALREADY_EXISTS when the partner has a subscription of that name, INVALID_ARGUMENT ("partner:")
  // when there is no such partner, RESOURCE_EXHAUSTED when it has SubscriptionCreate::max_per_partner
  // (counted under a lock of the partner's row, so concurrent creates cannot pass it).
  core::Result<std::string> CreateSubscription(const SubscriptionCreate& subscription, const AuditRecord& audit);
  // Every partner's when `partner` is empty; at most 1000.
  core::Result<std::vector<SubscriptionRecord>> ListSubscriptions(const std::string& partner);
  // NOT_FOUND when no such subscription (`id` must be a UUID).
  core::Result<SubscriptionRecord> ReadSubscription(const std::string& id);
  // Deletes the subscription and its deliveries; NOT_FOUND when no such subscription.
  core::Status DeleteSubscription(const std::string& id, const AuditRecord& audit);
  // The deliveries of a subscription in `state` ("" all), oldest change first, at most `limit`.
  core::Result<std::vector<DeliveryRecord>> ListDeliveries(const std::string& subscription, const std::string& state,
                                                           int limit);
  // Re-queues a dead delivery (pending, attempts from 0, due now). NOT_FOUND when the subscription
  // has no such delivery; FAILED_PRECONDITION when it is not dead.
  core::Status RetryDelivery(const std::string& subscription, const std::string& delivery, const AuditRecord& audit);

  // The delivery job (leader only). Every subscription with its filter, and the job's cursor.
  core::Result<std::vector<SubscriptionMatchRecord>> ListSubscriptionFilters() override;
  core::Result<ChangeCursor> ReadSubscriptionCursor() override;
  // Enqueues `deliveries` and moves the cursor to `next`, in one transaction under the fence
  // (FAILED_PRECONDITION "fenced" and nothing written when it no longer holds). Deliveries beyond
  // `max_pending` pending per subscription are stored dead ("queue full").
  core::Status EnqueueDeliveries(const Fence& fence, const ChangeCursor& next,
                                 const std::vector<DeliveryEnqueue>& deliveries, int max_pending) override;
  // The head of each subscription's queue when due, at most `limit`.
  core::Result<std::vector<DueDelivery>> ReadDueDeliveries(int limit) override;
  // Records attempts (delivered; or failed: retried after the outcome's backoff, dead after
  // `max_attempts`), in one transaction under the fence.
  core::Status RecordDeliveries(const Fence& fence, const std::vector<DeliveryOutcome>& outcomes,
                                int max_attempts) override;
  // Deletes at most `limit` delivered and dead deliveries finished before `before`, fenced.
  core::Result<int> PruneDeliveries(const Fence& fence, core::WallTime before, int limit) override;
  core::Result<DeliveryCounts> CountDeliveries() override;

  // --- reference data files (pg_reference.cc) ---
  // Inserts or updates every row of `tables` by its key (nothing is deleted) and appends `audit`,
  // in one transaction: all or nothing. A row the database refuses (a foreign key, a unique
  // ordinal) fails the whole load with the database's reason.
  core::Status LoadReferenceTables(const domain::ReferenceTables& tables, const AuditRecord& audit);

  // --- administration (pg_admin.cc); each writes its audit record in the same transaction ---
  core::Status AddPartner(const std::string& name, const AuditRecord& audit);
  core::Status AddSource(const SourceRecord& source, const AuditRecord& audit);
  core::Status InsertToken(const TokenRecord& token, const AuditRecord& audit);
  // NOT_FOUND when no such token; FAILED_PRECONDITION when already revoked.
  core::Status RevokeToken(const std::string& id, const AuditRecord& audit);
  core::Result<std::vector<TokenRecord>> ListTokens();

  // --- cluster (pg_cluster.cc) ---
  // Takes the lease if it is free or expired (by the database clock): the new epoch, or nullopt
  // when another holder's term is still running. The acquisition is audited in the same transaction.
  core::Result<std::optional<std::int64_t>> AcquireLease(const std::string& lease, const std::string& holder,
                                                         std::chrono::milliseconds ttl) override;
  // Extends the term; false when the lease was lost (expired or taken over).
  core::Result<bool> RenewLease(const Fence& fence, std::chrono::milliseconds ttl) override;
  core::Status ReleaseLease(const Fence& fence) override;
  core::Result<LeaseInfo> ReadLease(const std::string& lease);
  // The leader's heartbeat: a singleton write. FAILED_PRECONDITION ("fenced") when `fence` no longer
  // holds the lease; nothing is written then. Also prunes heartbeats older than `keep`.
  core::Status WriteHeartbeat(const Fence& fence, std::chrono::seconds keep);
  // Instances, `live` when seen within `live_window`.
  core::Result<std::vector<InstanceInfo>> ListInstances(std::chrono::seconds live_window);

  // --- CAP feeds (pg_feeds.cc) ---
  // Administration, audited in the same transaction. RemoveFeed: NOT_FOUND when no such feed; the
  // feed's entry marks go with it (the CAP messages stay).
  core::Status AddFeed(const FeedConfig& feed, const AuditRecord& audit);
  core::Status RemoveFeed(const std::string& name, const AuditRecord& audit);
  // All feeds with their state, or (`due_only`) the enabled ones whose next poll is due.
  core::Result<std::vector<FeedRecord>> ListFeeds(bool due_only) override;
  // The entry keys among `keys` that `feed` has marked already.
  core::Result<std::set<std::string>> SeenFeedEntries(const std::string& feed,
                                                      const std::vector<std::string>& keys) override;
  // Marks an entry without a message (refused), fenced. FAILED_PRECONDITION ("fenced") when `fence`
  // no longer holds the lease; nothing is written then. (Entries with a message are marked by
  // WriteCapMessage, CapMessageWrite::feed_entry.)
  core::Status MarkFeedEntry(const Fence& fence, const FeedEntryMark& mark, const std::string& node_id) override;
  // Records a poll's outcome (validators, errors, next poll), fenced like MarkFeedEntry.
  core::Status RecordFeedPoll(const Fence& fence, const FeedPollRecord& poll) override;
  // Counts a failed attempt at an entry (`mark.detail`: the error), fenced; after `max_attempts`
  // the entry is marked "refused" (giving up, with the error) in the same transaction. Returns the
  // attempts so far.
  core::Result<int> RecordFeedEntryFailure(const Fence& fence, const FeedEntryMark& mark, int max_attempts,
                                           const std::string& node_id) override;

  // Closes idle connections (shutdown).
  void CloseIdle();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace vik::store
