// vik_cap_bench: the CAP benchmark of docs/performance.md ("CAP").
//
//   vik_cap_bench parse [options]   CAP messages per second on one core, in process: cap::ParseAlert
//                                   alone, + cap::Validate, + cap::MapAlert (with the VR21 reference
//                                   data and the real municipality boundaries of migrations/0006), over
//                                   the corpus (tests/data/cap) and synthetic alerts of 1 KB, 20 KB,
//                                   500 KB and 880 KB (one polygon of 877 KB).
//   vik_cap_bench http --http HOST:PORT --token-file FILE --sender ID [options]
//                                   CAP documents ingested end to end: N concurrent clients POST
//                                   distinct alerts to a running vikd's /v1/cap.
//
// tests/bench/cap_run.sh sets up PostgreSQL and vikd and runs both. See --help for the options.
// Exit codes: 0 the run completed, 1 it failed (including any message not accepted in `http`), 2 usage.

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "bench/flags.h"
#include "bench/http_load.h"
#include "bench/stats.h"
#include "cap/mapping.h"
#include "cap/parser.h"
#include "cap/validator.h"
#include "domain/geometry.h"
#include "domain/reference_data.h"

#ifndef VIK_SOURCE_DIR
#define VIK_SOURCE_DIR "."
#endif

namespace vik::bench {
namespace {

using Seconds = std::chrono::duration<double>;
constexpr double kDisturbedCores = 0.1;  // as in vik_ingest_bench

Clock::duration Duration(double seconds) { return std::chrono::duration_cast<Clock::duration>(Seconds(seconds)); }

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path.string());
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string Fixed(double v, int decimals) {
  if (std::isnan(v)) {
    return "-";
  }
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "unknown";
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  double one = 0, five = 0, fifteen = 0;
  in >> one >> five >> fifteen;
  return Fixed(one, 2) + " " + Fixed(five, 2) + " " + Fixed(fifteen, 2);
}

// "2026-11-25T10:00:00+00:00" for `t` (UTC).
std::string CapTime(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
  return buf;
}

// ------------------------------------------------------------------------------------------------
// Synthetic alerts (VR21, Brabant-Noord)

// A closed ring of `points` vertices (the last repeats the first) around (lat, lon): a circle of
// `radius` degrees with a wavy edge, so that long rings look like detailed boundaries. 6 decimals.
std::string Ring(double lat, double lon, double radius, int points) {
  std::string out;
  out.reserve(static_cast<std::size_t>(points) * 20);
  char buf[64];
  std::string first;
  for (int i = 0; i < points - 1; ++i) {
    const double a = 2 * M_PI * i / (points - 1);
    const double r = radius * (1 + 0.08 * std::sin(23 * a));
    std::snprintf(buf, sizeof buf, "%.6f,%.6f", lat + r * std::sin(a), lon + r * 1.6 * std::cos(a));
    if (i == 0) {
      first = buf;
    } else {
      out += ' ';
    }
    out += buf;
  }
  out += ' ';
  out += first;
  return out;
}

struct Place {
  double lat, lon;
};
// Around 's-Hertogenbosch, Oss, Meierijstad, Land van Cuijk, Heusden, Maashorst.
constexpr Place kPlaces[] = {{51.69, 5.30}, {51.77, 5.52}, {51.60, 5.45}, {51.65, 5.85}, {51.72, 5.14}, {51.70, 5.62}};

std::string AlertHead(const std::string& identifier, const std::string& sender, const std::string& sent) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">\n"
         "  <identifier>" +
         identifier + "</identifier>\n  <sender>" + sender + "</sender>\n  <sent>" + sent +
         "</sent>\n  <status>Actual</status>\n  <msgType>Alert</msgType>\n  <scope>Public</scope>\n";
}

std::string InfoHead(const std::string& language, const std::string& category, const std::string& event,
                     const std::string& severity, const std::string& expires, const std::string& headline,
                     const std::string& description) {
  return "  <info>\n    <language>" + language + "</language>\n    <category>" + category + "</category>\n    <event>" +
         event + "</event>\n    <urgency>Immediate</urgency>\n    <severity>" + severity +
         "</severity>\n    <certainty>Observed</certainty>\n    <expires>" + expires +
         "</expires>\n    <senderName>Veiligheidsregio Brabant-Noord</senderName>\n    <headline>" + headline +
         "</headline>\n    <description>" + description +
         "</description>\n    <instruction>Ga naar binnen, sluit ramen en deuren en zet de ventilatie uit."
         "</instruction>\n    <web>https://www.vrbn.nl/actueel</web>\n"
         "    <parameter><valueName>crisistype</valueName><value>2.1</value></parameter>\n";
}

