#include "exchange/change_filters.h"

#include <google/protobuf/util/json_util.h>

#include "exchange/change_mapping.h"

namespace vik::exchange {

core::Result<domain::ChangeFilter> FilterFromProto(const vik::v1::ChangeFilter& proto) {
  domain::ChangeFilter f;
  f.themes.assign(proto.themes().begin(), proto.themes().end());
  f.municipalities.assign(proto.municipalities().begin(), proto.municipalities().end());
  f.min_level = proto.min_level();
  f.kinds.assign(proto.kinds().begin(), proto.kinds().end());
  f.picture = proto.picture();
  if (core::Status s = domain::ValidateFilter(f); !s.ok()) {
    return core::InvalidArgument("filter." + s.message());
  }
  return f;
}

void FilterToProto(const domain::ChangeFilter& filter, vik::v1::ChangeFilter* out) {
  for (const auto& t : filter.themes) {
    out->add_themes(t);
  }
  for (const auto& m : filter.municipalities) {
    out->add_municipalities(m);
  }
  out->set_min_level(filter.min_level);
  for (const auto& k : filter.kinds) {
    out->add_kinds(k);
  }
  out->set_picture(filter.picture);
}

domain::ChangeFacts FactsOf(const vik::v1::Change& change) {
  domain::ChangeFacts facts;
  facts.kind = change.kind();
  facts.picture = change.picture();
  if (change.has_signal()) {
    const auto& s = change.signal().signal();
    facts.theme = s.theme();
    facts.municipalities.assign(s.area().municipalities().begin(), s.area().municipalities().end());
  } else if (facts.kind.rfind("risk.", 0) == 0) {
    const auto parts = domain::SplitRiskId(change.object());
    facts.theme = parts.theme;
    if (!parts.municipality.empty()) {
      facts.municipalities.push_back(parts.municipality);
    }
    if (change.has_risk()) {
      facts.level = change.risk().level();
    }
  }
  return facts;
}

void ToProtoPageFiltered(const store::ChangePage& page, const domain::ChangeFilter& filter,
                         vik::v1::ListChangesResponse* out) {
  vik::v1::Change change;
  for (const auto& c : page.changes) {
    change.Clear();
    ToProtoChange(page, c, &change);
    if (filter.empty() || domain::Matches(filter, FactsOf(change))) {
      out->add_changes()->Swap(&change);
    }
  }
  out->set_next_cursor(FormatCursor(page.next));
  out->set_more(page.more);
}

std::string ChangeJson(const vik::v1::Change& change) {
  std::string body;
  google::protobuf::util::JsonPrintOptions print;
  print.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(change, &body, print).ok()) {
    return "{\"cursor\":\"" + change.cursor() + "\",\"kind\":\"" + change.kind() + "\"}";
  }
  return body;
}

}  // namespace vik::exchange
