#include "wire/mirror_mapping.h"

#include <algorithm>
#include <map>

#include <google/protobuf/util/time_util.h>

#include "core/utf8.h"
#include "domain/region.h"

namespace vik::wire {
namespace {

using google::protobuf::util::TimeUtil;

constexpr std::size_t kMaxIdLength = 200;

std::int64_t MicrosOf(const google::protobuf::Timestamp& t) { return TimeUtil::TimestampToMicroseconds(t); }

core::Status Bad(int index, const std::string& what) {
  return core::InvalidArgument("change " + std::to_string(index) + " from the peer: " + what);
}

bool KnownPicture(const std::string& p) {
  return p == "actual" || p == "exercise" || p == "system" || p == "test" || p == "draft";
}

core::Result<store::MirrorRiskRow> RiskRowOf(const std::string& picture, const vik::v1::Risk& risk, int index) {
  if (risk.id().empty() || risk.id().size() > kMaxIdLength) {
    return Bad(index, "risk.id is empty or longer than 200 characters");
  }
  if (risk.level() < 0 || risk.level() > 4) {
    return Bad(index, "risk.level " + std::to_string(risk.level()) + " is outside 0..4");
  }
  store::MirrorRiskRow row;
  row.picture = picture;
  row.id = risk.id();
  row.theme = risk.theme();
  row.municipality = risk.municipality();
  row.level = risk.level();
  row.priority = risk.priority();
  row.in_picture = risk.in_picture();
  risk.SerializeToString(&row.body);
  return row;
}

store::MirrorRegionStateRow RegionStateRowOf(const vik::v1::RegionState& s) {
  store::MirrorRegionStateRow row;
  row.region = s.region();
  row.version = s.version();
  row.grip_level = s.grip_level();
  row.phase = s.phase();
  row.set_us = s.has_set_at() ? MicrosOf(s.set_at()) : 0;
  s.SerializeToString(&row.body);
  return row;
}

// What is wrong with one text, or empty.
std::string TextProblem(const std::string& value) {
  if (!core::IsValidUtf8(value)) {
    return "is not valid UTF-8";
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      static constexpr char kHex[] = "0123456789abcdef";
      return std::string(c == 0 ? "contains NUL" : "contains control character 0x") +
             (c == 0 ? std::string() : std::string{kHex[c >> 4], kHex[c & 15]}) + " at byte " + std::to_string(i);
    }
  }
  return {};
}

// The texts of `m` below `path` (see CheckTexts); the first problem found, with its field path.
std::string FindBadText(const google::protobuf::Message& m, const std::string& path) {
  using google::protobuf::FieldDescriptor;
  const auto* reflection = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string at = path.empty() ? f->name() : path + "." + f->name();
    const bool text = f->type() == FieldDescriptor::TYPE_STRING;
    const bool message = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (!text && !message) {
      continue;
    }
    const int n = f->is_repeated() ? reflection->FieldSize(m, f) : 1;
    for (int i = 0; i < n; ++i) {
      const std::string item = f->is_repeated() ? at + "[" + std::to_string(i) + "]" : at;
      std::string problem;
      if (text) {
        std::string scratch;
        const std::string& value = f->is_repeated() ? reflection->GetRepeatedStringReference(m, f, i, &scratch)
                                                    : reflection->GetStringReference(m, f, &scratch);
        if (std::string p = TextProblem(value); !p.empty()) {
          return item + " " + p;
        }
      } else {
        const auto& sub = f->is_repeated() ? reflection->GetRepeatedMessage(m, f, i) : reflection->GetMessage(m, f);
        if (std::string p = FindBadText(sub, item); !p.empty()) {
          return p;
        }
      }
    }
  }
  return {};
}

}  // namespace

core::Status CheckPeerRegion(const std::string& region, const std::string& got, const std::string& field) {
  if (!region.empty() && got != region) {
    return core::PermissionDenied(field + " is \"" + got.substr(0, 20) +
                                  "\", but the peer speaks only for its own region " + region);
  }
  return core::Status::Ok();
}

core::Status CheckTexts(const google::protobuf::Message& message, const std::string& path) {
  if (std::string problem = FindBadText(message, path); !problem.empty()) {
    return core::InvalidArgument(problem);
  }
  return core::Status::Ok();
}

