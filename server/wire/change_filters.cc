#include "wire/change_filters.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/util/json_util.h>

#include "wire/change_mapping.h"

namespace vik::wire {

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

core::Result<store::ChangeCursor> ToProtoPageBounded(const store::ChangePage& page, const domain::ChangeFilter& filter,
                                                     std::size_t max_bytes, vik::v1::ListChangesResponse* out) {
  using google::protobuf::io::CodedOutputStream;
  vik::v1::Change change;
  std::size_t bytes = 0;  // of the repeated `changes` field so far
  const store::ChangeCursor* last_read = nullptr;
  for (const auto& c : page.changes) {
    change.Clear();
    ToProtoChange(page, c, &change);
    if (filter.empty() || domain::Matches(filter, FactsOf(change))) {
      const std::size_t size = change.ByteSizeLong();
      const std::size_t framed = 1 + CodedOutputStream::VarintSize64(size) + size;
      if (bytes + framed > max_bytes) {
        if (out->changes_size() == 0) {
          return core::FailedPrecondition("change " + FormatCursor(c.cursor) + " (" + c.kind + " " +
                                          c.object.substr(0, 64) + ") is " + std::to_string(size) +
                                          " bytes, more than a page may hold (" + std::to_string(max_bytes) +
                                          " bytes, from grpc.max_message_bytes); it cannot be given out");
        }
        out->set_next_cursor(FormatCursor(*last_read));
        out->set_more(true);
        return *last_read;
      }
      bytes += framed;
      out->add_changes()->Swap(&change);
    }
    last_read = &c.cursor;
  }
  out->set_next_cursor(FormatCursor(page.next));
  out->set_more(page.more);
  return page.next;
}

std::size_t PageBytesFor(std::size_t max_message_bytes) {
  constexpr std::size_t kRoom = 1024;  // next_cursor (at most 42 characters), more, framing
  return max_message_bytes > 2 * kRoom ? max_message_bytes - kRoom : max_message_bytes / 2;
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

}  // namespace vik::wire