// About 1 KB: one <info>, one <area> with a 9-point polygon and no geocode (located by geometry).
std::string SmallAlert(const std::string& identifier, const std::string& sender, const std::string& sent,
                       const std::string& expires) {
  return AlertHead(identifier, sender, sent) +
         InfoHead("nl-NL", "Fire", "Grote brand", "Severe", expires, "Grote brand industrieterrein De Rietvelden",
                  "Rookontwikkeling bij een brand in een bedrijfspand; de rook trekt richting het centrum.") +
         "    <area>\n      <areaDesc>Industrieterrein De Rietvelden</areaDesc>\n      <polygon>" +
         Ring(51.705, 5.285, 0.01, 9) + "</polygon>\n    </area>\n  </info>\n</alert>\n";
}

// About 20 KB: three <info> blocks (Dutch and English variants of one storm warning, and a second
// warning), three areas each with two 46-point polygons; one area also has geocodes.
std::string MediumAlert(const std::string& identifier, const std::string& sender, const std::string& sent,
                        const std::string& expires) {
  std::string out = AlertHead(identifier, sender, sent);
  const struct {
    const char* language;
    const char* severity;
    const char* headline;
  } infos[] = {{"nl-NL", "Severe", "Zware windstoten verwacht"},
               {"en-US", "Severe", "Severe gusts expected"},
               {"nl-NL", "Extreme", "Zeer zware windstoten langs de Maas"}};
  int place = 0;
  for (const auto& info : infos) {
    out += InfoHead(info.language, "Met", "Storm", info.severity, expires, info.headline,
                    "Windstoten tot 120 km/u; omvallende bomen en rondvliegende voorwerpen.");
    for (int area = 0; area < 3; ++area) {
      out += "    <area>\n      <areaDesc>Deelgebied " + std::to_string(area + 1) + "</areaDesc>\n";
      for (int polygon = 0; polygon < 2; ++polygon) {
        const Place& p = kPlaces[place++ % std::size(kPlaces)];
        out += "      <polygon>" + Ring(p.lat, p.lon, 0.03 + 0.01 * polygon, 46) + "</polygon>\n";
      }
      if (area == 2) {
        out +=
            "      <geocode><valueName>CBS_GM</valueName><value>GM0796</value></geocode>\n"
            "      <geocode><valueName>CBS_GM</valueName><value>GM0828</value></geocode>\n";
      }
      out += "    </area>\n";
    }
    out += "  </info>\n";
  }
  return out + "</alert>\n";
}

// About 500 KB: one <info>, two areas with four polygons of 3,300 points each (within the signal
// limits: at most 32 polygons of 4,096 points).
std::string LargeAlert(const std::string& identifier, const std::string& sender, const std::string& sent,
                       const std::string& expires) {
  std::string out = AlertHead(identifier, sender, sent) +
                    InfoHead("nl-NL", "Env", "Overstroming", "Extreme", expires, "Dijkdoorbraak Maas",
                             "Water stroomt het gebied in; volg de evacuatieroutes.");
  int place = 0;
  for (int area = 0; area < 2; ++area) {
    out += "    <area>\n      <areaDesc>Overstromingsgebied " + std::to_string(area + 1) + "</areaDesc>\n";
    for (int polygon = 0; polygon < 4; ++polygon) {
      const Place& p = kPlaces[place++ % std::size(kPlaces)];
      out += "      <polygon>" + Ring(p.lat, p.lon, 0.05, 3300) + "</polygon>\n";
    }
    out += "    </area>\n";
  }
  return out + "  </info>\n</alert>\n";
}

// About 880 KB: what a national weather service sends for a whole country: one <info>, one
// <area>, one polygon of 45,000 points (~877 KB) around the whole region. Only the document limit
// (1 MiB) bounds it; the signal keeps a 4,096-point simplification (docs/cap.md).
std::string NationalAlert(const std::string& identifier, const std::string& sender, const std::string& sent,
                          const std::string& expires) {
  return AlertHead(identifier, sender, sent) +
         InfoHead("en-GB", "Met", "Severe gale", "Severe", expires, "Severe gale warning for the whole country",
                  "Gusts of 100 km/h expected.") +
         "    <area>\n      <areaDesc>The whole country</areaDesc>\n      <polygon>" + Ring(51.7, 5.45, 0.6, 45000) +
         "</polygon>\n    </area>\n  </info>\n</alert>\n";
}

using AlertMaker = std::string (*)(const std::string&, const std::string&, const std::string&, const std::string&);