core::Result<store::MirrorApply> MirrorApplyOf(const std::string& peer, const std::string& region,
                                               const std::string& from_cursor,
                                               const vik::v1::ListChangesResponse& page) {
  store::MirrorApply apply;
  apply.peer = peer;
  apply.from_cursor = from_cursor;
  apply.next_cursor = page.next_cursor();
  if (apply.next_cursor.empty() || apply.next_cursor.size() > kMaxIdLength) {
    return core::InvalidArgument("the peer's page has no usable next_cursor");
  }
  // Later bodies of the same object win (they were read at the same instant, so they are equal).
  std::map<std::string, store::MirrorSignalRow> signals;
  std::map<std::pair<std::string, std::string>, store::MirrorRiskRow> risks;
  int index = 0;
  for (const auto& change : page.changes()) {
    ++index;
    if (change.cursor().empty()) {
      return Bad(index, "cursor is empty");
    }
    if (!KnownPicture(change.picture())) {
      return Bad(index, "picture \"" + change.picture().substr(0, 20) +
                            "\" is not one of actual, exercise, system, "
                            "test, draft");
    }
    if (std::string problem = FindBadText(change, ""); !problem.empty()) {
      return Bad(index, problem);
    }
    if (change.kind() == "region.state") {
      if (core::Status s = CheckPeerRegion(region, change.object(), "object"); !s.ok()) {
        return core::PermissionDenied("change " + std::to_string(index) + " from the peer: " + s.message());
      }
    }
    apply.newest_change_us = std::max(apply.newest_change_us, change.has_at() ? MicrosOf(change.at()) : 0);
    ++apply.changes;
    if (change.has_signal()) {
      const auto& s = change.signal();
      if (s.id().empty() || s.id().size() > kMaxIdLength || !s.has_received_at()) {
        return Bad(index, "signal.id or signal.received_at is missing");
      }
      store::MirrorSignalRow row{
          s.id(), s.status(), s.state(), MicrosOf(s.received_at()), s.has_ended_at() ? MicrosOf(s.ended_at()) : 0, {}};
      s.SerializeToString(&row.body);
      signals[row.id] = std::move(row);
    } else if (change.has_risk()) {
      auto row = RiskRowOf(change.picture(), change.risk(), index);
      if (!row.ok()) {
        return row.status();
      }
      risks[{row->picture, row->id}] = std::move(*row);
    } else if (change.has_region_state()) {
      if (!domain::IsRegionCode(change.region_state().region())) {
        return Bad(index, "region_state.region is not a safety region code");
      }
      if (core::Status s = CheckPeerRegion(region, change.region_state().region(), "region_state.region"); !s.ok()) {
        return core::PermissionDenied("change " + std::to_string(index) + " from the peer: " + s.message());
      }
      apply.region_state = RegionStateRowOf(change.region_state());
    }
    // Anything else (a risk.assessed before the risk has a row, a kind this node does not know)
    // carries nothing to store; the cursor passes it.
  }
  for (auto& [id, row] : signals) {
    apply.signals.push_back(std::move(row));
  }
  for (auto& [key, row] : risks) {
    apply.risks.push_back(std::move(row));
  }
  return apply;
}

core::Result<store::MirrorSnapshot> MirrorSnapshotOf(const std::string& peer, const std::string& region,
                                                     const vik::v1::Snapshot& actual,
                                                     const vik::v1::Snapshot* exercise) {
  store::MirrorSnapshot snapshot;
  snapshot.peer = peer;
  snapshot.region = actual.status().region();
  snapshot.region_name = actual.status().region_name();
  snapshot.cursor = actual.cursor();
  if (!domain::IsRegionCode(snapshot.region)) {
    return core::InvalidArgument("the peer's snapshot names no safety region (status.region \"" +
                                 snapshot.region.substr(0, 20) + "\"); is it a national node?");
  }
  if (snapshot.cursor.empty() || snapshot.cursor.size() > kMaxIdLength) {
    return core::InvalidArgument("the peer's snapshot has no usable cursor");
  }
  int index = 0;
  for (const auto* s : {&actual, exercise}) {
    if (s == nullptr) {
      continue;
    }
    const std::string which = s == &actual ? "the peer's snapshot: " : "the peer's exercise snapshot: ";
    const std::string expected = region.empty() ? snapshot.region : region;
    if (core::Status st = CheckPeerRegion(expected, s->status().region(), "status.region"); !st.ok()) {
      return core::PermissionDenied(which + st.message());
    }
    if (s->has_region_state() && !s->region_state().region().empty()) {
      if (core::Status st = CheckPeerRegion(expected, s->region_state().region(), "region_state.region"); !st.ok()) {
        return core::PermissionDenied(which + st.message());
      }
    }
    if (core::Status st = CheckTexts(*s, ""); !st.ok()) {
      return core::InvalidArgument(which + st.message());
    }
    const std::string picture = s->status().picture().empty() ? "actual" : s->status().picture();
    for (const auto& risk : s->status().risks()) {
      auto row = RiskRowOf(picture, risk, ++index);
      if (!row.ok()) {
        return row.status();
      }
      snapshot.risks.push_back(std::move(*row));
    }
  }
  if (actual.has_region_state()) {
    snapshot.region_state = RegionStateRowOf(actual.region_state());
    snapshot.region_state->region = snapshot.region;
  }
  return snapshot;
}

