#pragma once

// Column layouts of the queries whose rows are decoded field by field, shared by several statements
// (the SELECT lists are repeated in each server/store/sql/ file): one enum per layout (namespace col), in
// SELECT-list order, used by the decoders in pg_picture.cc, pg_subscriptions.cc,
// pg_mirror.cc and pg_feeds.cc instead of bare positions.
// kDecodedQueries names every statement returning such rows with its column count;
// tests/integration/statements_test.cc runs each against the migrated schema and fails when a file
// and its layout disagree. Store-internal; compile-time only (no cost per row).

#include <array>

#include "store/statements.h"

namespace vik::store {
namespace col {

// An engine signal (picture/picture_signals.sql, picture/picture_warmup_signals.sql); times in
// microseconds, -1 for none.
enum PictureSignalColumn : int {
  kSignalId,
  kSignalSource,
  kSignalTheme,
  kSignalMunicipalities,
  kSignalStatus,
  kSignalState,
  kSignalMsgType,
  kSignalKind,
  kSignalSeverity,
  kSignalCertainty,
  kSignalUrgency,
  kSignalSentUs,
  kSignalOnsetUs,
  kSignalExpiresUs,
  kSignalReceivedUs,
  kPictureSignalColumns,
};

// A risk row (picture/picture_risks_all.sql; the first columns of RiskDetailColumn).
enum RiskColumn : int {
  kRiskPicture,
  kRiskId,
  kRiskTheme,
  kRiskMunicipality,
  kRiskInPicture,
  kRiskPriority,
  kRiskNowcast,
  kRiskForecast6h,
  kRiskForecast24h,
  kRiskForecast72h,
  kRiskPast,
  kRiskTrend,
  kRiskAnalystLevel,  // -1: none
  kRiskEffectiveLevel,
  kRiskWorstSeverity,
  kRiskSources,
  kRiskBreadth,
  kRiskSignalsInEffect,
  kRiskSignalsUpcoming,
  kRiskSignalIds,
  kRiskComputedUs,
  kRiskColumns,
};

// An assessment (picture/risk_assessments.sql; the last columns of RiskDetailColumn), from an offset.
enum AssessmentColumn : int {
  kAssessmentVersion,
  kAssessmentStatus,
  kAssessmentPhase,
  kAssessmentAnalystLevel,  // -1: none
  kAssessmentScenarios,
  kAssessmentText,
  kAssessmentAdvice,
  kAssessmentPartners,
  kAssessmentReason,
  kAssessmentSetBy,
  kAssessmentSetUs,
  kAssessmentColumns,
};

// A risk with labels and its current assessment (picture/picture_risks_list.sql,
// changes/picture_risks_by_ids.sql: all columns plus a sort key; picture/picture_risk_read.sql: up to
// kDetailMunicipalityName).
enum RiskDetailColumn : int {
  kDetailThemeLabel = kRiskColumns,
  kDetailMunicipalityName,
  kDetailReadColumns,                    // picture_risk_read ends here
  kDetailAssessed = kDetailReadColumns,  // false: the assessment columns are null
  kDetailAssessment,                     // AssessmentColumn from here
  kDetailSortKey = kDetailAssessment + kAssessmentColumns,
  kRiskDetailColumns,
};

// A subscription with its delivery counts (subscriptions/subscriptions_list.sql,
// subscriptions/subscription_read.sql).
enum SubscriptionColumn : int {
  kSubscriptionId,
  kSubscriptionPartner,
  kSubscriptionName,
  kSubscriptionUrl,
  kSubscriptionFilter,
  kSubscriptionCreatedBy,
  kSubscriptionCreatedUs,
  kSubscriptionLastDeliveredUs,  // 0: never
  kSubscriptionLastError,
  kSubscriptionLastErrorUs,  // 0: never
  kSubscriptionPending,
  kSubscriptionDelivered,
  kSubscriptionDead,
  kSubscriptionColumns,
};

// A followed peer (mirror/peer_read.sql); times in microseconds, 0 for never.
enum PeerColumn : int {
  kPeerName,
  kPeerEndpoint,
  kPeerRegion,
  kPeerRegionName,
  kPeerCursor,
  kPeerSyncedUs,
  kPeerSnapshots,
  kPeerChangesApplied,
  kPeerLastContactUs,
  kPeerLastChangeUs,
  kPeerLastError,
  kPeerLastErrorUs,
  kPeerConsecutiveErrors,
  kPeerStatus,  // bytea, null: none yet
  kPeerStatusUs,
  kPeerColumns,
};

// A CAP feed with its polling state (feeds/feeds_list.sql); times in seconds since the epoch.
enum FeedColumn : int {
  kFeedName,
  kFeedUrl,
  kFeedPartner,
  kFeedIntervalS,
  kFeedEnabled,
  kFeedCreatedAt,
  kFeedEtag,
  kFeedLastModified,
  kFeedLastAttemptAt,  // null: never
  kFeedLastSuccessAt,  // null: never
  kFeedLastError,
  kFeedConsecutiveErrors,
  kFeedNextPollAt,
  kFeedEntriesSeen,
  kFeedAllowHosts,  // JSON array of strings
  kFeedColumns,
};

}  // namespace col

struct DecodedQuery {
  const Statement& statement;
  int columns;
};

inline constexpr std::array<DecodedQuery, 11> kDecodedQueries{{
    {stmt::kPictureSignals, col::kPictureSignalColumns},
    {stmt::kPictureWarmupSignals, col::kPictureSignalColumns},
    {stmt::kPictureRisksAll, col::kRiskColumns},
    {stmt::kRiskAssessments, col::kAssessmentColumns},
    {stmt::kPictureRisksList, col::kRiskDetailColumns},
    {stmt::kPictureRisksByIds, col::kRiskDetailColumns},
    {stmt::kPictureRiskRead, col::kDetailReadColumns},
    {stmt::kSubscriptionsList, col::kSubscriptionColumns},
    {stmt::kSubscriptionRead, col::kSubscriptionColumns},
    {stmt::kPeerRead, col::kPeerColumns},
    {stmt::kFeedsList, col::kFeedColumns},
}};

}  // namespace vik::store