std::optional<AlertMaker> MakerNamed(const std::string& name) {
  if (name == "small") {
    return SmallAlert;
  }
  if (name == "medium") {
    return MediumAlert;
  }
  if (name == "large") {
    return LargeAlert;
  }
  if (name == "national") {
    return NationalAlert;
  }
  return std::nullopt;
}

// ------------------------------------------------------------------------------------------------
// Reference data: VR21 as vikd loads it (store::Store::LoadReferenceData), from the migrations.

std::vector<std::pair<std::string, std::string>> QuotedPairs(const std::string& sql, const std::string& after) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto start = sql.find(after);
  if (start == std::string::npos) {
    return out;
  }
  const auto end = sql.find(';', start);
  for (auto at = sql.find("('", start); at != std::string::npos && at < end; at = sql.find("('", at + 1)) {
    const auto a_end = sql.find('\'', at + 2);
    const auto b_open = sql.find('\'', a_end + 1);
    const auto b_end = sql.find('\'', b_open + 1);
    out.emplace_back(sql.substr(at + 2, a_end - at - 2), sql.substr(b_open + 1, b_end - b_open - 1));
  }
  return out;
}

domain::ReferenceData Vr21(const std::string& source_dir) {
  domain::ReferenceData r;
  r.region = "VR21";
  for (const auto& [category, theme] :
       QuotedPairs(ReadFile(source_dir + "/migrations/0005_cap.sql"), "INSERT INTO cap_category_themes")) {
    r.cap_category_themes[category] = theme;
    r.themes.insert(theme);
    r.themes.insert(theme.substr(0, theme.find('.')));
  }
  // Rows look like ('GM0796', 1, 'lat,lon lat,lon ...', ...), as in tests/unit/domain_geometry_test.cc.
  const std::string sql = ReadFile(source_dir + "/migrations/0006_municipality_boundaries.sql");
  std::map<std::string, std::vector<std::vector<domain::Point>>> rings;
  std::size_t vertices = 0;
  for (std::size_t at = sql.find("('GM"); at != std::string::npos; at = sql.find("('GM", at + 1)) {
    const std::string code = sql.substr(at + 2, 6);
    const std::size_t open = sql.find('\'', sql.find(',', at) + 1);
    const std::size_t close = sql.find('\'', open + 1);
    auto ring = domain::ParseRing(std::string_view(sql).substr(open + 1, close - open - 1));
    if (!ring) {
      throw std::runtime_error("migration 0006: bad ring for " + code);
    }
    vertices += ring->size();
    rings[code].push_back(std::move(*ring));
  }
  std::vector<domain::MunicipalityShape> shapes;
  for (auto& [code, parts] : rings) {
    r.municipalities.insert(code);
    shapes.emplace_back(code, std::move(parts));
  }
  if (shapes.empty()) {
    throw std::runtime_error("migration 0006 holds no boundaries");
  }
  std::fprintf(stderr, "reference data: %zu municipalities, %zu boundary vertices, %zu CAP categories\n", shapes.size(),
               vertices, r.cap_category_themes.size());
  r.areas = std::make_shared<const domain::AreaLocator>(std::move(shapes));
  return r;
}

// ------------------------------------------------------------------------------------------------
// parse

struct ParseOptions {
  double seconds = 2;         // each stage of each synthetic alert and of the whole corpus
  double file_seconds = 0.3;  // each stage of each corpus file
  double warmup = 0.2;        // before each measurement (not counted)
  int cpu = -1;               // -1: the last CPU this process may run on
  std::string only;           // measure only the documents whose name contains this
  std::string source_dir = VIK_SOURCE_DIR;
  std::string json_out;
};

struct Document {
  std::string name;
  std::vector<std::string> bytes;  // one or more documents, processed round robin
  double seconds = 0;
  std::size_t total_bytes() const {
    std::size_t n = 0;
    for (const auto& b : bytes) {
      n += b.size();
    }
    return n;
  }
};

enum class Stage { kParse, kValidate, kMap };
constexpr Stage kStages[] = {Stage::kParse, Stage::kValidate, Stage::kMap};

struct StageResult {
  double messages_per_s = NAN;
  double mb_per_s = NAN;
};

struct DocumentResult {
  std::string name;
  std::size_t bytes = 0;    // mean per message
  std::size_t signals = 0;  // per pass over the document(s)
  std::size_t violations = 0;
  StageResult stage[3];
};

