#pragma once

// A vikd instance for end-to-end tests: `vikd serve` on port 0 with a ports file, against the
// given database; waits until both listeners are bound.

#include <memory>
#include <string>
#include <vector>

#include "support/process.h"

namespace vik::testing {

class Vikd {
 public:
  // Starts `vikd serve --db DSN --http 127.0.0.1:0 --grpc 127.0.0.1:0 --ports-file ... EXTRA...`
  // and waits up to 20s for the ports file. Fails the test when vikd exits or never binds.
  Vikd(const std::string& dsn, std::vector<std::string> extra = {});

  int http_port() const { return http_port_; }
  int grpc_port() const { return grpc_port_; }
  int management_port() const { return management_port_; }  // 0 unless http.management is set
  std::string grpc_target() const { return "127.0.0.1:" + std::to_string(grpc_port_); }
  ChildProcess& process() { return *process_; }

  // SIGTERM and wait; returns the exit code (nullopt on timeout).
  std::optional<int> Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(20));

 private:
  std::unique_ptr<ChildProcess> process_;
  int http_port_ = 0;
  int grpc_port_ = 0;
  int management_port_ = 0;
};

// Runs vikd with `args` to completion (e.g. `migrate`), returning {exit code, stdout, stderr}.
struct VikdRun {
  int exit_code;
  std::string out;
  std::string err;
};
VikdRun RunVikd(std::vector<std::string> args, std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace vik::testing