core::Result<std::string> StatusSummaryOf(const std::string& region, const vik::v1::RegionalStatus& status) {
  vik::v1::RegionalStatus summary = status;
  summary.clear_risks();
  if (core::Status s = CheckPeerRegion(region, summary.region(), "region"); !s.ok()) {
    return core::PermissionDenied("the peer's regional status: " + s.message());
  }
  if (core::Status s = CheckTexts(summary, ""); !s.ok()) {
    return core::InvalidArgument("the peer's regional status: " + s.message());
  }
  std::string out;
  summary.SerializeToString(&out);
  return out;
}

namespace {

struct ThemeAcc {
  std::string label;
  std::vector<vik::v1::ThemeRegion> regions;
};

void AddTheme(std::map<std::string, ThemeAcc>& themes, const std::string& theme, const std::string& label,
              const std::string& region, int level, int risks) {
  auto& acc = themes[theme];
  if (acc.label.empty()) {
    acc.label = label;
  }
  vik::v1::ThemeRegion r;
  r.set_region(region);
  r.set_level(level);
  r.set_risks(risks);
  acc.regions.push_back(std::move(r));
}

}  // namespace

vik::v1::NationalStatus BuildNationalStatus(const NationalContext& ctx, const store::MirrorOverview& overview,
                                            const vik::v1::RegionalStatus* own, int top, int min_level,
                                            std::int64_t now_us) {
  vik::v1::NationalStatus out;
  out.set_role(std::string(domain::NodeRoleName(ctx.role)));
  out.set_region(ctx.region);
  *out.mutable_generated_at() = TimeUtil::MicrosecondsToTimestamp(now_us);
  out.set_min_level(min_level);
  std::map<std::string, ThemeAcc> themes;
  std::map<std::string, std::string> theme_labels;  // from the top risks seen

  if (own != nullptr) {
    auto* r = out.add_regions();
    r->set_region(own->region());
    r->set_region_name(own->region_name());
    r->set_grip_level(own->grip_level());
    r->set_phase(own->phase());
    r->set_region_state_version(own->region_state_version());
    r->set_risks_in_picture(own->risks_in_picture());
    r->set_active_incidents(own->active_incidents());
    r->set_active_warnings(own->active_warnings());
    std::vector<int> by_level(5, 0);
    std::map<std::string, std::pair<int, int>> own_themes;  // theme -> (max level, risks)
    for (const auto& risk : own->risks()) {
      if (!risk.in_picture()) {
        continue;
      }
      by_level[static_cast<std::size_t>(std::clamp(risk.level(), 0, 4))]++;
      if (r->top_risks_size() < top) {
        *r->add_top_risks() = risk;
      }
      if (risk.level() >= min_level && !risk.theme().empty()) {
        auto& t = own_themes[risk.theme()];
        t.first = std::max(t.first, risk.level());
        t.second++;
        theme_labels.emplace(risk.theme(), risk.theme_label());
      }
    }
    for (int n : by_level) {
      r->add_risks_by_level(n);
    }
    for (const auto& [theme, t] : own_themes) {
      AddTheme(themes, theme, theme_labels[theme], own->region(), t.first, t.second);
    }
    auto* f = r->mutable_freshness();
    *f->mutable_last_contact_at() = TimeUtil::MicrosecondsToTimestamp(now_us);
    if (own->has_computed_at()) {
      *f->mutable_computed_at() = own->computed_at();
    }
    f->set_picture_lag_seconds(own->picture_lag_seconds());
  }

  std::map<std::string, std::string> region_of;  // peer -> region
  for (const auto& view : overview.peers) {
    const auto& p = view.peer;
    region_of[p.name] = p.region;
    auto* r = out.add_regions();
    r->set_region(p.region);
    r->set_region_name(p.region_name);
    r->set_peer(p.name);
    vik::v1::RegionState state;
    if (!view.region_state.empty() && state.ParseFromString(view.region_state)) {
      r->set_grip_level(state.grip_level());
      r->set_phase(state.phase());
      r->set_region_state_version(state.version());
    }
    int in_picture = 0;
    for (int n : view.risks_by_level) {
      r->add_risks_by_level(n);
      in_picture += n;
    }
    r->set_risks_in_picture(in_picture);
    for (const auto& body : view.top_risks) {
      vik::v1::Risk risk;
      if (risk.ParseFromString(body)) {
        theme_labels.emplace(risk.theme(), risk.theme_label());
        *r->add_top_risks() = std::move(risk);
      }
    }
    vik::v1::RegionalStatus status;
    auto* f = r->mutable_freshness();
    if (!p.status.empty() && status.ParseFromString(p.status)) {
      r->set_active_incidents(status.active_incidents());
      r->set_active_warnings(status.active_warnings());
      f->set_picture_lag_seconds(status.picture_lag_seconds());
      if (status.has_computed_at()) {
        *f->mutable_computed_at() = status.computed_at();
      }
    }
    if (p.last_contact_us > 0) {
      *f->mutable_last_contact_at() = TimeUtil::MicrosecondsToTimestamp(p.last_contact_us);
    }
    if (p.last_change_us > 0) {
      *f->mutable_last_change_at() = TimeUtil::MicrosecondsToTimestamp(p.last_change_us);
    }
    if (p.synced_us > 0) {
      *f->mutable_synced_at() = TimeUtil::MicrosecondsToTimestamp(p.synced_us);
    }
    const std::int64_t silent_us = p.last_contact_us > 0 ? now_us - p.last_contact_us : -1;
    f->set_silent_seconds(silent_us < 0 ? -1 : silent_us / 1000000);
    const bool stale =
        silent_us < 0 || silent_us > std::chrono::duration_cast<std::chrono::microseconds>(ctx.stale_after).count();
    f->set_stale(stale);
    f->set_last_error(p.last_error);
    f->set_consecutive_errors(p.consecutive_errors);
    f->set_changes_applied(p.changes_applied);
    f->set_snapshots(p.snapshots);
    if (stale) {
      out.set_regions_stale(out.regions_stale() + 1);
    }
  }
  for (const auto& t : overview.themes) {
    const auto region = region_of.find(t.peer);
    if (region == region_of.end() || region->second.empty()) {
      continue;
    }
    const auto label = theme_labels.find(t.theme);
    AddTheme(themes, t.theme, !t.label.empty() || label == theme_labels.end() ? t.label : label->second, region->second,
             t.max_level, t.risks);
  }
  std::vector<vik::v1::CrossRegionalTheme> cross;
  for (auto& [theme, acc] : themes) {
    if (acc.regions.size() < 2) {
      continue;
    }
    std::sort(acc.regions.begin(), acc.regions.end(), [](const auto& a, const auto& b) {
      return a.level() != b.level() ? a.level() > b.level() : a.region() < b.region();
    });
    vik::v1::CrossRegionalTheme c;
    c.set_theme(theme);
    c.set_theme_label(acc.label);
    c.set_max_level(acc.regions.front().level());
    for (auto& r : acc.regions) {
      *c.add_regions() = std::move(r);
    }
    cross.push_back(std::move(c));
  }
  std::stable_sort(cross.begin(), cross.end(), [](const auto& a, const auto& b) {
    return a.max_level() != b.max_level() ? a.max_level() > b.max_level() : a.regions_size() > b.regions_size();
  });
  for (auto& c : cross) {
    *out.add_cross_regional() = std::move(c);
  }
  return out;
}

}  // namespace vik::wire