// Processes every document in `doc` once through `stage`; returns a value the optimiser must keep.
std::size_t Pass(const Document& doc, Stage stage, const domain::ReferenceData& reference) {
  std::size_t sink = 0;
  for (const auto& bytes : doc.bytes) {
    auto parsed = cap::ParseAlert(bytes);
    if (!parsed.ok()) {
      throw std::runtime_error(doc.name + ": " + parsed.status().message());
    }
    sink += parsed->infos.size();
    if (stage == Stage::kParse) {
      continue;
    }
    const auto violations = cap::Validate(*parsed);
    sink += violations.size();
    if (stage == Stage::kValidate || !violations.empty()) {
      continue;  // MapAlert REQUIRES a valid alert
    }
    sink += cap::MapAlert(*parsed, reference).signals.size();
  }
  return sink;
}

StageResult Time(const Document& doc, Stage stage, const domain::ReferenceData& reference, double warmup,
                 std::size_t& sink) {
  const auto warm_until = Clock::now() + Duration(warmup);
  while (Clock::now() < warm_until) {
    sink += Pass(doc, stage, reference);
  }
  const auto start = Clock::now();
  const auto until = start + Duration(doc.seconds);
  std::uint64_t passes = 0;
  Clock::time_point now;
  do {
    sink += Pass(doc, stage, reference);
    ++passes;
    now = Clock::now();
  } while (now < until);
  const double elapsed = Seconds(now - start).count();
  StageResult out;
  out.messages_per_s = static_cast<double>(passes * doc.bytes.size()) / elapsed;
  out.mb_per_s = static_cast<double>(passes * doc.total_bytes()) / elapsed / 1e6;
  return out;
}

int PinTo(int cpu) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) {
    return -1;
  }
  if (cpu < 0) {
    for (int c = CPU_SETSIZE - 1; c >= 0; --c) {
      if (CPU_ISSET(c, &allowed)) {
        cpu = c;
        break;
      }
    }
  }
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  return sched_setaffinity(0, sizeof one, &one) == 0 ? cpu : -1;
}

