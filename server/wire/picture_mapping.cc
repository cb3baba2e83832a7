#include "wire/picture_mapping.h"

#include <google/protobuf/util/time_util.h>

#include "domain/risk_scoring.h"

namespace vik::wire {
namespace {

using google::protobuf::util::TimeUtil;

void SetMicros(std::int64_t us, google::protobuf::Timestamp* out) { *out = TimeUtil::MicrosecondsToTimestamp(us); }

vik::v1::Trend ToProtoTrend(domain::Trend t) {
  switch (t) {
    case domain::Trend::kFalling:
      return vik::v1::TREND_FALLING;
    case domain::Trend::kStable:
      return vik::v1::TREND_STABLE;
    case domain::Trend::kRising:
      return vik::v1::TREND_RISING;
  }
  return vik::v1::TREND_STABLE;
}

void AddForecasts(const domain::RiskLevels& levels, google::protobuf::RepeatedPtrField<vik::v1::Forecast>* out) {
  static constexpr int kHours[] = {6, 24, 72};
  for (std::size_t i = 0; i < levels.forecast.size(); ++i) {
    auto* f = out->Add();
    f->set_hours(kHours[i]);
    f->set_level(levels.forecast[i]);
  }
}

void ToProtoScenario(const store::ScenarioRecord& s, vik::v1::Scenario* out) {
  out->set_description(s.description);
  out->set_likelihood(s.likelihood);
  out->set_impact(s.impact);
}

}  // namespace

bool IsStale(const store::SourceFreshnessRecord& s, std::int64_t now_us) {
  if (s.expected_interval_s <= 0) {
    return false;
  }
  if (!s.last_signal_us) {
    return true;
  }
  return now_us - *s.last_signal_us > 2 * s.expected_interval_s * 1000000;
}

void ToProtoAssessment(const store::AssessmentRecord& a, vik::v1::Assessment* out) {
  out->set_version(a.version);
  out->set_status(a.status);
  out->set_phase(a.phase);
  if (a.analyst_level) {
    out->set_analyst_level(*a.analyst_level);
  }
  ToProtoScenario(a.worst, out->mutable_worst_case());
  ToProtoScenario(a.real, out->mutable_real_case());
  ToProtoScenario(a.best, out->mutable_best_case());
  out->set_assessment(a.assessment);
  for (const auto& x : a.advice) {
    out->add_advice(x);
  }
  for (const auto& p : a.partners) {
    out->add_partners(p);
  }
  out->set_reason(a.reason);
  out->set_set_by(a.set_by);
  SetMicros(a.set_us, out->mutable_set_at());
}

void ToProtoRisk(const store::RiskRecord& r, vik::v1::Risk* out, bool full_assessment) {
  const store::RiskRow& row = r.row;
  out->set_id(row.id);
  out->set_theme(row.theme);
  out->set_theme_label(r.theme_label);
  out->set_municipality(row.municipality);
  out->set_municipality_name(r.municipality_name);
  out->set_priority(row.priority);
  out->set_nowcast(row.levels.nowcast);
  if (row.analyst_level) {
    out->set_analyst_level(*row.analyst_level);
  }
  out->set_level(row.effective_level);
  out->set_colour(domain::LevelColourNl(row.effective_level));
  AddForecasts(row.levels, out->mutable_forecast());
  out->set_trend(ToProtoTrend(row.levels.trend));
  out->set_worst_severity(row.worst_severity);
  out->set_sources(row.sources);
  out->set_signals_in_effect(row.signals_in_effect);
  out->set_signals_upcoming(row.signals_upcoming);
  for (const auto& id : row.signal_ids) {
    out->add_signal_ids(id);
  }
  out->set_in_picture(row.in_picture);
  if (row.computed_us > 0) {
    SetMicros(row.computed_us, out->mutable_computed_at());
  }
  if (r.assessment) {
    auto* a = out->mutable_assessment();
    ToProtoAssessment(*r.assessment, a);
    if (!full_assessment) {
      for (auto* scenario : {a->mutable_worst_case(), a->mutable_real_case(), a->mutable_best_case()}) {
        scenario->clear_description();
      }
      a->clear_assessment();
      a->clear_advice();
      a->clear_reason();
    }
  }
}

void ToProtoStatus(const store::RegionalStatusRecord& r, const StatusContext& ctx, vik::v1::RegionalStatus* out) {
  out->set_region(r.region);
  out->set_region_name(r.region_name);
  out->set_picture(r.picture.picture);
  SetMicros(r.now_us, out->mutable_generated_at());
  if (r.picture.computed_us > 0) {
    SetMicros(r.picture.computed_us, out->mutable_computed_at());
  }
  if (r.state) {
    out->set_grip_level(r.state->grip_level);
    out->set_phase(r.state->phase);
    out->set_region_state_version(r.state->version);
  } else {
    out->set_phase("koud");
  }
  out->set_active_incidents(r.picture.counts.incidents);
  out->set_active_warnings(r.picture.counts.warnings);
  out->set_signals_in_effect(r.picture.counts.signals_in_effect);
  out->set_risks_in_picture(r.picture.risks_in_picture);
  out->set_picture_lag_seconds(r.picture.lag_seconds);
  for (const auto& risk : r.risks) {
    ToProtoRisk(risk, out->add_risks(), false);
  }
  for (const auto& s : r.sources) {
    if (!IsStale(s, r.now_us)) {
      continue;
    }
    auto* f = out->add_stale_sources();
    f->set_source(s.source);
    f->set_partner(s.partner);
    f->set_expected_interval_seconds(s.expected_interval_s);
    f->set_stale(true);
    if (s.last_signal_us) {
      SetMicros(*s.last_signal_us, f->mutable_last_signal_at());
      f->set_silent_seconds((r.now_us - *s.last_signal_us) / 1000000);
    }
  }
  auto* cluster = out->mutable_cluster();
  if (r.lease.valid && r.lease.holder) {
    cluster->set_leader(*r.lease.holder);
  }
  cluster->set_epoch(r.lease.epoch);
  cluster->set_live_instances(r.live_instances);
  cluster->set_served_by(ctx.node_id);
}

void ToProtoRiskDetail(const store::RiskDetail& d, vik::v1::RiskDetail* out) {
  out->set_picture(d.risk.row.picture);
  ToProtoRisk(d.risk, out->mutable_risk(), true);
  for (const auto& s : d.signals) {
    auto* p = out->add_signals();
    p->set_id(s.id);
    p->set_source(s.source);
    p->set_external_id(s.external_id);
    p->set_kind(s.kind);
    p->set_severity(s.severity);
    p->set_certainty(s.certainty);
    p->set_urgency(s.urgency);
    p->set_headline(s.headline);
    p->set_state(s.state);
    SetMicros(s.sent_us, p->mutable_sent_at());
    if (s.onset_us >= 0) {
      SetMicros(s.onset_us, p->mutable_onset_at());
    }
    if (s.expires_us >= 0) {
      SetMicros(s.expires_us, p->mutable_expires_at());
    }
  }
  for (const auto& a : d.assessments) {
    ToProtoAssessment(a, out->add_assessments());
  }
  for (const auto& l : d.levels) {
    auto* p = out->add_levels();
    SetMicros(l.at_us, p->mutable_at());
    p->set_nowcast(l.levels.nowcast);
    if (l.analyst_level) {
      p->set_analyst_level(*l.analyst_level);
    }
    p->set_level(l.effective_level);
    AddForecasts(l.levels, p->mutable_forecast());
    p->set_trend(ToProtoTrend(l.levels.trend));
  }
}

}  // namespace vik::wire
