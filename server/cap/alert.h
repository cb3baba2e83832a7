#pragma once

// A parsed CAP alert (OASIS CAP 1.2, or 1.1 read with its documented differences): the document as
// the sender wrote it, element text trimmed of surrounding XML whitespace, nothing interpreted yet.
// The validator (validator.h) checks it against the specification; values.h turns the checked text
// into typed values (times, geometry, references). Pure data, no I/O.

#include <string>
#include <vector>

namespace vik::cap {

enum class Version { kCap11, kCap12 };
const char* Name(Version v);  // "1.1", "1.2"

struct NameValue {  // <geocode>, <parameter>, <eventCode>: valueName / value pairs
  std::string name;
  std::string value;
};

struct Resource {
  std::string resource_desc;
  std::string mime_type;
  std::string size;  // raw text; validator checks it is a non-negative integer
  std::string uri;
  std::string deref_uri;  // base64 in the document; kept as written
  std::string digest;     // SHA-1 hex
};

struct Area {
  std::string area_desc;
  std::vector<std::string> polygons;  // raw "lat,lon lat,lon ..." strings
  std::vector<std::string> circles;   // raw "lat,lon radius"
  std::vector<NameValue> geocodes;
  std::string altitude;
  std::string ceiling;
};

struct Info {
  std::string language;  // empty: "en-US" by the specification's default
  std::vector<std::string> categories;
  std::string event;
  std::vector<std::string> response_types;
  std::string urgency;
  std::string severity;
  std::string certainty;
  std::string audience;
  std::vector<NameValue> event_codes;
  std::string effective;
  std::string onset;
  std::string expires;
  std::string sender_name;
  std::string headline;
  std::string description;
  std::string instruction;
  std::string web;
  std::string contact;
  std::vector<NameValue> parameters;
  std::vector<Resource> resources;
  std::vector<Area> areas;
};

struct Alert {
  Version version = Version::kCap12;
  std::string identifier;
  std::string sender;
  std::string sent;
  std::string status;
  std::string msg_type;
  std::string source;
  std::string scope;
  std::string restriction;
  std::string addresses;
  std::vector<std::string> codes;
  std::string note;
  std::string references;  // raw, whitespace-separated "sender,identifier,sent" triples
  std::string incidents;
  std::vector<Info> infos;
  bool signed_xml = false;  // carried an XML-DSig <Signature> (kept, not verified)
};

}  // namespace vik::cap
