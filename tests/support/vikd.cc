#include "support/vikd.h"

#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace vik::testing {

Vikd::Vikd(const std::string& dsn, std::vector<std::string> extra) {
  // The ports file lives next to the process's output files.
  std::vector<std::string> argv = {VIKD_PATH,     "serve",  "--db",        dsn,     "--http",
                                   "127.0.0.1:0", "--grpc", "127.0.0.1:0", "--set", "runtime.readiness_interval=200ms"};
  char tmpl[] = "/tmp/vik-ports-XXXXXX";
  const int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  close(fd);
  std::remove(tmpl);
  const std::string ports_file = tmpl;
  argv.push_back("--ports-file");
  argv.push_back(ports_file);
  argv.insert(argv.end(), extra.begin(), extra.end());
  process_ = std::make_unique<ChildProcess>(argv);
  const bool bound =
      WaitUntil([&] { return !ReadFile(ports_file).empty() || !process_->running(); }, std::chrono::seconds(20));
  const std::string ports = ReadFile(ports_file);
  std::remove(ports_file.c_str());
  if (!bound || ports.empty()) {
    FAIL("vikd did not bind its ports; stderr:\n" << process_->Stderr());
  }
  auto j = nlohmann::json::parse(ports);
  http_port_ = j.at("http").get<int>();
  grpc_port_ = j.at("grpc").get<int>();
  management_port_ = j.value("management", 0);
}

std::optional<int> Vikd::Terminate(std::chrono::milliseconds timeout) {
  process_->Signal(SIGTERM);
  return process_->Wait(timeout);
}

VikdRun RunVikd(std::vector<std::string> args, std::chrono::milliseconds timeout) {
  args.insert(args.begin(), VIKD_PATH);
  ChildProcess p(args);
  auto code = p.Wait(timeout);
  if (!code) {
    FAIL("vikd " << args[1] << " did not finish within " << timeout.count() << "ms; stderr:\n" << p.Stderr());
  }
  return {*code, p.Stdout(), p.Stderr()};
}

}  // namespace vik::testing
