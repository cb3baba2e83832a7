#include "store/statements.h"

#include <array>

namespace vik::store {

std::span<const Statement> PreparedStatements() {
  static constexpr std::array kAll = {
      stmt::kPing,         stmt::kSchemaTableExists, stmt::kSchemaApplied,  stmt::kSchemaRecord,
      stmt::kMigrateLock,  stmt::kMigrateUnlock,     stmt::kInstanceUpsert, stmt::kInstanceSeen,
      stmt::kSignalsInsert, stmt::kSignalsLookup,    stmt::kAuditInsert,    stmt::kTokensActive,
      stmt::kTokensAll,    stmt::kSourcesAll,        stmt::kMunicipalitiesOfRegion, stmt::kThemesAll,
      stmt::kPartnerInsert, stmt::kSourceInsert,     stmt::kSourceInsertIrregular, stmt::kTokenInsert,
      stmt::kTokenRevoke,  stmt::kTokenExists,
      stmt::kReferencesApply, stmt::kPendingReferencesResolve, stmt::kPendingReferencesSweep, stmt::kPendingReferencesPrune, stmt::kCapMessageInsert, stmt::kCapMessageLookup,
      stmt::kCapMessageSignals, stmt::kCapMessageRaw, stmt::kCapCategoryThemes,
      stmt::kRegionStateCurrent, stmt::kRegionStateHistory, stmt::kRegionStateAppend,
      stmt::kSignalRead, stmt::kSignalsList, stmt::kCurrentAlerts, stmt::kBoundariesOfRegion,
      stmt::kRefRegionsUpsert, stmt::kRefMunicipalitiesUpsert, stmt::kRefMunicipalitySuccessors, stmt::kRefThemesUpsert,
      stmt::kRefThemeParents, stmt::kRefCapCategoryThemesUpsert, stmt::kRefImpactClassesUpsert,
      stmt::kRefLikelihoodClassesUpsert, stmt::kRefGripLevelsMove, stmt::kRefGripLevelsUpsert,
      stmt::kRefCrisisPhasesMove, stmt::kRefCrisisPhasesUpsert,
      stmt::kLeaseAcquire, stmt::kLeaseRenew,        stmt::kLeaseRelease,   stmt::kLeaseFence,
      stmt::kLeaseRead,    stmt::kHeartbeatInsert,   stmt::kHeartbeatPrune, stmt::kInstancesAll,
      stmt::kFeedInsert, stmt::kFeedDelete, stmt::kFeedsList, stmt::kFeedEntriesSeen, stmt::kFeedEntryMark,
      stmt::kFeedPollSuccess, stmt::kFeedPollError, stmt::kFeedAttemptFailed, stmt::kFeedAttemptsClear,
      stmt::kFeedAttemptsPrune,
      stmt::kPictureSignals, stmt::kPictureOldestUnread, stmt::kPictureWarmupSignals, stmt::kPictureAnalystLevels,
      stmt::kPictureSources, stmt::kPictureCursor, stmt::kPictureRisksAll, stmt::kPictureRisksUpsert,
      stmt::kPictureLevelsAppend, stmt::kPictureSourceHealth, stmt::kPictureStateWrite, stmt::kPictureStateRead,
      stmt::kPictureRisksList, stmt::kPictureRiskRead, stmt::kRiskAssessments, stmt::kRiskLevelsHistory,
      stmt::kRiskSignals, stmt::kAssessmentUnknownRefs, stmt::kAssessmentAppend, stmt::kRegionName,
      stmt::kChangesPage, stmt::kChangesHorizon, stmt::kChangesSignals, stmt::kChangesPrune, stmt::kPictureRisksByIds,
      stmt::kPeerRead, stmt::kPeerEnsure, stmt::kPeerCursorLock, stmt::kPeerSynced, stmt::kPeerAdvanced,
      stmt::kPeerContact, stmt::kPeerStatus, stmt::kPeerError, stmt::kMirrorRisksClear, stmt::kMirrorRegionStateClear, stmt::kMirrorRisksUpsert,
      stmt::kMirrorSignalsUpsert, stmt::kMirrorRegionStateUpsert, stmt::kMirrorRegionStatesRead,
      stmt::kMirrorRiskCounts, stmt::kMirrorTopRisks, stmt::kMirrorThemes, stmt::kMirrorSignalsList, stmt::kMirrorPrune,
      // subscriptions (migration 0013)
      stmt::kSubscriptionInsert, stmt::kSubscriptionPartnerCount, stmt::kSubscriptionsList, stmt::kSubscriptionRead, stmt::kSubscriptionDelete,
      stmt::kSubscriptionsMatching, stmt::kSubscriptionCursor, stmt::kSubscriptionCursorSet, stmt::kDeliveriesEnqueue,
      stmt::kDeliveriesDue, stmt::kDeliveryDelivered, stmt::kDeliveryFailed, stmt::kDeliveriesList,
      stmt::kDeliveryRetry, stmt::kDeliveryState, stmt::kDeliveriesPrune, stmt::kDeliveryCounts,
  };
  return kAll;
}

}  // namespace vik::store