int RunParse(const ParseOptions& o) {
  const int cpu = PinTo(o.cpu);
  const std::string load_before = LoadAverage();
  const domain::ReferenceData reference = Vr21(o.source_dir);

  std::vector<Document> docs;
  Document corpus{"corpus: all files round robin", {}, o.seconds};
  const std::filesystem::path data = std::filesystem::path(o.source_dir) / "tests/data/cap";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(data / "valid")) {
    files.push_back(entry.path());
  }
  for (const auto& entry : std::filesystem::directory_iterator(data / "other-versions")) {
    // The CAP 1.1 files (vik refuses CAP 1.0).
    if (ReadFile(entry.path()).find("urn:oasis:names:tc:emergency:cap:1.1") != std::string::npos) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::string bytes = ReadFile(path);
    corpus.bytes.push_back(bytes);
    const std::string dir = path.parent_path().filename().string();
    docs.push_back({(dir == "valid" ? "" : dir + "/") + path.filename().string(), {std::move(bytes)}, o.file_seconds});
  }
  const std::string sent = "2026-11-25T10:00:00+01:00";
  const std::string expires = "2026-11-25T16:00:00+01:00";
  docs.push_back(std::move(corpus));
  docs.push_back({"synthetic small (1 info, 9-point polygon)",
                  {SmallAlert("bench-small", "caco@vr21.nl", sent, expires)},
                  o.seconds});
  docs.push_back({"synthetic medium (3 infos, 18 polygons x 46 points)",
                  {MediumAlert("bench-medium", "caco@vr21.nl", sent, expires)},
                  o.seconds});
  docs.push_back({"synthetic large (8 polygons x 3,300 points)",
                  {LargeAlert("bench-large", "caco@vr21.nl", sent, expires)},
                  o.seconds});
  docs.push_back({"synthetic national (1 polygon x 45,000 points, 880 KB)",
                  {NationalAlert("bench-national", "caco@vr21.nl", sent, expires)},
                  o.seconds});

  std::printf("vik CAP benchmark: parse, validate and map in process, one thread\n");
  std::printf("CPU: %s; %u CPUs online; pinned to CPU %s\n", CpuModel().c_str(), std::thread::hardware_concurrency(),
              cpu >= 0 ? std::to_string(cpu).c_str() : "none (sched_setaffinity failed)");
  std::printf("load average before: %s\n", load_before.c_str());
  std::printf("each measurement: %.1f s (corpus files: %.1f s) after %.1f s of warm-up\n", o.seconds, o.file_seconds,
              o.warmup);

  std::size_t sink = 0;
  std::vector<DocumentResult> results;
  const CpuSample c0 = SampleCpu(0, 0);
  for (const auto& doc : docs) {
    if (doc.name.find(o.only) == std::string::npos) {
      continue;
    }
    DocumentResult r;
    r.name = doc.name;
    r.bytes = doc.total_bytes() / doc.bytes.size();
    for (const auto& bytes : doc.bytes) {
      auto parsed = cap::ParseAlert(bytes);
      if (!parsed.ok()) {
        std::fprintf(stderr, "vik_cap_bench: %s does not parse: %s\n", doc.name.c_str(),
                     parsed.status().message().c_str());
        return 1;
      }
      const auto violations = cap::Validate(*parsed);
      r.violations += violations.size();
      if (violations.empty()) {
        r.signals += cap::MapAlert(*parsed, reference).signals.size();
      }
    }
    std::fprintf(stderr, "==> %s\n", doc.name.c_str());
    for (Stage s : kStages) {
      r.stage[static_cast<int>(s)] = Time(doc, s, reference, o.warmup, sink);
    }
    results.push_back(r);
  }
  const CpuSample c1 = SampleCpu(0, 0);
  const CpuUse use = CoresUsed(c0, c1);

  std::printf("\n%-60s %7s %4s | %9s %7s | %9s %7s | %9s %7s | %8s %8s %8s\n", "document", "bytes", "sig", "parse/s",
              "MB/s", "+valid/s", "MB/s", "+map/s", "MB/s", "parse us", "valid us", "map us");
  for (const auto& r : results) {
    const double t1 = 1e6 / r.stage[0].messages_per_s;
    const double t2 = 1e6 / r.stage[1].messages_per_s;
    const double t3 = 1e6 / r.stage[2].messages_per_s;
    std::printf("%-60s %7zu %4zu | %9.0f %7.1f | %9.0f %7.1f | %9.0f %7.1f | %8.1f %8.1f %8.1f%s\n", r.name.c_str(),
                r.bytes, r.signals, r.stage[0].messages_per_s, r.stage[0].mb_per_s, r.stage[1].messages_per_s,
                r.stage[1].mb_per_s, r.stage[2].messages_per_s, r.stage[2].mb_per_s, t1, t2 - t1, t3 - t2,
                r.violations > 0 ? " (has violations: not mapped)" : "");
  }
  std::printf(
      "(sig: signals MapAlert makes per pass; parse/+valid/+map: messages per second for ParseAlert,\n"
      " ParseAlert+Validate, ParseAlert+Validate+MapAlert; us: microseconds per message of each stage,\n"
      " by difference; the corpus row counts a message per file)\n");
  std::printf("load average after: %s; during the run this process used %.2f cores, other processes %.2f\n",
              LoadAverage().c_str(), use.bench, use.other);
  if (use.other > kDisturbedCores) {
    std::printf(
        "NOTE: other processes used %.2f cores; on a 2-CPU machine with the benchmark pinned to one, this\n"
        "only disturbs the figures when it lands on the same CPU (compare repeated runs)\n",
        use.other);
  }
  if (!o.json_out.empty()) {
    nlohmann::json j;
    j["cpu_model"] = CpuModel();
    j["pinned_cpu"] = cpu;
    j["other_cores"] = use.other;
    for (const auto& r : results) {
      nlohmann::json d = {{"name", r.name}, {"bytes", r.bytes}, {"signals", r.signals}, {"violations", r.violations}};
      const char* names[] = {"parse", "validate", "map"};
      for (int s = 0; s < 3; ++s) {
        d[names[s]] = {{"messages_per_s", r.stage[s].messages_per_s}, {"mb_per_s", r.stage[s].mb_per_s}};
      }
      j["documents"].push_back(d);
    }
    std::ofstream(o.json_out) << j.dump(2) << "\n";
  }
  return sink == 0 ? 1 : 0;  // sink is never 0: every document has at least one parse
}

// ------------------------------------------------------------------------------------------------
// http

// The first column of the first row of `sql` as text. Not thread-safe.
class Database {
 public:
  explicit Database(const std::string& dsn) : conn_(dsn) {}
  std::string QueryValue(const std::string& sql) {
    pqxx::nontransaction tx(conn_);
    const auto rows = tx.exec(sql);
    return rows.empty() || rows[0][0].is_null() ? "" : rows[0][0].c_str();
  }

 private:
  pqxx::connection conn_;
};

struct HttpOptions {
  std::string http;
  std::string token_file;
  std::string sender;
  std::string db;  // optional: WAL per message and a final count of the stored messages
  std::string doc = "small";
  std::vector<int> clients = {1, 4, 16};
  double seconds = 10;
  double warmup = 2;
  int vikd_pid = 0;
  int pg_pid = 0;
  std::string json_out;
};

