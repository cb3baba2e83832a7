#pragma once

// Child processes for end-to-end tests: the real vikd binary, started with arguments, its stdout
// and stderr captured to files.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace vik::testing {

class ChildProcess {
 public:
  // Starts `argv[0]` with `argv`. Output goes to files in a fresh temp directory.
  explicit ChildProcess(std::vector<std::string> argv);
  ~ChildProcess();  // SIGKILLs the child if it still runs
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  int pid() const { return pid_; }
  void Signal(int sig) const;
  // The exit code (or 128+signal), or nullopt if still running after `timeout`.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  bool running();

  std::string Stdout() const;
  std::string Stderr() const;
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  int pid_ = -1;
  std::optional<int> exit_code_;
};

// Reads a whole file ("" if missing).
std::string ReadFile(const std::string& path);

// Polls `done` every 20ms until it returns true or `timeout` passes; returns its last value.
template <typename Fn>
bool WaitUntil(Fn done, std::chrono::milliseconds timeout);

}  // namespace vik::testing

#include <thread>

template <typename Fn>
bool vik::testing::WaitUntil(Fn done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}
