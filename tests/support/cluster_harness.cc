#include "support/cluster_harness.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "support/postgres.h"
#include "support/process.h"

namespace vik::testing {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace net = boost::asio;

constexpr const char* kLeaseName = "vik-leader";

// Parses the Prometheus text format, keeping samples without labels.
std::map<std::string, double> ParseUnlabelled(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    const auto space = line.find(' ');
    if (space == std::string::npos || line.find('{') < space) {
      continue;
    }
    try {
      out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    } catch (const std::exception&) {
      // Not a number (NaN spellings are parsed by stod; anything else is not a sample we need).
    }
  }
  return out;
}

std::string LastLines(const std::string& text, std::size_t n) {
  std::size_t pos = text.size();
  for (std::size_t i = 0; i <= n && pos != std::string::npos && pos > 0; ++i) {
    pos = text.rfind('\n', pos - 1);
  }
  return pos == std::string::npos ? text : text.substr(pos + 1);
}

std::string Seconds(std::int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", static_cast<double>(us) / 1e6);
  return buf;
}

}  // namespace

std::optional<std::map<std::string, double>> ScrapeMetrics(int http_port, std::chrono::milliseconds timeout) {
  try {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    stream.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(http_port)));
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, "/metrics", 11};
    req.set(bhttp::field::host, "127.0.0.1");
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    beast::error_code ec;
    stream.socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    if (res.result_int() != 200) {
      return std::nullopt;
    }
    return ParseUnlabelled(res.body());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

const LeaseTerm* LeaseHistory::term(std::int64_t epoch) const {
  for (const auto& t : terms) {
    if (t.epoch == epoch) {
      return &t;
    }
  }
  return nullptr;
}

std::string LeaseHistory::Describe() const {
  std::ostringstream out;
  const std::int64_t origin = rows.empty() ? 0 : rows.front().at_us;
  out << rows.size() << " heartbeats";
  for (const auto& t : terms) {
    out << "; epoch " << t.epoch << " (";
    bool first = true;
    for (const auto& h : t.holders) {
      out << (first ? "" : ",") << h;
      first = false;
    }
    out << "): " << t.rows << " rows from +" << Seconds(t.first_at_us - origin) << " to +"
        << Seconds(t.last_at_us - origin);
  }
  return out.str();
}

LeaseHistory ReadLeaseHistory(const std::string& dsn) {
  pqxx::connection c(dsn);
  pqxx::nontransaction n(c);
  LeaseHistory h;
  // extract(epoch ...) is numeric (exact) on PostgreSQL 14 and later.
  for (const auto& r : n.exec("SELECT id, epoch, holder, (extract(epoch FROM at) * 1000000)::bigint"
                              " FROM leader_heartbeats WHERE lease = " +
                              n.quote(kLeaseName) + " ORDER BY at, id")) {
    h.rows.push_back(
        {r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::string>(), r[3].as<std::int64_t>()});
  }
  std::map<std::int64_t, LeaseTerm> terms;
  for (const auto& row : h.rows) {
    LeaseTerm& t = terms[row.epoch];
    if (t.rows == 0) {
      t.epoch = row.epoch;
      t.first_at_us = row.at_us;
      t.last_at_us = row.at_us;
    }
    t.holders.insert(row.holder);
    t.first_at_us = std::min(t.first_at_us, row.at_us);
    t.last_at_us = std::max(t.last_at_us, row.at_us);
    ++t.rows;
  }
  for (auto& [epoch, t] : terms) {
    h.terms.push_back(std::move(t));
  }
  return h;
}

std::vector<std::string> LeaseHistoryViolations(const LeaseHistory& history) {
  std::vector<std::string> out;
  for (std::size_t i = 1; i < history.rows.size(); ++i) {
    const auto& a = history.rows[i - 1];
    const auto& b = history.rows[i];
    if (b.epoch < a.epoch) {
      out.push_back("epoch decreased in time order: heartbeat " + std::to_string(a.id) + " (epoch " +
                    std::to_string(a.epoch) + ", " + a.holder + ") is followed by heartbeat " + std::to_string(b.id) +
                    " (epoch " + std::to_string(b.epoch) + ", " + b.holder + ") " + std::to_string(b.at_us - a.at_us) +
                    " us later");
    }
  }
  for (std::size_t i = 0; i < history.terms.size(); ++i) {
    const auto& t = history.terms[i];
    if (t.holders.size() != 1) {
      std::string names;
      for (const auto& h : t.holders) {
        names += (names.empty() ? "" : ", ") + h;
      }
      out.push_back("epoch " + std::to_string(t.epoch) + " has " + std::to_string(t.holders.size()) +
                    " holders: " + names);
    }
    if (i > 0) {
      const auto& prev = history.terms[i - 1];
      if (prev.last_at_us >= t.first_at_us) {
        out.push_back("lease terms overlap: the last heartbeat of epoch " + std::to_string(prev.epoch) + " is " +
                      std::to_string(prev.last_at_us - t.first_at_us) + " us after the first of epoch " +
                      std::to_string(t.epoch));
      }
    }
  }
  return out;
}