struct HttpPhase {
  std::string name;
  int clients = 0;
  double seconds = 0;
  Recorder rec;
  double rate = 0;
  double p50 = 0, p99 = 0, max = 0;
  double wal_per_message = NAN;
  CpuUse cpu;
};

PostVerdict JudgeCapAnswer(unsigned status, const std::string& body) {
  PostVerdict v;
  if (status != 200) {
    v.not_accepted = 1;
    v.error = "HTTP " + std::to_string(status) + ": " + body;
    return v;
  }
  try {
    const auto j = nlohmann::json::parse(body);
    const std::string outcome = j.value("outcome", "");
    if (outcome == "RECEIPT_OUTCOME_ACCEPTED") {
      v.accepted = 1;
    } else {
      v.not_accepted = 1;
      v.error = "HTTP 200 with outcome " + outcome;
    }
  } catch (const std::exception& e) {
    v.not_accepted = 1;
    v.error = std::string("HTTP 200 with an unreadable body: ") + e.what();
  }
  return v;
}

int RunHttp(const HttpOptions& o) {
  const AlertMaker make = *MakerNamed(o.doc);
  std::ifstream token_in(o.token_file);
  std::string token;
  std::getline(token_in, token);
  if (token.empty()) {
    std::fprintf(stderr, "vik_cap_bench: no token in %s\n", o.token_file.c_str());
    return 1;
  }
  const HttpTarget target = ParseHttpTarget(o.http);
  std::unique_ptr<Database> pg;
  if (!o.db.empty()) {
    pg = std::make_unique<Database>(o.db);
  }
  const std::string prefix = "capbench-" + std::to_string(std::time(nullptr)) + "-" + std::to_string(getpid());
  const std::string load_before = LoadAverage();

  auto phase = [&](const std::string& key, int clients, double seconds) {
    std::fprintf(stderr, "==> %s: %d clients, %.0f s\n", key.c_str(), clients, seconds);
    PostLoadSpec spec;
    spec.path = "/v1/cap";
    spec.content_type = "application/cap+xml";
    spec.body = [&](int client, std::uint64_t n) {
      const std::time_t now = std::time(nullptr);
      return make(prefix + "-" + key + "-" + std::to_string(client) + "-" + std::to_string(n), o.sender, CapTime(now),
                  CapTime(now + 6 * 3600));
    };
    spec.judge = JudgeCapAnswer;
    HttpPhase p;
    p.name = key;
    p.clients = clients;
    std::string lsn0;
    if (pg) {
      lsn0 = pg->QueryValue("SELECT pg_current_wal_lsn()");
    }
    const CpuSample c0 = SampleCpu(o.vikd_pid, o.pg_pid);
    p.rec = HttpPostLoad(target, token, spec, clients, Duration(seconds));
    const CpuSample c1 = SampleCpu(o.vikd_pid, o.pg_pid);
    if (pg && p.rec.accepted > 0) {
      p.wal_per_message = std::stod(pg->QueryValue("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + lsn0 + "')")) /
                          static_cast<double>(p.rec.accepted);
    }
    p.seconds = Seconds(c1.at - c0.at).count();
    p.cpu = CoresUsed(c0, c1);
    p.rate = static_cast<double>(p.rec.accepted) / p.seconds;
    auto latencies = p.rec.latency_ns;
    p.p50 = PercentileMs(latencies, 50);
    p.p99 = PercentileMs(latencies, 99);
    p.max = PercentileMs(latencies, 100);
    std::fprintf(stderr, "    %.0f messages/s, p50 %.2f ms, p99 %.2f ms, %llu accepted, %llu not accepted\n", p.rate,
                 p.p50, p.p99, static_cast<unsigned long long>(p.rec.accepted),
                 static_cast<unsigned long long>(p.rec.not_accepted));
    return p;
  };

  std::uint64_t accepted_total = 0;
  std::uint64_t not_accepted_total = 0;
  const HttpPhase warm = phase("warmup", 4, o.warmup);
  accepted_total += warm.rec.accepted;
  not_accepted_total += warm.rec.not_accepted;
  std::vector<HttpPhase> phases;
  for (int clients : o.clients) {
    phases.push_back(phase("c" + std::to_string(clients), clients, o.seconds));
    accepted_total += phases.back().rec.accepted;
    not_accepted_total += phases.back().rec.not_accepted;
  }
  const std::size_t doc_bytes = make(prefix + "-c16-15-1000000", o.sender, CapTime(0), CapTime(0)).size();

  std::printf("vik CAP benchmark: POST /v1/cap end to end, run %s\n", prefix.c_str());
  std::printf("CPU: %s; %u CPUs online; load average before: %s, after: %s\n", CpuModel().c_str(),
              std::thread::hardware_concurrency(), load_before.c_str(), LoadAverage().c_str());
  if (pg) {
    std::printf("PostgreSQL: %s; fsync=%s synchronous_commit=%s\n", pg->QueryValue("SHOW server_version").c_str(),
                pg->QueryValue("SHOW fsync").c_str(), pg->QueryValue("SHOW synchronous_commit").c_str());
  }
  std::printf("document: %s alert, about %zu bytes, one signal each, distinct identifiers; %.0f s per phase\n",
              o.doc.c_str(), doc_bytes, o.seconds);
  std::printf("\n%-8s %10s %8s %8s %8s %9s %9s | %5s %5s %5s %5s %5s | %8s %8s %8s\n", "clients", "accepted/s",
              "p50 ms", "p99 ms", "max ms", "accepted", "errors", "vikd", "pg", "bench", "other", "idle", "vikd us",
              "pg us", "WAL B");
  for (const auto& p : phases) {
    const double per = p.rate > 0 ? 1e6 / p.rate : NAN;
    std::printf("%-8d %10.0f %8.2f %8.2f %8.2f %9llu %9llu | %5.2f %5.2f %5.2f %5.2f %5.2f | %8s %8s %8s\n", p.clients,
                p.rate, p.p50, p.p99, p.max, static_cast<unsigned long long>(p.rec.accepted),
                static_cast<unsigned long long>(p.rec.not_accepted), p.cpu.vikd, p.cpu.postgres, p.cpu.bench,
                p.cpu.other, p.cpu.idle, Fixed(p.cpu.vikd * per, 0).c_str(), Fixed(p.cpu.postgres * per, 0).c_str(),
                Fixed(p.wal_per_message, 0).c_str());
  }
  std::printf(
      "(cores: CPU used by each party over the phase; vikd us / pg us: CPU microseconds per accepted\n"
      " message; WAL B: WAL bytes per accepted message)\n");
  bool ok = not_accepted_total == 0;
  std::vector<const HttpPhase*> all = {&warm};
  for (const auto& p : phases) {
    all.push_back(&p);
  }
  for (const auto* p : all) {
    for (const auto& [what, n] : p->rec.errors) {
      std::printf("ERROR in %s: %llu x %s\n", p->name.c_str(), static_cast<unsigned long long>(n), what.c_str());
    }
    if (p->cpu.other > kDisturbedCores && p != &warm) {
      std::printf("WARNING: other processes used %.2f cores during \"%d clients\": its figures are disturbed\n",
                  p->cpu.other, p->clients);
    }
  }
  std::printf("messages accepted: %llu, not accepted: %llu\n", static_cast<unsigned long long>(accepted_total),
              static_cast<unsigned long long>(not_accepted_total));
  if (pg) {
    const std::uint64_t stored =
        std::stoull(pg->QueryValue("SELECT count(*) FROM cap_messages WHERE identifier LIKE '" + prefix + "-%'"));
    std::printf("rows of this run in cap_messages: %llu -> %s\n", static_cast<unsigned long long>(stored),
                stored == accepted_total ? "consistent" : "MISMATCH");
    ok = ok && stored == accepted_total;
  }
  if (!o.json_out.empty()) {
    nlohmann::json j;
    j["run"] = prefix;
    j["document"] = o.doc;
    j["document_bytes"] = doc_bytes;
    for (const auto* p : all) {
      nlohmann::json errors = nlohmann::json::object();
      for (const auto& [what, n] : p->rec.errors) {
        errors[what] = n;
      }
      j["phases"].push_back(
          {{"name", p->name},
           {"clients", p->clients},
           {"seconds", p->seconds},
           {"accepted", p->rec.accepted},
           {"not_accepted", p->rec.not_accepted},
           {"rate", p->rate},
           {"p50_ms", p->p50},
           {"p99_ms", p->p99},
           {"max_ms", p->max},
           {"wal_bytes_per_message",
            std::isnan(p->wal_per_message) ? nlohmann::json(nullptr) : nlohmann::json(p->wal_per_message)},
           {"cores",
            {{"vikd", p->cpu.vikd},
             {"postgres", p->cpu.postgres},
             {"bench", p->cpu.bench},
             {"other", p->cpu.other},
             {"idle", p->cpu.idle}}},
           {"errors", errors}});
    }
    std::ofstream(o.json_out) << j.dump(2) << "\n";
  }
  return ok ? 0 : 1;
}

// ------------------------------------------------------------------------------------------------
// Command line

constexpr const char* kHelp =
    "Usage: vik_cap_bench parse [options]\n"
    "  --seconds S         each stage of the whole corpus and of each synthetic alert (default 2)\n"
    "  --file-seconds S    each stage of each corpus file (default 0.3)\n"
    "  --warmup S          warm-up before each measurement (default 0.2)\n"
    "  --cpu N             pin to CPU N (default: the last allowed CPU)\n"
    "  --only TEXT         measure only the documents whose name contains TEXT (e.g. for perf)\n"
    "  --source-dir DIR    the vik checkout (tests/data/cap, migrations/; default: the build's)\n"
    "  --json FILE         also write the results as JSON\n"
    "\n"
    "Usage: vik_cap_bench http --http HOST:PORT --token-file FILE --sender ID [options]\n"
    "  --sender ID         CAP <sender>: a registered source of the token's partner\n"
    "  --clients LIST      concurrent clients per phase, comma-separated (default 1,4,16)\n"
    "  --seconds S         length of each phase (default 10; a 4-client warm-up of --warmup S first)\n"
    "  --warmup S          (default 2)\n"
    "  --doc NAME          small (1 KB), medium (20 KB), large (500 KB) or national (880 KB) alert\n"
    "                      (default small)\n"
    "  --db DSN            report WAL bytes per message and check the stored count\n"
    "  --vikd-pid N --pg-pid N   attribute CPU time to vikd and to PostgreSQL (postmaster pid)\n"
    "  --json FILE         also write the results as JSON\n";

using bench::Flags;

bool ParseFlags(int argc, char** argv, const Flags& flags) {
  return bench::ParseFlags(argc, argv, 2, flags, "vik_cap_bench", kHelp);
}

std::vector<int> IntList(const std::string& text) {
  std::vector<int> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const int n = std::stoi(item);
    if (n < 1) {
      throw std::invalid_argument("not positive");
    }
    out.push_back(n);
  }
  if (out.empty()) {
    throw std::invalid_argument("empty");
  }
  return out;
}

int Main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "parse") {
    ParseOptions o;
    const Flags flags = {
        {"--seconds", [&](const std::string& v) { o.seconds = std::stod(v); }},
        {"--file-seconds", [&](const std::string& v) { o.file_seconds = std::stod(v); }},
        {"--warmup", [&](const std::string& v) { o.warmup = std::stod(v); }},
        {"--cpu", [&](const std::string& v) { o.cpu = std::stoi(v); }},
        {"--only", [&](const std::string& v) { o.only = v; }},
        {"--source-dir", [&](const std::string& v) { o.source_dir = v; }},
        {"--json", [&](const std::string& v) { o.json_out = v; }},
    };
    if (!ParseFlags(argc, argv, flags)) {
      return 2;
    }
    return RunParse(o);
  }
  if (mode == "http") {
    HttpOptions o;
    const Flags flags = {
        {"--http", [&](const std::string& v) { o.http = v; }},
        {"--token-file", [&](const std::string& v) { o.token_file = v; }},
        {"--sender", [&](const std::string& v) { o.sender = v; }},
        {"--db", [&](const std::string& v) { o.db = v; }},
        {"--doc",
         [&](const std::string& v) {
           if (!MakerNamed(v)) {
             throw std::invalid_argument(v);
           }
           o.doc = v;
         }},
        {"--clients", [&](const std::string& v) { o.clients = IntList(v); }},
        {"--seconds", [&](const std::string& v) { o.seconds = std::stod(v); }},
        {"--warmup", [&](const std::string& v) { o.warmup = std::stod(v); }},
        {"--vikd-pid", [&](const std::string& v) { o.vikd_pid = std::stoi(v); }},
        {"--pg-pid", [&](const std::string& v) { o.pg_pid = std::stoi(v); }},
        {"--json", [&](const std::string& v) { o.json_out = v; }},
    };
    if (!ParseFlags(argc, argv, flags)) {
      return 2;
    }
    if (o.http.empty() || o.token_file.empty() || o.sender.empty()) {
      std::fprintf(stderr, "vik_cap_bench http: --http, --token-file and --sender are required\n%s", kHelp);
      return 2;
    }
    return RunHttp(o);
  }
  if (mode == "--help" || mode == "-h") {
    std::fputs(kHelp, stdout);
    return 0;
  }
  std::fprintf(stderr, "vik_cap_bench: expected a mode, parse or http\n%s", kHelp);
  return 2;
}

}  // namespace
}  // namespace vik::bench

int main(int argc, char** argv) {
  try {
    return vik::bench::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vik_cap_bench: %s\n", e.what());
    return 1;
  }
}