ClusterHarness::ClusterHarness(std::string dsn, std::vector<std::string> node_ids,
                               const std::vector<std::string>& extra)
    : dsn_(std::move(dsn)) {
  REQUIRE(!node_ids.empty());
  for (std::size_t i = 0; i < node_ids.size(); ++i) {
    std::vector<std::string> args = {"--node-id", node_ids[i]};
    args.insert(args.end(), extra.begin(), extra.end());
    nodes_.push_back({node_ids[i], std::make_unique<Vikd>(dsn_, args), true});
    if (i == 0) {
      const bool leads = WaitUntil([&] { return ReportsLeader(0); }, std::chrono::seconds(15));
      INFO("the first instance " << node_ids[0] << " never reported vik_cluster_is_leader 1; stderr (tail):\n"
                                 << LastLines(nodes_[0].vikd->process().Stderr(), 20));
      REQUIRE(leads);
    }
  }
}

std::optional<double> ClusterHarness::Metric(std::size_t i, const std::string& name) {
  if (!nodes_.at(i).reachable) {
    return std::nullopt;
  }
  auto samples = ScrapeMetrics(nodes_[i].vikd->http_port());
  if (!samples) {
    return std::nullopt;
  }
  auto it = samples->find(name);
  if (it == samples->end()) {
    return std::nullopt;
  }
  return it->second;
}

bool ClusterHarness::ReportsLeader(std::size_t i) { return Metric(i, "vik_cluster_is_leader") == 1.0; }

std::optional<std::size_t> ClusterHarness::Leader() {
  std::optional<std::size_t> leader;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (!nodes_[i].reachable) {
      continue;
    }
    const auto v = Metric(i, "vik_cluster_is_leader");
    if (!v) {
      return std::nullopt;  // a reachable instance that does not answer: unknown
    }
    if (*v == 1.0) {
      if (leader) {
        return std::nullopt;  // two claim it
      }
      leader = i;
    }
  }
  if (!leader) {
    return std::nullopt;
  }
  try {
    const std::string holder = QueryValue(dsn_, std::string("SELECT holder FROM leases WHERE name = '") + kLeaseName +
                                                    "' AND expires_at > clock_timestamp()");
    if (holder != nodes_[*leader].id) {
      return std::nullopt;
    }
  } catch (const std::exception&) {
    return std::nullopt;  // the database is unreachable: cannot agree
  }
  return leader;
}

std::optional<std::chrono::milliseconds> ClusterHarness::WaitForLeadership(std::size_t i,
                                                                           std::chrono::steady_clock::time_point since,
                                                                           std::chrono::milliseconds timeout) {
  std::optional<std::chrono::steady_clock::time_point> seen;
  WaitUntil(
      [&] {
        if (ReportsLeader(i)) {
          seen = std::chrono::steady_clock::now();
          return true;
        }
        return false;
      },
      timeout - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since));
  if (!seen) {
    return std::nullopt;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(*seen - since);
}

std::optional<ClusterHarness::SettledLeader> ClusterHarness::WaitForSettledLeader(std::chrono::milliseconds timeout,
                                                                                  std::chrono::milliseconds stable) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::optional<std::size_t> candidate;
  std::chrono::steady_clock::time_point candidate_since;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto now_leader = Leader();
    const auto now = std::chrono::steady_clock::now();
    if (!now_leader || now_leader != candidate) {
      candidate = now_leader;
      candidate_since = now;
    } else if (now - candidate_since >= stable) {
      return SettledLeader{*candidate, candidate_since};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return std::nullopt;
}

std::string ClusterHarness::LogTails(std::size_t lines) const {
  std::string out;
  for (const auto& n : nodes_) {
    out += "--- " + n.id + " (pid " + std::to_string(n.vikd->process().pid()) + ") stderr, last lines:\n" +
           LastLines(n.vikd->process().Stderr(), lines) + "\n";
  }
  return out;
}

}  // namespace vik::testing
